"""`infra cost`: the monthly arithmetic on known inputs, and what it will not guess."""

from __future__ import annotations

import json
import math
import shutil
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

from azure_facts.vm_sizes import vm_size
from components.teams import max_gpus_of
from infra.compare import diff_plans
from infra.engine.model import UNKNOWN, Resource, StackPlan
from infra.engine.project import load_project, load_stack_config
from infra.errors import UsageError
from infra.readers.cost import (
    HOURS_PER_MONTH,
    PRICE_DIR,
    SSD_V2_BASELINE,
    PriceTable,
    estimate,
    estimate_change,
    load_price_tables,
)
from infra.render.cost import TEAM_LABEL, TEAMS_HEADING, cost_markdown, render_cost_text
from infra.render.diff import render_diff_markdown, render_diff_text
from infra.render.plan import JSON_VERSION
from stacks.config import parse_config, pool_gpus
from tests.conftest import REPO_ROOT, git_as_ci
from tests.delivery._workflows import SCRIPTS

sys.path.insert(0, str(SCRIPTS))
import build_pr_comment

PRICES = {
    "aks-tier/Standard": 0.10,
    "aks-tier/Premium": 0.60,
    "vm/Standard_D4ds_v5": 0.25,
    "vm/Standard_NC24ads_A100_v4": 4.0,
    "managed-disk/Premium_LRS/P10": 20.0,
    "files-v1/Premium_ZRS": 0.2,
    "files-v2/PremiumV2_LRS/storage": 0.1,
    "files-v2/PremiumV2_LRS/iops": 0.01,
    "files-v2/PremiumV2_LRS/throughput": 0.05,
    "files-paygo/Standard_LRS/TransactionOptimized": 0.06,
    "log-analytics/ingestion-gb": 2.4,
}
PROD_STACK = REPO_ROOT / "stacks" / "Pulumi.prod.yaml"
VOLUMES_KEY = "aks-rwx-training:volumes"
TABLES = {"westeurope": PriceTable("westeurope", "USD", "2026-11-30", "test", PRICES)}


def _resource(type_: str, name: str, **inputs: Any) -> Resource:
    return Resource(f"urn:{name}", type_, name, True, None, None, inputs)


def _cluster(tier: str = "Standard", *pools: dict[str, Any]) -> Resource:
    return _resource(
        "azure-native:containerservice:ManagedCluster",
        "cluster",
        location="westeurope",
        sku={"name": "Base", "tier": tier},
        agentPoolProfiles=list(pools),
    )


def _storage(sku: str, **share: Any) -> list[Resource]:
    account = _resource(
        "azure-native:storage:StorageAccount",
        "account",
        accountName="acct",
        location="westeurope",
        sku={"name": sku},
    )
    return [
        account,
        _resource("azure-native:storage:FileShare", "share", accountName="acct", **share),
    ]


def _plan(*resources: Resource) -> StackPlan:
    return StackPlan("project", "prod", list(resources), {})


def _lines(plan: StackPlan) -> dict[str, tuple[float, float]]:
    return {line.item: (line.low, line.high) for line in estimate(plan, TABLES).lines}


def test_tier_nodes_and_autoscaled_range() -> None:
    system = {"name": "system", "count": 3, "vmSize": "Standard_D4ds_v5", "osDiskType": "Ephemeral"}
    gpu = {
        "name": "gpu",
        "count": 0,
        "enableAutoScaling": True,
        "minCount": 1,
        "maxCount": 8,
        "vmSize": "Standard_NC24ads_A100_v4",
        "osDiskType": "Managed",
    }
    cost = estimate(_plan(_cluster("Standard", system, gpu)), TABLES)
    assert {line.item: (line.low, line.high) for line in cost.lines} == {
        "AKS Standard tier": pytest.approx((73.0, 73.0)),
        "node pool system: 3 x Standard_D4ds_v5": pytest.approx((547.5, 547.5)),
        "node pool system: OS disks (ephemeral: no extra charge)": (0.0, 0.0),
        "node pool gpu: 1-8 x Standard_NC24ads_A100_v4": pytest.approx((2920.0, 23360.0)),
        # 128 GiB, AKS's default size, is a P10; one disk per node.
        "node pool gpu: OS disks (1-8 x 128 GiB Premium SSD P10)": pytest.approx((20.0, 160.0)),
    }
    assert (cost.low, cost.high) == pytest.approx((3560.5, 24140.5))
    assert cost.currency == "USD"
    assert cost.unpriced == []


