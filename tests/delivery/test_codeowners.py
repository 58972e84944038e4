"""CODEOWNERS names an owner for every file of the PR gate (issue 26.4): with the default
branch's ruleset requiring a code owner's review (bootstrap/delivery/github.py), a pull
request cannot change what judges it without that review."""

from __future__ import annotations

import re
import subprocess

import pathspec
import pytest

from tests.delivery._workflows import REPO_ROOT, all_workflows

CODEOWNERS = REPO_ROOT / "CODEOWNERS"
OWNER = re.compile(r"@[A-Za-z0-9-]+(/[A-Za-z0-9._-]+)?|[^@\s]+@[^@\s]+")


def _owned() -> pathspec.GitIgnoreSpec:
    patterns = []
    for line in CODEOWNERS.read_text().splitlines():
        words = line.split("#", 1)[0].split()
        if words:
            pattern, *owners = words
            assert owners and all(OWNER.fullmatch(o) for o in owners), line
            patterns.append(pattern)
    return pathspec.GitIgnoreSpec.from_lines(patterns)


def _tracked(*pathspecs: str) -> list[str]:
    done = subprocess.run(
        ["git", "-C", str(REPO_ROOT), "ls-files", "--", *pathspecs],
        capture_output=True,
        text=True,
        check=True,
    )
    return done.stdout.split()


GATE_FILES = [
    "CODEOWNERS",
    "pyproject.toml",
    "Makefile",
    "requirements.lock",
    ".checkov-waivers.yaml",
    "Pulumi.yaml",
    "stacks/Pulumi.prod.yaml",
    "policies/config/prod.json",
    "infra/compare.py",
    "bootstrap/delivery/github.py",
    *(f".github/workflows/{name}" for name in all_workflows()),
]


@pytest.mark.parametrize("path", GATE_FILES)
def test_every_gate_file_has_a_code_owner(path: str) -> None:
    assert (REPO_ROOT / path).exists(), path
    assert _owned().match_file(path), f"CODEOWNERS does not cover {path}"


def test_every_script_and_policy_config_has_a_code_owner() -> None:
    files = _tracked("scripts", "infra", "policies", "bootstrap", ".github", "requirements")
    assert files
    unowned = [f for f in files if not _owned().match_file(f)]
    assert unowned == []


def test_an_ordinary_file_needs_no_code_owner() -> None:
    # The list is the gate, not everything: a training doc is reviewed as usual.
    assert not _owned().match_file("docs/training.md")
