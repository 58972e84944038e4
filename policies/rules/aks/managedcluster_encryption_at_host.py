"""azure-native-containerservice-managedcluster-encryption-at-host

Applies to: ``azure-native:containerservice:ManagedCluster`` (every ``agentPoolProfiles``
entry) and ``azure-native:containerservice:AgentPool``.

Enforces: every node pool sets ``enableEncryptionAtHost`` to ``true``, so the nodes' temp
disks, OS and data disk caches and their flows to Azure Storage are encrypted at the VM host
(Checkov CKV_AZURE_227 reads the first pool only; this checks them all).

Missing: a pool without ``enableEncryptionAtHost`` is a violation (AKS leaves it off).
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
from .._props import MISSING, UNKNOWN, describe, get, plain


def _validate(args: ResourceValidationArgs, report_violation: ReportViolation) -> None:
    pools = agent_pools(args.resource_type, plain(args.props), args.name)
    if pools is UNKNOWN:
        return
    for pool_label, pool, _ in pools:
        enabled = get(pool, "enableEncryptionAtHost")
        if enabled is UNKNOWN or enabled is True:
            continue
        shown = "does not set" if enabled is MISSING else f"has {describe(enabled)} for"
        report_violation(
            f"{pool_label} {shown} enableEncryptionAtHost; set it to true so temp disks, caches "
            "and their flows to storage are encrypted at the host.",
            None,
        )


# The stack-file keys whose values can cause this verdict (the fix line names them).
STACK_KEYS: tuple[str, ...] = ("encryptionAtHost",)

POLICY = ResourceValidationPolicy(
    name="azure-native-containerservice-managedcluster-encryption-at-host",
    description="AKS node pools encrypt temp disks, caches and data flows at the VM host.",
    validate=_validate,
    severity=Severity.MEDIUM,
    framework=PolicyComplianceFramework(name=CHECKOV, reference="CKV_AZURE_227"),
    remediation_steps=(
        "Set encryptionAtHost: true in the stack config (components/cluster.py sets "
        "enableEncryptionAtHost on every pool); register the subscription's "
        "Microsoft.Compute/EncryptionAtHost feature once."
    ),
    url="https://learn.microsoft.com/azure/aks/enable-host-encryption",
    tags=["azure", "aks", "encryption-at-rest"],
)
