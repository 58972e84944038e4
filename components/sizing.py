"""Azure Files billing models and share sizing: pure functions, no Pulumi.

Source for every number and formula here: "Understand Azure Files billing models",
https://learn.microsoft.com/azure/storage/files/understanding-billing (ms.date 2025-06-04,
read 2026-11-30). The four models a stack can choose (``fileBillingModel``):

* **provisioned-v2-ssd / provisioned-v2-hdd**: storage, IOPS and throughput are provisioned
  separately on each share (``FileStorage`` accounts, SKUs ``PremiumV2_*`` / ``StandardV2_*``).
  A share declares its size; IOPS and throughput default to Azure's recommendation for that
  size and may be set to any value within the model's limits.
* **provisioned-v1-ssd**: IOPS and throughput follow from the provisioned size
  (``FileStorage``, ``Premium_*``), so throughput can only be bought through capacity:
  baseline IOPS = min(3000 + GiB, 102400), throughput = 100 + ceil(0.04 * GiB) +
  ceil(0.06 * GiB) MiB/s, 100-102400 GiB.
* **pay-as-you-go-hdd**: nothing is provisioned (``StorageV2`` with large file shares,
  ``Standard_*``); the quota is a size cap and performance an upper bound shared with the
  account (up to 20,000 IOPS and 300 MiB/s per share).

All arithmetic is integer arithmetic, so threshold cases are exact (no float rounding).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Literal, get_args

Redundancy = Literal["LRS", "ZRS", "GRS", "GZRS"]


class BillingModel(StrEnum):
    """How an account's shares are billed (and so provisioned): the ``fileBillingModel`` key."""

    PROVISIONED_V2_SSD = "provisioned-v2-ssd"
    PROVISIONED_V2_HDD = "provisioned-v2-hdd"
    PROVISIONED_V1_SSD = "provisioned-v1-ssd"
    PAY_AS_YOU_GO_HDD = "pay-as-you-go-hdd"

    @property
    def ssd(self) -> bool:
        return self.value.endswith("-ssd")

    @property
    def v2(self) -> bool:
        return self.value.startswith("provisioned-v2")

    @property
    def provisioned(self) -> bool:
        return self is not BillingModel.PAY_AS_YOU_GO_HDD

    @property
    def account_kind(self) -> str:
        """Every provisioned model lives in a FileStorage account (the v2 SKUs too)."""
        return "FileStorage" if self.provisioned else "StorageV2"

    @property
    def sku_family(self) -> str:
        return _SKU_FAMILY[self]

    @property
    def allows_nfs(self) -> bool:
        """NFS 4.1 shares exist on SSD only, in v1 and v2 ("availability" tables)."""
        return self.ssd

    @property
    def redundancies(self) -> tuple[Redundancy, ...]:
        """SSD shares, v1 and v2, are locally or zone-redundant only; HDD shares, v2 and
        pay-as-you-go, are geo-redundant too ("Applies to" table of "Azure Files redundancy
        support for SSD file shares",
        https://learn.microsoft.com/azure/storage/files/redundancy-premium-file-shares)."""
        return ("LRS", "ZRS") if self.ssd else get_args(Redundancy)


_SKU_FAMILY = {
    BillingModel.PROVISIONED_V2_SSD: "PremiumV2",
    BillingModel.PROVISIONED_V2_HDD: "StandardV2",
    BillingModel.PROVISIONED_V1_SSD: "Premium",
    BillingModel.PAY_AS_YOU_GO_HDD: "Standard",
}


def account_sku(model: BillingModel, redundancy: Redundancy) -> str:
    """The storage account SKU of ``model`` with ``redundancy``, e.g. ``PremiumV2_ZRS``."""
    return f"{model.sku_family}_{redundancy}"


def model_for_sku(sku: str) -> BillingModel | None:
    """The billing model a storage account SKU selects (``None`` for other SKUs)."""
    family = sku.rsplit("_", 1)[0]
    return next((m for m, f in _SKU_FAMILY.items() if f == family), None)


class SizingError(ValueError):
    """A requested size or performance target cannot be provisioned; ``field`` names the
    volume field (``quotaGiB``, ``throughputMiBps`` or ``iops``) to fix, when there is one."""

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.field = field


# --- provisioned v2 -------------------------------------------------------------------------


