"""Issue 26: an update that shortens a retention or weakens a protection is a stateful risk.

Prod's plan is previewed twice, before and after one stack config change, and diffed as
`infra diff` does; `--strict` then exits 3 unless acknowledged. The opposite change (a longer
retention, a stronger protection) stays a plain update."""

from __future__ import annotations

import argparse
import json
from dataclasses import replace
from typing import Any

import pytest

from infra.commands import build_parser
from infra.commands import diff as diff_command
from infra.compare import LOCK_REMOVED, PROTECT_DROPPED, StackDiff, diff_plans
from infra.engine.model import Resource, StackPlan
from infra.engine.project import load_project, load_stack_config
from infra.engine.runtime import run_stack
from infra.exit_codes import ExitCode
from infra.render.diff import render_diff_text
from tests.conftest import REPO_ROOT

_BACKUP = {
    "enabled": True,
    "scheduleTime": "02:00",
    "timeZone": "UTC",
    "dailyRetentionDays": 30,
    "weeklyRetentionWeeks": 12,
    "monthlyRetentionMonths": 12,
    "vaultRedundancy": "GeoRedundant",
    "immutability": "Unlocked",
}


@pytest.fixture(scope="module")
def project():
    return load_project(REPO_ROOT)


@pytest.fixture(scope="module")
def prod(project) -> StackPlan:
    return run_stack(project, "prod", load_stack_config(project, "prod"))


def _prod_with(project, **changed: Any) -> StackPlan:
    config = load_stack_config(project, "prod")
    values = dict(config.values)
    for key, value in changed.items():
        values[f"aks-rwx-training:{key}"] = value if isinstance(value, str) else json.dumps(value)
    return run_stack(project, "prod", replace(config, values=values))


def _strict_exit(diff: StackDiff, monkeypatch, capsys) -> int:
    monkeypatch.setattr(diff_command, "diff_stacks", lambda *args, **kwargs: [diff])
    args = build_parser().parse_args(["diff", "--base", "HEAD~1", "--strict", "--no-policy"])
    code = diff_command.run(args)
    acked = diff_command.run(argparse.Namespace(**{**vars(args), "ack": True}))
    capsys.readouterr()
    assert acked == ExitCode.OK
    return code


def _weakened(diff: StackDiff) -> dict[tuple[str, str], list[str]]:
    return {(c.type, c.name): c.weakened for c in diff.stateful_risks}


_WORKSPACE = ("azure-native:operationalinsights:Workspace", "monitoring-logs")
_VAULT = ("azure-native:recoveryservices:Vault", "share-backup-vault")
_FILES = ("azure-native:storage:FileServiceProperties", "shared-storage-file-service")
_IMMUTABILITY = "properties.securitySettings.immutabilitySettings.state"


@pytest.mark.parametrize(
    ("changed", "risk", "paths"),
    [
        pytest.param({"logRetentionDays": 30}, _WORKSPACE, ["retentionInDays"], id="log-retention"),
        pytest.param(
            {"backup": {**_BACKUP, "immutability": "Disabled"}},
            _VAULT,
            [_IMMUTABILITY],
            id="immutability-disabled",
        ),
        pytest.param(
            {"shareSoftDeleteDays": 7},
            _FILES,
            ["shareDeleteRetentionPolicy.days"],
            id="share-soft-delete",
        ),
    ],
)
def test_a_shorter_retention_or_weaker_protection_exits_3_under_strict(
    project, prod, changed, risk, paths, monkeypatch, capsys
):
    diff = diff_plans(prod, _prod_with(project, **changed))
    assert _weakened(diff) == {risk: paths}
    assert f"{risk[0]} {risk[1]}  [STATEFUL: data at risk]" in render_diff_text([diff])
    assert _strict_exit(diff, monkeypatch, capsys) == ExitCode.STATEFUL_RISK


