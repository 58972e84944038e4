"""kubernetes-core-persistentvolumeclaim-request-within-volume-capacity (stack policy)

Applies to: every ``kubernetes:core/v1:PersistentVolumeClaim`` whose ``spec.volumeName``
names a PersistentVolume in the stack.

Enforces: ``spec.resources.requests.storage`` of the claim is not larger than
``spec.capacity.storage`` of the volume (quantities compared exactly, ``1Ti == 1024Gi``);
a larger claim never binds. A quantity that does not parse is reported too.

Missing: a claim without a storage request or a volume without a capacity is not checked
here (the API server rejects both).
Unknown: unknown quantities or names skip the claim.
"""

from __future__ import annotations

from pulumi_policy import ReportViolation, Severity, StackValidationArgs, StackValidationPolicy

from .._k8s import PV_TYPE, PVC_TYPE
from .._props import is_known
from .._quantity import parse_quantity
from .._stack import Res, k8s_label, namespaced_label, resources, volume_of_claim


def _validate(args: StackValidationArgs, report_violation: ReportViolation) -> None:
    volumes = resources(args, PV_TYPE)
    for claim in resources(args, PVC_TYPE):
        volume = volume_of_claim(claim, volumes)
        if not isinstance(volume, Res):
            continue
        request = claim.get("spec", "resources", "requests", "storage")
        capacity = volume.get("spec", "capacity", "storage")
        if not is_known(request) or not is_known(capacity):
            continue
        subject = f"PersistentVolumeClaim '{namespaced_label(claim)}'"
        pv = f"PersistentVolume '{k8s_label(volume)}'"
        try:
            requested = parse_quantity(request)
        except ValueError as exc:
            report_violation(f"{subject} has an unparsable storage request: {exc}.", claim.urn)
            continue
        try:
            provided = parse_quantity(capacity)
        except ValueError as exc:
            report_violation(f"{pv} has an unparsable capacity: {exc}.", volume.urn)
            continue
        if requested > provided:
            report_violation(
                f"{subject} requests {request!r} but its {pv} provides only {capacity!r}; a "
                "claim never binds a smaller volume.",
                claim.urn,
            )


# No stack-file key can cause this verdict: the components always comply.
STACK_KEYS: tuple[str, ...] = ()

POLICY = StackValidationPolicy(
    name="kubernetes-core-persistentvolumeclaim-request-within-volume-capacity",
    description=(
        "A PersistentVolumeClaim does not request more storage than its PersistentVolume provides."
    ),
    validate=_validate,
    severity=Severity.HIGH,
    remediation_steps=(
        "Lower the claim's spec.resources.requests.storage to at most the volume's "
        "spec.capacity.storage, or grow the volume (and its file share quota)."
    ),
    url="https://kubernetes.io/docs/concepts/storage/persistent-volumes/#binding",
    tags=["kubernetes", "azure-files", "binding", "capacity"],
)
