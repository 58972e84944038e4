"""kubernetes-core-persistentvolume-azurefile-csi-driver

Applies to: ``kubernetes:core/v1:PersistentVolume``.

Enforces: Azure Files volumes use the CSI driver ``file.csi.azure.com`` and never the
in-tree ``spec.azureFile`` source (deprecated; on AKS it only works through CSI migration
and cannot use CSI features such as NFS or the driver listing the key itself). A CSI volume whose
``volumeAttributes`` name a ``shareName`` but whose driver is something else (a typo such
as ``file.csi.azure.net``) is reported too: it would never be mounted by the Azure Files
driver.

Missing: a PV with neither ``azureFile`` nor ``csi.volumeAttributes.shareName`` is not an
Azure Files volume and passes.
Unknown: an unknown driver skips the check.
"""

from __future__ import annotations

from pulumi_policy import (
    ReportViolation,
    ResourceValidationArgs,
    ResourceValidationPolicy,
    Severity,
)

from .._k8s import AZURE_FILE_CSI_DRIVER, PV_TYPE, object_name, volume_attribute
from .._props import UNKNOWN, get, is_known, plain


def _validate(args: ResourceValidationArgs, report_violation: ReportViolation) -> None:
    if args.resource_type != PV_TYPE:
        return
    props = plain(args.props)
    name = object_name(props, args.name)
    if is_known(get(props, "spec", "azureFile")):
        report_violation(
            f"PersistentVolume '{name}' uses the in-tree azureFile volume source; use spec.csi "
            f"with driver '{AZURE_FILE_CSI_DRIVER}' instead.",
            None,
        )
        return
    driver = get(props, "spec", "csi", "driver")
    if driver is UNKNOWN or driver == AZURE_FILE_CSI_DRIVER:
        return
    if is_known(volume_attribute(props, "shareName")) and is_known(driver):
        report_violation(
            f"PersistentVolume '{name}' names an Azure file share in csi.volumeAttributes but "
            f"uses driver {driver!r}; Azure Files volumes must use driver "
            f"'{AZURE_FILE_CSI_DRIVER}'.",
            None,
        )


# No stack-file key can cause this verdict: the components always comply.
STACK_KEYS: tuple[str, ...] = ()

POLICY = ResourceValidationPolicy(
    name="kubernetes-core-persistentvolume-azurefile-csi-driver",
    description=(
        "Azure Files PersistentVolumes use the file.csi.azure.com CSI driver, never the in-tree "
        "azureFile source."
    ),
    validate=_validate,
    severity=Severity.HIGH,
    remediation_steps=(
        "Replace spec.azureFile with spec.csi: driver 'file.csi.azure.com', a unique "
        "volumeHandle and volumeAttributes {resourceGroup, storageAccount, shareName}; no key "
        "Secret (kubernetes-core-persistentvolume-no-account-key)."
    ),
    url="https://learn.microsoft.com/azure/aks/azure-csi-files-storage-provision",
    tags=["kubernetes", "azure-files", "csi"],
)