@dataclass(frozen=True)
class V2Limits:
    """Per-share and per-account limits of a provisioned v2 media tier ("Provisioned v2
    provisioning" and "Provisioned v2 classic file shares" tables)."""

    min_gib: int
    max_gib: int
    min_iops: int
    max_iops: int
    min_mibps: int
    max_mibps: int
    account_max_gib: int
    account_max_iops: int
    account_max_mibps: int
    account_max_shares: int
    # Recommendation: MIN(MAX(base + CEILING(scalar * GiB), floor), cap), scalar as a fraction.
    base_iops: int
    iops_per_gib: tuple[int, int]
    base_mibps: int
    mibps_per_gib: tuple[int, int]
    # Burst IOPS limit: MIN(MAX(3 * ProvisionedIOPS, burst_floor), max_iops).
    burst_floor: int


V2_LIMITS: dict[BillingModel, V2Limits] = {
    BillingModel.PROVISIONED_V2_SSD: V2Limits(
        min_gib=32,
        max_gib=262_144,
        min_iops=3_000,
        max_iops=102_400,
        min_mibps=100,
        max_mibps=10_340,
        account_max_gib=262_144,
        account_max_iops=102_400,
        account_max_mibps=10_340,
        account_max_shares=50,
        base_iops=3_000,
        iops_per_gib=(1, 1),
        base_mibps=100,
        mibps_per_gib=(1, 10),
        burst_floor=10_000,
    ),
    BillingModel.PROVISIONED_V2_HDD: V2Limits(
        min_gib=32,
        max_gib=262_144,
        min_iops=500,
        max_iops=50_000,
        min_mibps=60,
        max_mibps=5_120,
        account_max_gib=4_194_304,
        account_max_iops=50_000,
        account_max_mibps=5_120,
        account_max_shares=50,
        base_iops=1_000,
        iops_per_gib=(1, 5),
        base_mibps=60,
        mibps_per_gib=(1, 50),
        burst_floor=5_000,
    ),
}