@pytest.mark.parametrize(
    "changed",
    [
        pytest.param({"logRetentionDays": 180}, id="longer-log-retention"),
        pytest.param({"backup": {**_BACKUP, "immutability": "Locked"}}, id="immutability-locked"),
        pytest.param({"shareSoftDeleteDays": 60}, id="longer-share-soft-delete"),
    ],
)
def test_a_longer_retention_or_stronger_protection_is_a_plain_update(
    project, prod, changed, monkeypatch, capsys
):
    diff = diff_plans(prod, _prod_with(project, **changed))
    assert [c.action for c in diff.changes] == ["update"]
    assert diff.stateful_risks == []
    assert _strict_exit(diff, monkeypatch, capsys) == ExitCode.OK


def test_removing_the_locks_exits_3_under_strict(project, prod, monkeypatch, capsys):
    diff = diff_plans(prod, _prod_with(project, lockStorage=False))
    assert _weakened(diff) == {
        ("azure-native:authorization:ManagementLockByScope", "shared-storage-lock"): [LOCK_REMOVED],
        ("azure-native:authorization:ManagementLockByScope", "share-backup-lock"): [LOCK_REMOVED],
    }
    assert _strict_exit(diff, monkeypatch, capsys) == ExitCode.STATEFUL_RISK


def test_dropping_protect_exits_3_under_strict(project, prod, monkeypatch, capsys):
    diff = diff_plans(prod, _prod_with(project, protectData=False))
    dropped = {c.type for c in diff.stateful_risks if PROTECT_DROPPED in c.weakened}
    assert {
        "azure-native:storage:StorageAccount",
        "azure-native:storage:FileShare",
        "azure-native:recoveryservices:Vault",
        "kubernetes:core/v1:PersistentVolumeClaim",
    } <= dropped
    assert _strict_exit(diff, monkeypatch, capsys) == ExitCode.STATEFUL_RISK


def _one(type_: str, **inputs: Any) -> StackPlan:
    return StackPlan(
        "p",
        "s",
        [Resource(f"urn:pulumi:s::p::{type_}::r", type_, "r", True, None, None, inputs)],
        {},
    )


_BLOBS = "azure-native:storage:BlobServiceProperties"
_LOCK = "azure-native:authorization:ManagementLockByScope"


@pytest.mark.parametrize(
    ("type_", "before", "after", "weakened"),
    [
        pytest.param(
            _BLOBS,
            {"deleteRetentionPolicy": {"enabled": True, "days": 14}},
            {"deleteRetentionPolicy": {"enabled": True, "days": 7}},
            ["deleteRetentionPolicy.days"],
            id="blob-soft-delete-shorter",
        ),
        pytest.param(
            _BLOBS,
            {"containerDeleteRetentionPolicy": {"enabled": True, "days": 7}},
            {"containerDeleteRetentionPolicy": {"enabled": False, "days": 7}},
            ["containerDeleteRetentionPolicy.enabled"],
            id="container-soft-delete-off",
        ),
        pytest.param(
            "azure-native:recoveryservices:Vault",
            {
                "properties": {
                    "securitySettings": {"softDeleteSettings": {"softDeleteState": "Enabled"}}
                }
            },
            {
                "properties": {
                    "securitySettings": {"softDeleteSettings": {"softDeleteState": "Disabled"}}
                }
            },
            ["properties.securitySettings.softDeleteSettings.softDeleteState"],
            id="vault-soft-delete-off",
        ),
        pytest.param(
            _LOCK, {"level": "ReadOnly"}, {"level": "CanNotDelete"}, ["level"], id="lock-lowered"
        ),
        pytest.param(_LOCK, {"level": "CanNotDelete"}, {"level": "ReadOnly"}, [], id="lock-raised"),
        pytest.param(
            _BLOBS,
            {"deleteRetentionPolicy": {"enabled": False}},
            {"deleteRetentionPolicy": {"enabled": True, "days": 7}},
            [],
            id="blob-soft-delete-on",
        ),
    ],
)
def test_each_weakening_rule_and_its_opposite(type_, before, after, weakened):
    (change,) = diff_plans(_one(type_, **before), _one(type_, **after)).changes
    assert (change.action, change.weakened, change.stateful_risk) == (
        "update",
        weakened,
        bool(weakened),
    )