def test_an_agent_pool_is_priced_where_its_cluster_runs() -> None:
    cluster = _resource(
        "azure-native:containerservice:ManagedCluster",
        "cluster",
        resourceGroupName="rg",
        resourceName="aks",
        location="westeurope",
        sku={"name": "Base", "tier": "Free"},
        agentPoolProfiles=[],
    )
    pool = _resource(
        "azure-native:containerservice:AgentPool",
        "training-gpu",
        resourceGroupName="rg",
        resourceName="aks",
        agentPoolName="gpu",
        enableAutoScaling=True,
        minCount=0,
        maxCount=8,
        count=0,
        vmSize="Standard_NC24ads_A100_v4",
        osDiskType="Managed",
        osDiskSizeGB=128,
    )
    cost = estimate(_plan(cluster, pool), TABLES)
    lines = {line.item: (line.low, line.high) for line in cost.lines}
    assert lines["node pool gpu: 0-8 x Standard_NC24ads_A100_v4"] == pytest.approx(
        (0.0, 8 * 4.0 * HOURS_PER_MONTH)
    )
    assert lines["node pool gpu: OS disks (0-8 x 128 GiB Premium SSD P10)"] == pytest.approx(
        (0.0, 160.0)
    )
    assert cost.unpriced == []


def test_free_and_premium_tiers() -> None:
    assert _lines(_plan(_cluster("Free"))) == {
        "AKS Free tier (no cluster-management charge)": (0.0, 0.0)
    }
    assert _lines(_plan(_cluster("Premium"))) == {
        "AKS Premium tier": pytest.approx((0.6 * HOURS_PER_MONTH,) * 2)
    }


def test_azure_files_v1_v2_and_pay_as_you_go() -> None:
    assert _lines(_plan(*_storage("Premium_ZRS", shareName="datasets", shareQuota=6984))) == {
        "file share datasets: 6984 GiB provisioned v1 (Premium_ZRS)": pytest.approx((1396.8,) * 2)
    }
    v2 = _storage(
        "PremiumV2_LRS",
        shareName="ckpt",
        shareQuota=1000,
        provisionedIops=3000,
        provisionedBandwidthMibps=100,
    )
    assert _lines(_plan(*v2)) == {
        "file share ckpt: 1000 GiB provisioned v2 (PremiumV2_LRS)": pytest.approx((100.0,) * 2),
        f"file share ckpt: 3000 IOPS provisioned v2 (PremiumV2_LRS) ({SSD_V2_BASELINE})": (
            pytest.approx((30.0,) * 2)
        ),
        f"file share ckpt: 100 MiB/s provisioned v2 (PremiumV2_LRS) ({SSD_V2_BASELINE})": (
            pytest.approx((5.0,) * 2)
        ),
    }
    standard = _lines(_plan(*_storage("Standard_LRS", shareName="data", shareQuota=1024)))
    # Pay-as-you-go bills the GiB used: from nothing up to the quota.
    assert standard == {
        "file share data: up to 1024 GiB stored (Standard_LRS, TransactionOptimized; quota as "
        "bound)": pytest.approx((0.0, 61.44))
    }


