"""azure-native-containerservice-managedcluster-kubernetes-version-supported

Applies to: ``azure-native:containerservice:ManagedCluster`` (``kubernetesVersion`` and each
pool's ``orchestratorVersion``) and ``azure-native:containerservice:AgentPool``
(``orchestratorVersion``).

Enforces: each version's minor is on AKS's release calendar (``policies/aks_versions.py``),
announced GA in AKS's release notes, and more than ``minimumRunwayDays`` days from its end of
support, counted from today (``INFRA_TODAY`` pins the date). AKS creates no cluster on a
version past its end of support, and one near it leaves no time to upgrade. Every version fails
once the calendar was read more than ``MAX_AGE_DAYS`` ago: stale dates fail before they mislead.

Missing: passes (``...-kubernetes-version-allowed`` requires a pinned version).
Unknown: skipped.
"""

from __future__ import annotations

from typing import Any

from pulumi_policy import (
    ReportViolation,
    ResourceValidationArgs,
    ResourceValidationPolicy,
    Severity,
)

from ...aks_versions import SOURCE_URL, runway_problem, today
from .._azure import AGENT_POOL_TYPE, MANAGED_CLUSTER_TYPE, agent_pools, label
from .._config import schema, settings
from .._props import UNKNOWN, get, plain

CONFIG_SCHEMA = schema(
    {
        "minimumRunwayDays": {
            "type": "integer",
            "minimum": 0,
            "description": (
                "A version fails when its AKS end of support is this many days away or fewer."
            ),
            "default": 60,
        }
    }
)


def _validate(args: ResourceValidationArgs, report_violation: ReportViolation) -> None:
    if args.resource_type not in (MANAGED_CLUSTER_TYPE, AGENT_POOL_TYPE):
        return
    props = plain(args.props)
    minimum = settings(args.get_config(), CONFIG_SCHEMA)["minimumRunwayDays"]
    on = today()
    versions: list[tuple[str, Any]] = []
    if args.resource_type == MANAGED_CLUSTER_TYPE:
        cluster = label("ManagedCluster", props, "resourceName", args.name)
        versions.append((f"{cluster} Kubernetes", get(props, "kubernetesVersion")))
    pools = agent_pools(args.resource_type, props, args.name)
    if pools is not UNKNOWN:
        # A pool on the control plane's version shares its verdict: reported once.
        shown = {version for _, version in versions}
        versions += [
            (f"{pool} orchestratorVersion", get(p, "orchestratorVersion"))
            for pool, p, _ in pools
            if get(p, "orchestratorVersion") not in shown
        ]
    for subject, version in versions:
        if version is UNKNOWN or not isinstance(version, str):
            continue
        problem = runway_problem(version, on, minimum)
        if problem:
            report_violation(f"{subject} {version!r} {problem}.", None)


# The stack-file keys whose values can cause this verdict (the fix line names them).
STACK_KEYS: tuple[str, ...] = ("kubernetesVersion",)

POLICY = ResourceValidationPolicy(
    name="azure-native-containerservice-managedcluster-kubernetes-version-supported",
    description="AKS clusters and node pools run a GA Kubernetes version with time left.",
    validate=_validate,
    config_schema=CONFIG_SCHEMA,
    severity=Severity.HIGH,
    remediation_steps=(
        "Move kubernetesVersion (Pulumi.yaml or the stack file) to the newest minor that "
        "policies/aks_versions.py shows announced GA, one minor at a time for a deployed "
        f"cluster; re-read {SOURCE_URL} into policies/aks_versions.py when it is stale."
    ),
    url=SOURCE_URL,
    tags=["azure", "aks", "lifecycle"],
)
