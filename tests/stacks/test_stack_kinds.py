"""staging rehearses prod: the two differ in sizes, counts and names, never in kinds
(pyproject.toml [tool.infra.same-kinds], infra/kinds.py)."""

from __future__ import annotations

import json
import shutil
from dataclasses import replace

import pytest

from infra.engine.project import load_project, load_stack_config
from infra.engine.runtime import run_stack
from infra.exit_codes import ExitCode
from infra.kinds import kind_differences, load_kind_rules
from tests.conftest import REPO_ROOT, git_as_ci
from tests.reliability._support import real_plan

NS = "aks-rwx-training"
# What staging was before it rehearsed prod: pay-as-you-go HDD, geo-zone-redundant, a
# zone-redundant vault, no GPU pool.
OLD_STAGING = {
    "fileBillingModel": "pay-as-you-go-hdd",
    "storageRedundancy": "GZRS",
    "backup": json.dumps({"vaultRedundancy": "ZoneRedundant"}),
    "gpuPool": json.dumps({"enabled": False}),
    # Teams need the GPU pool; the old staging had neither.
    "teams": json.dumps({"members": []}),
}


@pytest.fixture(scope="module")
def project():
    return load_project(REPO_ROOT)


@pytest.fixture(scope="module")
def prod():
    return real_plan("prod")


def _staging(project, **overrides: str):
    config = load_stack_config(project, "staging")
    values = {**config.values, **{f"{NS}:{k}": v for k, v in overrides.items()}}
    return run_stack(project, "staging", replace(config, values=values))


def test_the_repository_declares_staging_as_prods_rehearsal():
    assert load_kind_rules(REPO_ROOT).pairs == (("staging", "prod"),)


def test_staging_has_every_kind_prod_has(project, prod):
    rules = load_kind_rules(REPO_ROOT)
    assert [d.line() for d in kind_differences(_staging(project), prod, rules)] == []


def test_a_staging_on_other_kinds_lists_each_difference(project, prod):
    rules = load_kind_rules(REPO_ROOT)
    lines = [d.line() for d in kind_differences(_staging(project, **OLD_STAGING), prod, rules)]
    expected = {
        "azure-native:storage:StorageAccount kind: staging has StorageV2, prod has FileStorage",
        "azure-native:storage:StorageAccount sku.name: staging has Standard_GZRS, "
        "prod has PremiumV2_ZRS",
        "aks-rwx-training:gpu:NvidiaDevicePlugin: staging has (none), prod has present",
        "azure-native:recoveryservices:Vault "
        "properties.redundancySettings.standardTierStorageRedundancy: "
        "staging has ZoneRedundant, prod has GeoRedundant",
    }
    assert expected <= set(lines), lines


def test_an_allowed_difference_is_not_listed(project, prod):
    rules = load_kind_rules(REPO_ROOT)
    allowed = replace(
        rules,
        allowed={"azure-native:storage:StorageAccount sku.name": "staging may use HDD"},
    )
    staging = _staging(project, **OLD_STAGING)
    lines = [d.line() for d in kind_differences(staging, prod, allowed)]
    assert not any("StorageAccount sku.name" in line for line in lines)
    assert any("StorageAccount kind" in line for line in lines)


def test_infra_diff_fails_a_change_that_makes_staging_diverge(infra, tmp_path):
    for name in ("Pulumi.yaml", "pyproject.toml"):
        shutil.copy(REPO_ROOT / name, tmp_path / name)
    for name in ("stacks", "components", "policies"):
        shutil.copytree(
            REPO_ROOT / name, tmp_path / name, ignore=shutil.ignore_patterns("__pycache__")
        )
    git_as_ci(tmp_path, "init", "-q", "-b", "main")
    git_as_ci(tmp_path, "add", "-A")
    git_as_ci(tmp_path, "commit", "-qm", "base")
    staging = tmp_path / "stacks" / "Pulumi.staging.yaml"
    staging.write_text(staging.read_text() + f"  {NS}:storagePrivateEndpoint: false\n")
    git_as_ci(tmp_path, "commit", "-qam", "head")
    result = infra(
        "diff", "--base", "HEAD~1", "--head", "HEAD", "-C", str(tmp_path), "--no-policy",
        "-s", "staging", "-s", "prod", "--markdown",
    )  # fmt: skip
    assert result.returncode == ExitCode.KINDS_DIVERGE, result.stderr
    differences = [line for line in result.stderr.splitlines() if "differs in kind" in line]
    assert (
        "infra: stack 'staging' differs in kind: azure-native:network:PrivateEndpoint: "
        "staging has (none), prod has present"
    ) in differences
    assert "> - azure-native:network:PrivateEndpoint: staging has (none), prod has present" in (
        result.stdout
    )
