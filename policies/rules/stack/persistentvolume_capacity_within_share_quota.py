"""kubernetes-core-persistentvolume-capacity-within-share-quota (stack policy)

Applies to: every Azure Files CSI ``kubernetes:core/v1:PersistentVolume`` whose file share
is an ``azure-native:storage:FileShare`` in the stack.

Enforces: ``spec.capacity.storage`` is not larger than the share's ``shareQuota`` (GiB);
otherwise writes fail with "disk full" while Kubernetes still reports free capacity.

The share is found from ``csi.volumeAttributes.storageAccount`` + ``shareName`` (keys
matched case-insensitively), else from the CSI ``volumeHandle``
(``<resource-group>#<account>#<share>#...``), else from a single FileShare among the
volume's ``spec`` property dependencies; it is matched to FileShare outputs by share name
(``shareName``/``name``) and account (``accountName``, the account resource, or the share
id). An unparsable capacity is reported too.

Missing: a volume whose share is not in the stack, or a share without quota, is not checked.
Unknown: unknown names, quotas or capacities skip the volume.
"""

from __future__ import annotations

from pulumi_policy import ReportViolation, Severity, StackValidationArgs, StackValidationPolicy

from .._k8s import PV_TYPE, is_azure_files_pv
from .._props import as_int, is_known
from .._quantity import GIB, parse_quantity
from .._stack import (
    Res,
    account_for_share,
    account_label,
    file_shares,
    k8s_label,
    resources,
    share_account_name,
    share_label,
    share_of_pv,
    storage_accounts,
)


def _share_path(share: Res, accounts: list[Res]) -> str:
    account = share_account_name(share)
    if not isinstance(account, str):
        owner = account_for_share(share, accounts)
        account = account_label(owner) if isinstance(owner, Res) else "?"
    return f"{account}/{share_label(share)}"


def _validate(args: StackValidationArgs, report_violation: ReportViolation) -> None:
    accounts = storage_accounts(args)
    shares = file_shares(args)
    for volume in resources(args, PV_TYPE):
        if is_azure_files_pv(volume.props) is not True:
            continue
        capacity = volume.get("spec", "capacity", "storage")
        if not is_known(capacity):
            continue
        share = share_of_pv(volume, shares, accounts)
        if not isinstance(share, Res):
            continue
        quota = as_int(share.get("shareQuota"))
        if quota is None:
            continue
        pv = f"PersistentVolume '{k8s_label(volume)}'"
        try:
            provided = parse_quantity(capacity)
        except ValueError as exc:
            report_violation(f"{pv} has an unparsable capacity: {exc}.", volume.urn)
            continue
        if provided > quota * GIB:
            report_violation(
                f"{pv} has capacity {capacity!r} but file share '{_share_path(share, accounts)}' "
                f"has shareQuota {quota} GiB; lower the capacity or raise the quota.",
                volume.urn,
            )


# No stack-file key can cause this verdict: the components always comply.
STACK_KEYS: tuple[str, ...] = ()

POLICY = StackValidationPolicy(
    name="kubernetes-core-persistentvolume-capacity-within-share-quota",
    description=(
        "An Azure Files PersistentVolume's capacity does not exceed its file share's quota."
    ),
    validate=_validate,
    severity=Severity.MEDIUM,
    remediation_steps=(
        "Make spec.capacity.storage at most shareQuota GiB of the FileShare (e.g. shareQuota "
        "1024 -> capacity '1Ti' or '1024Gi')."
    ),
    url="https://learn.microsoft.com/azure/storage/files/storage-files-scale-targets",
    tags=["kubernetes", "azure-files", "capacity"],
)
