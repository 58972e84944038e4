"""The monthly cost of a plan, from a committed price table: a reader, it runs nothing.

What it prices, per Azure resource the program registers (azure-native inputs):
- a ManagedCluster's tier (Free costs nothing; Standard and Premium per cluster-hour);
- its node pools' VMs: count x hours, an autoscaled pool as minCount-maxCount;
- their OS disks: ephemeral costs nothing extra; managed ones by their disk tier;
- a FileShare by its account's SKU: provisioned v1 (premium) per provisioned GiB;
  provisioned v2 per GiB, per IOPS and per MiB/s; pay-as-you-go (standard) by its quota,
  an upper bound, since it bills the GiB used;
- a Log Analytics workspace's ingestion, up to its daily cap.

Beside the stack's total, each Kueue ClusterQueue (a team) on a GPU node pool gets its nominal
GPU quota, what it may borrow, and the VM cost of the pool nodes it holds at full use of
either: a view of the pool's own cost line, never added to the total.

Anything whose price the table lacks is listed as not priced, with the reason, never
guessed. What it never estimates is `LEFT_OUT`.
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
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
# Kueue's objects, any API version (kubernetes:kueue.x-k8s.io/<version>:<Kind>).
KUEUE_TYPE_PREFIX = "kubernetes:kueue.x-k8s.io/"
GPU_RESOURCE = "nvidia.com/gpu"
# How many GPUs a VM size has (None: not known); the tool's caller knows its VM sizes.
GpusPerNode = Callable[[str], int | None]
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


@dataclass(frozen=True)
class TeamCost:
    """A team's share of a GPU node pool (its Kueue ClusterQueue on one ResourceFlavor) and the
    VM cost of the pool nodes it holds at full use.

    Attributes:
        team: The ClusterQueue's name.
        flavor: The ResourceFlavor its GPU quota is on (None: it has no GPU quota).
        gpus: Nominal GPU quota: what the team is guaranteed.
        may_borrow: GPUs it may borrow beyond ``gpus``: its borrowingLimit, at most what the
            rest of its cohort lends (their lendingLimit, else their nominal quota).
        max_gpus: ``gpus + may_borrow``, at most what the pool holds.
        pool, vm_size: The node pool the flavor's nodeLabels select, and its VM size.
        nodes, max_nodes: Pool nodes holding ``gpus`` and ``max_gpus`` (GPUs per node, up).
        node_hourly: The VM's price per node-hour; None when unknown, and ``unknown`` says why.
    """

    team: str
    flavor: str | None
    gpus: int
    may_borrow: int
    max_gpus: int
    pool: str | None = None
    vm_size: str | None = None
    nodes: int = 0
    max_nodes: int = 0
    node_hourly: float | None = None
    unknown: str | None = None

    def hourly(self, nodes: int) -> float | None:
        """What ``nodes`` of the pool cost an hour: None when the price is unknown."""
        if self.unknown is not None:
            return None
        return nodes * (self.node_hourly or 0.0)

    def as_json(self) -> dict[str, Any]:
        at_quota, at_max = self.hourly(self.nodes), self.hourly(self.max_nodes)
        hourly = monthly = None
        if at_quota is not None and at_max is not None:
            hourly = {"quota": round(at_quota, 4), "max": round(at_max, 4)}
            monthly = {
                "quota": round(at_quota * HOURS_PER_MONTH, 2),
                "max": round(at_max * HOURS_PER_MONTH, 2),
            }
        return {
            "team": self.team,
            "flavor": self.flavor,
            "gpuQuota": self.gpus,
            "mayBorrow": self.may_borrow,
            "maxGpus": self.max_gpus,
            "pool": self.pool,
            "vmSize": self.vm_size,
            "nodes": {"quota": self.nodes, "max": self.max_nodes},
            "hourly": hourly,
            "monthly": monthly,
            "unknown": self.unknown,
        }


@dataclass
class StackCost:
    stack: str
    currency: str | None = None
    # "westeurope prices of 2026-11-30 (Azure Retail Prices API)", one per table used.
    sources: list[str] = field(default_factory=list)
    lines: list[CostLine] = field(default_factory=list)
    unpriced: list[Unpriced] = field(default_factory=list)
    # A view of the GPU pool's cost per team, not part of the total.
    teams: list[TeamCost] = field(default_factory=list)

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
            "teams": [team.as_json() for team in self.teams],
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


@dataclass(frozen=True)
class _NodePool:
    name: str
    vm_size: str | None
    max_nodes: float | None
    labels: Mapping[str, Any]
    location: Any


def _kind(resource: Resource) -> str | None:
    """A Kueue object's kind, else None."""
    if not resource.type.startswith(KUEUE_TYPE_PREFIX):
        return None
    return resource.type.rsplit(":", 1)[-1]


