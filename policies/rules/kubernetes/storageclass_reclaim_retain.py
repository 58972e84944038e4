"""kubernetes-storage-storageclass-reclaim-retain

Applies to: ``kubernetes:storage.k8s.io/v1:StorageClass`` whose provisioner is
``file.csi.azure.com`` (or the in-tree ``kubernetes.io/azure-file``).

Enforces: ``reclaimPolicy`` is ``Retain``, so dynamically provisioned Azure file shares
survive the deletion of their claims.

Missing: ``reclaimPolicy`` absent is a violation - Kubernetes defaults it to ``Delete``.
Unknown: an unknown provisioner or reclaim policy skips the check.
"""

from __future__ import annotations

from pulumi_policy import (
    ReportViolation,
    ResourceValidationArgs,
    ResourceValidationPolicy,
    Severity,
)

from .._k8s import AZURE_FILE_PROVISIONERS, STORAGE_CLASS_TYPE, object_name
from .._props import MISSING, UNKNOWN, get, plain


def _validate(args: ResourceValidationArgs, report_violation: ReportViolation) -> None:
    if args.resource_type != STORAGE_CLASS_TYPE:
        return
    props = plain(args.props)
    provisioner = get(props, "provisioner")
    if provisioner not in AZURE_FILE_PROVISIONERS:
        return
    policy = get(props, "reclaimPolicy")
    if policy in (UNKNOWN, "Retain"):
        return
    name = object_name(props, args.name)
    if policy is MISSING:
        detail = "does not set reclaimPolicy, so Kubernetes uses 'Delete'"
    else:
        detail = f"has reclaimPolicy {policy!r}"
    report_violation(
        f"StorageClass '{name}' (provisioner {provisioner!r}) {detail}; Azure Files classes "
        "must use 'Retain' so deleting a claim never deletes its file share.",
        None,
    )


# No stack-file key can cause this verdict: the components always comply.
STACK_KEYS: tuple[str, ...] = ()

POLICY = ResourceValidationPolicy(
    name="kubernetes-storage-storageclass-reclaim-retain",
    description="Azure Files StorageClasses use reclaimPolicy Retain.",
    validate=_validate,
    severity=Severity.HIGH,
    remediation_steps=(
        "Set reclaimPolicy: Retain on the StorageClass (it is immutable: replace the class)."
    ),
    url="https://kubernetes.io/docs/concepts/storage/storage-classes/#reclaim-policy",
    tags=["kubernetes", "azure-files", "data-protection"],
)