def test_v2_share_without_provisioned_iops_says_so() -> None:
    cost = estimate(_plan(*_storage("PremiumV2_LRS", shareName="s", shareQuota=100)), TABLES)
    assert [line.item for line in cost.lines] == [
        "file share s: 100 GiB provisioned v2 (PremiumV2_LRS)"
    ]
    assert {u.item for u in cost.unpriced} == {
        "file share s: provisioned IOPS",
        "file share s: provisioned MiB/s",
    }
    assert all("known only live" in u.reason for u in cost.unpriced)


def test_log_analytics_ingestion_up_to_the_daily_cap() -> None:
    capped = _resource(
        "azure-native:operationalinsights:Workspace",
        "logs",
        location="westeurope",
        workspaceCapping={"dailyQuotaGb": 10},
    )
    # 10 GB/day x 730/24 days x 2.40 per GB.
    assert _lines(_plan(capped)) == {
        "Log Analytics ingestion: up to 10 GB/day (daily cap)": pytest.approx((0.0, 730.0))
    }
    uncapped = _resource(
        "azure-native:operationalinsights:Workspace", "logs", location="westeurope"
    )
    (missing,) = estimate(_plan(uncapped), TABLES).unpriced
    assert missing.reason == "depends on the volume ingested; no daily cap"


def test_missing_prices_are_listed_never_guessed() -> None:
    pool = {"name": "system", "count": 2, "vmSize": "Standard_E64_v9"}
    cost = estimate(_plan(_cluster("Free", pool)), TABLES)
    assert (cost.low, cost.high) == (0.0, 0.0)
    by_item = {u.item: u for u in cost.unpriced}
    vm = by_item["node pool system: 2 x Standard_E64_v9"]
    assert (vm.region, vm.key) == ("westeurope", "vm/Standard_E64_v9")
    assert vm.reason == "no vm/Standard_E64_v9 price in the westeurope table"
    assert "osDiskType left to AKS" in by_item["node pool system: OS disks"].reason
    elsewhere = _resource(
        "azure-native:containerservice:ManagedCluster",
        "c",
        location="eastus",
        sku={"tier": "Standard"},
    )
    (missing,) = estimate(_plan(elsewhere), TABLES).unpriced
    assert missing.reason == "no price table for region eastus"


def test_the_change_in_monthly_cost() -> None:
    def plan(nodes: int) -> StackPlan:
        return _plan(
            _cluster(
                "Standard",
                {
                    "name": "system",
                    "count": nodes,
                    "vmSize": "Standard_D4ds_v5",
                    "osDiskType": "Ephemeral",
                },
            )
        )

    change = estimate_change(plan(3), plan(4), TABLES)
    assert (change.delta_low, change.delta_high) == pytest.approx((182.5, 182.5))
    markdown = render_diff_markdown([diff_plans(plan(3), plan(4))], costs={"prod": change})
    assert "💰 **Estimated cost:** $620.50 → $803.00 a month (+$182.50)" in markdown
    new = estimate_change(None, plan(1), TABLES)
    assert "nothing → $255.50 a month (+$255.50)" in "\n".join(cost_markdown(new.head, new))


def test_price_tables_load_by_region_and_reject_bad_files(tmp_path: Path) -> None:
    (tmp_path / "westeurope.json").write_text(
        json.dumps(
            {
                "region": "westeurope",
                "currency": "USD",
                "retrieved": "2026-11-30",
                "source": "test",
                "prices": {"vm/x": {"price": 1.5}},
            }
        )
    )
    assert load_price_tables(tmp_path)["westeurope"].prices == {"vm/x": 1.5}
    (tmp_path / "eastus.json").write_text('{"region": "westeurope"}')
    with pytest.raises(UsageError, match=r"eastus.json: not a price table \(KeyError"):
        load_price_tables(tmp_path)


