"""The pinned region lists of azure_facts/files.py hang together: every region a
stack can name, SSD zone-redundancy only where SSD and availability zones both are, HDD
locally redundant everywhere, geo-zone-redundant only where zones and a region pair both are,
SSD never geo-redundant."""

from __future__ import annotations

from azure_facts.files import (
    GZRS_REGIONS,
    PAIRED_REGIONS,
    SSD_LRS_REGIONS,
    SSD_ZRS_REGIONS,
    ZONE_REDUNDANT_REGIONS,
    BillingModel,
    regions_offering,
)
from azure_facts.regions import AZURE_REGIONS


def test_every_listed_region_is_one_a_stack_can_name() -> None:
    assert SSD_LRS_REGIONS <= AZURE_REGIONS
    assert ZONE_REDUNDANT_REGIONS <= AZURE_REGIONS
    assert PAIRED_REGIONS <= AZURE_REGIONS


def test_zone_redundant_ssd_needs_ssd_and_zones() -> None:
    assert SSD_ZRS_REGIONS <= SSD_LRS_REGIONS
    assert SSD_ZRS_REGIONS <= ZONE_REDUNDANT_REGIONS


def test_geo_zone_redundancy_needs_zones_and_a_pair() -> None:
    assert GZRS_REGIONS <= ZONE_REDUNDANT_REGIONS & PAIRED_REGIONS
    # Examples from the sources: Italy North has zones but no pair; North Central US a pair
    # but no zones.
    assert "italynorth" in ZONE_REDUNDANT_REGIONS - PAIRED_REGIONS
    assert "northcentralus" in PAIRED_REGIONS - ZONE_REDUNDANT_REGIONS


def test_each_model_and_redundancy_has_its_list() -> None:
    for model in (BillingModel.PROVISIONED_V2_SSD, BillingModel.PROVISIONED_V1_SSD):
        assert regions_offering(model, "LRS") == SSD_LRS_REGIONS
        assert regions_offering(model, "ZRS") == SSD_ZRS_REGIONS
        assert regions_offering(model, "GRS") == regions_offering(model, "GZRS") == frozenset()
    for model in (BillingModel.PROVISIONED_V2_HDD, BillingModel.PAY_AS_YOU_GO_HDD):
        assert regions_offering(model, "LRS") == AZURE_REGIONS
        assert regions_offering(model, "ZRS") == ZONE_REDUNDANT_REGIONS
        assert regions_offering(model, "GRS") == PAIRED_REGIONS
        assert regions_offering(model, "GZRS") == GZRS_REGIONS
    # The repository's stacks: westeurope offers every model with every redundancy it has.
    assert all("westeurope" in regions_offering(m, r) for m in BillingModel for r in m.redundancies)
    # Examples from the sources: West India has SSD, but neither SSD ZRS nor zones.
    assert "westindia" in SSD_LRS_REGIONS
    assert "westindia" not in SSD_ZRS_REGIONS | ZONE_REDUNDANT_REGIONS
