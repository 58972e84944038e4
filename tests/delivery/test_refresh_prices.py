"""scripts/refresh_prices.py: which keys it asks the Retail Prices API for, and that it writes
a price only when exactly one pay-as-you-go meter matches (no network: a canned API)."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from typing import Any

from tests.delivery._workflows import REPO_ROOT, SCRIPTS

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


def test_check_lists_what_the_stacks_need_and_the_table_lacks() -> None:
    result = subprocess.run(
        [sys.executable, str(SCRIPTS / "refresh_prices.py"), "--check"],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert result.returncode == 1, result.stderr
    missing = set(result.stdout.splitlines())
    assert {
        "westeurope vm/Standard_D4ds_v5",
        "westeurope vm/Standard_NC24ads_A100_v4",
        "westeurope files-v1/Premium_ZRS",
        "westeurope files-paygo/Standard_LRS/TransactionOptimized",
    } <= missing
    assert "westeurope aks-tier/Standard" not in missing