def test_infra_cost_on_the_repository(infra) -> None:
    result = infra("cost", "-s", "prod", "--json")
    assert result.returncode == 0, result.stderr
    document = json.loads(result.stdout)
    assert document["version"] == JSON_VERSION
    (prod,) = document["stacks"]
    # Each team's quota and most held agree with what the stack gives Kueue (components/teams.py).
    cfg = _prod_config()
    assert {t["team"]: (t["gpuQuota"], t["maxGpus"]) for t in prod["teams"]} == {
        team.name: (team.gpus, max_gpus_of(team, pool_gpus(cfg)))
        for team in cfg.training.teams.members
    }
    for team in prod["teams"]:
        assert team["unknown"] is None and 0 < team["monthly"]["quota"] <= team["monthly"]["max"]
    # Every price prod needs is in the committed table but these, listed as not estimated:
    # the uncapped log ingestion, the three Prometheus recording-rule groups and the metrics
    # ingestion, each backed-up share's Azure Backup fee, the private endpoint and its DNS
    # zone, which have no price key, and the GPU pool's 128 GiB managed OS disk (P10), which
    # the table was never refreshed for (scripts/refresh_prices.py fetches it where reachable).
    # The GPU pool autoscales from 0 nodes: a range.
    shares = [v["name"] for v in yaml.safe_load(PROD_STACK.read_text())["config"][VOLUMES_KEY]]
    assert sorted(u["key"] or "" for u in prod["unpriced"]) == [
        *[""] * (7 + len(shares)),
        "managed-disk/Premium_LRS/P10",
    ]
    items = [u["item"] for u in prod["unpriced"]]
    assert sum("Prometheus recording rules" in item for item in items) == 3
    assert sorted(i for i in items if i.startswith("Azure Backup protected share")) == sorted(
        f"Azure Backup protected share share-backup-item-{share}" for share in shares
    )
    for billed in ("private endpoint", "private DNS zone"):
        assert sum(billed in item for item in items) == 1, billed
    assert sum("Prometheus metrics ingestion" in item for item in items) == 1
    assert 0 < prod["monthly"]["low"] < prod["monthly"]["high"]
    assert "egress" in prod["leftOut"]
    text = infra("cost", "-s", "dev")
    dev = text.stdout.split("\n\n")[0]
    assert dev.startswith("Stack dev: $") and "not priced" not in dev
    assert text.stdout.rstrip().endswith("reservations and savings plans, taxes.")


def test_committed_prices_say_where_each_came_from() -> None:
    for path in PRICE_DIR.glob("*.json"):
        doc = json.loads(path.read_text())
        assert doc["prices"], path
        for key, entry in doc["prices"].items():
            assert entry["found"] and entry["unit"] and entry["price"] > 0, (path, key)


def test_a_stack_without_prices_costs_unknown_never_zero() -> None:
    # A region the tables lack: nothing is priced, so the total is unknown, not $0.00, and
    # so is the change (the base was priced in westeurope).
    def cluster(location: str) -> StackPlan:
        pool = {
            "name": "system",
            "count": 2,
            "vmSize": "Standard_D4ds_v5",
            "osDiskType": "Ephemeral",
        }
        moved = _cluster("Standard", pool)
        return _plan(
            Resource(**{**moved.__dict__, "inputs": {**moved.inputs, "location": location}})
        )

    change = estimate_change(cluster("westeurope"), cluster("eastus"), TABLES)
    assert not change.head.known and not change.known
    text = "\n".join(cost_markdown(change.head, change))
    assert "→ unknown a month (unknown: no prices)" in text
    assert "$0.00" not in text.splitlines()[0]
    assert change.as_json()["delta"] is None and change.head.as_json()["monthly"] is None
    # A stack whose only unpriced items are usage-based (no price missing) still has a total.
    assert estimate(_plan(_cluster("Free")), TABLES).known


