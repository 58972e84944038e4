"""`infra diff` on node pools as AKS manages them: the GPU pool is an AgentPool of its own, so
adding it is a create and removing it a delete, never an update of the cluster's
agentPoolProfiles (which AKS refuses after creation: pulumi/pulumi-azure-native#579), and a
change AKS cannot make to an existing pool replaces that pool alone."""

from __future__ import annotations

import json
from dataclasses import replace
from typing import Any

import pytest

from infra.compare import diff_plans
from infra.engine.model import StackPlan
from infra.engine.project import load_project, load_stack_config
from infra.engine.runtime import run_stack
from tests.conftest import REPO_ROOT
from tests.reliability._support import real_plan

CLUSTER = "azure-native:containerservice:ManagedCluster"
AGENT_POOL = "azure-native:containerservice:AgentPool"


@pytest.fixture(scope="module")
def project():
    return load_project(REPO_ROOT)


def _plan(project, stack: str, **changed: Any) -> StackPlan:
    config = load_stack_config(project, stack)
    values = dict(config.values)
    for key, value in changed.items():
        values[f"aks-rwx-training:{key}"] = json.dumps(value)
    return run_stack(project, stack, replace(config, values=values))


@pytest.fixture(scope="module")
def prod() -> StackPlan:
    return real_plan("prod")


@pytest.fixture(scope="module")
def prod_without_gpu(project) -> StackPlan:
    # prod's teams queue GPUs, so they need the pool: without it, there are no teams.
    return _plan(project, "prod", gpuPool={"enabled": False}, teams={"members": []})


def _by_type(diff) -> dict[str, list]:
    found: dict[str, list] = {}
    for change in diff.changes:
        found.setdefault(change.type, []).append(change)
    return found


def test_adding_the_gpu_pool_creates_an_agent_pool_and_leaves_the_cluster(
    prod_without_gpu: StackPlan, prod: StackPlan
) -> None:
    changes = _by_type(diff_plans(prod_without_gpu, prod))
    assert [(c.action, c.name) for c in changes[AGENT_POOL]] == [("add", "training-gpu")]
    assert CLUSTER not in changes


def test_removing_the_gpu_pool_deletes_its_agent_pool_and_leaves_the_cluster(
    prod: StackPlan, prod_without_gpu: StackPlan
) -> None:
    changes = _by_type(diff_plans(prod, prod_without_gpu))
    assert [(c.action, c.name) for c in changes[AGENT_POOL]] == [("remove", "training-gpu")]
    assert CLUSTER not in changes


def test_the_autoscaler_owned_count_is_no_change(prod: StackPlan) -> None:
    head = _with_pool_input(prod, "count", 5)
    assert diff_plans(prod, head).changes == []


def _with_pool_input(plan: StackPlan, path: str, value: Any) -> StackPlan:
    resources = [
        replace(r, inputs={**r.inputs, path: value}) if r.type == AGENT_POOL else r
        for r in plan.resources
    ]
    return replace(plan, resources=resources)


# AKS cannot change these on an existing pool: a new pool must replace it (the pull request
# that made azure-native stop replacing the whole cluster for them,
# github.com/pulumi/pulumi-azure-native/pull/2774: "You are not allowed to update those
# properties within an existing agent pool"); infra/engine/arm_types.json carries them
# (vmSize from azure-native's forceNewMap, osDiskType from the spec's "May not be changed after
# creation"). maxPods is not among them: no Microsoft source read here says it is create-only.
@pytest.mark.parametrize(
    ("path", "value"),
    [
        ("vmSize", "Standard_NC48ads_A100_v4"),
        ("osDiskType", "Ephemeral"),
    ],
)
def test_an_immutable_pool_property_replaces_the_pool_alone(
    prod: StackPlan, path: str, value: Any
) -> None:
    diff = diff_plans(prod, _with_pool_input(prod, path, value))
    (change,) = diff.changes
    assert (change.type, change.action, change.replace_reasons) == (AGENT_POOL, "replace", [path])
