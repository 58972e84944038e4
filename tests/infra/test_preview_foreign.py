"""`infra preview` on a small project that is not this repository's."""

from __future__ import annotations

import argparse
import json
import re
import shutil
from pathlib import Path

import pytest

from infra.engine.fakes import FAKE_SECRETS
from tests.conftest import FIXTURES

MINIMAL = FIXTURES / "projects" / "minimal"
OTHER_STACK = "config:\n  minimal:accountName: stother\n  minimal:apiToken:\n    secure: v1:xyz\n"


@pytest.fixture
def project(tmp_path: Path) -> Path:
    target = tmp_path / "minimal"
    shutil.copytree(MINIMAL, target)
    return target


def test_text_shows_resources_outputs_and_summary(infra, project):
    result = infra("preview", "--cwd", str(project))
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0] == "Stack minimal/test"
    assert any(
        re.search(r"─ azure-native:storage:StorageAccount +account +create .*\[protect\]", line)
        for line in lines
    )
    assert any("shareQuota=100" in line for line in lines), (
        "Pulumi.yaml default reaches the program"
    )
    # Output keys are padded to line up, as `pulumi preview` prints them.
    assert any(re.fullmatch(r"    primaryKey *: \[secret\]", line) for line in lines)
    assert any(re.fullmatch(r"    token *: \[secret\]", line) for line in lines)
    assert lines[-2].endswith(
        "3 resources to create (1 protected); 0 mandatory, 0 advisory policy violations"
    )


def test_json_document_shape(infra, project):
    result = infra("preview", "-C", str(project), "--json")
    assert result.returncode == 0, result.stderr
    doc = json.loads(result.stdout)
    (stack,) = doc["stacks"]
    assert (stack["project"], stack["stack"], stack["violations"]) == ("minimal", "test", [])
    by_name = {r["name"]: r for r in stack["resources"]}
    account = by_name["account"]
    assert (
        account["urn"] == "urn:pulumi:test::minimal::azure-native:storage:StorageAccount::account"
    )
    assert account["inputs"]["accountName"] == "stminimaltest"
    assert account["inputs"]["sku"] == {"name": "Standard_LRS"}
    assert (account["protect"], account["retainOnDelete"], account["deleteBeforeReplace"]) == (
        True,
        False,
        False,
    )
    assert set(account) == {
        "urn",
        "type",
        "name",
        "parent",
        "provider",
        "inputs",
        "protect",
        "retainOnDelete",
        "deleteBeforeReplace",
    }
    assert stack["outputs"] == {
        "accountName": "stminimaltest",
        "primaryKey": "[secret]",
        "token": "[secret]",
    }


def test_no_fake_secret_in_any_format(infra, project):
    for fmt in ((), ("--json",), ("--markdown",)):
        result = infra("preview", "-C", str(project), *fmt)
        assert result.returncode == 0, result.stderr
        for secret in FAKE_SECRETS:
            assert secret not in result.stdout + result.stderr


def test_stack_files_beside_pulumi_yaml_without_stack_config_dir(infra, project):
    (project / "Pulumi.other.yaml").write_text(OTHER_STACK)
    result = infra("preview", "-C", str(project), "--json")
    assert [s["stack"] for s in json.loads(result.stdout)["stacks"]] == ["other", "test"]


def test_selected_stack_only(infra, project):
    (project / "Pulumi.other.yaml").write_text(OTHER_STACK)
    result = infra("preview", "-C", str(project), "-s", "other", "--json")
    assert [s["stack"] for s in json.loads(result.stdout)["stacks"]] == ["other"]


@pytest.mark.parametrize(
    ("stack_file", "args", "message"),
    [
        (
            None,
            ("-s", "missing"),
            "Pulumi.missing.yaml: no such stack 'missing' (stacks here: test)",
        ),
        ("config: [1, 2\n", (), "Pulumi.test.yaml: line 2 is not valid YAML"),
        ("- a\n- b\n", (), "Pulumi.test.yaml: must be a mapping with a 'config' key"),
        ("config: 3\n", (), "Pulumi.test.yaml: 'config' must be a mapping of key to value"),
    ],
)
def test_bad_stack_files_give_one_line_and_exit_2(infra, project, stack_file, args, message):
    if stack_file is not None:
        (project / "Pulumi.test.yaml").write_text(stack_file)
    result = infra("preview", "-C", str(project), *args)
    assert result.returncode == 2
    assert result.stdout == ""
    assert len(result.stderr.strip().splitlines()) == 1
    assert message in result.stderr
    assert "Traceback" not in result.stderr


def test_not_a_project(infra, tmp_path):
    result = infra("preview", "-C", str(tmp_path))
    assert result.returncode == 2
    expected = f"{tmp_path}: no Pulumi.yaml here; pass --cwd with a Pulumi project directory"
    assert result.stderr.strip() == f"infra: error: {expected}"


def test_program_exception_shows_its_traceback_and_exits_2(infra, project):
    (project / "__main__.py").write_text("raise ValueError('boom from the program')\n")
    result = infra("preview", "-C", str(project))
    assert result.returncode == 2
    assert "__main__.py: the program raised" in result.stderr
    assert "ValueError: boom from the program" in result.stderr


def test_run_error_is_one_line(infra, project):
    (project / "__main__.py").write_text(
        "import pulumi\nraise pulumi.RunError('Pulumi.test.yaml: config key x is wrong')\n"
    )
    result = infra("preview", "-C", str(project))
    assert result.returncode == 2
    assert result.stderr == "infra: error: Pulumi.test.yaml: config key x is wrong\n"


def test_unknown_flag_is_a_usage_error(infra, project):
    result = infra("preview", "--bogus")
    assert result.returncode == 2
    assert "unrecognized arguments: --bogus" in result.stderr


@pytest.mark.parametrize(
    ("flags", "message"),
    [
        (
            ["--no-policy", "--policy-pack", "policies"],
            "infra: error: --no-policy skips the packs that --policy-pack/-config name; drop one\n",
        ),
        (
            ["--violations-only", "--json"],
            "infra: error: --violations-only shapes the text output; drop it or --format json\n",
        ),
    ],
)
def test_a_flag_that_cannot_apply_is_refused(infra, flags, message):
    result = infra("preview", *flags)
    assert result.returncode == 2
    assert result.stderr == message
    assert result.stdout == ""


def test_no_command_prints_the_help(infra):
    result = infra()
    assert result.returncode == 0
    assert result.stdout.startswith("usage: infra [-h] [-V]")
    from infra.commands import build_parser

    (commands,) = [a for a in build_parser()._actions if isinstance(a, argparse._SubParsersAction)]
    assert "{" + ",".join(commands.choices) + "}" in result.stdout
    assert result.stderr == ""


def test_version_names_the_tool_and_the_pulumi_libraries(infra):
    from importlib.metadata import version

    result = infra("--version")
    assert result.returncode == 0
    assert result.stdout.startswith(
        f"infra {version('aks-rwx-training')} (pulumi {version('pulumi')}, "
        f"pulumi-policy {version('pulumi-policy')}, Python 3."
    )
