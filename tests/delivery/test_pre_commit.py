"""The pre-commit hooks work as pre-commit runs them (`entry` + file names, from the
repository root), without needing pre-commit itself: each checker accepts good input and
rejects bad input."""

from __future__ import annotations

import re
import shlex
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.delivery._workflows import PRE_COMMIT_CONFIG, REPO_ROOT, WORKFLOW_FILES

HOOKS: dict[str, dict[str, Any]] = {
    hook["id"]: hook
    for repo in yaml.safe_load(PRE_COMMIT_CONFIG.read_text(encoding="utf-8"))["repos"]
    for hook in repo["hooks"]
}


def run_hook(hook_id: str, *files: Path) -> subprocess.CompletedProcess[str]:
    hook = HOOKS[hook_id]
    names = [str(f) for f in files]
    if "files" in hook:
        for name in names:
            rel = Path(name).resolve()
            rel_name = str(rel.relative_to(REPO_ROOT)) if rel.is_relative_to(REPO_ROOT) else name
            assert re.search(hook["files"], rel_name), (hook_id, rel_name)
    cmd = shlex.split(hook["entry"]) + ([] if hook.get("pass_filenames") is False else names)
    return subprocess.run(
        cmd, cwd=REPO_ROOT, capture_output=True, text=True, timeout=300, check=False
    )


def test_check_yaml(tmp_path: Path) -> None:
    multi = tmp_path / "multi.yaml"
    multi.write_text("a: 1\n---\nb: 2\n")
    assert run_hook("check-yaml", PRE_COMMIT_CONFIG, *WORKFLOW_FILES, multi).returncode == 0
    bad = tmp_path / "bad.yaml"
    bad.write_text("a: [1\n")
    assert run_hook("check-yaml", multi, bad).returncode != 0


def test_check_json(tmp_path: Path) -> None:
    good, bad = tmp_path / "good.json", tmp_path / "bad.json"
    good.write_text('{"a": 1}')
    bad.write_text('{"a": 1,}')
    assert run_hook("check-json", good).returncode == 0
    assert run_hook("check-json", good, bad).returncode != 0


@pytest.mark.parametrize("hook_id", ["check-github-workflows", "actionlint"])
def test_workflow_hooks(hook_id: str) -> None:
    done = run_hook(hook_id, *WORKFLOW_FILES)
    assert done.returncode == 0, done.stdout + done.stderr


def test_dependabot_hook() -> None:
    done = run_hook("check-dependabot", REPO_ROOT / ".github" / "dependabot.yml")
    assert done.returncode == 0, done.stdout + done.stderr


def test_zizmor_hook() -> None:
    done = run_hook("zizmor")
    assert done.returncode == 0, done.stdout + done.stderr


def test_ruff_hooks_on_the_delivery_code() -> None:
    mine = [
        REPO_ROOT / "infra" / "repo" / "affected.py",
        *sorted((REPO_ROOT / "scripts").glob("*.py")),
        *sorted((REPO_ROOT / "tests" / "delivery").glob("*.py")),
        REPO_ROOT / "tests" / "infra" / "test_affected.py",
    ]
    for hook_id in ("ruff-check", "ruff-format"):
        hook = dict(HOOKS[hook_id])
        cmd = shlex.split(hook["entry"])
        if hook_id == "ruff-format":
            cmd.append("--check")  # the hook formats in place; here only check
        done = subprocess.run(
            [*cmd, *map(str, mine)], cwd=REPO_ROOT, capture_output=True, text=True, check=False
        )
        assert done.returncode == 0, done.stdout + done.stderr


def test_policy_gate_hook_sees_deletions() -> None:
    hook = HOOKS["policy-gate"]
    assert hook["entry"] == "scripts/precommit-policy-gate.sh"
    assert hook["pass_filenames"] is False  # it reads `git diff --cached` (deletions too)
    assert hook["always_run"] is True
