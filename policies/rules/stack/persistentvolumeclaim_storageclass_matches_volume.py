"""kubernetes-core-persistentvolumeclaim-storageclass-matches-volume (stack policy)

Applies to: every ``kubernetes:core/v1:PersistentVolumeClaim`` whose ``spec.volumeName``
names a PersistentVolume in the stack.

Enforces: the claim's ``spec.storageClassName`` equals the volume's. A volume without
``storageClassName`` has class ``""``. A claim without ``storageClassName`` is a violation:
the DefaultStorageClass admission plugin injects the default class, which never equals
``""``, so the claim stays Pending (after deployment the outputs show the injected class).

Missing: see above; a claim whose volume is not in the stack is not checked (the resource
policy ``kubernetes-core-persistentvolumeclaim-storageclass-explicit`` still requires an
explicit class).
Unknown: unknown names or classes skip the claim.
"""

from __future__ import annotations

from pulumi_policy import ReportViolation, Severity, StackValidationArgs, StackValidationPolicy

from .._k8s import PV_TYPE, PVC_TYPE
from .._props import MISSING, UNKNOWN
from .._stack import Res, k8s_label, namespaced_label, resources, volume_of_claim


def _validate(args: StackValidationArgs, report_violation: ReportViolation) -> None:
    volumes = resources(args, PV_TYPE)
    for claim in resources(args, PVC_TYPE):
        volume = volume_of_claim(claim, volumes)
        if not isinstance(volume, Res):
            continue
        volume_class = volume.get("spec", "storageClassName")
        claim_class = claim.get("spec", "storageClassName")
        if UNKNOWN in (volume_class, claim_class):
            continue
        volume_class = "" if volume_class is MISSING else volume_class
        pv = f"PersistentVolume '{k8s_label(volume)}' (storageClassName {volume_class!r})"
        subject = f"PersistentVolumeClaim '{namespaced_label(claim)}'"
        if claim_class is MISSING:
            report_violation(
                f"{subject} does not set storageClassName, so the default StorageClass would be "
                f"injected and it would never bind {pv}; set storageClassName to "
                f"{volume_class!r}.",
                claim.urn,
            )
        elif claim_class != volume_class:
            report_violation(
                f"{subject} has storageClassName {claim_class!r} but binds {pv}; a claim only "
                f"binds a volume of the same class. Set storageClassName to {volume_class!r}.",
                claim.urn,
            )


# No stack-file key can cause this verdict: the components always comply.
STACK_KEYS: tuple[str, ...] = ()

POLICY = StackValidationPolicy(
    name="kubernetes-core-persistentvolumeclaim-storageclass-matches-volume",
    description=(
        "A PersistentVolumeClaim bound by volumeName has the same storageClassName as its volume."
    ),
    validate=_validate,
    severity=Severity.HIGH,
    remediation_steps=(
        "Set the claim's spec.storageClassName to the PersistentVolume's storageClassName "
        "('' when the volume has none)."
    ),
    url="https://kubernetes.io/docs/concepts/storage/persistent-volumes/#class-1",
    tags=["kubernetes", "azure-files", "binding"],
)