def test_every_unpriced_item_is_named_as_not_estimated() -> None:
    plan = _plan(
        _resource("azure:backup/protectedFileShare:ProtectedFileShare", "backup-datasets"),
        _resource("azure-native:network:PrivateEndpoint", "storage-pe"),
        _resource("azure-native:privatedns:PrivateZone", "storage-zone"),
        _resource("azure-native:monitor:AzureMonitorWorkspace", "prometheus"),
    )
    cost = estimate(plan, TABLES)
    assert cost.lines == [] and cost.known
    line = next(x for x in cost_markdown(cost) if x.startswith("Not estimated: "))
    for item in (
        "Azure Backup protected share backup-datasets",
        "private endpoint storage-pe",
        "private DNS zone storage-zone",
        "Prometheus metrics ingestion into prometheus",
    ):
        assert item in line, item


# --- teams: GPU quota and the cost of the pool nodes each holds at full use -------------------
CLUSTER_QUEUE = "kubernetes:kueue.x-k8s.io/v1beta2:ClusterQueue"
RESOURCE_FLAVOR = "kubernetes:kueue.x-k8s.io/v1beta2:ResourceFlavor"
GPU_LABELS = {"accelerator": "nvidia"}


def _usd(amount: float) -> str:
    return f"${amount:,.2f}"


def _prod_config() -> Any:
    """prod's validated config, as the program reads it (Pulumi.yaml defaults included)."""
    project = load_project(REPO_ROOT)
    values = load_stack_config(project, "prod").values
    raw = {k.split(":", 1)[1]: v for k, v in values.items() if k.startswith(f"{project.name}:")}
    return parse_config(raw, project.name, "prod").values


def _team_figures(cfg: Any, teams: Any = None) -> dict[str, tuple[int, int, int, int, int]]:
    """Per team of a stack's config: (quota, may borrow, most held, nodes at quota, nodes at
    most), from Kueue's rules: a team borrows what the rest of its cohort lends (lendingLimit,
    else all its quota), up to its borrowingLimit, and never holds more than the pool."""
    pool = cfg.cluster.gpu_pool
    per_node = vm_size(pool.vm_size).gpus
    pool_total = pool.max_count * per_node
    teams = cfg.training.teams.members if teams is None else teams
    figures = {}
    for team in teams:
        lent = sum(
            other.gpus if other.lending_limit_gpus is None else other.lending_limit_gpus
            for other in teams
            if other is not team
        )
        borrow = lent if team.borrowing_limit_gpus is None else min(team.borrowing_limit_gpus, lent)
        most = min(team.gpus + borrow, pool_total)
        figures[team.name] = (
            team.gpus, borrow, most, math.ceil(team.gpus / per_node), math.ceil(most / per_node)
        )  # fmt: skip
    return figures


def test_infra_cost_shows_each_prod_team_quota_and_its_cost_at_full_use(infra) -> None:
    cfg = _prod_config()
    size = cfg.cluster.gpu_pool.vm_size
    hourly = load_price_tables(PRICE_DIR)[cfg.placement.location].prices[f"vm/{size}"]
    expected = []
    for name, (gpus, borrow, most, nodes, max_nodes) in sorted(_team_figures(cfg).items()):
        expected.append(
            f"    team {name}: quota {gpus} GPUs ({nodes} x {size}): "
            f"{_usd(nodes * hourly * HOURS_PER_MONTH)} a month ({_usd(nodes * hourly)} an hour); "
            f"may borrow {borrow}, up to {most} GPUs ({max_nodes} nodes): "
            f"{_usd(max_nodes * hourly * HOURS_PER_MONTH)} a month ({_usd(max_nodes * hourly)} an "
            "hour)"
        )
    result = infra("cost", "-s", "prod")
    assert result.returncode == 0, result.stderr
    shown = [line for line in result.stdout.splitlines() if line.startswith("    team ")]
    assert shown == expected
    lines = result.stdout.splitlines()
    assert lines[lines.index(f"  {TEAMS_HEADING}") + 1] == expected[0]
    assert len(shown) == len(cfg.training.teams.members) == 2  # prod's two example teams