def _gpu_count(value: Any) -> int | None:
    """A GPU quantity (an integer, or its decimal string as Kubernetes also takes)."""
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    if isinstance(value, str) and value.isdigit():
        return int(value)
    return None


class _Estimator:
    def __init__(
        self, plan: StackPlan, tables: Mapping[str, PriceTable], gpus_per_node: GpusPerNode
    ) -> None:
        self.tables = tables
        self.gpus_per_node = gpus_per_node
        self.cost = StackCost(plan.stack)
        self.pools: list[_NodePool] = []
        self.accounts = {
            r.inputs.get("accountName"): r for r in plan.resources if r.type == ACCOUNT
        }
        self.clusters = {
            (r.inputs.get("resourceGroupName"), r.inputs.get("resourceName")): r
            for r in plan.resources
            if r.type == CLUSTER
        }

    def lookup(self, location: Any, key: str) -> float | str:
        """The unit price of `key` in `location`'s table, or why there is none."""
        table = self.tables.get(location) if isinstance(location, str) else None
        if table is None:
            where = f"region {location}" if isinstance(location, str) else "an unknown region"
            return f"no price table for {where}"
        if key not in table.prices:
            return f"no {key} price in the {table.region} table"
        described = f"{table.region} prices of {table.retrieved} ({table.source})"
        if described not in self.cost.sources:
            self.cost.sources.append(described)
        if self.cost.currency not in (None, table.currency):
            raise UsageError(f"price tables mix {self.cost.currency} and {table.currency}")
        self.cost.currency = table.currency
        return table.prices[key]

    def price(self, resource: Resource, location: Any, key: str, item: str) -> float | None:
        """The unit price of `key` where `resource` runs, or None once reported unpriced."""
        found = self.lookup(location, key)
        if isinstance(found, str):
            table = self.tables.get(location) if isinstance(location, str) else None
            region, missing = (table.region, key) if table is not None else (None, None)
            self.cost.unpriced.append(
                Unpriced(resource.name, item, found, region, missing, missing_price=True)
            )
            return None
        return found

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
        labels = pool.get("nodeLabels")
        self.pools.append(
            _NodePool(
                str(name),
                size if isinstance(size, str) else None,
                high,
                labels if isinstance(labels, Mapping) else {},
                location,
            )
        )
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

    def teams(self, plan: StackPlan) -> None:
        """Each ClusterQueue's GPU quota per flavor, and the pool nodes it holds at full use.

        Kueue's ClusterQueue API (the v1beta2 CRD, tests/fixtures/schemas/kueue/): a queue may
        borrow up to its borrowingLimit (null: no limit) of the unused quota of the other
        queues of its cohort, each of which lends up to its lendingLimit (null: all of its
        nominalQuota); a queue without a cohort borrows nothing."""
        flavors: dict[Any, Mapping[str, Any]] = {}
        queues: list[tuple[str, Any, list[tuple[Any, Mapping[str, Any]]]]] = []
        for resource in plan.resources:
            kind = _kind(resource)
            name = _dig(resource.inputs, "metadata", "name") or resource.name
            if kind == "ResourceFlavor":
                labels = _dig(resource.inputs, "spec", "nodeLabels")
                flavors[name] = labels if isinstance(labels, Mapping) else {}
            elif kind == "ClusterQueue":
                gpu_quotas = [
                    (flavor.get("name"), quota)
                    for group in _dig(resource.inputs, "spec", "resourceGroups") or []
                    if isinstance(group, Mapping)
                    for flavor in group.get("flavors") or []
                    if isinstance(flavor, Mapping)
                    for quota in flavor.get("resources") or []
                    if isinstance(quota, Mapping) and quota.get("name") == GPU_RESOURCE
                ]
                queues.append((str(name), _dig(resource.inputs, "spec", "cohortName"), gpu_quotas))
        lent: dict[tuple[Any, Any], int] = {}
        for _, cohort, gpu_quotas in queues:
            for flavor, quota in gpu_quotas:
                lends = _gpu_count(quota.get("lendingLimit", quota.get("nominalQuota"))) or 0
                lent[(cohort, flavor)] = lent.get((cohort, flavor), 0) + lends
        for team, cohort, gpu_quotas in queues:
            if not gpu_quotas:
                self.cost.teams.append(TeamCost(team, None, 0, 0, 0))
            for flavor, quota in gpu_quotas:
                gpus = _gpu_count(quota.get("nominalQuota"))
                if gpus is None:
                    reason = "its GPU nominalQuota is unknown offline"
                    self.cost.teams.append(TeamCost(team, str(flavor), 0, 0, 0, unknown=reason))
                    continue
                borrow = 0
                if cohort:
                    own = _gpu_count(quota.get("lendingLimit", quota.get("nominalQuota"))) or 0
                    borrow = lent.get((cohort, flavor), 0) - own
                    limit = _gpu_count(quota.get("borrowingLimit"))
                    borrow = borrow if limit is None else min(limit, borrow)
                self.cost.teams.append(self.team(team, flavor, gpus, borrow, flavors))
        self.cost.teams.sort(key=lambda row: (row.team, row.flavor or ""))

    def team(
        self,
        team: str,
        flavor: Any,
        gpus: int,
        borrow: int,
        flavors: Mapping[Any, Mapping[str, Any]],
    ) -> TeamCost:
        row = TeamCost(team, str(flavor), gpus, borrow, gpus + borrow)
        if flavor not in flavors:
            return replace(row, unknown=f"no ResourceFlavor {flavor} in the plan")
        wanted = flavors[flavor].items()
        pools = [p for p in self.pools if wanted and wanted <= p.labels.items()]
        if len(pools) != 1:
            which = ", ".join(p.name for p in pools) or "no node pool"
            return replace(row, unknown=f"flavor {flavor}'s nodeLabels select {which}")
        (pool,) = pools
        row = replace(row, pool=pool.name, vm_size=pool.vm_size)
        if pool.vm_size is None or pool.max_nodes is None:
            reason = f"node pool {pool.name}: VM size or node count unknown offline"
            return replace(row, unknown=reason)
        per_node = self.gpus_per_node(pool.vm_size)
        if not per_node:
            return replace(row, unknown=f"GPUs per {pool.vm_size} node not known")
        # A team holds at most what the pool can: its quota may overcommit the pool.
        pool_gpus = int(pool.max_nodes) * per_node
        row = replace(
            row,
            max_gpus=min(gpus + borrow, pool_gpus),
            nodes=math.ceil(min(gpus, pool_gpus) / per_node),
            max_nodes=math.ceil(min(gpus + borrow, pool_gpus) / per_node),
        )
        found = self.lookup(pool.location, f"vm/{pool.vm_size}")
        if isinstance(found, str):
            return replace(row, unknown=found)
        return replace(row, node_hourly=found)


def estimate(
    plan: StackPlan, tables: Mapping[str, PriceTable], gpus_per_node: GpusPerNode | None = None
) -> StackCost:
    """The stack's monthly cost as a low-high range, with what could not be priced, and each
    team's GPU quota with the cost of the pool nodes it holds at full use (a team's cost is
    unknown without ``gpus_per_node``, which says how many GPUs a VM size has)."""
    estimator = _Estimator(plan, tables, gpus_per_node or (lambda _size: None))
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
    estimator.teams(plan)
    return estimator.cost


def estimate_change(
    base: StackPlan | None,
    head: StackPlan,
    tables: Mapping[str, PriceTable],
    gpus_per_node: GpusPerNode | None = None,
) -> CostChange:
    return CostChange(
        estimate(base, tables, gpus_per_node) if base else None,
        estimate(head, tables, gpus_per_node),
    )
