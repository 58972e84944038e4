"""The pack's copy of the Azure Files billing-model facts is the program's: same limits, same
recommendations, same SKU families, same PV annotations (the pack runs without the program's
components, so it holds them itself)."""

from __future__ import annotations

import pytest

from components import volume
from components.sizing import (
    PREMIUM_MAX_GIB,
    PREMIUM_MIN_GIB,
    STANDARD_MAX_GIB,
    STANDARD_MIN_GIB,
    V2_LIMITS,
    BillingModel,
    account_sku,
    premium_iops,
    premium_throughput_mibps,
    recommended_iops,
    recommended_throughput_mibps,
)
from policies.rules._files_models import MODELS, model_of, v1_iops, v1_mibps
from policies.rules.stack import fileshare_meets_volume_targets as targets


@pytest.mark.parametrize("model", list(BillingModel))
def test_each_model_is_the_programs(model: BillingModel) -> None:
    mine = model_of(account_sku(model, "ZRS"))
    assert mine is not None and mine.name == model.value
    # Every SKU the program makes for the model, geo-redundant HDD ones too, is that model.
    assert {model_of(account_sku(model, r)) for r in model.redundancies} == {mine}
    assert (mine.account_kind, mine.ssd, mine.v2) == (model.account_kind, model.ssd, model.v2)
    if model.v2:
        limits = V2_LIMITS[model]
        assert (mine.min_gib, mine.max_gib) == (limits.min_gib, limits.max_gib)
        assert (mine.min_iops, mine.max_iops) == (limits.min_iops, limits.max_iops)
        assert (mine.min_mibps, mine.max_mibps) == (limits.min_mibps, limits.max_mibps)
        assert (mine.account_max_iops, mine.account_max_mibps) == (
            limits.account_max_iops,
            limits.account_max_mibps,
        )
        for gib in (32, 33, 1_024, 99_400, 102_400, 244_996, 262_144):
            assert mine.recommended_iops(gib) == recommended_iops(model, gib)
            assert mine.recommended_mibps(gib) == recommended_throughput_mibps(model, gib)
    elif model.provisioned:
        assert (mine.min_gib, mine.max_gib) == (PREMIUM_MIN_GIB, PREMIUM_MAX_GIB)
    else:
        assert (mine.min_gib, mine.max_gib) == (STANDARD_MIN_GIB, STANDARD_MAX_GIB)


def test_v1_formulas_are_the_programs() -> None:
    for gib in (100, 101, 150, 151, 6_984, 99_400, 102_400):
        assert v1_iops(gib) == premium_iops(gib)
        assert v1_mibps(gib) == premium_throughput_mibps(gib)


def test_the_annotations_are_the_programs() -> None:
    assert targets.THROUGHPUT_TARGET_ANNOTATION == volume.THROUGHPUT_TARGET_ANNOTATION
    assert targets.IOPS_TARGET_ANNOTATION == volume.IOPS_TARGET_ANNOTATION
    assert set(MODELS) == {model.sku_family for model in BillingModel}