def _gpu_pool(size: str = "Standard_NC24ads_A100_v4", max_count: int = 8) -> Resource:
    return _resource(
        "azure-native:containerservice:AgentPool",
        "gpu",
        resourceGroupName="rg",
        resourceName="aks",
        agentPoolName="gpu",
        vmSize=size,
        enableAutoScaling=True,
        minCount=0,
        maxCount=max_count,
        osDiskType="Ephemeral",
        nodeLabels={"workload": "training", **GPU_LABELS},
    )


def _queue(name: str, cohort: str | None = "pool", **gpu: Any) -> Resource:
    spec: dict[str, Any] = {
        "resourceGroups": [
            {
                "coveredResources": ["cpu", "nvidia.com/gpu"],
                "flavors": [
                    {
                        "name": "gpus",
                        "resources": [
                            {"name": "cpu", "nominalQuota": "8"},
                            {"name": "nvidia.com/gpu", **gpu},
                        ],
                    }
                ],
            }
        ]
    }
    if cohort:
        spec["cohortName"] = cohort
    return _resource(CLUSTER_QUEUE, f"queue-{name}", metadata={"name": name}, spec=spec)


def _teams_plan(*queues: Resource, size: str = "Standard_NC24ads_A100_v4") -> StackPlan:
    flavor = _resource(
        RESOURCE_FLAVOR, "flavor", metadata={"name": "gpus"}, spec={"nodeLabels": GPU_LABELS}
    )
    cluster = _resource(
        "azure-native:containerservice:ManagedCluster",
        "cluster",
        location="westeurope",
        resourceGroupName="rg",
        resourceName="aks",
    )
    return _plan(cluster, _gpu_pool(size), flavor, *queues)


def _vm_gpus(size: str) -> int | None:
    known = vm_size(size)
    return known.gpus if known else None


def test_a_team_borrows_what_its_cohort_lends_up_to_its_limit_and_never_past_the_pool() -> None:
    # 8 GPUs in the pool. "a" has no borrowing limit: it may borrow what b and c lend (b lends
    # 1 of its 2, c all of its 3), and holds at most the pool. "solo" has no cohort: it
    # borrows nothing. "idle" has no GPU quota and still appears, with 0.
    plan = _teams_plan(
        _queue("a", nominalQuota=6),
        _queue("b", nominalQuota=2, lendingLimit=1, borrowingLimit=1),
        _queue("c", nominalQuota="3"),
        _queue("solo", cohort=None, nominalQuota=1),
        _queue("idle", nominalQuota=0),
    )
    teams = {t.team: t for t in estimate(plan, TABLES, _vm_gpus).teams}
    figures = {
        n: (t.gpus, t.may_borrow, t.max_gpus, t.nodes, t.max_nodes) for n, t in teams.items()
    }
    assert figures == {
        "a": (6, 1 + 3, 8, 6, 8),
        "b": (2, 1, 3, 2, 3),
        "c": (3, 6 + 1, 8, 3, 8),
        "idle": (0, 6 + 1 + 3, 8, 0, 8),
        "solo": (1, 0, 1, 1, 1),
    }
    text = render_cost_text([estimate(plan, TABLES, _vm_gpus)])
    price = PRICES["vm/Standard_NC24ads_A100_v4"]
    assert (
        f"    team idle: quota 0 GPUs (0 x Standard_NC24ads_A100_v4): $0.00 a month ($0.00 an "
        f"hour); may borrow 10, up to 8 GPUs (8 nodes): {_usd(8 * price * HOURS_PER_MONTH)} a "
        f"month ({_usd(8 * price)} an hour)"
    ) in text.splitlines()
    # A VM size with 4 GPUs a node: 6 GPUs hold 2 nodes (rounded up).
    (big,) = estimate(
        _teams_plan(_queue("a", nominalQuota=6), size="Standard_NC96ads_A100_v4"),
        {**TABLES},
        _vm_gpus,
    ).teams
    assert (big.nodes, big.max_nodes) == (2, 2)


