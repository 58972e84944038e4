"""azure-native-storage-fileshare-nfs-model-allowed (stack policy)

Applies to: every ``azure-native:storage:FileShare`` with ``enabledProtocols`` ``NFS`` whose
StorageAccount is in the stack.

Enforces: NFS 4.1 shares only on SSD billing models, provisioned v2 (``PremiumV2_*``) or v1
(``Premium_*``); Azure Files offers no NFS on HDD, in provisioned v2 (``StandardV2_*``) or
pay-as-you-go (``Standard_*``) ("availability" tables of
https://learn.microsoft.com/azure/storage/files/understanding-billing).

Missing: a share without ``enabledProtocols`` is SMB and passes; a share whose account is not
in the stack, or whose account SKU selects no billing model, is skipped.
Unknown: an unknown protocol, SKU or share-to-account match skips that share.
"""

from __future__ import annotations

from pulumi_policy import ReportViolation, Severity, StackValidationArgs, StackValidationPolicy

from azure_facts.files import BillingModel

from .._stack import (
    Res,
    account_for_share,
    account_label,
    file_shares,
    model_of,
    share_label,
    sku_of,
    storage_accounts,
)


def _validate(args: StackValidationArgs, report_violation: ReportViolation) -> None:
    accounts = storage_accounts(args)
    for share in file_shares(args):
        if share.get("enabledProtocols") != "NFS":
            continue
        account = account_for_share(share, accounts)
        if not isinstance(account, Res):
            continue
        sku = sku_of(account)
        model = model_of(sku)
        if not isinstance(model, BillingModel) or model.allows_nfs:
            continue
        report_violation(
            f"FileShare '{share_label(share)}' is NFS, but StorageAccount "
            f"'{account_label(account)}' ({sku}) is {model}: Azure Files offers NFS on SSD "
            "only; use a PremiumV2_* or Premium_* account, or SMB.",
            share.urn,
        )


# No stack-file key can cause this verdict: stacks/config.py refuses the values that would.
STACK_KEYS: tuple[str, ...] = ()

POLICY = StackValidationPolicy(
    name="azure-native-storage-fileshare-nfs-model-allowed",
    description="NFS file shares live only in accounts of an SSD billing model.",
    validate=_validate,
    severity=Severity.HIGH,
    remediation_steps=(
        "Put NFS shares in a PremiumV2_* (provisioned v2 SSD) or Premium_* (provisioned v1 SSD) "
        "FileStorage account, or serve them over SMB."
    ),
    url="https://learn.microsoft.com/azure/storage/files/understanding-billing",
    tags=["azure", "storage", "azure-files", "nfs"],
)
