"""azure-native-containerservice-managedcluster-kubernetes-version-allowed

Applies to: ``azure-native:containerservice:ManagedCluster`` (``kubernetesVersion`` and each
pool's ``orchestratorVersion``) and ``azure-native:containerservice:AgentPool``
(``orchestratorVersion``).

Enforces: versions match an entry of the ``allowedVersions`` setting. An entry ``1.36``
allows ``1.36`` and every ``1.36.x`` patch; an entry ``1.36.2`` allows exactly that patch.

Missing: a cluster without ``kubernetesVersion`` is a violation (AKS would pick its current
default, so the version would drift between environments). A pool without
``orchestratorVersion`` follows the control plane and passes.
Unknown: skipped.
"""

from __future__ import annotations

from typing import Any

from pulumi_policy import (
    PolicyComplianceFramework,
    ReportViolation,
    ResourceValidationArgs,
    ResourceValidationPolicy,
    Severity,
)

from .._azure import (
    AGENT_POOL_TYPE,
    AZURE_POLICY,
    MANAGED_CLUSTER_TYPE,
    agent_pools,
    azure_policy_reference,
    azure_policy_url,
    label,
)
from .._config import schema, settings
from .._props import MISSING, UNKNOWN, get, plain

_DEFINITION = "fb893a29-21bb-418c-a157-e99480ec364c"

CONFIG_SCHEMA = schema(
    {
        "allowedVersions": {
            "type": "array",
            "items": {"type": "string", "pattern": "^[0-9]+\\.[0-9]+(\\.[0-9]+)?$"},
            "minItems": 1,
            "uniqueItems": True,
            "description": (
                "Allowed Kubernetes versions: 'major.minor' (any patch) or exact "
                "'major.minor.patch'."
            ),
            "default": ["1.36"],
        }
    }
)


def _allowed(version: Any, allowed: list[str]) -> bool:
    if not isinstance(version, str):
        return False
    return any(version == entry or version.startswith(entry + ".") for entry in allowed)


def _validate(args: ResourceValidationArgs, report_violation: ReportViolation) -> None:
    if args.resource_type not in (MANAGED_CLUSTER_TYPE, AGENT_POOL_TYPE):
        return
    props = plain(args.props)
    allowed = settings(args.get_config(), CONFIG_SCHEMA)["allowedVersions"]
    shown = ", ".join(allowed)
    if args.resource_type == MANAGED_CLUSTER_TYPE:
        cluster = label("ManagedCluster", props, "resourceName", args.name)
        version = get(props, "kubernetesVersion")
        if version is MISSING:
            report_violation(
                f"{cluster} does not pin kubernetesVersion; set one of: {shown}.", None
            )
        elif version is not UNKNOWN and not _allowed(version, allowed):
            report_violation(
                f"{cluster} uses Kubernetes {version!r}, which is not allowed; use one of: "
                f"{shown}.",
                None,
            )
    pools = agent_pools(args.resource_type, props, args.name)
    if pools is UNKNOWN:
        return
    for pool_label, pool, _ in pools:
        version = get(pool, "orchestratorVersion")
        if version is MISSING or version is UNKNOWN or _allowed(version, allowed):
            continue
        report_violation(
            f"{pool_label} uses orchestratorVersion {version!r}, which is not allowed; use one "
            f"of: {shown}.",
            None,
        )


# The stack-file keys whose values can cause this verdict (the fix line names them).
STACK_KEYS: tuple[str, ...] = ("kubernetesVersion",)

POLICY = ResourceValidationPolicy(
    name="azure-native-containerservice-managedcluster-kubernetes-version-allowed",
    description="AKS clusters and node pools run an allowed Kubernetes version.",
    validate=_validate,
    config_schema=CONFIG_SCHEMA,
    severity=Severity.MEDIUM,
    framework=PolicyComplianceFramework(
        name=AZURE_POLICY, reference=azure_policy_reference(_DEFINITION)
    ),
    remediation_steps=(
        "Set kubernetesVersion (and any orchestratorVersion) to a version allowed by this "
        "policy's allowedVersions setting in policies/config/<env>.json."
    ),
    url=azure_policy_url(_DEFINITION),
    tags=["azure", "aks", "lifecycle"],
)
