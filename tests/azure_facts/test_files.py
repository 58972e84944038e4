"""Azure Files billing models at their edges: the provisioned v1 formulas, the provisioned v2
limits, recommended values and burst limits, and the SKUs that name each model.

Every number is from "Understand Azure Files billing models",
https://learn.microsoft.com/azure/storage/files/understanding-billing (ms.date 2025-06-04):
"Provisioned v2 provisioning" (limits and recommendation formulas), "Provisioned v2 bursting",
"Provisioned v1 provisioning detail" and "Provisioned v2 classic file shares" (account limits).
"""

from __future__ import annotations

from datetime import date

from hypothesis import given
from hypothesis import strategies as st

from azure_facts import files, regions
from azure_facts.files import (
    PREMIUM_MAX_GIB,
    PREMIUM_MAX_THROUGHPUT_MIBPS,
    PREMIUM_MIN_GIB,
    V2_LIMITS,
    BillingModel,
    account_sku,
    model_for_sku,
    premium_burst_iops,
    premium_iops,
    premium_throughput_mibps,
    recommended_iops,
    recommended_throughput_mibps,
    v2_burst_iops,
)

SSD = BillingModel.PROVISIONED_V2_SSD
HDD = BillingModel.PROVISIONED_V2_HDD
V1 = BillingModel.PROVISIONED_V1_SSD
PAYG = BillingModel.PAY_AS_YOU_GO_HDD


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


def test_the_facts_are_fresh() -> None:
    # Regions open to tiers and limits change: once a module's facts are older than it allows,
    # re-read its sources (its docstring names them) and move READ_ON.
    for module in (files, regions):
        age = date.today() - module.READ_ON
        assert age <= module.MAX_AGE, (
            f"{module.__name__} was read on {module.READ_ON}, {age.days} days ago: re-read "
            "its sources"
        )


def test_each_model_has_its_skus_and_quota_range() -> None:
    # What `infra cost` prices and the pack tells apart: every SKU a stack can make.
    assert V1.skus == {"Premium_LRS", "Premium_ZRS"}
    assert SSD.skus == {"PremiumV2_LRS", "PremiumV2_ZRS"}
    assert HDD.skus == {"StandardV2_LRS", "StandardV2_ZRS", "StandardV2_GRS", "StandardV2_GZRS"}
    assert PAYG.skus == {"Standard_LRS", "Standard_ZRS", "Standard_GRS", "Standard_GZRS"}
    assert [(m.min_gib, m.max_gib) for m in (SSD, HDD, V1, PAYG)] == [
        (32, 262_144),
        (32, 262_144),
        (100, 102_400),
        (1, 102_400),
    ]
