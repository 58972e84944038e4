"""azure-native-containerservice-managedcluster-local-accounts-disabled

Applies to: ``azure-native:containerservice:ManagedCluster``.

Enforces: ``disableLocalAccounts`` is ``true`` - no static cluster-admin kubeconfig; every
access goes through Microsoft Entra ID.

Missing: ``disableLocalAccounts`` absent is a violation (local accounts are enabled by
default).
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

from .._azure import CHECKOV, MANAGED_CLUSTER_TYPE, azure_policy_url, label
from .._props import UNKNOWN, get, plain


def _validate(args: ResourceValidationArgs, report_violation: ReportViolation) -> None:
    if args.resource_type != MANAGED_CLUSTER_TYPE:
        return
    props = plain(args.props)
    disabled = get(props, "disableLocalAccounts")
    if disabled is True or disabled is UNKNOWN:
        return
    report_violation(
        f"{label('ManagedCluster', props, 'resourceName', args.name)} keeps local accounts "
        "enabled; set disableLocalAccounts to true.",
        None,
    )


# The stack-file keys whose values can cause this verdict (the fix line names them).
STACK_KEYS: tuple[str, ...] = ("disableLocalAccounts", "entraId")

POLICY = ResourceValidationPolicy(
    name="azure-native-containerservice-managedcluster-local-accounts-disabled",
    description="AKS clusters have local accounts disabled.",
    validate=_validate,
    severity=Severity.HIGH,
    framework=PolicyComplianceFramework(name=CHECKOV, reference="CKV_AZURE_141"),
    remediation_steps=(
        "Set disableLocalAccounts=True on the ManagedCluster (requires managed Entra ID "
        "integration, aadProfile.managed=True)."
    ),
    url=azure_policy_url("993c2fcd-2b29-49d2-9eb0-df2c3a730c32"),
    tags=["azure", "aks", "identity"],
)
