"""kubernetes-core-persistentvolume-reclaim-retain

Applies to: ``kubernetes:core/v1:PersistentVolume`` backed by Azure Files (CSI driver
``file.csi.azure.com`` or the in-tree ``azureFile`` source).

Enforces: ``spec.persistentVolumeReclaimPolicy`` is ``Retain``, so deleting or releasing a
claim can never delete the file share and the training data in it.

Missing: ``persistentVolumeReclaimPolicy`` absent passes - Kubernetes defaults statically
created PersistentVolumes to ``Retain`` (``Delete`` is only the default for dynamically
provisioned ones, which this rule does not see).
Unknown: an unknown driver or reclaim policy skips the check.
"""

from __future__ import annotations

from pulumi_policy import (
    ReportViolation,
    ResourceValidationArgs,
    ResourceValidationPolicy,
    Severity,
)

from .._k8s import PV_TYPE, is_azure_files_pv, object_name
from .._props import MISSING, UNKNOWN, get, plain


def _validate(args: ResourceValidationArgs, report_violation: ReportViolation) -> None:
    if args.resource_type != PV_TYPE:
        return
    props = plain(args.props)
    if is_azure_files_pv(props) is not True:
        return
    policy = get(props, "spec", "persistentVolumeReclaimPolicy")
    if policy in (MISSING, UNKNOWN, "Retain"):
        return
    report_violation(
        f"PersistentVolume '{object_name(props, args.name)}' has persistentVolumeReclaimPolicy "
        f"{policy!r}; Azure Files volumes must use 'Retain' so releasing or deleting the claim "
        "never deletes the file share data.",
        None,
    )


# No stack-file key can cause this verdict: the components always comply.
STACK_KEYS: tuple[str, ...] = ()

POLICY = ResourceValidationPolicy(
    name="kubernetes-core-persistentvolume-reclaim-retain",
    description="Azure Files PersistentVolumes use persistentVolumeReclaimPolicy Retain.",
    validate=_validate,
    severity=Severity.HIGH,
    remediation_steps=(
        "Set spec.persistentVolumeReclaimPolicy to 'Retain' on the PersistentVolume (or leave it "
        "unset: statically created volumes default to Retain)."
    ),
    url="https://kubernetes.io/docs/concepts/storage/persistent-volumes/#retain",
    tags=["kubernetes", "azure-files", "data-protection"],
)
