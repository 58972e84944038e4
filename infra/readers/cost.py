"""The monthly cost of a plan, from a committed price table: a reader, it runs nothing.

What it prices, per Azure resource the program registers (azure-native inputs):
- a ManagedCluster's tier (Free costs nothing; Standard and Premium per cluster-hour);
- its node pools' VMs: count x hours, an autoscaled pool as minCount-maxCount;
- their OS disks: ephemeral costs nothing extra; managed ones by their disk tier;
- a FileShare by its account's SKU: provisioned v1 (premium) per provisioned GiB;
  provisioned v2 per GiB, per IOPS and per MiB/s; pay-as-you-go (standard) by its quota,
  an upper bound, since it bills the GiB used;
- a Log Analytics workspace's ingestion, up to its daily cap.

Anything whose price the table lacks is listed as not priced, with the reason, never
guessed. What it never estimates is `LEFT_OUT`.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from azure_facts.files import BillingModel, model_for_sku
from infra.engine.model import Resource, Secret, StackPlan
from infra.errors import UsageError

# The tables that come with the tool: one per region; scripts/refresh_prices.py refreshes them.
PRICE_DIR = Path(__file__).resolve().parent.parent / "prices"
# Azure bills hourly meters per month as 730 hours (365 x 24 / 12), as its calculator does.
HOURS_PER_MONTH = 730
DAYS_PER_MONTH = HOURS_PER_MONTH / 24
LEFT_OUT = (
    "network egress, load balancer and public IPs, Azure Files transactions, snapshots and "
    "data transfer, Log Analytics retention beyond the free period, reservations and savings "
    "plans, taxes"
)
# https://learn.microsoft.com/azure/aks/free-standard-pricing-tiers: Free has no
# cluster-management charge; Standard and Premium are billed per cluster-hour.
FREE_TIER = "Free"
# AKS's default when osDiskType is unset: "Ephemeral if the VM supports it and has a cache
# disk larger than the requested OSDiskSizeGB. Otherwise, defaults to 'Managed'" (API docs).
DEFAULT_OS_DISK_GIB = 128
# Premium SSD managed disk tiers by size (GiB): https://learn.microsoft.com/azure/virtual-machines/disks-types
PREMIUM_SSD_TIERS = (
    (4, "P1"), (8, "P2"), (16, "P3"), (32, "P4"), (64, "P6"), (128, "P10"), (256, "P15"),
    (512, "P20"), (1024, "P30"), (2048, "P40"), (4096, "P50"), (8192, "P60"),
    (16384, "P70"), (32767, "P80"),
)  # fmt: skip
# The Retail Prices API lists, beside an SSD share's "Provisioned IOPS" and "Provisioned
# Throughput MiBPS" meters, zero-priced "... Free" ones: part of what is provisioned is
# billed at no charge, an amount not published with the prices. So those lines are bounds.
SSD_V2_BASELINE = "upper bound: an included baseline is billed at no charge"
CLUSTER = "azure-native:containerservice:ManagedCluster"
AGENT_POOL = "azure-native:containerservice:AgentPool"
ACCOUNT = "azure-native:storage:StorageAccount"
SHARE = "azure-native:storage:FileShare"
WORKSPACE = "azure-native:operationalinsights:Workspace"
RULE_GROUP = "azure-native:alertsmanagement:PrometheusRuleGroup"
# Billed resources the price tables do not hold: each one is listed as not estimated, by name,
# never summed as $0. Azure Backup bills a protected share a monthly instance fee plus its
# snapshots (azure.microsoft.com/pricing/details/backup); a private endpoint by the hour and
# by the GB processed, a private DNS zone by the zone and the million queries
# (azure.microsoft.com/pricing/details/private-link, .../dns); an Azure Monitor workspace by
# the metric samples ingested and queried (azure.microsoft.com/pricing/details/monitor).
NOT_IN_TABLES: dict[str, tuple[str, str]] = {
    "azure:backup/protectedFileShare:ProtectedFileShare": (
        "Azure Backup protected share {name}",
        "instance fee per protected share and snapshot storage: not in the price tables",
    ),
    "azure-native:network:PrivateEndpoint": (
        "private endpoint {name}",
        "hourly fee and data processed: not in the price tables",
    ),
    "azure-native:privatedns:PrivateZone": (
        "private DNS zone {name}",
        "per zone and per million queries: not in the price tables",
    ),
    "azure-native:monitor:AzureMonitorWorkspace": (
        "Prometheus metrics ingestion into {name}",
        "depends on the cluster's metric series",
    ),
}


@dataclass(frozen=True)
class PriceTable:
    """Unit prices of one region, keyed by meter (see `prices/README.md`)."""

    region: str
    currency: str
    retrieved: str
    source: str
    prices: Mapping[str, float]


@dataclass(frozen=True)
class CostLine:
    resource: str
    item: str
    low: float
    high: float

    def as_json(self) -> dict[str, Any]:
        return {"resource": self.resource, "item": self.item, "low": self.low, "high": self.high}


@dataclass(frozen=True)
class Unpriced:
    resource: str
    item: str
    reason: str
    # The price the table lacks, when that is why (what scripts/refresh_prices.py fetches).
    region: str | None = None
    key: str | None = None
    # A price the item has but the table lacks (not a usage-based charge unknown offline).
    missing_price: bool = False

    def as_json(self) -> dict[str, Any]:
        return {
            "resource": self.resource,
            "item": self.item,
            "reason": self.reason,
            "region": self.region,
            "key": self.key,
        }


@dataclass
class StackCost:
    stack: str
    currency: str | None = None
    # "westeurope prices of 2026-11-30 (Azure Retail Prices API)", one per table used.
    sources: list[str] = field(default_factory=list)
    lines: list[CostLine] = field(default_factory=list)
    unpriced: list[Unpriced] = field(default_factory=list)

    @property
    def low(self) -> float:
        return sum(line.low for line in self.lines)

    @property
    def high(self) -> float:
        return sum(line.high for line in self.lines)

    @property
    def known(self) -> bool:
        """Whether the total means anything: not when a price the stack needs is missing and
        no price table was used at all (a region without one), where the sum would read $0."""
        return bool(self.sources) or not any(u.missing_price for u in self.unpriced)

    def as_json(self) -> dict[str, Any]:
        monthly = {"low": round(self.low, 2), "high": round(self.high, 2)} if self.known else None
        return {
            "stack": self.stack,
            "currency": self.currency,
            "monthly": monthly,
            "sources": self.sources,
            "lines": [line.as_json() for line in self.lines],
            "unpriced": [u.as_json() for u in self.unpriced],
            "leftOut": LEFT_OUT,
        }


@dataclass(frozen=True)
class CostChange:
    """The monthly cost before and after a change (base None: the stack is new)."""

    base: StackCost | None
    head: StackCost

    @property
    def known(self) -> bool:
        return self.head.known and (self.base is None or self.base.known)

    @property
    def delta_low(self) -> float:
        return self.head.low - (self.base.low if self.base else 0.0)

    @property
    def delta_high(self) -> float:
        return self.head.high - (self.base.high if self.base else 0.0)

    def as_json(self) -> dict[str, Any]:
        return {
            "base": self.base.as_json() if self.base else None,
            "head": self.head.as_json(),
            "delta": (
                {"low": round(self.delta_low, 2), "high": round(self.delta_high, 2)}
                if self.known
                else None
            ),
        }


def load_price_tables(directory: Path) -> dict[str, PriceTable]:
    """Every `<region>.json` table in `directory`, by region."""
    tables: dict[str, PriceTable] = {}
    for path in sorted(directory.glob("*.json")):
        try:
            doc = json.loads(path.read_text(encoding="utf-8"))
            prices = doc["prices"]
            table = PriceTable(
                region=str(doc["region"]),
                currency=str(doc["currency"]),
                retrieved=str(doc["retrieved"]),
                source=str(doc["source"]),
                prices={str(k): float(v["price"]) for k, v in prices.items()},
            )
        except (OSError, ValueError, KeyError, TypeError, AttributeError) as error:
            reason = f"{type(error).__name__}: {error}"
            raise UsageError(f"{path}: not a price table ({reason})") from None
        if table.region != path.stem:
            raise UsageError(f"{path}: region {table.region!r} differs from the file's name")
        tables[table.region] = table
    return tables


def _dig(properties: Mapping[str, Any], *path: str) -> Any:
    value: Any = properties
    for part in path:
        if not isinstance(value, Mapping):
            return None
        value = value.get(part)
    return value


def _number(value: Any) -> float | None:
    return float(value) if isinstance(value, int | float) and not isinstance(value, bool) else None


class _Estimator:
    def __init__(self, plan: StackPlan, tables: Mapping[str, PriceTable]) -> None:
        self.tables = tables
        self.cost = StackCost(plan.stack)
        self.accounts = {
            r.inputs.get("accountName"): r for r in plan.resources if r.type == ACCOUNT
        }
        self.clusters = {
            (r.inputs.get("resourceGroupName"), r.inputs.get("resourceName")): r
            for r in plan.resources
            if r.type == CLUSTER
        }

    def price(self, resource: Resource, location: Any, key: str, item: str) -> float | None:
        """The unit price of `key` where `resource` runs, or None once reported unpriced."""
        table = self.tables.get(location) if isinstance(location, str) else None
        if table is None:
            where = f"region {location}" if isinstance(location, str) else "an unknown region"
            self.cost.unpriced.append(
                Unpriced(resource.name, item, f"no price table for {where}", missing_price=True)
            )
            return None
        if key not in table.prices:
            reason = f"no {key} price in the {table.region} table"
            self.cost.unpriced.append(
                Unpriced(resource.name, item, reason, table.region, key, missing_price=True)
            )
            return None
        described = f"{table.region} prices of {table.retrieved} ({table.source})"
        if described not in self.cost.sources:
            self.cost.sources.append(described)
        if self.cost.currency not in (None, table.currency):
            raise UsageError(f"price tables mix {self.cost.currency} and {table.currency}")
        self.cost.currency = table.currency
        return table.prices[key]

    def add(self, resource: Resource, item: str, low: float, high: float | None = None) -> None:
        self.cost.lines.append(CostLine(resource.name, item, low, low if high is None else high))

    def unpriced(self, resource: Resource, item: str, reason: str) -> None:
        self.cost.unpriced.append(Unpriced(resource.name, item, reason))

    def cluster(self, resource: Resource) -> None:
        location = resource.inputs.get("location")
        tier = _dig(resource.inputs, "sku", "tier") or FREE_TIER
        if tier == FREE_TIER:
            self.add(resource, "AKS Free tier (no cluster-management charge)", 0.0)
        elif (
            hourly := self.price(resource, location, f"aks-tier/{tier}", f"AKS {tier} tier")
        ) is not None:
            self.add(resource, f"AKS {tier} tier", hourly * HOURS_PER_MONTH)
        pools = resource.inputs.get("agentPoolProfiles") or []
        if isinstance(pools, Secret):
            # A secure config value (a tag, say) inside the pools makes the whole list secret:
            # pricing it would print the sizes and counts it hides.
            self.unpriced(resource, "node pools", "their settings are secret")
            pools = []
        for pool in pools:
            if isinstance(pool, Mapping):
                self.pool(resource, location, pool)

    def agent_pool(self, resource: Resource) -> None:
        """A pool of its own (the agent pools API) runs where its cluster does."""
        key = (resource.inputs.get("resourceGroupName"), resource.inputs.get("resourceName"))
        cluster = self.clusters.get(key)
        location = cluster.inputs.get("location") if cluster is not None else None
        self.pool(
            resource, location, {**resource.inputs, "name": resource.inputs.get("agentPoolName")}
        )

    def pool(self, resource: Resource, location: Any, pool: Mapping[str, Any]) -> None:
        name, size = pool.get("name", "?"), pool.get("vmSize")
        if pool.get("enableAutoScaling"):
            low, high = _number(pool.get("minCount")), _number(pool.get("maxCount"))
        else:
            low = high = _number(pool.get("count"))
        if not isinstance(size, str) or low is None or high is None:
            self.unpriced(resource, f"node pool {name}", "VM size or node count unknown offline")
            return
        nodes = f"{low:g}" if low == high else f"{low:g}-{high:g}"
        item = f"node pool {name}: {nodes} x {size}"
        if (hourly := self.price(resource, location, f"vm/{size}", item)) is not None:
            self.add(
                resource, item, low * hourly * HOURS_PER_MONTH, high * hourly * HOURS_PER_MONTH
            )
        disk_type = pool.get("osDiskType")
        disk_item = f"node pool {name}: OS disks"
        if disk_type == "Ephemeral":
            self.add(resource, f"{disk_item} (ephemeral: no extra charge)", 0.0)
        elif disk_type == "Managed":
            gib = _number(pool.get("osDiskSizeGB")) or DEFAULT_OS_DISK_GIB
            tier = next((t for cap, t in PREMIUM_SSD_TIERS if gib <= cap), None)
            disk_item = f"{disk_item} ({nodes} x {gib:g} GiB Premium SSD {tier})"
            key = f"managed-disk/Premium_LRS/{tier}"
            if tier and (monthly := self.price(resource, location, key, disk_item)) is not None:
                self.add(resource, disk_item, low * monthly, high * monthly)
        else:
            self.unpriced(
                resource,
                disk_item,
                "osDiskType left to AKS: ephemeral (no extra charge) when the VM size's cache "
                "holds it, else managed; set osDiskType to price it",
            )

    def share(self, resource: Resource) -> None:
        name = resource.inputs.get("shareName") or resource.name
        account = self.accounts.get(resource.inputs.get("accountName"))
        quota = _number(resource.inputs.get("shareQuota"))
        sku = _dig(account.inputs, "sku", "name") if account else None
        if account is None or not isinstance(sku, str) or quota is None:
            self.unpriced(resource, f"file share {name}", "account SKU or quota unknown offline")
            return
        location = account.inputs.get("location")
        model = model_for_sku(sku)
        # Any other SKU is looked up as pay-as-you-go; one the table lacks is reported unpriced.
        if model is None or sku not in model.skus:
            model = BillingModel.PAY_AS_YOU_GO_HDD
        if model is BillingModel.PROVISIONED_V1_SSD:
            item = f"file share {name}: {quota:g} GiB provisioned v1 ({sku})"
            if (gib := self.price(resource, location, f"files-v1/{sku}", item)) is not None:
                self.add(resource, item, quota * gib)
        elif model.v2:
            self.share_v2(resource, name, sku, model, location, quota)
        else:
            tier = resource.inputs.get("accessTier") or "TransactionOptimized"
            item = f"file share {name}: up to {quota:g} GiB stored ({sku}, {tier}; quota as bound)"
            key = f"files-paygo/{sku}/{tier}"
            if (gib := self.price(resource, location, key, item)) is not None:
                self.add(resource, item, 0.0, quota * gib)

    def share_v2(
        self,
        resource: Resource,
        name: str,
        sku: str,
        model: BillingModel,
        location: Any,
        quota: float,
    ) -> None:
        parts = (
            ("storage", quota, "GiB"),
            ("iops", _number(resource.inputs.get("provisionedIops")), "IOPS"),
            ("throughput", _number(resource.inputs.get("provisionedBandwidthMibps")), "MiB/s"),
        )
        for meter, amount, unit in parts:
            if amount is None:
                self.unpriced(
                    resource,
                    f"file share {name}: provisioned {unit}",
                    "not set: Azure provisions its recommendation, known only live",
                )
                continue
            item = f"file share {name}: {amount:g} {unit} provisioned v2 ({sku})"
            if model.ssd and meter != "storage":
                item += f" ({SSD_V2_BASELINE})"
            if (
                unit_price := self.price(resource, location, f"files-v2/{sku}/{meter}", item)
            ) is not None:
                self.add(resource, item, amount * unit_price)

    def workspace(self, resource: Resource) -> None:
        cap = _number(_dig(resource.inputs, "workspaceCapping", "dailyQuotaGb"))
        if cap is None or cap < 0:
            self.unpriced(
                resource, "Log Analytics ingestion", "depends on the volume ingested; no daily cap"
            )
            return
        item = f"Log Analytics ingestion: up to {cap:g} GB/day (daily cap)"
        key = "log-analytics/ingestion-gb"
        if (per_gb := self.price(resource, resource.inputs.get("location"), key, item)) is not None:
            self.add(resource, item, 0.0, cap * DAYS_PER_MONTH * per_gb)


def estimate(plan: StackPlan, tables: Mapping[str, PriceTable]) -> StackCost:
    """The stack's monthly cost as a low-high range, with what could not be priced."""
    estimator = _Estimator(plan, tables)
    for resource in plan.resources:
        if resource.type == CLUSTER:
            estimator.cluster(resource)
        elif resource.type == AGENT_POOL:
            estimator.agent_pool(resource)
        elif resource.type == SHARE:
            estimator.share(resource)
        elif resource.type == WORKSPACE:
            estimator.workspace(resource)
        elif resource.type in NOT_IN_TABLES:
            item, reason = NOT_IN_TABLES[resource.type]
            estimator.unpriced(resource, item.format(name=resource.name), reason)
        elif resource.type == RULE_GROUP:
            # Managed Prometheus bills the samples ingested into the workspace and those its
            # queries process; what recording rules add to either depends on the series the
            # cluster exports, which the plan does not hold.
            estimator.unpriced(
                resource,
                f"Prometheus recording rules {resource.name}",
                "depends on the cluster's metric series",
            )
    return estimator.cost


def estimate_change(
    base: StackPlan | None, head: StackPlan, tables: Mapping[str, PriceTable]
) -> CostChange:
    return CostChange(estimate(base, tables) if base else None, estimate(head, tables))
