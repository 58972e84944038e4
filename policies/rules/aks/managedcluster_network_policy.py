"""azure-native-containerservice-managedcluster-network-policy

Applies to: ``azure-native:containerservice:ManagedCluster``.

Enforces: ``networkProfile.networkPolicy`` is one of ``azure``, ``calico``, ``cilium``, so
Kubernetes NetworkPolicies are actually enforced.

Missing: no ``networkPolicy`` is a violation (AKS then installs no network policy engine).
Unknown: skipped.
"""

from __future__ import annotations

from pulumi_policy import (
    PolicyComplianceFramework,
    ReportViolation,
    ResourceValidationArgs,
    ResourceValidationPolicy,
    Severity,
)

from .._azure import CHECKOV, MANAGED_CLUSTER_TYPE, label
from .._props import MISSING, UNKNOWN, get, plain

_ENGINES = ("azure", "calico", "cilium")


def _validate(args: ResourceValidationArgs, report_violation: ReportViolation) -> None:
    if args.resource_type != MANAGED_CLUSTER_TYPE:
        return
    props = plain(args.props)
    engine = get(props, "networkProfile", "networkPolicy")
    if engine is UNKNOWN or engine in _ENGINES:
        return
    cluster = label("ManagedCluster", props, "resourceName", args.name)
    detail = (
        "does not set networkProfile.networkPolicy"
        if engine is MISSING
        else f"has networkProfile.networkPolicy {engine!r}"
    )
    report_violation(f"{cluster} {detail}; use 'azure', 'calico' or 'cilium'.", None)


# No stack-file key can cause this verdict: the components always comply.
STACK_KEYS: tuple[str, ...] = ()

POLICY = ResourceValidationPolicy(
    name="azure-native-containerservice-managedcluster-network-policy",
    description="AKS clusters run a network policy engine.",
    validate=_validate,
    severity=Severity.MEDIUM,
    framework=PolicyComplianceFramework(name=CHECKOV, reference="CKV_AZURE_7"),
    remediation_steps=(
        "Set networkProfile={'networkPlugin': 'azure', 'networkPolicy': 'azure' | 'calico' | "
        "'cilium'} on the ManagedCluster ('cilium' also needs networkDataplane 'cilium')."
    ),
    url="https://learn.microsoft.com/azure/aks/use-network-policies",
    tags=["azure", "aks", "network"],
)
