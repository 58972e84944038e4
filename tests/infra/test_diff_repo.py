"""What `infra diff` reports for changes a platform engineer makes to this repo's stacks."""

from __future__ import annotations

import json
from dataclasses import replace

import pytest

from infra.diff import diff_plans
from infra.engine import run_stack
from infra.project import load_project, load_stack_config
from tests.conftest import REPO_ROOT

VOLUMES_KEY = "aks-rwx-training:volumes"


@pytest.fixture(scope="module")
def project():
    return load_project(REPO_ROOT)


def _plan_with_volumes(project, stack, edit):
    config = load_stack_config(project, stack)
    volumes = json.loads(config.values[VOLUMES_KEY])
    edit(volumes)
    values = {**config.values, VOLUMES_KEY: json.dumps(volumes)}
    return run_stack(project, stack, replace(config, values=values))


def _changes(project, stack, edit):
    base = run_stack(project, stack, load_stack_config(project, stack))
    head = _plan_with_volumes(project, stack, edit)
    return {c.name: c for c in diff_plans(base, head).changes}


def test_growing_a_share_updates_share_and_pv_and_leaves_the_claim(project):
    def grow(volumes):
        volumes[0]["quotaGiB"] = 2048

    changes = _changes(project, "dev", grow)
    assert set(changes) == {"shared-storage-share-datasets", "volume-datasets-pv"}
    share, pv = changes["shared-storage-share-datasets"], changes["volume-datasets-pv"]
    assert (share.action, [(p.path, p.old, p.new) for p in share.changes]) == (
        "update",
        [("shareQuota", 1024, 2048)],
    )
    assert (pv.action, [(p.path, p.old, p.new) for p in pv.changes]) == (
        "update",
        [("spec.capacity.storage", "1024Gi", "2048Gi")],
    )
    assert not share.stateful_risk and not pv.stateful_risk


def test_renaming_a_volume_deletes_its_share_and_claim(project):
    def rename(volumes):
        volumes[1]["name"] = "ckpt"

    changes = _changes(project, "prod", rename)
    risky = {name for name, c in changes.items() if c.stateful_risk}
    assert {
        "shared-storage-share-checkpoints",
        "volume-checkpoints-pv",
        "volume-checkpoints-pvc",
    } <= risky
    assert changes["shared-storage-share-checkpoints"].action == "remove"
