"""Run ``stacks/__main__.py`` under Pulumi mocks with a stack's real configuration.

The configuration is what the Pulumi CLI would hand the program: the ``default`` of every key
in ``Pulumi.yaml``'s ``config:`` block, overlaid with ``stacks/Pulumi.<stack>.yaml``; every
value is a string (structured values as JSON text), keyed ``<project>:<key>``.
"""

from __future__ import annotations

import copy
import functools
import importlib.util
import json
import runpy
import sys
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

import pulumi
import yaml

from infra.engine.project import load_project, load_stack_config

ROOT = Path(__file__).resolve().parents[2]
STACKS_DIR = ROOT / "stacks"
PROJECT = "aks-rwx-training"

# `stacks.config` is imported by the tests (the program itself adds the root on its own).
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

# The environments, from pyproject.toml; the stack tests import them from here.
from tests.conftest import STACKS as STACKS  # noqa: E402


def _harness() -> Any:
    """The shared mock harness (tests/components/component_harness.py), loaded once."""
    name = "component_harness"
    if name not in sys.modules:
        spec = importlib.util.spec_from_file_location(
            name, ROOT / "tests" / "components" / "component_harness.py"
        )
        assert spec is not None and spec.loader is not None
        module = importlib.util.module_from_spec(spec)
        sys.modules[name] = module
        spec.loader.exec_module(module)
    return sys.modules[name]


harness = _harness()


class Raw(str):
    """An override passed to the program verbatim (not JSON-encoded)."""


def encode(value: Any) -> str:
    """A config value as Pulumi passes it to the program."""
    if isinstance(value, str):
        return str(value)
    return json.dumps(value)


def project_file() -> dict[str, Any]:
    return yaml.safe_load((ROOT / "Pulumi.yaml").read_text())


def stack_file(stack: str) -> dict[str, Any]:
    return yaml.safe_load((STACKS_DIR / f"Pulumi.{stack}.yaml").read_text()) or {}


def build_config(
    stack: str,
    overrides: Mapping[str, Any] | None = None,
    remove: Iterable[str] = (),
) -> dict[str, str]:
    """``<project>:<key> -> string`` for ``stack`` (defaults + stack file, read as ``infra``
    and bootstrap read them, + overrides)."""
    config = dict(load_stack_config(load_project(ROOT), stack).values)
    for key, value in (overrides or {}).items():
        full = key if ":" in key else f"{PROJECT}:{key}"
        config[full] = str(value) if isinstance(value, Raw) else encode(value)
    for key in remove:
        config.pop(key if ":" in key else f"{PROJECT}:{key}", None)
    return config


def run_stack(
    stack: str,
    overrides: Mapping[str, Any] | None = None,
    remove: Iterable[str] = (),
    *,
    preview: bool = False,
) -> Any:
    """Run the stack program; returns the harness ``RunResult`` (errors are captured)."""
    config = build_config(stack, overrides, remove)
    program = str(STACKS_DIR / "__main__.py")
    return harness.run_pulumi(
        lambda: runpy.run_path(program, run_name="__main__"),
        project=PROJECT,
        stack=stack,
        config=config,
        preview=preview,
    )


@functools.cache
def _ran_once(stack: str) -> Any:
    return run_stack(stack)


def unchanged_run(stack: str) -> Any:
    """``run_stack(stack)``: the repository's stack as it is, run once per process (~3 s).

    Each call returns its own copy of what a test can change: the registrations, the
    provider calls, what Azure stores and the exports mapping (``resolve`` copies the values
    the Outputs resolve to), so a test that changes its result cannot change the next one's.
    """
    result = copy.copy(_ran_once(stack))
    result.registrations = copy.deepcopy(result.registrations)
    result.calls = copy.deepcopy(result.calls)
    result.exports = dict(result.exports)
    result.stored = copy.deepcopy(result.stored)
    return result


def config_error(
    stack: str, overrides: Mapping[str, Any] | None = None, remove: Iterable[str] = ()
) -> str:
    """The error a bad config stops the stack with: one line, and nothing registered."""
    result = run_stack(stack, overrides, remove)
    assert isinstance(result.error, pulumi.RunError), result.error
    assert result.registrations == []
    message = str(result.error)
    assert "\n" not in message
    return message
