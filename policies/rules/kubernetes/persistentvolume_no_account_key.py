"""kubernetes-core-persistentvolume-no-account-key

Applies to: ``kubernetes:core/v1:PersistentVolume`` and ``kubernetes:core/v1:Secret``.

Enforces: no storage account key in Kubernetes. An Azure Files PersistentVolume
(``file.csi.azure.com``, or the in-tree ``azureFile`` source) references no Secret: neither
``spec.csi.nodeStageSecretRef`` nor ``spec.csi.volumeAttributes.secretName`` (nor the
in-tree ``spec.azureFile.secretName``), because the Secret it names holds the account key
(``azurestorageaccountkey``, the key the driver reads: kubernetes-sigs/azurefile-csi-driver
docs/driver-parameters.md), which gives full read, write and delete on every share of the
account to anyone who can read Secrets in that namespace, and sits in Pulumi state. And no
Secret carries an ``azurestorageaccountkey`` entry in ``data`` or ``stringData`` (key names
matched case-insensitively). Without a Secret the driver lists the key itself on the node with
the kubelet identity, which is granted ``listKeys`` on the account alone.

Missing: a PV without a secret reference passes; a Secret without ``data`` or ``stringData``
passes.
Unknown: an unknown driver, reference or Secret payload skips the check (known entries of a
payload are still checked).
"""

from __future__ import annotations

from typing import Any

from pulumi_policy import (
    ReportViolation,
    ResourceValidationArgs,
    ResourceValidationPolicy,
    Severity,
)

from .._k8s import PV_TYPE, SECRET_TYPE, is_azure_files_pv, object_name, volume_attribute
from .._props import UNKNOWN, get, is_known, plain

ACCOUNT_KEY_ENTRY = "azurestorageaccountkey"


def _pv_secret_references(props: dict[str, Any]) -> list[str]:
    references = []
    stage = get(props, "spec", "csi", "nodeStageSecretRef")
    if isinstance(stage, dict):
        references.append(f"nodeStageSecretRef {stage.get('name')!r}")
    secret_name = volume_attribute(props, "secretName")
    if is_known(secret_name):
        references.append(f"volumeAttributes.secretName {secret_name!r}")
    in_tree = get(props, "spec", "azureFile", "secretName")
    if is_known(in_tree):
        references.append(f"azureFile.secretName {in_tree!r}")
    return references


def _validate(args: ResourceValidationArgs, report_violation: ReportViolation) -> None:
    props = plain(args.props)
    name = object_name(props, args.name)
    if args.resource_type == PV_TYPE:
        if is_azure_files_pv(props) is not True:
            return
        for reference in _pv_secret_references(props):
            report_violation(
                f"PersistentVolume '{name}' mounts its Azure file share with the storage account "
                f"key from a Secret ({reference}); remove the reference: the CSI driver lists the "
                "key itself with the kubelet identity, and a key in a Secret gives anyone who can "
                "read it every share of the account.",
                None,
            )
    elif args.resource_type == SECRET_TYPE:
        for field in ("data", "stringData"):
            payload = get(props, field)
            if payload is UNKNOWN or not isinstance(payload, dict):
                continue
            if any(str(key).lower() == ACCOUNT_KEY_ENTRY for key in payload):
                report_violation(
                    f"Secret '{name}' holds a storage account key ({field}."
                    f"{ACCOUNT_KEY_ENTRY}); no account key may be kept in Kubernetes or in "
                    "Pulumi state.",
                    None,
                )


# No stack-file key can cause this verdict: the components always comply.
STACK_KEYS: tuple[str, ...] = ()

POLICY = ResourceValidationPolicy(
    name="kubernetes-core-persistentvolume-no-account-key",
    description=(
        "No storage account key in Kubernetes: Azure Files PersistentVolumes reference no key "
        "Secret, and no Secret holds azurestorageaccountkey."
    ),
    validate=_validate,
    severity=Severity.CRITICAL,
    remediation_steps=(
        "Drop nodeStageSecretRef and volumeAttributes.secretName from the PersistentVolume and "
        "name the share in volumeAttributes (resourceGroup, storageAccount, shareName); grant "
        "the cluster's kubelet identity listKeys on the storage account "
        "(components/storage.py, KubeletKeyAccess); delete the key Secret."
    ),
    # "nodeStageSecretRef.name ... If empty, driver uses kubelet identity to get account key."
    url="https://learn.microsoft.com/azure/aks/azure-csi-files-storage-provision",
    tags=["kubernetes", "azure-files", "secrets"],
)
