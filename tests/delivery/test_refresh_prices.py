"""scripts/refresh_prices.py: which keys it asks the Retail Prices API for, and that it writes
a price only when exactly one pay-as-you-go meter matches (no network: a canned API)."""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from typing import Any

from tests.delivery._workflows import SCRIPTS

sys.path.insert(0, str(SCRIPTS))
import refresh_prices


def _item(**fields: Any) -> dict[str, Any]:
    return {
        "retailPrice": 0.226,
        "unitOfMeasure": "1 Hour",
        "productName": "Virtual Machines Ddsv5 Series",
        "skuName": "D4ds v5",
        "meterName": "D4ds v5",
        "meterId": "m-1",
        "effectiveStartDate": "2026-01-01T00:00:00Z",
        **fields,
    }


def test_one_matching_meter_is_written_and_windows_and_spot_are_not() -> None:
    filters: list[str] = []

    def api(odata_filter: str) -> Iterator[dict[str, Any]]:
        filters.append(odata_filter)
        yield _item()
        yield _item(productName="Virtual Machines Ddsv5 Series Windows", retailPrice=0.4)
        yield _item(skuName="D4ds v5 Spot", retailPrice=0.05)

    tables, problems = refresh_prices.refresh({"westeurope": {"vm/Standard_D4ds_v5"}}, api)
    assert problems == []
    entry = tables["westeurope"]["prices"]["vm/Standard_D4ds_v5"]
    assert entry["price"] == 0.226 and entry["unit"] == "1 Hour"
    assert "meterId m-1" in entry["found"]
    assert filters == [
        "armRegionName eq 'westeurope' and priceType eq 'Consumption' and serviceName eq "
        "'Virtual Machines' and armSkuName eq 'Standard_D4ds_v5'"
    ]


def test_ambiguous_or_absent_meters_are_left_out_and_reported() -> None:
    def api(odata_filter: str) -> Iterator[dict[str, Any]]:
        yield _item(unitOfMeasure="1 Hour", productName="AKS", skuName="Standard")
        yield _item(unitOfMeasure="1 Hour", productName="AKS", skuName="Standard", meterId="m-2")

    tables, problems = refresh_prices.refresh(
        {"westeurope": {"aks-tier/Standard", "unknown-kind/x"}}, api
    )
    assert tables["westeurope"]["prices"] == {}
    assert problems == [
        "westeurope aks-tier/Standard: 2 meters match; left out",
        "westeurope unknown-kind/x: no query for this kind of key",
    ]


# The GPU pool's managed OS disk (components/node_disks.py: the A100's temp disk cannot hold
# the training images) needs a price no committed snapshot holds for westeurope, and none could
# be fetched offline: `infra cost` lists it as not estimated until scripts/refresh_prices.py is
# run where prices.azure.com is reachable. Then this list empties and the test must change.
MISSING_PRICES = ["westeurope", "managed-disk/Premium_LRS/P10"]


def test_check_finds_every_price_the_stacks_need_in_the_committed_table_but_one(capsys) -> None:
    assert refresh_prices.main(["--check"]) == 1
    assert capsys.readouterr().out.split() == MISSING_PRICES


def test_check_lists_a_price_the_tables_lack(tmp_path, monkeypatch, capsys) -> None:
    doc = json.loads((refresh_prices.PRICE_DIR / "westeurope.json").read_text())
    del doc["prices"]["vm/Standard_D4ds_v5"]
    (tmp_path / "westeurope.json").write_text(json.dumps(doc))
    monkeypatch.setattr(refresh_prices, "PRICE_DIR", tmp_path)
    assert refresh_prices.main(["--check"]) == 1
    lines = capsys.readouterr().out.splitlines()
    assert sorted(lines) == sorted(["westeurope vm/Standard_D4ds_v5", " ".join(MISSING_PRICES)])


def _storage(product: str, sku: str, meter: str, unit: str, price: float, **more: Any) -> Any:
    """One item as the Retail Prices API returns it; the values below are westeurope items of
    the snapshot infra/prices/README.md cites (andy-diericks/azure-pricing-radar)."""
    return _item(
        serviceName="Storage",
        productName=product,
        skuName=sku,
        meterName=meter,
        unitOfMeasure=unit,
        retailPrice=price,
        tierMinimumUnits=0.0,
        **more,
    )


