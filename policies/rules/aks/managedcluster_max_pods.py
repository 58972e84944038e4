"""azure-native-containerservice-managedcluster-max-pods

Applies to: ``azure-native:containerservice:ManagedCluster`` (every ``agentPoolProfiles``
entry) and ``azure-native:containerservice:AgentPool``.

Enforces: every node pool sets ``maxPods`` explicitly, at least the ``minimumMaxPods``
setting (Checkov CKV_AZURE_168 asks for 50 on the first pool) and at most 250, Azure CNI
overlay's limit per node.

Missing: a pool without ``maxPods`` is a violation (AKS then picks a default per network
plugin, which the pod range was not sized for).
Unknown: an unknown pool list or value is skipped.
"""

from __future__ import annotations

from pulumi_policy import (
    PolicyComplianceFramework,
    ReportViolation,
    ResourceValidationArgs,
    ResourceValidationPolicy,
    Severity,
)

from .._azure import CHECKOV, agent_pools
from .._config import schema, settings
from .._props import MISSING, UNKNOWN, as_int, describe, get, plain

OVERLAY_MAX_PODS = 250

CONFIG_SCHEMA = schema(
    {
        "minimumMaxPods": {
            "type": "integer",
            "minimum": 10,
            "maximum": OVERLAY_MAX_PODS,
            "description": "Lowest maxPods a node pool may set.",
            "default": 50,
        }
    }
)


def _validate(args: ResourceValidationArgs, report_violation: ReportViolation) -> None:
    pools = agent_pools(args.resource_type, plain(args.props), args.name)
    if pools is UNKNOWN:
        return
    minimum = settings(args.get_config(), CONFIG_SCHEMA)["minimumMaxPods"]
    for pool_label, pool, _ in pools:
        value = get(pool, "maxPods")
        if value is UNKNOWN:
            continue
        if value is MISSING:
            report_violation(
                f"{pool_label} does not set maxPods; set it explicitly, between {minimum} and "
                f"{OVERLAY_MAX_PODS}.",
                None,
            )
            continue
        count = as_int(value)
        if count is None or not minimum <= count <= OVERLAY_MAX_PODS:
            report_violation(
                f"{pool_label} has maxPods {describe(value)}; use a whole number between "
                f"{minimum} and {OVERLAY_MAX_PODS}.",
                None,
            )


# The stack-file keys whose values can cause this verdict (the fix line names them).
STACK_KEYS: tuple[str, ...] = ("maxPods",)

POLICY = ResourceValidationPolicy(
    name="azure-native-containerservice-managedcluster-max-pods",
    description="AKS node pools set maxPods explicitly, within the allowed range.",
    validate=_validate,
    config_schema=CONFIG_SCHEMA,
    severity=Severity.LOW,
    framework=PolicyComplianceFramework(name=CHECKOV, reference="CKV_AZURE_168"),
    remediation_steps=(
        "Set maxPods in the stack config (components/cluster.py applies it to every pool); "
        "podCidr must hold a /24 for every node."
    ),
    url="https://learn.microsoft.com/azure/aks/azure-cni-overlay",
    tags=["azure", "aks", "networking"],
)
