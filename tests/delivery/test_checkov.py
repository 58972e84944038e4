"""Checkov reads `infra export`: the mapping is checked by the scanner itself, the waivers
apply, and a failed unwaived check fails a strict-scan stack (scripts/ci-checkov.sh)."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from infra.readers.arm import arm_template
from tests.conftest import REPO_ROOT

sys.path.insert(0, str(REPO_ROOT / "scripts"))
import checkov_waivers

from tests.reliability._support import PROJECT, real_plan, stack_file_config

# Checkov, in its own virtual environment: seconds per scan.
pytestmark = pytest.mark.slow

PROD_ACCOUNT = stack_file_config("prod")[f"{PROJECT}:storageAccountName"]

CHECKOV = REPO_ROOT / ".venv-scan" / "bin" / "checkov"


@pytest.fixture(scope="module")
def checkov() -> Path:
    assert CHECKOV.exists(), "Checkov is not installed: run `make scan-venv`"
    return CHECKOV


def _failed_checks_by_file(checkov: Path, *files: Path) -> dict[Path, dict[str, set[str]]]:
    """Each file -> check id -> the resources that failed it, from one scan of them all, with
    the frameworks and offline flag of scripts/ci-checkov.sh."""
    args = [str(checkov), "--compact", "--quiet", "--output", "json", "--skip-download"]
    args += ["--framework", "arm", "kubernetes"]
    for file in files:
        args += ["--file", str(file)]
    done = subprocess.run(args, capture_output=True, text=True, timeout=300, check=False)
    assert done.returncode in (0, 1), done.stderr
    reports = json.loads(done.stdout) if done.stdout.strip() else []
    failed: dict[Path, dict[str, set[str]]] = {file: {} for file in files}
    for report in reports if isinstance(reports, list) else [reports]:
        for check in report.get("results", {}).get("failed_checks", []):
            by_check = failed[Path(check["file_abs_path"])]
            by_check.setdefault(check["check_id"], set()).add(check["resource"])
    return failed


@pytest.fixture(scope="module")
def prod_plan():
    return real_plan("prod")


def _storage_inputs(plan) -> dict:
    (account,) = [r for r in plan.resources if r.type == "azure-native:storage:StorageAccount"]
    return account.inputs


# Each mutation of the program's azure-native inputs, and the Checkov check it must fail:
# the check reads the ARM name, so it fails only if the export renamed the input.
MUTATIONS = [
    ("enableHttpsTrafficOnly", False, "CKV_AZURE_3"),
    ("minimumTlsVersion", "TLS1_0", "CKV_AZURE_44"),
    ("networkRuleSet.defaultAction", "Allow", "CKV_AZURE_35"),
]


def _mutated_template(plan, path: str, value: object) -> dict:
    inputs = _storage_inputs(plan)
    *parents, key = path.split(".")
    target = inputs
    for parent in parents:
        target = target[parent]
    before = target[key]
    target[key] = value
    try:
        return arm_template(plan)
    finally:
        target[key] = before


WAIVED_STACKS = sorted({s for w in checkov_waivers.load() for s in w.stacks})


@pytest.fixture(scope="module")
def scans(checkov, prod_plan, tmp_path_factory) -> dict[str, dict[str, set[str]]]:
    """What Checkov fails, in one scan (Checkov takes seconds to start; it reports each file's
    checks apart): prod's template ("good") and each mutation's, by the mutated path; and
    each stack's export (template and manifests), by ``stack:NAME``."""
    from infra.readers.manifests import render_manifests

    folder = tmp_path_factory.mktemp("templates")
    exports = {"good": (arm_template(prod_plan), "")} | {
        path: (_mutated_template(prod_plan, path, value), "") for path, value, _ in MUTATIONS
    }
    for stack in sorted({*WAIVED_STACKS, "dev"}):
        plan = real_plan(stack)
        exports[f"stack:{stack}"] = (arm_template(plan), render_manifests(plan))
    files: dict[str, list[Path]] = {}
    for i, (name, (template, manifests)) in enumerate(exports.items()):
        files[name] = [folder / f"{i}.arm.json"]
        files[name][0].write_text(json.dumps(template))
        if manifests.strip():  # Checkov rejects an empty manifest file
            files[name].append(folder / f"{i}.k8s.yaml")
            files[name][1].write_text(manifests)
    failed = _failed_checks_by_file(checkov, *(f for group in files.values() for f in group))
    scanned: dict[str, dict[str, set[str]]] = {name: {} for name in files}
    for name, group in files.items():
        for file in group:
            for check, resources in failed[file].items():
                scanned[name].setdefault(check, set()).update(resources)
    return scanned


@pytest.mark.parametrize(("path", "value", "check"), MUTATIONS)
def test_a_known_bad_input_fails_its_checkov_check(scans, path, value, check):
    assert check not in scans["good"]
    assert scans[path].get(check) == {f"Microsoft.Storage/storageAccounts.{PROD_ACCOUNT}"}


