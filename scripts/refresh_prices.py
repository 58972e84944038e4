#!/usr/bin/env python3
"""Refresh infra/prices/<region>.json from the Azure Retail Prices API, where reachable.

usage: .venv/bin/python scripts/refresh_prices.py [--check]

Previews every stack offline, collects the price keys `infra cost` needs (and those the
tables already hold), and asks https://prices.azure.com/api/retail/prices for each. A key
is written only when its query matches exactly one pay-as-you-go meter; otherwise it is
reported and left out, never guessed. The names the filters match (Files, Log Analytics)
were checked against published API snapshots and Microsoft's billing docs, not live from
here; the managed-disk filter is unverified.
`--check` makes no request: it lists the keys the stacks need that the tables lack (exit 1).
"""

from __future__ import annotations

import argparse
import datetime
import json
import sys
import urllib.parse
import urllib.request
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from infra.pipeline import preview_stacks  # noqa: E402
from infra.readers.cost import (  # noqa: E402
    HOURS_PER_MONTH,
    PRICE_DIR,
    estimate,
    load_price_tables,
)

API = "https://prices.azure.com/api/retail/prices"
Item = dict[str, Any]
Fetch = Callable[[str], Iterator[Item]]


def fetch(odata_filter: str) -> Iterator[Item]:
    """Every item the API returns for the filter, following NextPageLink."""
    url: str | None = f"{API}?{urllib.parse.urlencode({'$filter': odata_filter})}"
    while url:
        with urllib.request.urlopen(url, timeout=60) as response:
            page = json.load(response)
        yield from page.get("Items", [])
        url = page.get("NextPageLink")


def query(region: str, key: str) -> tuple[str, Callable[[Item], bool]] | None:
    """The OData filter and the item test that find `key`'s one meter in `region`."""
    kind, _, rest = key.partition("/")
    base = f"armRegionName eq '{region}' and priceType eq 'Consumption'"
    if kind == "aks-tier":
        return (
            f"{base} and serviceName eq 'Azure Kubernetes Service' and skuName eq '{rest}'",
            lambda i: i["unitOfMeasure"] == "1 Hour",
        )
    if kind == "vm":
        return (
            f"{base} and serviceName eq 'Virtual Machines' and armSkuName eq '{rest}'",
            lambda i: (
                "Windows" not in i["productName"]
                and not any(w in i["skuName"] for w in ("Spot", "Low Priority"))
            ),
        )
    if kind == "managed-disk":
        tier = rest.rpartition("/")[2]
        return (
            f"{base} and serviceName eq 'Storage' and skuName eq '{tier} LRS'",
            lambda i: (
                i["productName"] == "Premium SSD Managed Disks"
                and i["meterName"] == f"{tier} LRS Disk"
            ),
        )
    if kind == "files-v1":
        redundancy = rest.partition("_")[2]
        return (
            f"{base} and serviceName eq 'Storage' and productName eq 'Premium Files' "
            f"and skuName eq 'Premium {redundancy}'",
            lambda i: i["meterName"].endswith("Provisioned"),
        )
    if kind == "files-v2":
        # Product, SKU and meter names as the API lists them: "Azure Files Provisioned v2",
        # skuName "<SSD|HDD> <redundancy>", meters "<skuName> Provisioned Storage|IOPS|
        # Throughput MiBPS" billed per hour (learn.microsoft.com/azure/storage/files/
        # understanding-billing#provisioned-v2-billing-meters); SSD also lists "Free" meters
        # for the included baseline, which are not the unit price.
        sku, _, part = rest.partition("/")
        family, _, redundancy = sku.partition("_")
        media = {"PremiumV2": "SSD", "StandardV2": "HDD"}[family]
        word = {"storage": "Storage", "iops": "IOPS", "throughput": "Throughput MiBPS"}[part]
        return (
            f"{base} and serviceName eq 'Storage' and productName eq 'Azure Files Provisioned v2' "
            f"and skuName eq '{media} {redundancy}'",
            lambda i: i["meterName"] == f"{media} {redundancy} Provisioned {word}",
        )
    if kind == "files-paygo":
        # Pay-as-you-go shares in a StorageV2 account bill under product "Files v2";
        # transaction optimized is skuName "Standard <redundancy>", meter "<redundancy> Data
        # Stored"; hot and cool prefix both with the tier ("Hot LRS", "Hot LRS Data Stored").
        sku, _, tier = rest.partition("/")
        redundancy = sku.partition("_")[2]
        prefix = {"TransactionOptimized": "", "Hot": "Hot ", "Cool": "Cool "}.get(tier, f"{tier} ")
        return (
            f"{base} and serviceName eq 'Storage' and productName eq 'Files v2' "
            f"and skuName eq '{prefix or 'Standard '}{redundancy}'",
            lambda i: i["meterName"] == f"{prefix}{redundancy} Data Stored",
        )
    if kind == "log-analytics":
        # The ingestion meter is tiered: a free first tier (tierMinimumUnits 0, price 0, the
        # monthly free grant) and the per-GB price above it.
        return (
            f"{base} and serviceName eq 'Log Analytics' "
            "and meterName eq 'Analytics Logs Data Ingestion'",
            lambda i: i["unitOfMeasure"] == "1 GB" and i.get("tierMinimumUnits", 0) > 0,
        )
    return None


