"""A volume's declaration made a share: provisioned v1 sized for a throughput target, v2 with
Azure's recommendation for what is left out, and what no model can provision.

The numbers are from "Understand Azure Files billing models",
https://learn.microsoft.com/azure/storage/files/understanding-billing (ms.date 2025-06-04); the
formulas themselves are tested in tests/azure_facts/test_files.py.
"""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from azure_facts.files import (
    PREMIUM_MAX_GIB,
    PREMIUM_MAX_THROUGHPUT_MIBPS,
    PREMIUM_MIN_GIB,
    STANDARD_MAX_IOPS,
    STANDARD_MAX_THROUGHPUT_MIBPS,
    BillingModel,
    premium_throughput_mibps,
)
from components.sizing import (
    SizingError,
    check_account_totals,
    quota_for_throughput,
    resolve_share,
)

SSD = BillingModel.PROVISIONED_V2_SSD
HDD = BillingModel.PROVISIONED_V2_HDD
V1 = BillingModel.PROVISIONED_V1_SSD
PAYG = BillingModel.PAY_AS_YOU_GO_HDD


def brute_force_quota(mibps: int) -> int:
    return next(
        gib
        for gib in range(PREMIUM_MIN_GIB, PREMIUM_MAX_GIB + 1)
        if premium_throughput_mibps(gib) >= mibps
    )


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


def test_missing_v2_targets_take_the_recommendation() -> None:
    share = resolve_share(SSD, quota_gib=2_048, throughput_mibps=800)
    assert (share.quota_gib, share.iops, share.throughput_mibps) == (2_048, 5_048, 800)
    assert (share.provisioned_iops, share.provisioned_mibps) == (5_048, 800)
    assert share.provisioned and share.burst_iops == 15_144
    hdd = resolve_share(HDD, quota_gib=1_024)
    assert (hdd.iops, hdd.throughput_mibps) == (1_205, 81)


@pytest.mark.parametrize(
    ("model", "declared", "field", "message"),
    [
        (SSD, {"quota_gib": 31}, "quotaGiB", "between 32 and 262144 GiB"),
        (SSD, {"quota_gib": 262_145}, "quotaGiB", "between 32 and 262144 GiB"),
        (SSD, {"quota_gib": 100, "iops": 2_999}, "iops", "between 3000 and 102400 IOPS"),
        (SSD, {"quota_gib": 100, "iops": 102_401}, "iops", "between 3000 and 102400 IOPS"),
        (SSD, {"quota_gib": 100, "throughput_mibps": 99}, "throughputMiBps", "100 and 10340"),
        (SSD, {"quota_gib": 100, "throughput_mibps": 10_341}, "throughputMiBps", "100 and 10340"),
        (HDD, {"quota_gib": 100, "iops": 499}, "iops", "between 500 and 50000 IOPS"),
        (HDD, {"quota_gib": 100, "iops": 50_001}, "iops", "between 500 and 50000 IOPS"),
        (HDD, {"quota_gib": 100, "throughput_mibps": 59}, "throughputMiBps", "60 and 5120"),
        (HDD, {"quota_gib": 100, "throughput_mibps": 5_121}, "throughputMiBps", "60 and 5120"),
        (SSD, {"throughput_mibps": 800}, "quotaGiB", "is required for provisioned-v2-ssd"),
        (V1, {"quota_gib": 100, "iops": 5_000}, "iops", "IOPS follow from quotaGiB"),
        (V1, {"quota_gib": 99}, "quotaGiB", "between 100 and 102400 GiB"),
        (V1, {"quota_gib": 102_401}, "quotaGiB", "between 100 and 102400 GiB"),
        (V1, {"throughput_mibps": 10_341}, "throughputMiBps", "between 1 and 10340"),
        (PAYG, {"quota_gib": 5, "throughput_mibps": 100}, "throughputMiBps", "cannot be"),
        (PAYG, {"quota_gib": 5, "iops": 100}, "iops", "nothing is provisioned"),
        (PAYG, {"quota_gib": 102_401}, "quotaGiB", "between 1 and 102400 GiB"),
    ],
)
def test_values_outside_the_model_are_refused(model, declared, field, message) -> None:
    with pytest.raises(SizingError, match=message) as caught:
        resolve_share(model, **declared)
    assert caught.value.field == field


@pytest.mark.parametrize(
    ("model", "declared"),
    [
        (SSD, {"quota_gib": 32, "iops": 3_000, "throughput_mibps": 100}),
        (SSD, {"quota_gib": 262_144, "iops": 102_400, "throughput_mibps": 10_340}),
        (HDD, {"quota_gib": 32, "iops": 500, "throughput_mibps": 60}),
        (HDD, {"quota_gib": 262_144, "iops": 50_000, "throughput_mibps": 5_120}),
    ],
)
def test_values_on_the_limits_are_accepted(model, declared) -> None:
    share = resolve_share(model, **declared)
    assert (share.quota_gib, share.iops, share.throughput_mibps) == (
        declared["quota_gib"],
        declared["iops"],
        declared["throughput_mibps"],
    )


def test_v1_keeps_sizing_capacity_for_throughput() -> None:
    share = resolve_share(V1, throughput_mibps=800)
    assert (share.quota_gib, share.iops, share.throughput_mibps) == (6_984, 9_984, 800)
    assert share.provisioned_iops is None and share.provisioned_mibps is None
    with pytest.raises(SizingError, match="exactly one of quotaGiB or throughputMiBps"):
        resolve_share(V1, quota_gib=100, throughput_mibps=110)
    with pytest.raises(SizingError, match="got neither"):
        resolve_share(V1)


def test_pay_as_you_go_reports_ceilings_not_provisioned_values() -> None:
    share = resolve_share(PAYG, quota_gib=5)
    assert share.iops == STANDARD_MAX_IOPS == 20_000
    assert share.throughput_mibps == STANDARD_MAX_THROUGHPUT_MIBPS == 300
    assert not share.provisioned and share.burst_iops is None


def test_one_v2_account_holds_at_most_its_limits() -> None:
    half = resolve_share(SSD, quota_gib=1_000, throughput_mibps=5_170, iops=51_200)
    check_account_totals(SSD, [half, half])
    over = resolve_share(SSD, quota_gib=1_000, throughput_mibps=5_171)
    with pytest.raises(SizingError, match="10341 MiB/s in total, more than the 10340 MiB/s"):
        check_account_totals(SSD, [half, over])
    small = resolve_share(HDD, quota_gib=32)
    with pytest.raises(SizingError, match="51 shares, more than the 50"):
        check_account_totals(HDD, [small] * 51)
    check_account_totals(V1, [resolve_share(V1, quota_gib=102_400)] * 2)
