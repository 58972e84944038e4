"""azure-native-storage-fileshare-meets-volume-targets (stack policy)

Applies to: every Azure Files ``kubernetes:core/v1:PersistentVolume`` that declares a
performance target in its annotations (``aks-rwx-training/throughput-target-mibps``,
``aks-rwx-training/iops-target``: whole numbers, as the volume needs them), with the
``azure-native:storage:FileShare`` it mounts and that share's StorageAccount as context.

Enforces: the share provides at least the declared throughput (MiB/s) and IOPS under its
account's billing model (told apart by the account's SKU):

* provisioned v2 (``PremiumV2_*``, ``StandardV2_*``): the share's ``provisionedBandwidthMibps``
  and ``provisionedIops``, or when unset what Azure provisions by default, its recommendation
  for ``shareQuota`` (SSD IOPS 3000 + GiB, MiB/s 100 + ceil(0.1 * GiB); HDD IOPS
  1000 + ceil(0.2 * GiB), MiB/s 60 + ceil(0.02 * GiB));
* provisioned v1 (``Premium_*``): what the quota gives (IOPS min(3000 + GiB, 102400), MiB/s
  100 + ceil(0.04 * GiB) + ceil(0.06 * GiB));
* pay-as-you-go (``Standard_*``): nothing is provisioned, so no target can be met.

Source: https://learn.microsoft.com/azure/storage/files/understanding-billing.

Missing: a PV without target annotations, or whose share or account is not in the stack, is
skipped; a v2 share without provisioned values gets the recommendation. An annotation that is
not a whole number is a violation.
Unknown: an unknown annotation, SKU, quota, provisioned value or match skips that target.
"""

from __future__ import annotations

from typing import Any

from pulumi_policy import ReportViolation, Severity, StackValidationArgs, StackValidationPolicy

from azure_facts.files import (
    BillingModel,
    premium_iops,
    premium_throughput_mibps,
    recommended_iops,
    recommended_throughput_mibps,
)

from .._k8s import PV_TYPE
from .._props import MISSING, UNKNOWN, as_int
from .._stack import (
    Res,
    account_for_share,
    account_label,
    file_shares,
    k8s_label,
    model_of,
    resources,
    share_label,
    share_of_pv,
    sku_of,
    storage_accounts,
)

THROUGHPUT_TARGET_ANNOTATION = "aks-rwx-training/throughput-target-mibps"
IOPS_TARGET_ANNOTATION = "aks-rwx-training/iops-target"
# annotation -> (unit, the v2 share property, v2 recommendation, v1 formula)
TARGETS = {
    THROUGHPUT_TARGET_ANNOTATION: (
        "MiB/s",
        "provisionedBandwidthMibps",
        recommended_throughput_mibps,
        premium_throughput_mibps,
    ),
    IOPS_TARGET_ANNOTATION: ("IOPS", "provisionedIops", recommended_iops, premium_iops),
}


def _provided(model: BillingModel, share: Res, annotation: str) -> tuple[Any, str]:
    """What the share provides for ``annotation``'s quantity, and where that comes from."""
    _, prop, recommended, v1 = TARGETS[annotation]
    quota = as_int(share.get("shareQuota"))
    if model.v2:
        value = share.get(prop)
        if value is UNKNOWN:
            return UNKNOWN, ""
        if value is not MISSING:
            return as_int(value), f"as its {prop}; raise it"
        if quota is None:
            return UNKNOWN, ""
        return (
            recommended(model, quota),
            f"with {prop} unset (Azure's recommendation for {quota} GiB); set {prop}",
        )
    if quota is None:
        return UNKNOWN, ""
    return v1(quota), f"from its {quota} GiB quota; raise shareQuota, or move to provisioned v2"


def _validate(args: StackValidationArgs, report_violation: ReportViolation) -> None:
    accounts = storage_accounts(args)
    shares = file_shares(args)
    for pv in resources(args, PV_TYPE):
        annotations = pv.get("metadata", "annotations")
        if not isinstance(annotations, dict):
            continue
        declared = {key: annotations[key] for key in TARGETS if key in annotations}
        if not declared:
            continue
        volume = f"PersistentVolume '{k8s_label(pv)}'"
        share = share_of_pv(pv, shares, accounts)
        account = account_for_share(share, accounts) if isinstance(share, Res) else None
        if not isinstance(share, Res) or not isinstance(account, Res):
            continue
        sku = sku_of(account)
        model = model_of(sku)
        if not isinstance(model, BillingModel):
            continue
        subject = f"FileShare '{share_label(share)}'"
        for annotation, raw in declared.items():
            if raw is UNKNOWN:
                continue
            unit = TARGETS[annotation][0]
            if not (isinstance(raw, str) and raw.isdigit()):
                report_violation(
                    f"{volume} annotates {annotation}={raw!r}, which is not a whole number of "
                    f"{unit}; set it to the {unit} the volume needs.",
                    pv.urn,
                )
                continue
            target = int(raw)
            if not model.provisioned:
                report_violation(
                    f"{subject} is pay-as-you-go (StorageAccount '{account_label(account)}', sku "
                    f"'{sku}'): nothing is provisioned, so it cannot guarantee the {target} "
                    f"{unit} that {volume} declares ({annotation}); use a provisioned billing "
                    "model.",
                    share.urn,
                )
                continue
            provided, fix = _provided(model, share, annotation)
            if provided is UNKNOWN or provided is None or provided >= target:
                continue
            report_violation(
                f"{subject} provides {provided} {unit}, below the {target} {unit} that {volume} "
                f"declares ({annotation}): {model} gives {provided} {fix}.",
                share.urn,
            )


# No stack-file key can cause this verdict: the components always comply.
STACK_KEYS: tuple[str, ...] = ()

POLICY = StackValidationPolicy(
    name="azure-native-storage-fileshare-meets-volume-targets",
    description=(
        "A provisioned file share provides the throughput and IOPS its volume declares it needs."
    ),
    validate=_validate,
    severity=Severity.MEDIUM,
    remediation_steps=(
        "Provisioned v2: raise the share's provisionedBandwidthMibps / provisionedIops (the "
        "volume's throughputMiBps / iops). Provisioned v1: raise shareQuota, or move to v2. "
        "Pay-as-you-go provisions nothing: use a provisioned billing model (fileBillingModel)."
    ),
    url="https://learn.microsoft.com/azure/storage/files/understanding-billing",
    tags=["azure", "storage", "azure-files", "performance"],
)
