"""Premium provisioned v1 sizing and the standard-share rules, at their edges."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from components.sizing import (
    PREMIUM_MAX_GIB,
    PREMIUM_MAX_THROUGHPUT_MIBPS,
    PREMIUM_MIN_GIB,
    STANDARD_MAX_IOPS,
    STANDARD_MAX_THROUGHPUT_MIBPS,
    ShareTier,
    SizingError,
    check_quota,
    performance,
    premium_iops,
    premium_throughput_mibps,
    quota_for_throughput,
    resolve_quota,
    tier_for_sku,
)


def brute_force_quota(mibps: int) -> int:
    return next(
        gib
        for gib in range(PREMIUM_MIN_GIB, PREMIUM_MAX_GIB + 1)
        if premium_throughput_mibps(gib) >= mibps
    )


def test_formula_at_the_floor() -> None:
    assert premium_throughput_mibps(100) == 100 + 4 + 6
    assert premium_iops(100) == 3100


def test_formula_rounds_each_term_up_separately() -> None:
    # 101 GiB: ceil(4.04) = 5 and ceil(6.06) = 7.
    assert premium_throughput_mibps(101) == 112
    # 150 GiB: 0.04 * 150 = 6 and 0.06 * 150 = 9 exactly, no rounding.
    assert premium_throughput_mibps(150) == 115
    # 151 GiB: ceil(6.04) = 7 and ceil(9.06) = 10.
    assert premium_throughput_mibps(151) == 117


def test_formula_at_the_cap() -> None:
    assert premium_throughput_mibps(PREMIUM_MAX_GIB) == 100 + 4096 + 6144
    assert PREMIUM_MAX_THROUGHPUT_MIBPS == 10_340
    assert premium_iops(PREMIUM_MAX_GIB) == 102_400


def test_iops_cap_threshold() -> None:
    assert premium_iops(99_399) == 102_399
    assert premium_iops(99_400) == 102_400
    assert premium_iops(99_401) == 102_400


@pytest.mark.parametrize("gib", [0, 99, PREMIUM_MAX_GIB + 1, -1])
def test_premium_quota_out_of_range(gib: int) -> None:
    with pytest.raises(SizingError, match="between 100 and 102400 GiB"):
        premium_throughput_mibps(gib)


@pytest.mark.parametrize("target", [1, 50, 110])
def test_targets_met_by_the_minimum_share_give_100_gib(target: int) -> None:
    assert quota_for_throughput(target) == 100


def test_first_target_above_the_floor() -> None:
    # 111 MiB/s is the first target the 100 GiB floor misses; 101 GiB gives 112 MiB/s.
    assert premium_throughput_mibps(100) == 110
    assert quota_for_throughput(111) == 101
    assert quota_for_throughput(112) == 101
    assert quota_for_throughput(113) == brute_force_quota(113)


def test_sixteen_trainers_at_fifty_mibps() -> None:
    quota = quota_for_throughput(16 * 50)
    assert quota == 6984
    assert premium_throughput_mibps(quota) >= 800 > premium_throughput_mibps(quota - 1)


def test_largest_target_needs_less_than_the_largest_share() -> None:
    quota = quota_for_throughput(PREMIUM_MAX_THROUGHPUT_MIBPS)
    assert quota == brute_force_quota(PREMIUM_MAX_THROUGHPUT_MIBPS) == 102_384
    assert premium_throughput_mibps(quota - 1) < PREMIUM_MAX_THROUGHPUT_MIBPS


@pytest.mark.parametrize(
    ("target", "message"),
    [
        (PREMIUM_MAX_THROUGHPUT_MIBPS + 1, "exceeds the 10340 MiB/s"),
        (0, "at least 1 MiB/s"),
        (-5, "at least 1 MiB/s"),
    ],
)
def test_impossible_targets(target: int, message: str) -> None:
    with pytest.raises(SizingError, match=message):
        quota_for_throughput(target)


def test_non_integer_targets_are_rejected() -> None:
    with pytest.raises(SizingError, match="integer"):
        quota_for_throughput(True)
    with pytest.raises(SizingError, match="integer"):
        quota_for_throughput(12.5)  # type: ignore[arg-type]


@given(st.integers(min_value=1, max_value=PREMIUM_MAX_THROUGHPUT_MIBPS))
def test_quota_is_the_smallest_that_meets_the_target(target: int) -> None:
    quota = quota_for_throughput(target)
    assert PREMIUM_MIN_GIB <= quota <= PREMIUM_MAX_GIB
    assert premium_throughput_mibps(quota) >= target
    assert quota == PREMIUM_MIN_GIB or premium_throughput_mibps(quota - 1) < target


@given(st.integers(min_value=PREMIUM_MIN_GIB, max_value=PREMIUM_MAX_GIB - 1))
def test_throughput_and_iops_never_decrease(gib: int) -> None:
    assert premium_throughput_mibps(gib + 1) >= premium_throughput_mibps(gib)
    assert premium_iops(gib + 1) >= premium_iops(gib)


def test_tiers_follow_the_sku() -> None:
    assert tier_for_sku("Premium_ZRS") is ShareTier.PREMIUM
    assert tier_for_sku("Standard_LRS") is ShareTier.STANDARD
    with pytest.raises(SizingError, match="unsupported storage SKU"):
        tier_for_sku("PremiumV2_LRS")


def test_standard_shares_cannot_take_a_throughput_target() -> None:
    with pytest.raises(SizingError, match="only be provisioned on premium shares"):
        resolve_quota(ShareTier.STANDARD, throughput_mibps=100)


def test_resolve_quota_needs_exactly_one_input() -> None:
    with pytest.raises(SizingError, match="exactly one"):
        resolve_quota(ShareTier.PREMIUM)
    with pytest.raises(SizingError, match="exactly one"):
        resolve_quota(ShareTier.PREMIUM, quota_gib=100, throughput_mibps=110)
    assert resolve_quota(ShareTier.PREMIUM, throughput_mibps=111) == 101
    assert resolve_quota(ShareTier.STANDARD, quota_gib=1) == 1


def test_standard_quota_limits() -> None:
    check_quota(ShareTier.STANDARD, 1)
    check_quota(ShareTier.STANDARD, 102_400)
    with pytest.raises(SizingError, match="between 1 and 102400"):
        check_quota(ShareTier.STANDARD, 0)
    with pytest.raises(SizingError, match="between 1 and 102400"):
        check_quota(ShareTier.STANDARD, 102_401)


def test_performance_reports() -> None:
    premium = performance(ShareTier.PREMIUM, 1024)
    assert (premium.iops, premium.throughput_mibps, premium.guaranteed) == (4024, 203, True)
    standard = performance(ShareTier.STANDARD, 5)
    assert standard.iops == STANDARD_MAX_IOPS == 20_000
    assert standard.throughput_mibps == STANDARD_MAX_THROUGHPUT_MIBPS == 300
    assert standard.guaranteed is False
