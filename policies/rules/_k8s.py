"""Kubernetes helpers shared by the policies: type tokens and Azure Files detection.

What counts as Azure Files:

* a PersistentVolume is an *Azure Files PV* when ``spec.csi.driver`` is
  ``file.csi.azure.com`` or when it uses the in-tree ``spec.azureFile`` source;
* a StorageClass is an *Azure Files class* when its ``provisioner`` is
  ``file.csi.azure.com`` or the in-tree ``kubernetes.io/azure-file``;
* a storage class *name* is treated as Azure Files when it starts with ``azurefile`` (the
  AKS built-in classes ``azurefile``, ``azurefile-csi``, ``azurefile-premium``,
  ``azurefile-csi-premium``, ``azurefile-csi-nfs``, ...), which is how a claim can be
  recognised even when its class is not declared in the stack.

An Azure Files PV is *SMB* unless ``spec.csi.volumeAttributes.protocol`` is ``nfs``
(case-insensitive; the CSI driver also treats attribute keys case-insensitively).
"""

from __future__ import annotations

from typing import Any, Final

from ._props import MISSING, UNKNOWN, get, is_known

PV_TYPE: Final = "kubernetes:core/v1:PersistentVolume"
PVC_TYPE: Final = "kubernetes:core/v1:PersistentVolumeClaim"
SECRET_TYPE: Final = "kubernetes:core/v1:Secret"
STORAGE_CLASS_TYPE: Final = "kubernetes:storage.k8s.io/v1:StorageClass"

AZURE_FILE_CSI_DRIVER: Final = "file.csi.azure.com"
IN_TREE_AZURE_FILE_PROVISIONER: Final = "kubernetes.io/azure-file"
AZURE_FILE_PROVISIONERS: Final = frozenset({AZURE_FILE_CSI_DRIVER, IN_TREE_AZURE_FILE_PROVISIONER})
AKS_AZURE_FILE_CLASS_PREFIX: Final = "azurefile"
RWX: Final = "ReadWriteMany"
DEFAULT_NAMESPACE: Final = "default"


def object_name(props: dict[str, Any], fallback: str) -> str:
    """``metadata.name`` when known, else the Pulumi resource name."""
    name = get(props, "metadata", "name")
    return name if isinstance(name, str) and name else fallback


def object_namespace(props: dict[str, Any]) -> Any:
    """``metadata.namespace``; a namespaced object without one lands in ``default``."""
    namespace = get(props, "metadata", "namespace")
    if namespace is MISSING or namespace == "":
        return DEFAULT_NAMESPACE
    return namespace


def is_azure_files_pv(props: dict[str, Any]) -> Any:
    """True/False for a PersistentVolume's props, or UNKNOWN when the driver is unknown."""
    if is_known(get(props, "spec", "azureFile")):
        return True
    driver = get(props, "spec", "csi", "driver")
    if driver is UNKNOWN:
        return UNKNOWN
    return driver == AZURE_FILE_CSI_DRIVER


def volume_attribute(props: dict[str, Any], key: str) -> Any:
    """``spec.csi.volumeAttributes[key]``, matching the key case-insensitively."""
    attributes = get(props, "spec", "csi", "volumeAttributes")
    if attributes is UNKNOWN:
        return UNKNOWN
    if not isinstance(attributes, dict):
        return MISSING
    for attr_key, value in attributes.items():
        if attr_key.lower() == key.lower():
            return MISSING if value is None else value
    return MISSING


def pv_protocol(props: dict[str, Any]) -> Any:
    """``"nfs"`` or ``"smb"`` for an Azure Files PV (UNKNOWN if the protocol is unknown)."""
    if is_known(get(props, "spec", "azureFile")):
        return "smb"
    protocol = volume_attribute(props, "protocol")
    if protocol is UNKNOWN:
        return UNKNOWN
    if isinstance(protocol, str) and protocol.lower() == "nfs":
        return "nfs"
    return "smb"


def is_azure_files_class_name(name: Any, extra: list[str] | tuple[str, ...] = ()) -> bool:
    """Whether a storage class name denotes Azure Files without seeing the class itself."""
    if not isinstance(name, str) or not name:
        return False
    return name.startswith(AKS_AZURE_FILE_CLASS_PREFIX) or name in extra


def access_modes(props: dict[str, Any]) -> Any:
    """``spec.accessModes`` as a list, or MISSING/UNKNOWN."""
    modes = get(props, "spec", "accessModes")
    if modes is UNKNOWN or modes is MISSING:
        return modes
    if not isinstance(modes, list):
        return MISSING
    return modes


def includes_rwx(modes: list[Any]) -> Any:
    """True if ReadWriteMany is listed, UNKNOWN if it might be (unknown element), else False."""
    if RWX in modes:
        return True
    if UNKNOWN in modes:
        return UNKNOWN
    return False


def format_modes(modes: list[Any]) -> str:
    return "[" + ", ".join(repr(m) if isinstance(m, str) else "<unknown>" for m in modes) + "]"
