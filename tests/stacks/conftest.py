"""Fixtures for the stack tests; the helpers live in ``stack_harness.py``.

``stack_harness.build_config`` builds the ``<project>:<key> -> string`` config a stack gets from
the Pulumi CLI (Pulumi.yaml defaults + stacks/Pulumi.<stack>.yaml) and ``run_stack`` runs
``stacks/__main__.py`` with it under mocks (``set_all_config`` + ``set_mocks`` in a fresh
context).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from stack_harness import STACKS, build_config, run_stack, unchanged_run


@pytest.fixture
def stack_runner() -> Callable[..., Any]:
    return run_stack


@pytest.fixture
def stack_config() -> Callable[..., dict[str, str]]:
    return build_config


@pytest.fixture(scope="module")
def deployed() -> dict[str, Any]:
    """Each stack as it is: run once per process, a copy per test module."""
    results = {}
    for stack in STACKS:
        result = unchanged_run(stack)
        result.raise_error()
        results[stack] = result
    return results