def _ceil_div(numerator: int, denominator: int) -> int:
    return -(-numerator // denominator)


def _v2(model: BillingModel) -> V2Limits:
    if not model.v2:
        raise SizingError(f"{model} is not a provisioned v2 model")
    return V2_LIMITS[model]


def _recommendation(base: int, per_gib: tuple[int, int], floor: int, cap: int, gib: int) -> int:
    """Azure's one recommendation formula: MIN(MAX(base + CEILING(per_gib * GiB), floor), cap)."""
    numerator, denominator = per_gib
    return min(max(base + _ceil_div(numerator * gib, denominator), floor), cap)


def recommended_iops(model: BillingModel, gib: int) -> int:
    """Azure's IOPS recommendation for a v2 share of ``gib``:
    SSD MIN(MAX(3000 + CEILING(1 * GiB), 3000), 102400),
    HDD MIN(MAX(1000 + CEILING(0.2 * GiB), 500), 50000)."""
    limits = _v2(model)
    return _recommendation(
        limits.base_iops, limits.iops_per_gib, limits.min_iops, limits.max_iops, gib
    )


def recommended_throughput_mibps(model: BillingModel, gib: int) -> int:
    """Azure's throughput recommendation for a v2 share of ``gib``:
    SSD MIN(MAX(100 + CEILING(0.1 * GiB), 100), 10340),
    HDD MIN(MAX(60 + CEILING(0.02 * GiB), 60), 5120)."""
    limits = _v2(model)
    return _recommendation(
        limits.base_mibps, limits.mibps_per_gib, limits.min_mibps, limits.max_mibps, gib
    )


def v2_burst_iops(model: BillingModel, iops: int) -> int:
    """Best-effort burst limit of a v2 share: MIN(MAX(3 * IOPS, 10000 SSD | 5000 HDD), max)."""
    limits = _v2(model)
    return min(max(3 * iops, limits.burst_floor), limits.max_iops)


# --- provisioned v1 (SSD) -------------------------------------------------------------------

PREMIUM_MIN_GIB = 100
PREMIUM_MAX_GIB = 102_400
PREMIUM_MAX_IOPS = 102_400
PREMIUM_BASE_IOPS = 3_000
PREMIUM_BASE_THROUGHPUT_MIBPS = 100
PREMIUM_BURST_FLOOR = 10_000

# --- pay-as-you-go (HDD) --------------------------------------------------------------------

STANDARD_MIN_GIB = 1
STANDARD_MAX_GIB = 102_400  # with large file shares enabled
# Upper bounds for a pay-as-you-go share in a large-file-share account: up to 20,000 IOPS
# and 300 MiB/s per share. They are ceilings shared with every other share in the account,
# not guarantees, and they do not depend on the quota.
STANDARD_MAX_IOPS = 20_000
STANDARD_MAX_THROUGHPUT_MIBPS = 300


def _check_premium_quota(quota_gib: int) -> None:
    if isinstance(quota_gib, bool) or not isinstance(quota_gib, int):
        raise SizingError(f"quota must be an integer number of GiB (got {quota_gib!r})")
    if not PREMIUM_MIN_GIB <= quota_gib <= PREMIUM_MAX_GIB:
        raise SizingError(
            f"premium share quota must be between {PREMIUM_MIN_GIB} and {PREMIUM_MAX_GIB} GiB "
            f"(got {quota_gib})"
        )


def premium_iops(quota_gib: int) -> int:
    """Baseline IOPS of a provisioned v1 share: min(3000 + GiB, 102400)."""
    _check_premium_quota(quota_gib)
    return min(PREMIUM_BASE_IOPS + quota_gib, PREMIUM_MAX_IOPS)


def premium_burst_iops(quota_gib: int) -> int:
    """Best-effort burst limit of a provisioned v1 share: MIN(MAX(3 * GiB, 10000), 102400)."""
    _check_premium_quota(quota_gib)
    return min(max(3 * quota_gib, PREMIUM_BURST_FLOOR), PREMIUM_MAX_IOPS)


def premium_throughput_mibps(quota_gib: int) -> int:
    """Throughput of a provisioned v1 share: 100 + ceil(0.04 * GiB) + ceil(0.06 * GiB) MiB/s."""
    _check_premium_quota(quota_gib)
    return (
        PREMIUM_BASE_THROUGHPUT_MIBPS
        + _ceil_div(4 * quota_gib, 100)
        + _ceil_div(6 * quota_gib, 100)
    )


PREMIUM_MAX_THROUGHPUT_MIBPS = premium_throughput_mibps(PREMIUM_MAX_GIB)


def quota_for_throughput(mibps: int) -> int:
    """Smallest provisioned v1 quota (GiB) whose throughput is at least ``mibps``.

    Raises :class:`SizingError` for a non-positive target or one above what the largest
    share (102400 GiB) provides.
    """
    if isinstance(mibps, bool) or not isinstance(mibps, int):
        raise SizingError(f"throughput target must be an integer MiB/s (got {mibps!r})")
    if mibps < 1:
        raise SizingError(f"throughput target must be at least 1 MiB/s (got {mibps})")
    if mibps > PREMIUM_MAX_THROUGHPUT_MIBPS:
        raise SizingError(
            f"throughput target {mibps} MiB/s exceeds the {PREMIUM_MAX_THROUGHPUT_MIBPS} MiB/s "
            f"of the largest premium share ({PREMIUM_MAX_GIB} GiB); split the data over "
            "several shares"
        )
    # Throughput is non-decreasing in the quota: binary search for the first quota that meets it.
    low, high = PREMIUM_MIN_GIB, PREMIUM_MAX_GIB
    while low < high:
        middle = (low + high) // 2
        if premium_throughput_mibps(middle) >= mibps:
            high = middle
        else:
            low = middle + 1
    return low


# --- one share, any model -------------------------------------------------------------------


@dataclass(frozen=True)
class SharePerformance:
    """What a share gets under its billing model.

    ``provisioned`` is True when ``iops`` and ``throughput_mibps`` are provisioned (guaranteed)
    values; False for pay-as-you-go, where they are Azure's per-share ceilings, shared with
    the account. ``burst_iops`` is the best-effort burst limit of a provisioned share (None
    for pay-as-you-go). ``provisioned_iops``/``provisioned_mibps`` are what a v2 share sets on
    the FileShare (None in the other models, where Azure derives or does not provision them).
    """

    model: BillingModel
    quota_gib: int
    iops: int
    throughput_mibps: int
    provisioned: bool
    burst_iops: int | None = None
    provisioned_iops: int | None = None
    provisioned_mibps: int | None = None


def _whole(value: int | None, what: str, field: str) -> None:
    if value is not None and (isinstance(value, bool) or not isinstance(value, int)):
        raise SizingError(f"{what} must be an integer (got {value!r})", field)


def _within(value: int, low: int, high: int, what: str, model: BillingModel, field: str) -> None:
    if not low <= value <= high:
        raise SizingError(
            f"must be an integer between {low} and {high} {what} for {model} (got {value})",
            field,
        )


def resolve_share(
    model: BillingModel,
    *,
    quota_gib: int | None = None,
    throughput_mibps: int | None = None,
    iops: int | None = None,
) -> SharePerformance:
    """The share a volume's declaration gives under ``model``.

    * v2: ``quota_gib`` is required; missing targets take Azure's recommendation for it.
    * v1: exactly one of ``quota_gib`` or ``throughput_mibps`` (the quota then becomes the
      smallest whose throughput meets it); IOPS follow from the quota.
    * pay-as-you-go: ``quota_gib`` only; nothing can be provisioned.

    Raises :class:`SizingError` naming the field to fix.
    """
    _whole(quota_gib, "quotaGiB", "quotaGiB")
    _whole(throughput_mibps, "throughputMiBps", "throughputMiBps")
    _whole(iops, "iops", "iops")
    if model.v2:
        limits = V2_LIMITS[model]
        if quota_gib is None:
            raise SizingError(
                f"is required for {model}: give the data's size in GiB (IOPS and throughput "
                "are provisioned separately)",
                "quotaGiB",
            )
        _within(quota_gib, limits.min_gib, limits.max_gib, "GiB", model, "quotaGiB")
        chosen_iops = recommended_iops(model, quota_gib) if iops is None else iops
        chosen_mibps = (
            recommended_throughput_mibps(model, quota_gib)
            if throughput_mibps is None
            else throughput_mibps
        )
        _within(chosen_iops, limits.min_iops, limits.max_iops, "IOPS", model, "iops")
        _within(chosen_mibps, limits.min_mibps, limits.max_mibps, "MiB/s", model, "throughputMiBps")
        return SharePerformance(
            model=model,
            quota_gib=quota_gib,
            iops=chosen_iops,
            throughput_mibps=chosen_mibps,
            provisioned=True,
            burst_iops=v2_burst_iops(model, chosen_iops),
            provisioned_iops=chosen_iops,
            provisioned_mibps=chosen_mibps,
        )
    if iops is not None:
        raise SizingError(
            f"cannot be set for {model}, "
            + (
                "where IOPS follow from quotaGiB; remove it, or use a provisioned-v2 model"
                if model.provisioned
                else "where nothing is provisioned; remove it, or use a provisioned-v2 model"
            ),
            "iops",
        )
    if model is BillingModel.PROVISIONED_V1_SSD:
        if (quota_gib is None) == (throughput_mibps is None):
            raise SizingError(
                f"must set exactly one of quotaGiB or throughputMiBps for {model}"
                + (" (got both)" if quota_gib is not None else " (got neither)")
            )
        if throughput_mibps is not None:
            if not 1 <= throughput_mibps <= PREMIUM_MAX_THROUGHPUT_MIBPS:
                raise SizingError(
                    f"must be an integer between 1 and {PREMIUM_MAX_THROUGHPUT_MIBPS} MiB/s for "
                    f"{model} (got {throughput_mibps}); split the data over several volumes",
                    "throughputMiBps",
                )
            quota_gib = quota_for_throughput(throughput_mibps)
        assert quota_gib is not None
        _within(quota_gib, PREMIUM_MIN_GIB, PREMIUM_MAX_GIB, "GiB", model, "quotaGiB")
        return SharePerformance(
            model=model,
            quota_gib=quota_gib,
            iops=premium_iops(quota_gib),
            throughput_mibps=premium_throughput_mibps(quota_gib),
            provisioned=True,
            burst_iops=premium_burst_iops(quota_gib),
        )
    if throughput_mibps is not None:
        raise SizingError(
            f"cannot be provisioned for {model} (at most {STANDARD_MAX_THROUGHPUT_MIBPS} MiB/s, "
            "shared with the account); remove it, or use a provisioned model",
            "throughputMiBps",
        )
    if quota_gib is None:
        raise SizingError(f"is required for {model}", "quotaGiB")
    _within(quota_gib, STANDARD_MIN_GIB, STANDARD_MAX_GIB, "GiB", model, "quotaGiB")
    return SharePerformance(
        model=model,
        quota_gib=quota_gib,
        iops=STANDARD_MAX_IOPS,
        throughput_mibps=STANDARD_MAX_THROUGHPUT_MIBPS,
        provisioned=False,
    )


def check_account_totals(model: BillingModel, shares: Sequence[SharePerformance]) -> None:
    """A v2 account's shares share its provisioned storage, IOPS and throughput, and Azure
    refuses a share that would exceed them ("enforced at provision time")."""
    if not model.v2:
        return
    limits = V2_LIMITS[model]
    if len(shares) > limits.account_max_shares:
        raise SizingError(
            f"hold {len(shares)} shares, more than the {limits.account_max_shares} a {model} "
            "account allows; split them over several stacks"
        )
    for what, total, cap in (
        ("GiB", sum(s.quota_gib for s in shares), limits.account_max_gib),
        ("IOPS", sum(s.iops for s in shares), limits.account_max_iops),
        ("MiB/s", sum(s.throughput_mibps for s in shares), limits.account_max_mibps),
    ):
        if total > cap:
            raise SizingError(
                f"provision {total} {what} in total, more than the {cap} {what} one {model} "
                "account allows; lower the volumes' values or split them over several stacks"
            )