def test_a_team_cost_without_a_price_is_unknown_never_zero() -> None:
    tables = {
        "westeurope": PriceTable(
            "westeurope",
            "USD",
            "2026-11-30",
            "test",
            {k: v for k, v in PRICES.items() if k != "vm/Standard_NC24ads_A100_v4"},
        )
    }
    plan = _teams_plan(_queue("a", nominalQuota=2, borrowingLimit=0), _queue("b", nominalQuota=0))
    cost = estimate(plan, tables, _vm_gpus)
    text = render_cost_text([cost]).splitlines()
    reason = "no vm/Standard_NC24ads_A100_v4 price in the westeurope table"
    assert (
        "    team a: quota 2 GPUs (2 x Standard_NC24ads_A100_v4): unknown a month (unknown an "
        "hour); may borrow 0, up to 2 GPUs (2 nodes): unknown a month (unknown an hour) "
        f"[unknown: {reason}]"
    ) in text
    # A team with no GPUs costs unknown too: no figure of the team reads as a price.
    assert any(line.startswith("    team b: quota 0 GPUs") and "$" not in line for line in text)
    team = cost.as_json()["teams"][0]
    assert (team["hourly"], team["monthly"], team["unknown"]) == (None, None, reason)
    # A quota the preview cannot know (a secret, an unknown output) is no figure either.
    (hidden,) = estimate(_teams_plan(_queue("c", nominalQuota=UNKNOWN)), TABLES, _vm_gpus).teams
    assert hidden.unknown == "its GPU nominalQuota is unknown offline"
    assert hidden.as_json()["monthly"] is None
    # Without the table of GPUs per VM size (a caller that gives none), unknown again.
    (alone, _) = estimate(plan, TABLES).teams
    assert alone.unknown == "GPUs per Standard_NC24ads_A100_v4 node not known"
    assert alone.hourly(alone.nodes) is None


def test_the_text_diff_shows_a_team_whose_quota_changes_and_only_that_team() -> None:
    def plan(a_gpus: int) -> StackPlan:
        return _teams_plan(
            _queue("a", nominalQuota=a_gpus, borrowingLimit=0), _queue("b", nominalQuota=1)
        )

    change = estimate_change(plan(2), plan(3), TABLES, _vm_gpus)
    text = render_diff_text([diff_plans(plan(2), plan(3))], {"prod": change})
    hour = PRICES["vm/Standard_NC24ads_A100_v4"]
    month = hour * HOURS_PER_MONTH
    assert [line for line in text.splitlines() if "team " in line] == [
        f"  team a: GPU quota 2 → 3, may borrow 0, up to 2 GPUs → 3 GPUs; at full use "
        f"{_usd(2 * month)} → {_usd(3 * month)} a month ({_usd(2 * hour)} → {_usd(3 * hour)} an "
        f"hour), borrowing too {_usd(2 * month)} → {_usd(3 * month)} a month",
        # b borrows what a lends: a's larger quota lends b one more GPU.
        f"  team b: GPU quota 1, may borrow 2 → 3, up to 3 GPUs → 4 GPUs; at full use "
        f"{_usd(month)} a month ({_usd(hour)} an hour), borrowing too {_usd(3 * month)} → "
        f"{_usd(4 * month)} a month",
    ]
    added = estimate_change(_teams_plan(_queue("b", nominalQuota=1)), plan(2), TABLES, _vm_gpus)
    shown = [x for x in cost_markdown(added.head, added) if x.startswith(TEAM_LABEL)]
    assert shown[0].startswith(f"{TEAM_LABEL} team a (added): GPU quota none → 2, may borrow none")
    assert shown[1].startswith(f"{TEAM_LABEL} team b: GPU quota 1, may borrow 0 → 2,")
    same = estimate_change(plan(2), plan(2), TABLES, _vm_gpus)
    assert not any(x.startswith(TEAM_LABEL) for x in cost_markdown(same.head, same))


