"""Kubernetes versions that cannot expire silently: this repository's stacks against AKS's
release calendar (policies/aks_versions.py), on a date the test pins (INFRA_TODAY).

1.36's end of support is 2027-06-30 and 1.34's 2026-11-30; the calendar was read on 2026-12-06
and is trusted for 90 days."""

from __future__ import annotations

import json
import shutil
from datetime import date
from pathlib import Path

import pytest

from infra.exit_codes import ExitCode
from policies.aks_versions import CALENDAR, READ_ON, TODAY_ENV, minor_of, supported_minors
from tests.conftest import REPO_ROOT, STACKS, git_as_ci

VERSION_KEY = "aks-rwx-training:kubernetesVersion"
SUPPORTED = "azure-native-containerservice-managedcluster-kubernetes-version-supported"


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    """This repository's project, in a git repository of its own."""
    for name in ("Pulumi.yaml", "pyproject.toml"):
        shutil.copy(REPO_ROOT / name, tmp_path / name)
    for name in ("stacks", "components", "policies"):
        shutil.copytree(
            REPO_ROOT / name, tmp_path / name, ignore=shutil.ignore_patterns("__pycache__")
        )
    git_as_ci(tmp_path, "init", "-q", "-b", "main")
    return tmp_path


def _pin(repo: Path, stack: str, version: str) -> None:
    path = repo / "stacks" / f"Pulumi.{stack}.yaml"
    text = path.read_text()
    lines = [line for line in text.splitlines() if VERSION_KEY not in line]
    lines.insert(lines.index("config:") + 1, f'  {VERSION_KEY}: "{version}"')
    path.write_text("\n".join(lines) + "\n")


def _verdicts(result) -> list[str]:
    doc = json.loads(result.stdout)
    (stack,) = doc["stacks"]
    return [v["message"].splitlines()[-1] for v in stack["violations"] if v["policy"] == SUPPORTED]


def test_every_stack_pins_the_supported_minor_with_the_longest_runway():
    """The default is the newest minor announced GA: none of AKS's supported minors ends later."""
    default = minor_of(_default_version())
    assert default == supported_minors(READ_ON)[-1]
    for stack in STACKS:
        assert VERSION_KEY not in (REPO_ROOT / "stacks" / f"Pulumi.{stack}.yaml").read_text()


def _default_version() -> str:
    import yaml

    project = yaml.safe_load((REPO_ROOT / "Pulumi.yaml").read_text())
    return str(project["config"]["kubernetesVersion"]["default"])


def test_a_stack_200_days_from_end_of_support_passes(infra, monkeypatch):
    monkeypatch.setenv(TODAY_ENV, "2026-12-12")
    assert (CALENDAR["1.36"].end_of_support - date(2026, 12, 12)).days == 200
    result = infra("preview", "-s", "prod", "--json")
    assert result.returncode == ExitCode.OK, result.stderr
    assert _verdicts(result) == []


def test_a_stack_30_days_from_end_of_support_fails(infra, repo, monkeypatch):
    _pin(repo, "prod", "1.34")
    monkeypatch.setenv(TODAY_ENV, "2026-10-31")
    result = infra("preview", "-s", "prod", "--json", "-C", str(repo))
    assert result.returncode == ExitCode.FAILED, result.stderr
    # Once per resource that pins the version: the cluster and its GPU AgentPool.
    assert _verdicts(result) == [
        "ManagedCluster 'aks-rwx-training-prod' Kubernetes '1.34' reaches AKS end of support "
        "on 2026-11-30, 30 days from 2026-10-31; more than 60 days are required.",
        "AgentPool 'gpu' orchestratorVersion '1.34' reaches AKS end of support on 2026-11-30, "
        "30 days from 2026-10-31; more than 60 days are required.",
    ]


def test_a_stale_calendar_fails_every_stack(infra, monkeypatch):
    monkeypatch.setenv(TODAY_ENV, "2027-03-07")
    result = infra("preview", "-s", "dev", "--json")
    assert result.returncode == ExitCode.FAILED, result.stderr
    (message,) = _verdicts(result)
    assert "was read on 2026-12-06 (91 days ago, more than 90); re-read" in message


def _commit_versions(repo: Path, base: str, head: str) -> None:
    _pin(repo, "prod", base)
    git_as_ci(repo, "add", "-A")
    git_as_ci(repo, "commit", "-qm", "base")
    _pin(repo, "prod", head)
    git_as_ci(repo, "commit", "-qam", "head")


def test_diff_refuses_an_upgrade_that_skips_a_minor(infra, repo, monkeypatch):
    monkeypatch.setenv(TODAY_ENV, "2026-12-06")
    _commit_versions(repo, "1.35", "1.37")
    result = infra(
        "diff", "--base", "HEAD~1", "--head", "HEAD", "-C", str(repo), "-s", "prod", "--no-policy"
    )
    assert result.returncode == ExitCode.ERROR
    assert result.stderr.splitlines() == [
        "infra: stacks/Pulumi.prod.yaml:6: aks-rwx-training:kubernetesVersion: stack 'prod' "
        "upgrades Kubernetes from 1.35 to 1.37, skipping a minor version; AKS upgrades one "
        "minor at a time: 1.36 first (ManagedCluster 'training-cluster')"
    ]


def test_diff_takes_an_upgrade_by_one_minor(infra, repo, monkeypatch):
    monkeypatch.setenv(TODAY_ENV, "2026-12-06")
    _commit_versions(repo, "1.35", "1.36")
    result = infra(
        "diff", "--base", "HEAD~1", "--head", "HEAD", "-C", str(repo), "-s", "prod", "--no-policy"
    )
    assert result.returncode == ExitCode.OK, result.stderr
    assert "refused" not in result.stdout
