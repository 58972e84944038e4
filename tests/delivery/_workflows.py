"""Shared helpers for the delivery tests: where things are and how to read workflows."""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import yaml

from infra.repo.rules import load_rules
from tests.conftest import REPO_ROOT, STACKS

WORKFLOWS_DIR = REPO_ROOT / ".github" / "workflows"
WORKFLOW_FILES = sorted(WORKFLOWS_DIR.glob("*.yml"))
SCRIPTS = REPO_ROOT / "scripts"
PRE_COMMIT_CONFIG = REPO_ROOT / ".pre-commit-config.yaml"
VENV_BIN = Path(sys.executable).parent
# The repository's delivery rules, declared once in [tool.infra].
DEPLOY_ORDER = STACKS
SMOKE_STACKS = frozenset(load_rules(REPO_ROOT).smoke_after_deploy)


def tool(name: str) -> str:
    """A tool pinned in requirements.lock, from the virtual environment running the tests."""
    path = VENV_BIN / name
    assert path.exists(), f"{name} is not installed in {VENV_BIN} (make venv-dev)"
    return str(path)


def load(path: Path) -> dict[str, Any]:
    doc = yaml.safe_load(path.read_text(encoding="utf-8"))
    assert isinstance(doc, dict), path
    # YAML 1.1 reads the bare key `on` as the boolean True.
    if True in doc:
        doc["on"] = doc.pop(True)
    return doc


def workflow(name: str) -> dict[str, Any]:
    return load(WORKFLOWS_DIR / name)


def all_workflows() -> dict[str, dict[str, Any]]:
    return {p.name: load(p) for p in WORKFLOW_FILES}


def steps(doc: dict[str, Any]) -> Iterator[tuple[str, dict[str, Any]]]:
    for job_id, job in doc["jobs"].items():
        for step in job.get("steps", []):
            yield job_id, step


def uses(step: dict[str, Any]) -> str:
    return str(step.get("uses", ""))


def action(step: dict[str, Any]) -> str:
    """`owner/repo` of a `uses:` (without the ref), '' for run steps."""
    return uses(step).split("@", 1)[0]


def triggers(doc: dict[str, Any]) -> set[str]:
    on = doc["on"]
    if isinstance(on, str):
        return {on}
    if isinstance(on, list):
        return set(on)
    return set(on)


def env_with(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("GITHUB_")}
    env.update(extra)
    return env