def test_a_team_quota_change_between_two_revisions_shows_in_the_pr_comment(infra, tmp_path):
    # One key: prod's training team gets 2 GPUs less. The diff's Markdown (what CI posts)
    # names the team whose figures change, before → after, derived here from the config.
    cfg = _prod_config()
    (training,) = [t for t in cfg.training.teams.members if t.name == "training"]
    for name in ("Pulumi.yaml", "pyproject.toml"):
        shutil.copy(REPO_ROOT / name, tmp_path / name)
    for name in ("stacks", "components", "policies", "azure_facts"):
        shutil.copytree(
            REPO_ROOT / name, tmp_path / name, ignore=shutil.ignore_patterns("__pycache__")
        )
    git_as_ci(tmp_path, "init", "-q", "-b", "main")
    git_as_ci(tmp_path, "add", "-A")
    git_as_ci(tmp_path, "commit", "-qm", "base")
    stack = tmp_path / "stacks" / "Pulumi.prod.yaml"
    old, new = f"        gpus: {training.gpus}\n", f"        gpus: {training.gpus - 2}\n"
    assert stack.read_text().count(old) == 1
    stack.write_text(stack.read_text().replace(old, new))
    git_as_ci(tmp_path, "commit", "-qam", "head")
    result = infra(
        "diff", "--base", "HEAD~1", "--head", "HEAD", "-C", str(tmp_path), "--no-policy",
        "-s", "prod", "--markdown",
    )  # fmt: skip
    assert result.returncode == 0, result.stderr

    head = [
        t.model_copy(update={"gpus": t.gpus - 2}) if t is training else t
        for t in cfg.training.teams.members
    ]
    size = cfg.cluster.gpu_pool.vm_size
    hour = load_price_tables(PRICE_DIR)[cfg.placement.location].prices[f"vm/{size}"]
    month = hour * HOURS_PER_MONTH

    def side(a: Any, b: Any, show: Any = str) -> str:
        return show(b) if a == b else f"{show(a)} → {show(b)}"

    expected = []
    before, after = _team_figures(cfg), _team_figures(cfg, head)
    for name in sorted(after):
        (gpus, borrow, most, nodes, top), (gpus2, borrow2, most2, nodes2, top2) = (
            before[name],
            after[name],
        )
        if before[name] == after[name]:
            continue
        expected.append(
            f"{TEAM_LABEL} team {name}: GPU quota {side(gpus, gpus2)}, may borrow "
            f"{side(borrow, borrow2)}, up to {side(most, most2, lambda n: f'{n} GPUs')}; at full "
            f"use {side(nodes * month, nodes2 * month, _usd)} a month "
            f"({side(nodes * hour, nodes2 * hour, _usd)} an hour), borrowing too "
            f"{side(top * month, top2 * month, _usd)} a month"
        )
    assert expected and expected[0].startswith(f"{TEAM_LABEL} team training: GPU quota ")
    shown = [line for line in result.stdout.splitlines() if line.startswith(TEAM_LABEL)]
    assert shown == expected
    # The comment CI posts for this one-key change stays small (issue 23).
    results = tmp_path / "results"
    results.mkdir()
    (results / "prod.md").write_text(result.stdout)
    (results / "prod.rc").write_text("0\n")
    comment = build_pr_comment.build(["prod"], results)
    assert expected[0] in comment
    assert len(comment.encode()) < 3 * 1024, len(comment.encode())


def test_infra_cost_markdown_lists_the_same_teams_as_the_text(infra) -> None:
    text = infra("cost", "-s", "prod")
    markdown = infra("cost", "-s", "prod", "--markdown")
    assert markdown.returncode == 0, markdown.stderr
    in_text = [
        line.strip().removeprefix("team ")
        for line in text.stdout.splitlines()
        if line.startswith("    team ")
    ]
    in_markdown = [
        line.removeprefix("- team ").replace("`", "", 2)
        for line in markdown.stdout.splitlines()
        if line.startswith("- team ")
    ]
    assert in_markdown == in_text
    assert len(in_markdown) == len(_prod_config().training.teams.members)
