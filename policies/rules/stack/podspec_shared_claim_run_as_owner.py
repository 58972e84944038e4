"""kubernetes-core-podspec-shared-claim-run-as-owner (stack policy, advisory by default)

Applies to: every container (init, app and ephemeral) of every workload that mounts a shared
PersistentVolumeClaim declared in the stack: a claim bound (``volumeName``) to an Azure
Files PersistentVolume of the stack, or any claim requesting ``ReadWriteMany``.

Enforces: the container runs as the uid/gid the volume is mounted with. An SMB mount has
fixed ownership and modes (``uid=``, ``gid=``, ``dir_mode=``, ``file_mode=`` mount options;
``chown``/``chmod`` do nothing), so a process running as anyone else gets "permission
denied" on writes. The ``uid=``/``gid=`` options come from the bound PersistentVolume's
``spec.mountOptions``, or, for a dynamically provisioned claim, from its StorageClass's
``mountOptions`` (which the provisioned volume inherits); they must equal the container's
``securityContext.runAsUser``/``runAsGroup``, else the pod's. The claim is matched by the
workload's namespace and ``claimName``.

Missing: a volume without numeric ``uid=``/``gid=`` options, an NFS volume (Azure Files
``protocol: nfs``, an in-tree ``nfs`` source or an NFS StorageClass), a claim not declared
in the stack or a volume/class not in the stack is not checked; an unset
``runAsUser``/``runAsGroup`` (the image's user, often root) is a violation.
Unknown: unknown claims, volumes, mount options, protocols or security contexts skip that
mount.
"""

from __future__ import annotations

from typing import Any, Final

from pulumi_policy import (
    EnforcementLevel,
    ReportViolation,
    Severity,
    StackValidationArgs,
    StackValidationPolicy,
)

from .._k8s import (
    PV_TYPE,
    PVC_TYPE,
    STORAGE_CLASS_TYPE,
    access_modes,
    includes_rwx,
    is_azure_files_pv,
    pv_protocol,
)
from .._props import MISSING, UNKNOWN, as_int, describe, get
from .._stack import Res, find_by_name, k8s_label, namespaced_label, resources, volume_of_claim
from .._workloads import Workload, claim_volumes, container_label, containers, find_claim, workloads

# mount option -> the securityContext field that must match it
ID_FIELDS: Final = {"uid": "runAsUser", "gid": "runAsGroup"}


def _mount_ids(options: Any) -> Any:
    """Numeric ``uid=``/``gid=`` mount options (the last one wins, as in mount.cifs)."""
    if options is UNKNOWN:
        return UNKNOWN
    ids: dict[str, int] = {}
    for entry in options if isinstance(options, list) else []:
        if entry is UNKNOWN:
            return UNKNOWN
        for option in entry.split(",") if isinstance(entry, str) else []:
            key, _, value = option.partition("=")
            if key.strip().lower() in ID_FIELDS and value.strip().isdigit():
                ids[key.strip().lower()] = int(value)
    return ids


def _is_shared(claim: Res) -> Any:
    """Whether the claim requests ReadWriteMany (True/False/UNKNOWN)."""
    modes = access_modes(claim.props)
    if modes is UNKNOWN or modes is MISSING:
        return UNKNOWN if modes is UNKNOWN else False
    return includes_rwx(modes)


def _class_protocol(storage_class: Res) -> Any:
    """A StorageClass's ``protocol`` parameter (the CSI driver reads keys case-insensitively)."""
    parameters = storage_class.get("parameters")
    if parameters is UNKNOWN:
        return UNKNOWN
    for key, value in parameters.items() if isinstance(parameters, dict) else []:
        if key.lower() == "protocol":
            return value
    return MISSING


