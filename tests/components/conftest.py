"""Fixtures shared by the component tests."""

from __future__ import annotations

import importlib.util
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[2]


def _stack_harness() -> Any:
    """tests/stacks/stack_harness.py (not on sys.path when only this folder is collected)."""
    name = "stack_harness"
    if name not in sys.modules:
        spec = importlib.util.spec_from_file_location(
            name, ROOT / "tests" / "stacks" / "stack_harness.py"
        )
        assert spec is not None and spec.loader is not None
        module = importlib.util.module_from_spec(spec)
        sys.modules[name] = module
        spec.loader.exec_module(module)
    return sys.modules[name]


@pytest.fixture(scope="module")
def run_stack() -> Callable[..., Any]:
    """Runs the repository's stack program under the mocks: `run_stack(stack, overrides)`."""
    return _stack_harness().run_stack  # type: ignore[no-any-return]


@pytest.fixture(scope="module")
def unchanged_run() -> Callable[..., Any]:
    """The repository's stack as it is, run once per process: `unchanged_run(stack)` (a copy)."""
    return _stack_harness().unchanged_run  # type: ignore[no-any-return]
