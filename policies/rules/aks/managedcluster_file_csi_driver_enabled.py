"""azure-native-containerservice-managedcluster-file-csi-driver-enabled

Applies to: ``azure-native:containerservice:ManagedCluster``.

Enforces: the Azure Files CSI driver is not disabled
(``storageProfile.fileCSIDriver.enabled`` is not ``false``); every ReadWriteMany volume of
this repository depends on it.

Missing: absent passes - AKS enables the driver by default.
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
from .._props import get, plain


def _validate(args: ResourceValidationArgs, report_violation: ReportViolation) -> None:
    if args.resource_type != MANAGED_CLUSTER_TYPE:
        return
    props = plain(args.props)
    if get(props, "storageProfile", "fileCSIDriver", "enabled") is not False:
        return
    report_violation(
        f"{label('ManagedCluster', props, 'resourceName', args.name)} disables the Azure Files "
        "CSI driver; set storageProfile.fileCSIDriver.enabled to true (or leave it unset).",
        None,
    )


# No stack-file key can cause this verdict: the components always comply.
STACK_KEYS: tuple[str, ...] = ()

POLICY = ResourceValidationPolicy(
    name="azure-native-containerservice-managedcluster-file-csi-driver-enabled",
    description="AKS clusters keep the Azure Files CSI driver enabled.",
    validate=_validate,
    severity=Severity.HIGH,
    remediation_steps="Remove storageProfile.fileCSIDriver.enabled=False from the ManagedCluster.",
    url="https://learn.microsoft.com/azure/aks/csi-storage-drivers",
    tags=["azure", "aks", "azure-files", "csi"],
)
