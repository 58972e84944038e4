"""azure-native-storage-storageaccount-sku-matches-share-model (stack policy)

Applies to: every ``azure-native:storage:StorageAccount`` whose SKU selects an Azure Files
billing model, with its ``azure-native:storage:FileShare`` resources in the stack.

Enforces that the account and its shares are of one billing model
(https://learn.microsoft.com/azure/storage/files/understanding-billing):

* the account's kind is the one its SKU needs: ``FileStorage`` for ``PremiumV2_*``,
  ``StandardV2_*`` (provisioned v2) and ``Premium_*`` (provisioned v1), ``StorageV2`` for
  ``Standard_*`` (pay-as-you-go);
* only shares of a provisioned v2 account set ``provisionedIops`` or
  ``provisionedBandwidthMibps`` (v1 derives them from the quota, pay-as-you-go provisions
  nothing);
* only shares of a pay-as-you-go account use a pay-as-you-go access tier
  (``TransactionOptimized``, ``Hot``, ``Cool``).

Missing: an account without ``kind`` or with a SKU of no billing model (e.g. ``Premium_LRS`` is
one, a disk SKU is not) is skipped; unset share properties pass.
Unknown: an unknown SKU, kind, property or share-to-account match skips that item.
"""

from __future__ import annotations

from pulumi_policy import ReportViolation, Severity, StackValidationArgs, StackValidationPolicy

from azure_facts.files import PAY_AS_YOU_GO_TIERS, BillingModel

from .._props import MISSING, UNKNOWN, describe
from .._stack import (
    account_label,
    file_shares,
    model_of,
    share_label,
    shares_of_account,
    sku_of,
    storage_accounts,
)

V2_ONLY = ("provisionedIops", "provisionedBandwidthMibps")


def _validate(args: StackValidationArgs, report_violation: ReportViolation) -> None:
    accounts = storage_accounts(args)
    shares = file_shares(args)
    for account in accounts:
        sku = sku_of(account)
        model = model_of(sku)
        if not isinstance(model, BillingModel):
            continue
        subject = f"StorageAccount '{account_label(account)}' ({sku}, {model})"
        kind = account.get("kind")
        if isinstance(kind, str) and kind != model.account_kind:
            report_violation(
                f"{subject} is of kind '{kind}', but {sku} needs kind '{model.account_kind}'.",
                account.urn,
            )
        own = shares_of_account(account, shares, accounts)
        if own is UNKNOWN:
            continue
        for share in own:
            label = f"FileShare '{share_label(share)}' of {subject}"
            if not model.v2:
                set_props = [p for p in V2_ONLY if share.get(p) not in (MISSING, UNKNOWN)]
                if set_props:
                    report_violation(
                        f"{label} sets {' and '.join(set_props)}, which only provisioned v2 "
                        "shares take; remove them, or use a PremiumV2_*/StandardV2_* account.",
                        share.urn,
                    )
            tier = share.get("accessTier")
            if model.provisioned and tier in PAY_AS_YOU_GO_TIERS:
                report_violation(
                    f"{label} uses access tier {describe(tier)}, which only pay-as-you-go "
                    "(Standard_*) shares have; remove accessTier.",
                    share.urn,
                )


# No stack-file key can cause this verdict: the components always comply.
STACK_KEYS: tuple[str, ...] = ()

POLICY = StackValidationPolicy(
    name="azure-native-storage-storageaccount-sku-matches-share-model",
    description=(
        "A storage account's kind and its file shares' settings match the billing model its "
        "SKU selects."
    ),
    validate=_validate,
    severity=Severity.MEDIUM,
    remediation_steps=(
        "Use kind FileStorage with PremiumV2_*, StandardV2_* and Premium_* SKUs and StorageV2 "
        "with Standard_*; set provisionedIops/provisionedBandwidthMibps only on v2 shares and "
        "TransactionOptimized/Hot/Cool access tiers only on pay-as-you-go shares."
    ),
    url="https://learn.microsoft.com/azure/storage/files/understanding-billing",
    tags=["azure", "storage", "azure-files", "billing"],
)
