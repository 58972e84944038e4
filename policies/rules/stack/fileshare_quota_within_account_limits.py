"""azure-native-storage-fileshare-quota-within-account-limits (stack policy)

Applies to: every ``azure-native:storage:FileShare`` whose StorageAccount is in the stack.

Enforces the quota range of the account kind:

* ``FileStorage`` with a provisioned v2 SKU (``PremiumV2_*``, ``StandardV2_*``): 32 - 262144
  GiB (https://learn.microsoft.com/azure/storage/files/understanding-billing);
* ``FileStorage`` otherwise (premium, provisioned v1): 100 - 102400 GiB;
* ``StorageV2`` (standard): 1 - 5120 GiB, or 1 - 102400 GiB when the account sets
  ``largeFileSharesState`` ``Enabled``.

Missing: a share without a quota is left to ``azure-native-storage-fileshare-quota-set``; a
share whose account is not in the stack is skipped (its kind is unknown here); an account
without ``largeFileSharesState`` is treated as ``Disabled``.
Unknown: an unknown quota, kind or share-to-account match skips that share.
"""

from __future__ import annotations

from pulumi_policy import ReportViolation, Severity, StackValidationArgs, StackValidationPolicy

from azure_facts.files import STANDARD_MAX_GIB_WITHOUT_LARGE_FILE_SHARES, BillingModel

from .._props import UNKNOWN, as_int
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

PREMIUM = BillingModel.PROVISIONED_V1_SSD
STANDARD = BillingModel.PAY_AS_YOU_GO_HDD
# Both v2 media tiers take the same quotas ("Provisioned v2 provisioning").
V2 = BillingModel.PROVISIONED_V2_SSD


def _validate(args: StackValidationArgs, report_violation: ReportViolation) -> None:
    accounts = storage_accounts(args)
    for share in file_shares(args):
        quota = as_int(share.get("shareQuota"))
        if quota is None:
            continue
        account = account_for_share(share, accounts)
        if not isinstance(account, Res):
            continue
        kind = account.get("kind")
        lfs = account.get("largeFileSharesState")
        if UNKNOWN in (kind, lfs) or not isinstance(kind, str):
            continue
        subject = f"FileShare '{share_label(share)}' has shareQuota {quota} GiB, which is"
        name = account_label(account)
        model = model_of(sku_of(account))
        if model is UNKNOWN:
            continue
        if kind == "FileStorage" and isinstance(model, BillingModel) and model.v2:
            if not model.min_gib <= quota <= model.max_gib:
                report_violation(
                    f"{subject} outside the {model.min_gib}-{model.max_gib} GiB of a "
                    f"{model} share (account '{name}').",
                    share.urn,
                )
            continue
        if kind == "FileStorage":
            if quota < PREMIUM.min_gib:
                report_violation(
                    f"{subject} below the {PREMIUM.min_gib} GiB minimum of premium "
                    f"(FileStorage) account '{name}'.",
                    share.urn,
                )
            elif quota > PREMIUM.max_gib:
                report_violation(
                    f"{subject} above the {PREMIUM.max_gib} GiB maximum of account '{name}'.",
                    share.urn,
                )
            continue
        limit = STANDARD.max_gib if lfs == "Enabled" else STANDARD_MAX_GIB_WITHOUT_LARGE_FILE_SHARES
        if quota < STANDARD.min_gib:
            report_violation(
                f"{subject} below the {STANDARD.min_gib} GiB minimum of account '{name}'.",
                share.urn,
            )
        elif quota > limit:
            hint = (
                "; set largeFileSharesState to 'Enabled' on the account or lower the quota"
                if limit == STANDARD_MAX_GIB_WITHOUT_LARGE_FILE_SHARES
                else ""
            )
            report_violation(
                f"{subject} above the {limit} GiB maximum of {kind} account '{name}'{hint}.",
                share.urn,
            )


# No stack-file key can cause this verdict: stacks/config.py refuses the values that would.
STACK_KEYS: tuple[str, ...] = ()

POLICY = StackValidationPolicy(
    name="azure-native-storage-fileshare-quota-within-account-limits",
    description="Azure file share quotas are within the limits of their storage account kind.",
    validate=_validate,
    severity=Severity.MEDIUM,
    remediation_steps=(
        f"Provisioned v2 (PremiumV2_*/StandardV2_*) shares need {V2.min_gib}-{V2.max_gib} GiB; "
        f"premium (FileStorage) shares need {PREMIUM.min_gib}-{PREMIUM.max_gib} GiB; standard "
        f"(StorageV2) shares need {STANDARD.min_gib}-{STANDARD_MAX_GIB_WITHOUT_LARGE_FILE_SHARES}"
        f" GiB, or up to {STANDARD.max_gib} GiB with largeFileSharesState='Enabled' on the "
        "account."
    ),
    url="https://learn.microsoft.com/azure/storage/files/storage-files-scale-targets",
    tags=["azure", "storage", "azure-files", "capacity"],
)