def _owner(claim: Res, volumes: list[Res], classes: list[Res]) -> Any:
    """``(source, {"uid": n, "gid": m})`` of a shared SMB claim, None if not checked, or UNKNOWN."""
    volume = volume_of_claim(claim, volumes)
    if volume is UNKNOWN:
        return UNKNOWN
    if isinstance(volume, Res):
        azure = is_azure_files_pv(volume.props)
        shared = True if azure is True else _is_shared(claim)
        if shared is not True or azure is UNKNOWN:
            return UNKNOWN if UNKNOWN in (shared, azure) else None
        nfs = pv_protocol(volume.props) if azure else volume.get("spec", "nfs") is not MISSING
        source = f"PersistentVolume '{k8s_label(volume)}'"
        options = volume.get("spec", "mountOptions")
    else:
        volume_name = claim.get("spec", "volumeName")
        shared = _is_shared(claim)
        if (isinstance(volume_name, str) and volume_name) or shared is not True:
            return UNKNOWN if shared is UNKNOWN else None
        class_name = claim.get("spec", "storageClassName")
        storage_class = find_by_name(class_name, classes) if class_name is not MISSING else None
        if not isinstance(storage_class, Res):
            return storage_class
        nfs = _class_protocol(storage_class)
        source = f"StorageClass '{k8s_label(storage_class)}'"
        options = storage_class.get("mountOptions")
    if nfs is UNKNOWN:
        return UNKNOWN
    if nfs is True or (isinstance(nfs, str) and nfs.lower() == "nfs"):
        return None
    ids = _mount_ids(options)
    if ids is UNKNOWN:
        return UNKNOWN
    return (source, ids) if ids else None


def _run_as(workload: Workload, container: dict[str, Any], field: str) -> Any:
    """The container's securityContext field, else the pod's."""
    value = get(container, "securityContext", field)
    return get(workload.spec, "securityContext", field) if value is MISSING else value


def _check(
    workload: Workload,
    container: dict[str, Any],
    claim: Res,
    owner: tuple[str, dict[str, int]],
    report_violation: ReportViolation,
) -> None:
    source, ids = owner
    actual = {option: _run_as(workload, container, ID_FIELDS[option]) for option in ids}
    if UNKNOWN in actual.values():
        return
    if all(as_int(actual[option]) == wanted for option, wanted in ids.items()):
        return
    mounted = ", ".join(f"{option}={wanted}" for option, wanted in ids.items())
    running = ", ".join(f"{ID_FIELDS[o]} {describe(v)}" for o, v in actual.items())
    wanted = " and ".join(f"{ID_FIELDS[o]} {v}" for o, v in ids.items())
    report_violation(
        f"{workload.label} {container_label(container)} mounts shared PersistentVolumeClaim "
        f"'{namespaced_label(claim)}', which {source} mounts as {mounted}, but runs as "
        f"{running}; writes fail on an SMB mount with fixed ownership and modes. Set {wanted} "
        "in the pod's or the container's securityContext.",
        workload.res.urn,
    )


def _validate(args: StackValidationArgs, report_violation: ReportViolation) -> None:
    claims = resources(args, PVC_TYPE)
    volumes = resources(args, PV_TYPE)
    classes = resources(args, STORAGE_CLASS_TYPE)
    for workload in workloads(args):
        claim_of_volume = claim_volumes(workload.res.type, workload.res.props, workload.spec)
        pod_containers = containers(workload.spec)
        if UNKNOWN in (claim_of_volume, pod_containers):
            continue
        for container in pod_containers:
            mounts = get(container, "volumeMounts")
            names = [get(m, "name") for m in mounts] if isinstance(mounts, list) else []
            claim_names = [claim_of_volume[n] for n in names if n in claim_of_volume]
            for claim_name in dict.fromkeys(claim_names):
                claim = find_claim(workload.namespace, claim_name, claims)
                owner = _owner(claim, volumes, classes) if isinstance(claim, Res) else None
                if isinstance(owner, tuple):
                    _check(workload, container, claim, owner, report_violation)


# No stack-file key can cause this verdict: the components always comply.
STACK_KEYS: tuple[str, ...] = ()

POLICY = StackValidationPolicy(
    name="kubernetes-core-podspec-shared-claim-run-as-owner",
    description=("Containers mounting a shared SMB claim run as the uid/gid of its mount options."),
    validate=_validate,
    enforcement_level=EnforcementLevel.ADVISORY,
    severity=Severity.MEDIUM,
    remediation_steps=(
        "Set securityContext.runAsUser/runAsGroup of the pod (or container) to the volume's "
        "uid=/gid= mount options, or change those options on the PersistentVolume or "
        "StorageClass."
    ),
    url="https://learn.microsoft.com/azure/aks/azure-csi-files-storage-provision#mount-options",
    tags=["kubernetes", "workloads", "azure-files"],
)
