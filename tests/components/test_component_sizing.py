"""Azure Files billing models at their edges: the provisioned v1 sizing, the provisioned v2
limits and recommended values, and what pay-as-you-go cannot provision.

Every number is from "Understand Azure Files billing models",
https://learn.microsoft.com/azure/storage/files/understanding-billing (ms.date 2025-06-04):
"Provisioned v2 provisioning" (limits and recommendation formulas), "Provisioned v2 bursting",
"Provisioned v1 provisioning detail" and "Provisioned v2 classic file shares" (account limits).
"""

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
    V2_LIMITS,
    BillingModel,
    SizingError,
    account_sku,
    check_account_totals,
    model_for_sku,
    premium_burst_iops,
    premium_iops,
    premium_throughput_mibps,
    quota_for_throughput,
    recommended_iops,
    recommended_throughput_mibps,
    resolve_share,
    v2_burst_iops,
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


def test_v1_burst_limit_at_its_edges() -> None:
    # MIN(MAX(3 * ProvisionedStorageGiB, 10000), 102400); the doc's table: 5,120 GiB -> 15,360.
    assert premium_burst_iops(100) == 10_000
    assert premium_burst_iops(3_333) == 10_000
    assert premium_burst_iops(3_334) == 10_002
    assert premium_burst_iops(5_120) == 15_360
    assert premium_burst_iops(34_133) == 102_399
    assert premium_burst_iops(34_134) == 102_400
    assert premium_burst_iops(PREMIUM_MAX_GIB) == 102_400


def test_v2_limits_as_documented() -> None:
    # "Provisioned v2 provisioning": minimum/maximum storage, IOPS and throughput per share.
    ssd, hdd = V2_LIMITS[SSD], V2_LIMITS[HDD]
    assert (ssd.min_gib, ssd.max_gib, hdd.min_gib, hdd.max_gib) == (32, 262_144, 32, 262_144)
    assert (ssd.min_iops, ssd.max_iops) == (3_000, 102_400)
    assert (ssd.min_mibps, ssd.max_mibps) == (100, 10_340)
    assert (hdd.min_iops, hdd.max_iops) == (500, 50_000)
    assert (hdd.min_mibps, hdd.max_mibps) == (60, 5_120)
    # "Provisioned v2 classic file shares": what the shares of one account share.
    assert (ssd.account_max_gib, ssd.account_max_iops, ssd.account_max_mibps) == (
        262_144,
        102_400,
        10_340,
    )
    assert (hdd.account_max_gib, hdd.account_max_iops, hdd.account_max_mibps) == (
        4_194_304,
        50_000,
        5_120,
    )
    assert ssd.account_max_shares == hdd.account_max_shares == 50


def test_ssd_iops_recommendation_at_its_edges() -> None:
    # MIN(MAX(3000 + CEILING(1 * GiB), 3000), 102400)
    assert recommended_iops(SSD, 32) == 3_032
    assert recommended_iops(SSD, 1_024) == 4_024
    assert recommended_iops(SSD, 99_399) == 102_399
    assert recommended_iops(SSD, 99_400) == 102_400
    assert recommended_iops(SSD, 262_144) == 102_400


def test_ssd_throughput_recommendation_at_its_edges() -> None:
    # MIN(MAX(100 + CEILING(0.1 * GiB), 100), 10340): ceiling rounds every started 10 GiB up.
    assert recommended_throughput_mibps(SSD, 32) == 104
    assert recommended_throughput_mibps(SSD, 40) == 104
    assert recommended_throughput_mibps(SSD, 41) == 105
    assert recommended_throughput_mibps(SSD, 2_048) == 305
    assert recommended_throughput_mibps(SSD, 102_400) == 10_340
    assert recommended_throughput_mibps(SSD, 102_401) == 10_340
    assert recommended_throughput_mibps(SSD, 102_391) == 10_340
    assert recommended_throughput_mibps(SSD, 102_390) == 10_339


def test_hdd_iops_recommendation_at_its_edges() -> None:
    # MIN(MAX(1000 + CEILING(0.2 * GiB), 500), 50000)
    assert recommended_iops(HDD, 32) == 1_007
    assert recommended_iops(HDD, 35) == 1_007
    assert recommended_iops(HDD, 36) == 1_008
    assert recommended_iops(HDD, 244_995) == 49_999
    assert recommended_iops(HDD, 244_996) == 50_000
    assert recommended_iops(HDD, 262_144) == 50_000


def test_hdd_throughput_recommendation_at_its_edges() -> None:
    # MIN(MAX(60 + CEILING(0.02 * GiB), 60), 5120)
    assert recommended_throughput_mibps(HDD, 32) == 61
    assert recommended_throughput_mibps(HDD, 50) == 61
    assert recommended_throughput_mibps(HDD, 51) == 62
    assert recommended_throughput_mibps(HDD, 252_950) == 5_119
    assert recommended_throughput_mibps(HDD, 252_951) == 5_120
    assert recommended_throughput_mibps(HDD, 262_144) == 5_120


@given(st.integers(min_value=32, max_value=262_144), st.sampled_from([SSD, HDD]))
def test_recommendations_stay_within_the_limits(gib: int, model: BillingModel) -> None:
    limits = V2_LIMITS[model]
    assert limits.min_iops <= recommended_iops(model, gib) <= limits.max_iops
    assert limits.min_mibps <= recommended_throughput_mibps(model, gib) <= limits.max_mibps


def test_v2_burst_limits_match_the_docs_table() -> None:
    # "Provisioned v2 bursting": SSD MIN(MAX(3 * IOPS, 10000), 102400),
    # HDD MIN(MAX(3 * IOPS, 5000), 50000); rows of the doc's example table.
    assert [v2_burst_iops(SSD, i) for i in (3_000, 5_000, 25_000, 50_000)] == [
        10_000,
        15_000,
        75_000,
        102_400,
    ]
    assert [v2_burst_iops(HDD, i) for i in (500, 1_000, 3_000, 25_000)] == [
        5_000,
        5_000,
        9_000,
        50_000,
    ]


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


def test_sku_and_model_name_each_other() -> None:
    assert account_sku(SSD, "ZRS") == "PremiumV2_ZRS"
    assert account_sku(HDD, "LRS") == "StandardV2_LRS"
    assert account_sku(V1, "ZRS") == "Premium_ZRS"
    assert account_sku(PAYG, "LRS") == "Standard_LRS"
    for model in BillingModel:
        assert model_for_sku(account_sku(model, "ZRS")) is model
    assert model_for_sku("Standard_RAGRS") is PAYG  # geo-redundancy is still pay-as-you-go
    assert model_for_sku("StandardSSD_LRS") is None  # a managed disk SKU
    assert [m.account_kind for m in (SSD, HDD, V1, PAYG)] == [
        "FileStorage",
        "FileStorage",
        "FileStorage",
        "StorageV2",
    ]
    assert [m.allows_nfs for m in (SSD, HDD, V1, PAYG)] == [True, False, True, False]
