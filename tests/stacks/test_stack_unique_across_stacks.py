"""Two stacks never share the Azure resources one of them owns (issue 26.12): a new stack
that reuses another's resource group, account or cluster name, or whose name differs from
another's only in '.', '-' or '_', is refused in one line naming its file and key."""

from __future__ import annotations

from pathlib import Path

import pytest

from infra import commands as cli
from tests.reliability._support import (
    PROJECT,
    copy_project,
    evict_repo_program_modules,
    stack_file_config,
)

PROD = stack_file_config("prod")


@pytest.fixture
def project(tmp_path: Path) -> Path:
    return copy_project(tmp_path / "project")


def _add_stack(project: Path, name: str, **names: str) -> None:
    own = {
        "resourceGroupName": f"rg-{name}",
        "storageAccountName": "st" + "".join(c for c in name if c.isalnum()),
        "clusterName": f"aks-{name.replace('.', '-').replace('_', '-')}",
    } | names
    text = (project / "stacks" / "Pulumi.dev.yaml").read_text()
    dev = stack_file_config("dev")
    for key, value in own.items():
        text = text.replace(
            f"{PROJECT}:{key}: {dev[f'{PROJECT}:{key}']}", f"{PROJECT}:{key}: {value}"
        )
    (project / "stacks" / f"Pulumi.{name}.yaml").write_text(text)
    policy = project / "policies" / "config"
    (policy / f"{name}.json").write_text((policy / "dev.json").read_text())


def _preview(project: Path, stack: str, capsys: pytest.CaptureFixture[str]) -> tuple[int, str]:
    evict_repo_program_modules()
    code = cli.main(["preview", "-C", str(project), "-s", stack, "--no-policy"])
    return code, capsys.readouterr().err


def test_a_stack_of_its_own_previews(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    _add_stack(project, "extra")
    assert _preview(project, "extra", capsys) == (0, "")


@pytest.mark.parametrize("key", ["resourceGroupName", "storageAccountName", "clusterName"])
def test_another_stacks_name_is_refused(
    project: Path, capsys: pytest.CaptureFixture[str], key: str
) -> None:
    prods = PROD[f"{PROJECT}:{key}"]
    _add_stack(project, "extra", **{key: prods.upper() if key == "resourceGroupName" else prods})
    code, err = _preview(project, "extra", capsys)
    shown = prods.upper() if key == "resourceGroupName" else prods  # Azure ignores case
    assert (code, err) == (
        2,
        f"infra: error: stacks/Pulumi.extra.yaml: config key '{PROJECT}:{key}' is '{shown}', "
        "which stack 'prod' (Pulumi.prod.yaml) uses too; each stack owns its own\n",
    )


@pytest.mark.parametrize("first", ["extra.eu", "EXTRA-EU", "extra_eu"])
def test_stack_names_alike_but_for_case_or_punctuation_are_refused(
    project: Path, capsys: pytest.CaptureFixture[str], first: str
) -> None:
    _add_stack(project, first)
    _add_stack(
        project, "extra-eu", resourceGroupName="rg-extra-eu-2", storageAccountName="stextraeu2"
    )
    code, err = _preview(project, "extra-eu", capsys)
    assert (code, err) == (
        2,
        "infra: error: stacks/Pulumi.extra-eu.yaml: stack 'extra-eu' differs from stack "
        f"'{first}' only in case or in '.', '-' and '_', which bootstrap's names and GitHub's "
        "environments do not tell apart; rename one of them\n",
    )
