"""`infra permissions` fails when a stack needs a resource provider or feature that the
bootstrap does not register; what it registers is generated from the plans."""

from __future__ import annotations

import json
import shutil
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from infra.commands import main
from infra.exit_codes import ExitCode
from tests._modules import modules_kept
from tests.conftest import REPO_ROOT

REGISTRATIONS = Path("bootstrap/delivery/registrations.json")
PROGRAM = Path("stacks/__main__.py")


@pytest.fixture(autouse=True)
def _kept() -> Iterator[None]:
    with modules_kept():
        yield


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    for name in ("Pulumi.yaml", "pyproject.toml"):
        shutil.copy(REPO_ROOT / name, tmp_path / name)
    for name in ("stacks", "components", "bootstrap", "policies"):
        shutil.copytree(
            REPO_ROOT / name, tmp_path / name, ignore=shutil.ignore_patterns("__pycache__")
        )
    return tmp_path


def _registrations(repo: Path) -> dict[str, list[str]]:
    return json.loads((repo / REGISTRATIONS).read_text())["namespaces"]


def _write(repo: Path, namespaces: dict[str, list[str]]) -> None:
    doc = json.loads((repo / REGISTRATIONS).read_text())
    doc["namespaces"] = namespaces
    (repo / REGISTRATIONS).write_text(json.dumps(doc))


def test_the_generated_registrations_are_current() -> None:
    sys.path.insert(0, str(REPO_ROOT / "scripts"))
    try:
        import gen_registrations
    finally:
        sys.path.pop(0)
    assert gen_registrations.main(["--check"]) == 0


def test_a_namespace_the_bootstrap_does_not_register_fails_naming_it(repo, capsys) -> None:
    namespaces = _registrations(repo)
    del namespaces["Microsoft.RecoveryServices"]
    _write(repo, namespaces)
    code = main(["permissions", "-C", str(repo), "-s", "staging"])
    out = capsys.readouterr().out
    assert code == ExitCode.FAILED
    assert (
        "staging: urn:pulumi:staging::aks-rwx-training::aks-rwx-training:backup:ShareBackup"
        "$azure-native:recoveryservices:Vault::share-backup-vault: resource provider "
        "Microsoft.RecoveryServices is not registered by the bootstrap"
    ) in out, out


def test_a_resource_in_a_new_namespace_fails_until_the_bootstrap_registers_it(repo, capsys):
    (repo / PROGRAM).write_text(
        (repo / PROGRAM).read_text() + "\nfrom pulumi_azure_native import managedidentity\n"
        "managedidentity.UserAssignedIdentity('workload', resource_name_='id-training',\n"
        "    resource_group_name=pulumi.Config().require('resourceGroupName'))\n"
    )
    code = main(["permissions", "-C", str(repo), "-s", "dev"])
    out = capsys.readouterr().out
    assert code == ExitCode.FAILED
    assert (
        "dev: urn:pulumi:dev::aks-rwx-training::azure-native:managedidentity:"
        "UserAssignedIdentity::workload: resource provider Microsoft.ManagedIdentity is not "
        "registered by the bootstrap"
    ) in out, out


def test_the_encryption_at_host_feature_must_be_registered(repo, capsys) -> None:
    namespaces = _registrations(repo)
    namespaces["Microsoft.Compute"] = []
    _write(repo, namespaces)
    code = main(["permissions", "-C", str(repo), "-s", "dev"])
    out = capsys.readouterr().out
    assert code == ExitCode.FAILED
    assert [line for line in out.splitlines() if "feature" in line] == [
        "dev: urn:pulumi:dev::aks-rwx-training::aks-rwx-training:cluster:TrainingCluster"
        "$azure-native:containerservice:ManagedCluster::training-cluster: feature "
        "Microsoft.Compute/EncryptionAtHost is not registered by the bootstrap "
        "(FEATURES in infra/readers/registrations.py)"
    ], out
