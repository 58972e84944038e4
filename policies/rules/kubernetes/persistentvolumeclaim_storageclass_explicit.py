"""kubernetes-core-persistentvolumeclaim-storageclass-explicit

Applies to: ``kubernetes:core/v1:PersistentVolumeClaim`` that sets ``spec.volumeName``
(static binding to a named PersistentVolume).

Enforces: the claim sets ``spec.storageClassName`` explicitly (``""`` for a statically
provisioned volume without a class). If the key is absent, the DefaultStorageClass
admission plugin injects the cluster's default class and the claim can never bind to a
class-less volume; it stays Pending. Whether the value equals the volume's class needs the
volume too and is checked by the stack policy
``kubernetes-core-persistentvolumeclaim-storageclass-matches-volume``.

Missing: ``storageClassName`` absent (or ``null``) is the violation this rule exists for;
``volumeName`` absent or ``""`` means dynamic provisioning and the rule does not apply.
Unknown: an unknown ``storageClassName`` is "set" and passes; an unknown ``volumeName`` is
still a static binding, so the rule applies.
"""

from __future__ import annotations

from pulumi_policy import (
    ReportViolation,
    ResourceValidationArgs,
    ResourceValidationPolicy,
    Severity,
)

from .._k8s import PVC_TYPE, object_name, object_namespace
from .._props import MISSING, get, plain


def _validate(args: ResourceValidationArgs, report_violation: ReportViolation) -> None:
    if args.resource_type != PVC_TYPE:
        return
    props = plain(args.props)
    volume_name = get(props, "spec", "volumeName")
    if volume_name is MISSING or volume_name == "":
        return
    if get(props, "spec", "storageClassName") is not MISSING:
        return
    claim = f"{object_namespace(props)}/{object_name(props, args.name)}"
    volume = (
        f"PersistentVolume '{volume_name}'"
        if isinstance(volume_name, str)
        else "a PersistentVolume"
    )
    report_violation(
        f"PersistentVolumeClaim '{claim}' binds {volume} through volumeName but does not set "
        "storageClassName; the default StorageClass would be injected and the claim would never "
        "bind. Set storageClassName to the volume's class ('' for a statically provisioned "
        "volume).",
        None,
    )


# No stack-file key can cause this verdict: the components always comply.
STACK_KEYS: tuple[str, ...] = ()

POLICY = ResourceValidationPolicy(
    name="kubernetes-core-persistentvolumeclaim-storageclass-explicit",
    description=(
        "PersistentVolumeClaims that bind a volume by volumeName set storageClassName explicitly."
    ),
    validate=_validate,
    severity=Severity.HIGH,
    remediation_steps=(
        "Set spec.storageClassName on the claim to the PersistentVolume's storageClassName; "
        "use '' (empty string) for statically provisioned Azure Files volumes."
    ),
    url="https://kubernetes.io/docs/concepts/storage/persistent-volumes/#reserving-a-persistentvolume",
    tags=["kubernetes", "azure-files", "binding"],
)
