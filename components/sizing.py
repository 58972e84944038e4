"""Azure Files share sizing: pure functions, no Pulumi.

Premium (SSD, "provisioned v1", ``FileStorage`` accounts with ``Premium_LRS``/``Premium_ZRS``)
shares get their performance from the provisioned quota:

* baseline IOPS     = min(3000 + GiB, 102400)
* throughput MiB/s  = 100 + ceil(0.04 * GiB) + ceil(0.06 * GiB)   (ingress + egress)
* quota             = 100 GiB minimum, 102400 GiB (100 TiB) maximum

Standard (HDD, pay-as-you-go, ``StorageV2`` accounts with large file shares enabled) shares
are not provisioned: the quota is only a size cap (1 GiB .. 100 TiB) and performance is an
upper bound shared with the rest of the account. A throughput target can therefore not be
turned into a quota there; asking for one is an error.

All arithmetic is integer arithmetic, so threshold cases are exact (no float rounding).
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

PREMIUM_MIN_GIB = 100
PREMIUM_MAX_GIB = 102_400
PREMIUM_MAX_IOPS = 102_400
PREMIUM_BASE_IOPS = 3_000
PREMIUM_BASE_THROUGHPUT_MIBPS = 100

STANDARD_MIN_GIB = 1
STANDARD_MAX_GIB = 102_400  # with large file shares enabled
# Documented upper bounds for a standard (HDD pay-as-you-go) share in a large-file-share
# account: up to 20,000 IOPS and 300 MiB/s per share. They are ceilings shared with every
# other share in the account, not guarantees, and they do not depend on the quota.
STANDARD_MAX_IOPS = 20_000
STANDARD_MAX_THROUGHPUT_MIBPS = 300


class ShareTier(StrEnum):
    """Performance model of a share, derived from the storage account SKU."""

    PREMIUM = "premium"
    STANDARD = "standard"


class SizingError(ValueError):
    """A requested size or performance target cannot be provisioned."""


@dataclass(frozen=True)
class SharePerformance:
    """What a share of a given quota delivers.

    For premium shares ``iops`` (baseline) and ``throughput_mibps`` are provisioned values.
    For standard shares they are the documented per-share ceilings (``guaranteed`` is False).
    """

    quota_gib: int
    iops: int
    throughput_mibps: int
    guaranteed: bool


def tier_for_sku(sku: str) -> ShareTier:
    """``Premium_*`` SKUs are SSD provisioned v1; ``Standard_*`` are HDD pay-as-you-go."""
    if sku.startswith("Premium_"):
        return ShareTier.PREMIUM
    if sku.startswith("Standard_"):
        return ShareTier.STANDARD
    raise SizingError(f"unsupported storage SKU {sku!r}; expected a Standard_* or Premium_* SKU")


def _ceil_div(numerator: int, denominator: int) -> int:
    return -(-numerator // denominator)


def _check_premium_quota(quota_gib: int) -> None:
    if isinstance(quota_gib, bool) or not isinstance(quota_gib, int):
        raise SizingError(f"quota must be an integer number of GiB (got {quota_gib!r})")
    if not PREMIUM_MIN_GIB <= quota_gib <= PREMIUM_MAX_GIB:
        raise SizingError(
            f"premium share quota must be between {PREMIUM_MIN_GIB} and {PREMIUM_MAX_GIB} GiB "
            f"(got {quota_gib})"
        )


def premium_iops(quota_gib: int) -> int:
    """Baseline IOPS of a premium (provisioned v1) share: min(3000 + GiB, 102400)."""
    _check_premium_quota(quota_gib)
    return min(PREMIUM_BASE_IOPS + quota_gib, PREMIUM_MAX_IOPS)


def premium_throughput_mibps(quota_gib: int) -> int:
    """Throughput of a premium share: 100 + ceil(0.04 * GiB) + ceil(0.06 * GiB) MiB/s."""
    _check_premium_quota(quota_gib)
    return (
        PREMIUM_BASE_THROUGHPUT_MIBPS
        + _ceil_div(4 * quota_gib, 100)
        + _ceil_div(6 * quota_gib, 100)
    )


PREMIUM_MAX_THROUGHPUT_MIBPS = premium_throughput_mibps(PREMIUM_MAX_GIB)


def quota_for_throughput(mibps: int) -> int:
    """Smallest premium quota (GiB) whose provisioned throughput is at least ``mibps``.

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


def check_quota(tier: ShareTier, quota_gib: int) -> None:
    """Raise :class:`SizingError` when ``quota_gib`` is outside the tier's limits."""
    if tier is ShareTier.PREMIUM:
        _check_premium_quota(quota_gib)
        return
    if isinstance(quota_gib, bool) or not isinstance(quota_gib, int):
        raise SizingError(f"quota must be an integer number of GiB (got {quota_gib!r})")
    if not STANDARD_MIN_GIB <= quota_gib <= STANDARD_MAX_GIB:
        raise SizingError(
            f"standard share quota must be between {STANDARD_MIN_GIB} and {STANDARD_MAX_GIB} "
            f"GiB (got {quota_gib})"
        )


def resolve_quota(
    tier: ShareTier, *, quota_gib: int | None = None, throughput_mibps: int | None = None
) -> int:
    """Quota for a share given exactly one of an explicit quota or a throughput target."""
    if quota_gib is not None and throughput_mibps is None:
        check_quota(tier, quota_gib)
        return quota_gib
    if throughput_mibps is not None and quota_gib is None:
        if tier is not ShareTier.PREMIUM:
            raise SizingError(
                "a throughput target can only be provisioned on premium shares (Premium_LRS or "
                "Premium_ZRS); standard shares are pay-as-you-go with a fixed ceiling of "
                f"{STANDARD_MAX_THROUGHPUT_MIBPS} MiB/s, so give a quota instead"
            )
        return quota_for_throughput(throughput_mibps)
    raise SizingError("give exactly one of a quota (GiB) or a throughput target (MiB/s)")


def performance(tier: ShareTier, quota_gib: int) -> SharePerformance:
    """IOPS and throughput a share of ``quota_gib`` gets in ``tier``."""
    check_quota(tier, quota_gib)
    if tier is ShareTier.PREMIUM:
        return SharePerformance(
            quota_gib=quota_gib,
            iops=premium_iops(quota_gib),
            throughput_mibps=premium_throughput_mibps(quota_gib),
            guaranteed=True,
        )
    return SharePerformance(
        quota_gib=quota_gib,
        iops=STANDARD_MAX_IOPS,
        throughput_mibps=STANDARD_MAX_THROUGHPUT_MIBPS,
        guaranteed=False,
    )
