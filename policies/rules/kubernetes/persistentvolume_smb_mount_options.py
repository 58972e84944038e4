"""kubernetes-core-persistentvolume-smb-mount-options (advisory by default)

Applies to: ``kubernetes:core/v1:PersistentVolume`` backed by Azure Files over SMB (CSI
with ``volumeAttributes.protocol`` other than ``nfs``, or the in-tree source).

Enforces: ``spec.mountOptions`` sets every option named in the ``requiredMountOptions``
setting (default ``uid``, ``gid``, ``dir_mode``, ``file_mode``). CIFS has no POSIX
ownership; without these the share is mounted ``root:root 0755`` and non-root training
containers cannot write. Options are matched by key (``uid=1000`` provides ``uid``).

Missing: no ``mountOptions`` means every required option is missing.
Unknown: an unknown list, or a list with unknown elements that leaves options unaccounted
for, skips the check.
"""

from __future__ import annotations

from pulumi_policy import (
    EnforcementLevel,
    ReportViolation,
    ResourceValidationArgs,
    ResourceValidationPolicy,
    Severity,
)

from .._config import schema, settings
from .._k8s import PV_TYPE, is_azure_files_pv, object_name, pv_protocol
from .._props import UNKNOWN, get, plain

CONFIG_SCHEMA = schema(
    {
        "requiredMountOptions": {
            "type": "array",
            "items": {"type": "string", "minLength": 1, "pattern": "^[^=\\s]+$"},
            "uniqueItems": True,
            "description": "Mount option keys every SMB Azure Files PV must set.",
            "default": ["uid", "gid", "dir_mode", "file_mode"],
        }
    }
)


def _validate(args: ResourceValidationArgs, report_violation: ReportViolation) -> None:
    if args.resource_type != PV_TYPE:
        return
    props = plain(args.props)
    if is_azure_files_pv(props) is not True or pv_protocol(props) != "smb":
        return
    required = settings(args.get_config(), CONFIG_SCHEMA)["requiredMountOptions"]
    options = get(props, "spec", "mountOptions")
    if options is UNKNOWN:
        return
    options = options if isinstance(options, list) else []
    keys = {o.split("=", 1)[0].strip() for o in options if isinstance(o, str)}
    missing = [key for key in required if key not in keys]
    if not missing or UNKNOWN in options:
        return
    report_violation(
        f"PersistentVolume '{object_name(props, args.name)}' is an SMB Azure Files volume "
        f"without mount options {', '.join(missing)}; without them the share is mounted as "
        "root with mode 0755 and non-root training containers cannot write to it.",
        None,
    )


# No stack-file key can cause this verdict: the components always comply.
STACK_KEYS: tuple[str, ...] = ()

POLICY = ResourceValidationPolicy(
    name="kubernetes-core-persistentvolume-smb-mount-options",
    description=(
        "SMB Azure Files PersistentVolumes set uid, gid, dir_mode and file_mode mount options."
    ),
    validate=_validate,
    enforcement_level=EnforcementLevel.ADVISORY,
    config_schema=CONFIG_SCHEMA,
    severity=Severity.LOW,
    remediation_steps=(
        "Add e.g. 'dir_mode=0777', 'file_mode=0777', 'uid=1000', 'gid=1000' (matching the "
        "training containers' user) to spec.mountOptions, next to 'mfsymlinks', "
        "'cache=strict', 'nosharesock' and 'actimeo=30'."
    ),
    url="https://learn.microsoft.com/azure/aks/azure-csi-files-storage-provision#mount-options",
    tags=["kubernetes", "azure-files", "smb"],
)
