"""azure-native-storage-fileshare-provisioned-within-model-limits (stack policy)

Applies to: every ``azure-native:storage:FileShare`` of a provisioned v2 StorageAccount
(``PremiumV2_*``, ``StandardV2_*``) in the stack, and those accounts.

Enforces the provisioned v2 limits ("Provisioned v2 provisioning" and "Provisioned v2 classic
file shares", https://learn.microsoft.com/azure/storage/files/understanding-billing):

* per share, ``provisionedIops`` SSD 3000-102400, HDD 500-50000, and
  ``provisionedBandwidthMibps`` SSD 100-10340, HDD 60-5120 MiB/s;
* per account, the shares' IOPS and throughput together within SSD 102400 IOPS and 10340
  MiB/s, HDD 50000 IOPS and 5120 MiB/s (a share without a provisioned value counts with
  Azure's recommendation for its ``shareQuota``).

Quotas are left to ``azure-native-storage-fileshare-quota-within-account-limits``; provisioned
values on shares of other models to ``azure-native-storage-storageaccount-sku-matches-share-model``.

Missing: an unset value is Azure's recommendation, always within the limits; a share whose
account is not in the stack is skipped.
Unknown: an unknown SKU, value, quota or match skips that share (and the account's totals).
"""

from __future__ import annotations

from typing import Any

from pulumi_policy import ReportViolation, Severity, StackValidationArgs, StackValidationPolicy

from azure_facts.files import (
    V2_LIMITS,
    BillingModel,
    recommended_iops,
    recommended_throughput_mibps,
)

from .._props import MISSING, UNKNOWN, as_int, describe
from .._stack import (
    Res,
    account_label,
    file_shares,
    model_of,
    share_label,
    shares_of_account,
    sku_of,
    storage_accounts,
)

SSD = V2_LIMITS[BillingModel.PROVISIONED_V2_SSD]
HDD = V2_LIMITS[BillingModel.PROVISIONED_V2_HDD]
# property -> (unit, per-share limits, per-account limit, recommendation)
LIMITS = {
    "provisionedIops": (
        "IOPS",
        lambda m: (V2_LIMITS[m].min_iops, V2_LIMITS[m].max_iops),
        lambda m: V2_LIMITS[m].account_max_iops,
        recommended_iops,
    ),
    "provisionedBandwidthMibps": (
        "MiB/s",
        lambda m: (V2_LIMITS[m].min_mibps, V2_LIMITS[m].max_mibps),
        lambda m: V2_LIMITS[m].account_max_mibps,
        recommended_throughput_mibps,
    ),
}


def _value(model: BillingModel, share: Res, prop: str) -> Any:
    """The share's provisioned ``prop``: its value, the recommendation when unset, UNKNOWN."""
    value = share.get(prop)
    if value is UNKNOWN:
        return UNKNOWN
    if value is not MISSING:
        return as_int(value) if as_int(value) is not None else value
    quota = as_int(share.get("shareQuota"))
    return UNKNOWN if quota is None else LIMITS[prop][3](model, quota)


def _validate(args: StackValidationArgs, report_violation: ReportViolation) -> None:
    accounts = storage_accounts(args)
    shares = file_shares(args)
    for account in accounts:
        sku = sku_of(account)
        model = model_of(sku)
        if not isinstance(model, BillingModel) or not model.v2:
            continue
        own = shares_of_account(account, shares, accounts)
        if own is UNKNOWN:
            continue
        name = account_label(account)
        for prop, (unit, share_limits, account_limit, _) in LIMITS.items():
            low, high = share_limits(model)
            values = [_value(model, share, prop) for share in own]
            for share, value in zip(own, values, strict=True):
                if value is UNKNOWN or (isinstance(value, int) and low <= value <= high):
                    continue
                report_violation(
                    f"FileShare '{share_label(share)}' sets {prop} {describe(value)}, outside "
                    f"the {low}-{high} {unit} a {model} share takes ({sku} account "
                    f"'{name}').",
                    share.urn,
                )
            if not all(isinstance(v, int) for v in values):
                continue
            total, cap = sum(values), account_limit(model)
            if total > cap:
                report_violation(
                    f"StorageAccount '{name}' ({sku}) provisions {total} {unit} over its "
                    f"shares, more than the {cap} {unit} one {model} account allows; "
                    "lower the shares' values or split them over several accounts.",
                    account.urn,
                )


# No stack-file key can cause this verdict: stacks/config.py refuses the values that would.
STACK_KEYS: tuple[str, ...] = ()

POLICY = StackValidationPolicy(
    name="azure-native-storage-fileshare-provisioned-within-model-limits",
    description=(
        "Provisioned v2 file shares' IOPS and throughput are within the limits of their billing "
        "model, per share and per storage account."
    ),
    validate=_validate,
    severity=Severity.MEDIUM,
    remediation_steps=(
        f"Keep provisionedIops within SSD {SSD.min_iops}-{SSD.max_iops} / HDD "
        f"{HDD.min_iops}-{HDD.max_iops} and provisionedBandwidthMibps within SSD "
        f"{SSD.min_mibps}-{SSD.max_mibps} / HDD {HDD.min_mibps}-{HDD.max_mibps} MiB/s, and the "
        f"shares of one account within SSD {SSD.account_max_iops} IOPS and "
        f"{SSD.account_max_mibps} MiB/s (HDD {HDD.account_max_iops} and {HDD.account_max_mibps}) "
        "together."
    ),
    url="https://learn.microsoft.com/azure/storage/files/understanding-billing",
    tags=["azure", "storage", "azure-files", "performance"],
)
