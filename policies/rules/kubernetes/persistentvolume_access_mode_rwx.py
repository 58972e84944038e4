"""kubernetes-core-persistentvolume-access-mode-rwx

Applies to: ``kubernetes:core/v1:PersistentVolume`` backed by Azure Files.

Enforces: ``spec.accessModes`` includes ``ReadWriteMany`` - the point of these volumes is
that training pods on different nodes mount the same share concurrently.

Missing: ``accessModes`` absent is a violation (a claim needs a matching mode to bind and
the API server rejects a PV without one anyway).
Unknown: an unknown driver or list skips the check; a list with an unknown element passes
when it already contains ``ReadWriteMany`` and is skipped otherwise.
"""

from __future__ import annotations

from pulumi_policy import (
    ReportViolation,
    ResourceValidationArgs,
    ResourceValidationPolicy,
    Severity,
)

from .._k8s import PV_TYPE, access_modes, format_modes, includes_rwx, is_azure_files_pv, object_name
from .._props import MISSING, UNKNOWN, plain


def _validate(args: ResourceValidationArgs, report_violation: ReportViolation) -> None:
    if args.resource_type != PV_TYPE:
        return
    props = plain(args.props)
    if is_azure_files_pv(props) is not True:
        return
    name = object_name(props, args.name)
    modes = access_modes(props)
    if modes is UNKNOWN:
        return
    if modes is MISSING:
        report_violation(
            f"PersistentVolume '{name}' does not set accessModes; Azure Files volumes must "
            "include 'ReadWriteMany'.",
            None,
        )
        return
    if includes_rwx(modes) is False:
        report_violation(
            f"PersistentVolume '{name}' has accessModes {format_modes(modes)}; Azure Files "
            "volumes must include 'ReadWriteMany'.",
            None,
        )


# No stack-file key can cause this verdict: the components always comply.
STACK_KEYS: tuple[str, ...] = ()

POLICY = ResourceValidationPolicy(
    name="kubernetes-core-persistentvolume-access-mode-rwx",
    description="Azure Files PersistentVolumes offer the ReadWriteMany access mode.",
    validate=_validate,
    severity=Severity.HIGH,
    remediation_steps="Add 'ReadWriteMany' to spec.accessModes of the PersistentVolume.",
    url="https://kubernetes.io/docs/concepts/storage/persistent-volumes/#access-modes",
    tags=["kubernetes", "azure-files", "rwx"],
)
