"""azure-native-containerservice-managedcluster-entra-id-enabled

Applies to: ``azure-native:containerservice:ManagedCluster``.

Enforces: managed Microsoft Entra ID integration, ``aadProfile.managed`` is ``true``, so
users authenticate with Entra ID identities (and groups in ``adminGroupObjectIDs`` /
Azure RBAC grant access).

Missing: no ``aadProfile`` or no ``managed`` is a violation (no Entra ID integration).
Unknown: skipped.
"""

from __future__ import annotations

from pulumi_policy import (
    ReportViolation,
    ResourceValidationArgs,
    ResourceValidationPolicy,
    Severity,
)

from .._azure import MANAGED_CLUSTER_TYPE, label
from .._props import UNKNOWN, get, plain


def _validate(args: ResourceValidationArgs, report_violation: ReportViolation) -> None:
    if args.resource_type != MANAGED_CLUSTER_TYPE:
        return
    props = plain(args.props)
    managed = get(props, "aadProfile", "managed")
    if managed is True or managed is UNKNOWN:
        return
    report_violation(
        f"{label('ManagedCluster', props, 'resourceName', args.name)} does not enable managed "
        "Microsoft Entra ID integration; set aadProfile.managed to true.",
        None,
    )


# The stack-file keys whose values can cause this verdict (the fix line names them).
STACK_KEYS: tuple[str, ...] = ("entraId",)

POLICY = ResourceValidationPolicy(
    name="azure-native-containerservice-managedcluster-entra-id-enabled",
    description="AKS clusters use managed Microsoft Entra ID integration.",
    validate=_validate,
    severity=Severity.HIGH,
    remediation_steps=(
        "Set aadProfile={'managed': True, 'enableAzureRBAC': True, 'adminGroupObjectIDs': "
        "[<admin group object id>]} on the ManagedCluster."
    ),
    url="https://learn.microsoft.com/azure/aks/enable-authentication-microsoft-entra-id",
    tags=["azure", "aks", "identity"],
)