@pytest.mark.parametrize("stack", WAIVED_STACKS)
def test_each_waiver_covers_a_check_that_fails_in_its_stacks(scans, stack):
    """A waiver whose check passes is stale: it would hide the check if it ever regressed."""
    waived = checkov_waivers.skipped(checkov_waivers.load(), stack)
    assert set(waived) - set(scans[f"stack:{stack}"]) == set()


def _project_copy(tmp_path: Path, strict: list[str], waived: list[str]) -> Path:
    """This repository, with its own strict-scan list and waivers file."""
    root = tmp_path / "repo"
    shutil.copytree(
        REPO_ROOT,
        root,
        ignore=shutil.ignore_patterns(".git", ".venv*", "tests", "docs", "*cache*", "*.lock"),
    )
    pyproject = root / "pyproject.toml"
    text = pyproject.read_text()
    start = text.index("strict-scan = ")
    end = text.index("\n", start)
    pyproject.write_text(f"{text[:start]}strict-scan = {json.dumps(strict)}{text[end:]}")
    entries = [{"check": c, "title": "t", "reason": "fixture", "stacks": ["dev"]} for c in waived]
    (root / ".checkov-waivers.yaml").write_text(json.dumps({"waivers": entries}))
    return root


def _ci_checkov(
    root: Path, out: Path, project: Path | None = None
) -> subprocess.CompletedProcess[str]:
    """The gate of ``root`` on the export of ``project`` (default: root itself)."""
    env = os.environ | {"PYTHON": sys.executable, "CHECKOV": str(CHECKOV)}
    env.pop("INFRA", None)
    return subprocess.run(
        [str(root / "scripts" / "ci-checkov.sh"), "dev", str(project or root), str(out)],
        cwd=root,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )


def test_the_gate_fails_a_strict_stack_on_an_unwaived_check_only(scans, tmp_path):
    # dev's Standard_LRS account always fails geo-replication (CKV_AZURE_206): the known-bad
    # part. Waive everything else dev fails, whatever the program's hardening is today.
    failed = set(scans["stack:dev"])
    assert "CKV_AZURE_206" in failed
    others = sorted(failed - {"CKV_AZURE_206"})

    root = _project_copy(tmp_path, strict=["dev"], waived=others)
    done = _ci_checkov(root, tmp_path / "strict")
    assert done.returncode == 1, done.stderr
    assert "CKV_AZURE_206" in done.stdout
    assert not any(check in done.stdout for check in others)
    # Only the verdict: no traceback from Checkov's platform download (there is no network).
    assert done.stderr.splitlines() == [
        "ci-checkov: dev: unwaived Checkov checks failed (strict-scan); fix them, or waive one "
        "that does not apply in .checkov-waivers.yaml"
    ]

    root = _project_copy(tmp_path / "waived", strict=["dev"], waived=sorted(failed))
    done = _ci_checkov(root, tmp_path / "waived-out")
    assert done.returncode == 0, done.stderr
    assert "ci-checkov: dev: no unwaived check failed" in done.stdout

    lenient = _project_copy(tmp_path / "lenient", strict=[], waived=others)
    done = _ci_checkov(lenient, tmp_path / "lenient-out")
    assert done.returncode == 0, done.stderr
    assert "a warning: dev is not in strict-scan" in done.stderr

    # A pull request that unlists its stack from strict-scan is judged by the base's gate,
    # not its own (issue 26.4).
    gate = _project_copy(tmp_path / "gate", strict=["dev"], waived=others)
    done = _ci_checkov(gate, tmp_path / "gated-out", project=lenient)
    assert done.returncode == 1, done.stderr
    assert "CKV_AZURE_206" in done.stdout


def test_readme_lists_the_waivers():
    assert checkov_waivers.main(["docs", "--check"]) == 0


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("waivers: {}", "waivers must be a list"),
        (
            "waivers: [{check: CKV_AZURE_6, title: t, stacks: [prod]}]",
            "waivers[0]: needs exactly check, title, reason and stacks",
        ),
        (
            "waivers: [{check: nope, title: t, reason: r, stacks: [prod]}]",
            "waivers[0]: check 'nope' is not a new Checkov check id",
        ),
        (
            "waivers: [{check: CKV_AZURE_6, title: t, reason: r, stacks: []}]",
            "waivers[0]: stacks must be a non-empty list of stack names",
        ),
        (
            "waivers: [{check: CKV_AZURE_6, title: t, reason: '', stacks: [prod]}]",
            "waivers[0]: reason must be a non-empty string",
        ),
    ],
)
def test_malformed_waivers_are_one_line_errors(tmp_path, text, message):
    path = tmp_path / ".checkov-waivers.yaml"
    path.write_text(text)
    with pytest.raises(checkov_waivers.WaiverError, match=message.replace("[", r"\[")):
        checkov_waivers.load(path)
