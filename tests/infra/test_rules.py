"""`infra.repo.rules`: the repository's delivery rules, read from [tool.infra] of pyproject.toml."""

from __future__ import annotations

import subprocess
import sys
import tomllib
from pathlib import Path, PurePosixPath

import pytest

from infra.errors import UsageError
from infra.repo.rules import RepoRules, load_rules
from tests.conftest import REPO_ROOT

DEFAULT_STACK_FILES = ("/stacks/Pulumi.{stack}.yaml",)


def _any_name(name: str) -> bool:
    return True


def test_this_repository_declares_its_rules():
    rules = load_rules(REPO_ROOT)
    table = tomllib.loads((REPO_ROOT / "pyproject.toml").read_text())["tool"]["infra"]
    assert rules.deploy_order == tuple(table["deploy-order"])
    assert rules.smoke_after_deploy == tuple(table["smoke-after-deploy"])
    assert rules.strict_diff == tuple(table["strict-diff"])
    first, last = rules.deploy_order[0], rules.deploy_order[-1]
    # Listed stacks in their order, then the others alphabetically.
    assert rules.sorted_stacks(["zeta", last, "alpha", first]) == [first, last, "alpha", "zeta"]


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        ("stacks/Pulumi.prod.yaml", {"prod"}),
        ("policies/config/staging.json", {"staging"}),
        ("policies/config/shared.json", None),
        ("docs/img/flow.png", set()),
        ("components/README.md", set()),
        ("stacks/old/Pulumi.dev.yaml", None),
        ("stacks/Pulumi.deleted.yaml", set()),
        ("tests/infra/x/docs/y.py", set()),
        ("x/docs/y.py", None),
    ],
)
def test_paths_map_to_stacks(path, expected):
    rules = load_rules(REPO_ROOT)
    stacks = ["dev", "staging", "prod"]
    assert rules.stacks_of(PurePosixPath(path), stacks, (), _any_name) == expected


def test_a_project_without_rules_gets_the_safe_defaults(tmp_path: Path):
    rules = load_rules(tmp_path)
    assert rules == RepoRules()
    stacks = ["b", "a"]
    assert rules.sorted_stacks(stacks) == ["a", "b"]

    def stacks_of(path: str) -> set[str] | None:
        return rules.stacks_of(PurePosixPath(path), stacks, DEFAULT_STACK_FILES, _any_name)

    assert stacks_of("stacks/Pulumi.a.yaml") == {"a"}
    assert stacks_of("README.md") is None


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("[tool.infra]\ndeploy-order = 'dev'\n", "[tool.infra] deploy-order must be a list"),
        ("[tool.infra]\ndeploy-order = ['']\n", "[tool.infra] deploy-order must be a list"),
        ("[tool.infra]\ndeploy_order = ['dev']\n", "[tool.infra] has unknown keys deploy_order"),
        ("[tool.infra.affects]\nsome-stacks = []\n", "[tool.infra.affects] may hold only"),
        ("[tool.infra\n", "not readable TOML"),
        ("x = " + "[" * 5000 + "]" * 5000 + "\n", "not readable TOML (nested too deeply)"),
    ],
)
def test_bad_rules_are_one_line_naming_the_file(tmp_path: Path, text: str, message: str):
    (tmp_path / "pyproject.toml").write_text(text)
    with pytest.raises(UsageError) as error:
        load_rules(tmp_path)
    assert str(error.value).startswith(f"{tmp_path / 'pyproject.toml'}: ")
    assert message in str(error.value)
    assert "\n" not in str(error.value)


def test_shell_scripts_ask_through_the_module():
    def rules(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "infra.repo.rules", *args],
            cwd=REPO_ROOT,
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )

    assert rules("strict-diff").stdout.strip() == '["staging", "prod"]'
    assert rules("strict-diff", "prod").returncode == 0
    assert rules("strict-diff", "dev").returncode == 1
    usage = rules("no-such-key")
    assert usage.returncode == 2 and usage.stderr.startswith("usage: python -m infra.repo.rules")
