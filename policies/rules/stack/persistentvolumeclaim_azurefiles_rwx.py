"""kubernetes-core-persistentvolumeclaim-azurefiles-rwx (stack policy)

Applies to: every ``kubernetes:core/v1:PersistentVolumeClaim`` backed by Azure Files, with
the stack's PersistentVolumes and StorageClasses as context.

A claim is backed by Azure Files when (first match wins):

1. its ``spec.volumeName`` names an Azure Files PersistentVolume in the stack;
2. its ``spec.storageClassName`` names a StorageClass in the stack whose provisioner is
   ``file.csi.azure.com`` (or the in-tree ``kubernetes.io/azure-file``);
3. its ``spec.storageClassName`` starts with ``azurefile`` (the AKS built-in classes) or is
   listed in the ``azureFilesStorageClasses`` setting (classes created outside the stack).

Enforces: such a claim requests ``ReadWriteMany`` in ``spec.accessModes``.

Why a stack policy: the repository binds claims statically (``volumeName`` plus
``storageClassName: ""``), so nothing on the claim itself says "Azure Files"; only the
volume it names does.

Missing: a backed claim without ``accessModes`` is a violation; a claim whose volume or
class is neither in the stack nor recognisable by name is not checked.
Unknown: unknown names, modes or drivers skip the claim.
"""

from __future__ import annotations

from typing import Any

from pulumi_policy import ReportViolation, Severity, StackValidationArgs, StackValidationPolicy

from .._config import schema, settings
from .._k8s import (
    AZURE_FILE_PROVISIONERS,
    PV_TYPE,
    PVC_TYPE,
    STORAGE_CLASS_TYPE,
    access_modes,
    format_modes,
    includes_rwx,
    is_azure_files_class_name,
    is_azure_files_pv,
)
from .._props import MISSING, UNKNOWN
from .._stack import Res, find_by_name, k8s_label, namespaced_label, resources, volume_of_claim

CONFIG_SCHEMA = schema(
    {
        "azureFilesStorageClasses": {
            "type": "array",
            "items": {"type": "string", "minLength": 1},
            "uniqueItems": True,
            "description": (
                "Extra StorageClass names (not declared in the stack) that provision Azure Files; "
                "names starting with 'azurefile' are always recognised."
            ),
            "default": [],
        }
    }
)


def _backing(claim: Res, volumes: list[Res], classes: list[Res], extra: list[str]) -> Any:
    """Why the claim is Azure Files backed (a phrase), None if it is not, or UNKNOWN."""
    volume = volume_of_claim(claim, volumes)
    if volume is UNKNOWN:
        return UNKNOWN
    if isinstance(volume, Res):
        azure = is_azure_files_pv(volume.props)
        if azure is UNKNOWN:
            return UNKNOWN
        return f"bound to Azure Files PersistentVolume '{k8s_label(volume)}'" if azure else None
    class_name = claim.get("spec", "storageClassName")
    if class_name is UNKNOWN:
        return UNKNOWN
    if not isinstance(class_name, str) or class_name == "":
        return None
    storage_class = find_by_name(class_name, classes)
    if isinstance(storage_class, Res):
        provisioner = storage_class.get("provisioner")
        if provisioner is UNKNOWN:
            return UNKNOWN
        if provisioner in AZURE_FILE_PROVISIONERS:
            return f"using Azure Files StorageClass '{class_name}'"
        return None
    if is_azure_files_class_name(class_name, extra):
        return f"using Azure Files StorageClass '{class_name}'"
    return UNKNOWN if storage_class is UNKNOWN else None


def _validate(args: StackValidationArgs, report_violation: ReportViolation) -> None:
    extra = settings(args.get_config(), CONFIG_SCHEMA)["azureFilesStorageClasses"]
    volumes = resources(args, PV_TYPE)
    classes = resources(args, STORAGE_CLASS_TYPE)
    for claim in resources(args, PVC_TYPE):
        reason = _backing(claim, volumes, classes, extra)
        if reason is UNKNOWN or reason is None:
            continue
        modes = access_modes(claim.props)
        if modes is UNKNOWN:
            continue
        if modes is MISSING:
            detail = "does not set accessModes"
        elif includes_rwx(modes) is False:
            detail = f"requests accessModes {format_modes(modes)}"
        else:
            continue
        report_violation(
            f"PersistentVolumeClaim '{namespaced_label(claim)}' is {reason} but {detail}; "
            "request 'ReadWriteMany' so pods on different nodes can mount it concurrently.",
            claim.urn,
        )


# No stack-file key can cause this verdict: the components always comply.
STACK_KEYS: tuple[str, ...] = ()

POLICY = StackValidationPolicy(
    name="kubernetes-core-persistentvolumeclaim-azurefiles-rwx",
    description="PersistentVolumeClaims backed by Azure Files request ReadWriteMany.",
    validate=_validate,
    config_schema=CONFIG_SCHEMA,
    severity=Severity.HIGH,
    remediation_steps="Set spec.accessModes: ['ReadWriteMany'] on the claim.",
    url="https://kubernetes.io/docs/concepts/storage/persistent-volumes/#access-modes",
    tags=["kubernetes", "azure-files", "rwx"],
)
