"""Pulumi.yaml documents every config key as the typed config declares it (generated from it),
and the stack files hold only what differs from the defaults."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import pytest
from stack_harness import PROJECT, ROOT, STACKS, project_file, stack_file

from stacks.config import DECLARED_KEYS, KEY_KINDS

sys.path.insert(0, str(ROOT / "scripts"))
import gen_pulumi_config

REQUIRED = {"resourceGroupName", "storageAccountName", "clusterName", "nodeSubnetId"}
PYTHON_TYPES = {"string": str, "integer": int, "boolean": bool, "array": list}


def declarations() -> dict[str, dict[str, Any]]:
    return project_file()["config"]


def test_project_layout() -> None:
    project = project_file()
    assert project["name"] == PROJECT
    assert project["runtime"] == {
        "name": "python",
        "options": {"toolchain": "pip", "virtualenv": ".venv"},
    }
    assert project["main"] == "stacks/"
    assert project["stackConfigDir"] == "stacks"
    assert project["description"]
    assert (ROOT / "stacks" / "__main__.py").is_file()


def test_every_key_is_documented_and_nothing_else() -> None:
    assert set(declarations()) == set(KEY_KINDS) == set(DECLARED_KEYS)
    for key, declaration in declarations().items():
        assert isinstance(declaration, dict), key
        assert declaration.get("description"), key
        assert set(declaration) <= {"type", "items", "description", "default"}, key


@pytest.mark.parametrize("key", sorted(KEY_KINDS))
def test_declared_type_matches_how_the_program_reads_it(key: str) -> None:
    declaration = declarations()[key]
    kind = KEY_KINDS[key]
    if kind == "object" or key in {"volumes", "trainingJobs"}:  # objects / lists of objects
        assert "type" not in declaration
        return
    assert declaration["type"] == kind
    if kind == "array":
        assert declaration["items"] == {"type": "string"}
    if "default" in declaration:
        assert isinstance(declaration["default"], PYTHON_TYPES[kind])


def test_required_keys_have_no_default_and_the_rest_do() -> None:
    without_default = {k for k, d in declarations().items() if "default" not in d}
    assert without_default == REQUIRED
    required_in_model = {key for key, (_, info) in DECLARED_KEYS.items() if info.is_required()}
    assert required_in_model == REQUIRED


def test_the_config_block_is_generated_from_the_model() -> None:
    assert gen_pulumi_config.main(["--check"]) == 0


def test_a_stale_config_block_is_caught(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    stale = tmp_path / "Pulumi.yaml"
    text = gen_pulumi_config.TARGET.read_text()
    stale.write_text(text.replace("    default: westeurope\n", "    default: northeurope\n"))
    monkeypatch.setattr(gen_pulumi_config, "TARGET", stale)
    assert gen_pulumi_config.main(["--check"]) == 1
    assert "run python scripts/gen_pulumi_config.py" in capsys.readouterr().out
    assert gen_pulumi_config.main([]) == 0
    assert stale.read_text() == text


@pytest.mark.parametrize("stack", STACKS)
def test_stack_files_hold_only_differences(stack: str) -> None:
    document = stack_file(stack)
    assert set(document) == {"config"}
    defaults = {k: d.get("default") for k, d in declarations().items()}
    config = document["config"]
    for full_key, value in config.items():
        namespace, _, key = full_key.partition(":")
        assert namespace == PROJECT, full_key
        assert key in KEY_KINDS, full_key
        assert not (isinstance(value, dict) and "secure" in value), full_key
        if key in defaults and defaults[key] is not None:
            assert value != defaults[key], f"{full_key} repeats the Pulumi.yaml default"
    assert {f"{PROJECT}:{key}" for key in REQUIRED} <= set(config)


def test_prod_file_is_short() -> None:
    # Names, the GPU pool, the volumes, the teams, and the network ranges, which only the
    # operator can plan against their networks: the rest are the defaults.
    assert len(stack_file("prod")["config"]) <= 12