def test_provisioned_v2_meters_are_found_by_their_api_names_and_priced_per_month() -> None:
    filters: list[str] = []
    product = "Azure Files Provisioned v2"

    def api(odata_filter: str) -> Iterator[dict[str, Any]]:
        filters.append(odata_filter)
        yield _storage(product, "SSD ZRS", "SSD ZRS Provisioned Storage", "1 GiB/Hour", 0.000245)
        yield _storage(product, "SSD ZRS", "SSD ZRS Provisioned IOPS", "1/Hour", 0.000066)
        yield _storage(product, "SSD ZRS", "SSD ZRS Provisioned IOPS Free", "1/Hour", 0.0)
        throughput = "SSD ZRS Provisioned Throughput MiBPS"
        yield _storage(product, "SSD ZRS", throughput, "1/Hour", 9.7e-05)

    keys = {"files-v2/PremiumV2_ZRS/storage", "files-v2/PremiumV2_ZRS/iops"}
    tables, problems = refresh_prices.refresh({"westeurope": keys}, api)
    assert problems == []
    prices = tables["westeurope"]["prices"]
    assert prices["files-v2/PremiumV2_ZRS/storage"]["price"] == 0.000245 * 730
    assert prices["files-v2/PremiumV2_ZRS/storage"]["unit"] == "1 GiB/Hour x 730"
    assert prices["files-v2/PremiumV2_ZRS/iops"]["price"] == 0.000066 * 730
    assert all(
        "productName eq 'Azure Files Provisioned v2' and skuName eq 'SSD ZRS'" in f for f in filters
    )


def test_pay_as_you_go_share_is_its_data_stored_meter_not_its_transactions() -> None:
    filters: list[str] = []

    def api(odata_filter: str) -> Iterator[dict[str, Any]]:
        filters.append(odata_filter)
        yield _storage("Files v2", "Standard ZRS", "ZRS Data Stored", "1 GB/Month", 0.075)
        yield _storage("Files v2", "Standard ZRS", "ZRS Write Operations", "10K", 0.01875)

    key = "files-paygo/Standard_ZRS/TransactionOptimized"
    tables, problems = refresh_prices.refresh({"westeurope": {key}}, api)
    assert problems == []
    assert tables["westeurope"]["prices"][key]["price"] == 0.075
    assert tables["westeurope"]["prices"][key]["unit"] == "1 GB/Month"
    assert "productName eq 'Files v2' and skuName eq 'Standard ZRS'" in filters[0]


def test_log_analytics_ingestion_takes_the_paid_tier_not_the_free_grant() -> None:
    def api(odata_filter: str) -> Iterator[dict[str, Any]]:
        assert "meterName eq 'Analytics Logs Data Ingestion'" in odata_filter
        for tier, price in ((0.0, 0.0), (5.0, 2.99)):
            yield _item(
                serviceName="Log Analytics",
                productName="Log Analytics",
                skuName="Analytics Logs",
                meterName="Analytics Logs Data Ingestion",
                unitOfMeasure="1 GB",
                retailPrice=price,
                tierMinimumUnits=tier,
            )

    key = "log-analytics/ingestion-gb"
    tables, problems = refresh_prices.refresh({"westeurope": {key}}, api)
    assert problems == []
    assert tables["westeurope"]["prices"][key]["price"] == 2.99


def test_a_gpu_size_is_its_linux_pay_as_you_go_meter() -> None:
    # westeurope's items for this size in the snapshot: its Linux product says "Linux".
    product = "NCads A100 v4 Series"
    sku = "Standard_NC24ads_A100_v4"

    def api(odata_filter: str) -> Iterator[dict[str, Any]]:
        yield _item(productName=f"{product} Linux", skuName=sku, retailPrice=4.775)
        yield _item(productName=f"{product} Windows", skuName=sku, retailPrice=5.879)
        linux = f"{product} Linux"
        yield _item(productName=linux, skuName=f"{sku} Spot", retailPrice=1.097295)
        yield _item(productName=linux, skuName=f"{sku} Low Priority", retailPrice=0.955)

    key = f"vm/{sku}"
    tables, problems = refresh_prices.refresh({"westeurope": {key}}, api)
    assert problems == []
    assert tables["westeurope"]["prices"][key]["price"] == 4.775