def monthly(item: Item) -> tuple[float, str]:
    """(price, unit) per month where the table means a month: provisioned v2 meters bill per
    unit-hour ("1 GiB/Hour", "1/Hour"), which `infra cost` multiplies by nothing."""
    unit = item["unitOfMeasure"]
    if item.get("serviceName") == "Storage" and unit.endswith("/Hour"):
        return item["retailPrice"] * HOURS_PER_MONTH, f"{unit} x {HOURS_PER_MONTH}"
    return item["retailPrice"], unit


def refresh(needed: dict[str, set[str]], get: Fetch = fetch) -> tuple[dict[str, Any], list[str]]:
    """(tables by region, what was left out and why)."""
    today = datetime.date.today().isoformat()
    tables: dict[str, Any] = {}
    problems = []
    for region in sorted(needed):
        prices = {}
        for key in sorted(needed[region]):
            found = query(region, key)
            if found is None:
                problems.append(f"{region} {key}: no query for this kind of key")
                continue
            odata_filter, wanted = found
            items = [i for i in get(odata_filter) if wanted(i)]
            if len(items) != 1:
                problems.append(f"{region} {key}: {len(items)} meters match; left out")
                continue
            (item,) = items
            price, unit = monthly(item)
            prices[key] = {
                "price": price,
                "unit": unit,
                "meter": f"{item['productName']}, {item['skuName']}, {item['meterName']}",
                "found": f"meterId {item['meterId']}, effective {item['effectiveStartDate']}",
            }
        tables[region] = {
            "region": region,
            "currency": "USD",
            "retrieved": today,
            "source": f"Azure Retail Prices API ({API})",
            "prices": prices,
        }
    return tables, problems


def needed_keys() -> dict[str, set[str]]:
    tables = load_price_tables(PRICE_DIR)
    needed: dict[str, set[str]] = {r: set(t.prices) for r, t in tables.items()}
    for plan in preview_stacks(REPO, [], evaluate_policies=False):
        for missing in estimate(plan, tables).unpriced:
            if missing.region and missing.key:
                needed.setdefault(missing.region, set()).add(missing.key)
    return needed


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="list missing keys, no request")
    args = parser.parse_args(argv)
    needed = needed_keys()
    if args.check:
        present = {r: set(t.prices) for r, t in load_price_tables(PRICE_DIR).items()}
        missing = [
            f"{r} {k}" for r in sorted(needed) for k in sorted(needed[r] - present.get(r, set()))
        ]
        print("\n".join(missing) or "every price the stacks need is in the tables")
        return 1 if missing else 0
    try:
        tables, problems = refresh(needed)
    except OSError as error:
        print(f"refresh_prices: {API} is not reachable: {error}", file=sys.stderr)
        return 2
    for region, table in tables.items():
        path = PRICE_DIR / f"{region}.json"
        path.write_text(json.dumps(table, indent=2) + "\n", encoding="utf-8")
        print(f"{path.relative_to(REPO)}: {len(table['prices'])} prices")
    for problem in problems:
        print(f"refresh_prices: {problem}", file=sys.stderr)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
