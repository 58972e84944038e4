"""The locked groups: each is a subset of requirements.lock with the same pins and hashes,
so deploy runners and the policy pack install only what they run, at the tested versions."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import pytest

from tests.conftest import REPO_ROOT

FULL = REPO_ROOT / "requirements.lock"
RUNTIME = REPO_ROOT / "requirements" / "runtime.lock"
PACK = REPO_ROOT / "policies" / "requirements.lock"
BOOTSTRAP = REPO_ROOT / "requirements" / "bootstrap.lock"
PIN = re.compile(r"^([A-Za-z0-9._-]+)==(\S+)")


def pins(lock: Path) -> dict[str, tuple[str, frozenset[str]]]:
    """name -> (version, hashes) of a `uv pip compile --generate-hashes` file."""
    found: dict[str, tuple[str, frozenset[str]]] = {}
    name = None
    for line in lock.read_text(encoding="utf-8").splitlines():
        if match := PIN.match(line):
            name = match[1].lower()
            found[name] = (match[2], frozenset())
        elif name and (hashed := re.search(r"--hash=(\S+)", line)):
            version, hashes = found[name]
            found[name] = (version, hashes | {hashed[1]})
    return found


def _name(requirement: str) -> str:
    return re.split(r"[<>=!~\[; ]", requirement, maxsplit=1)[0].lower().replace("_", "-")


PROJECT = tomllib.loads((REPO_ROOT / "pyproject.toml").read_text())["project"]


@pytest.mark.parametrize("group", [RUNTIME, PACK, BOOTSTRAP], ids=lambda p: p.name)
def test_each_group_pins_exactly_what_the_full_lock_pins(group: Path) -> None:
    full, subset = pins(FULL), pins(group)
    assert subset
    for name, pinned in subset.items():
        assert all(pinned[1]), name
        assert full.get(name) == pinned, f"{group.name}: {name} differs from requirements.lock"


def test_the_runtime_group_holds_the_program_and_no_dev_tool() -> None:
    runtime = pins(RUNTIME)
    assert {_name(r) for r in PROJECT["dependencies"]} <= set(runtime)
    dev_only = {_name(r) for r in PROJECT["optional-dependencies"]["dev"]} - set(pins(PACK))
    assert dev_only
    assert not dev_only & set(runtime)


def test_the_pack_group_holds_pulumi_policy_and_not_the_program() -> None:
    pack = pins(PACK)
    assert "pulumi-policy" in pack
    assert not {"pulumi-azure-native", "pulumi-kubernetes", "pydantic", "pytest"} & set(pack)


def test_the_bootstrap_lock_is_uv_alone() -> None:
    assert set(pins(BOOTSTRAP)) == {"uv"}
