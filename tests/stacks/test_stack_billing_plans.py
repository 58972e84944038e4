"""The README's side-by-side plans for prod's volumes are what the sizing gives, and the v2
plan is what prod's stack file deploys; its table of billing models states the sizing's limits."""

from __future__ import annotations

import re

from stack_harness import run_stack

from components.sizing import (
    PREMIUM_MAX_GIB,
    PREMIUM_MIN_GIB,
    STANDARD_MAX_GIB,
    STANDARD_MIN_GIB,
    V2_LIMITS,
    BillingModel,
    resolve_share,
)
from tests.conftest import REPO_ROOT

V1 = BillingModel.PROVISIONED_V1_SSD
V2 = BillingModel.PROVISIONED_V2_SSD
PLANS = [
    ("datasets", "provisioned v1 (`throughputMiBps: 800`)", V1, {"throughput_mibps": 800}),
    (
        "datasets",
        "provisioned v2 SSD (`quotaGiB: 2048`, `throughputMiBps: 800`)",
        V2,
        {"quota_gib": 2048, "throughput_mibps": 800},
    ),
    ("checkpoints", "provisioned v1 (`quotaGiB: 4096`)", V1, {"quota_gib": 4096}),
    ("checkpoints", "provisioned v2 SSD (`quotaGiB: 4096`)", V2, {"quota_gib": 4096}),
]


def _readme_rows() -> list[str]:
    text = (REPO_ROOT / "README.md").read_text()
    block = re.search(
        r"<!-- billing-plans:begin.*?-->\n(.*?)<!-- billing-plans:end -->", text, re.S
    )
    assert block, "README.md has no billing-plans block"
    return block.group(1).strip().splitlines()[2:]


def test_the_readme_plans_are_the_sizings() -> None:
    expected = []
    for volume, plan, model, declared in PLANS:
        share = resolve_share(model, **declared)
        expected.append(
            f"| {volume} | {plan} | {share.quota_gib} GiB | {share.iops} ({share.burst_iops}) "
            f"| {share.throughput_mibps} MiB/s |"
        )
    assert _readme_rows() == expected


def test_prod_deploys_the_v2_plan() -> None:
    result = run_stack("prod")
    result.raise_error()
    shares = {
        s.inputs["shareName"]: s.inputs for s in result.by_type("azure-native:storage:FileShare")
    }
    for volume, _, model, declared in PLANS:
        if model is not V2:
            continue
        share = resolve_share(model, **declared)
        assert shares[volume]["shareQuota"] == share.quota_gib
        assert shares[volume]["provisionedIops"] == share.iops
        assert shares[volume]["provisionedBandwidthMibps"] == share.throughput_mibps


def test_the_readme_model_table_states_the_sizing_limits() -> None:
    lines = (REPO_ROOT / "README.md").read_text().splitlines()
    rows = {m: next(line for line in lines if line.startswith(f"| `{m}`")) for m in BillingModel}
    for model, limits in V2_LIMITS.items():
        assert f"`quotaGiB` {limits.min_gib}-{limits.max_gib}," in rows[model]
        assert f"`throughputMiBps` {limits.min_mibps}-{limits.max_mibps}," in rows[model]
        assert f"`iops` {limits.min_iops}-{limits.max_iops} " in rows[model]
    assert f"`quotaGiB` {PREMIUM_MIN_GIB}-{PREMIUM_MAX_GIB}," in rows[V1]
    payg = rows[BillingModel.PAY_AS_YOU_GO_HDD]
    assert f"`quotaGiB` {STANDARD_MIN_GIB}-{STANDARD_MAX_GIB} " in payg
