"""The layering contracts in pyproject.toml's [tool.importlinter] hold, and they can fail.

`make lint` runs them; this runs the same command, so `make test` (CI's .ci/run) checks
them too, and shows on a copy that each kind of leak the contracts name is caught.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import REPO_ROOT

LINT_IMPORTS = Path(sys.executable).parent / "lint-imports"
PACKAGES = ("components", "stacks", "policies", "infra", "bootstrap/delivery")


def lint_imports(root: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(LINT_IMPORTS), "--no-cache", "--no-logo"],
        cwd=root,
        env={**os.environ, "PYTHONPATH": str(root / "bootstrap")},
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


def test_the_repository_keeps_every_contract() -> None:
    done = lint_imports(REPO_ROOT)
    assert done.returncode == 0, done.stdout + done.stderr
    assert " 0 broken" in done.stdout


@pytest.mark.parametrize(
    ("module", "leak", "contract"),
    [
        # a renderer reaching for this repository's rules
        (
            "infra/render/diff.py",
            "from infra.repo.rules import load_rules",
            "The engine, and what reads its plans, know nothing of this repository",
        ),
        # the program reaching into the policy pack's private helpers
        (
            "stacks/policy_config.py",
            "from policies.rules._images import image_problem",
            "A module named _x is private to its package",
        ),
        # a component knowing which environment it is in
        (
            "components/storage.py",
            "import stacks.config",
            "The tool reads the programs; a program never imports the tool's glue",
        ),
        # the bootstrap program calling the preview pipeline
        (
            "bootstrap/delivery/environments.py",
            "import infra.pipeline",
            "The tool reads the programs; a program never imports the tool's glue",
        ),
        # the pack needing the tool, which is not published with it
        (
            "policies/aks_versions.py",
            "import infra.engine.values",
            "Components and the policy pack run without the infra tool",
        ),
        # the engine's model importing the compare layer that reads it
        (
            "infra/engine/model.py",
            "import infra.compare",
            "Data flows one way from the engine's plans",
        ),
    ],
)
def test_a_leak_breaks_its_contract(tmp_path: Path, module: str, leak: str, contract: str) -> None:
    for package in PACKAGES:
        shutil.copytree(
            REPO_ROOT / package,
            tmp_path / package,
            ignore=shutil.ignore_patterns("__pycache__"),
        )
    shutil.copy(REPO_ROOT / "pyproject.toml", tmp_path)
    target = tmp_path / module
    target.write_text(f"{leak}  # noqa\n{target.read_text()}")

    done = lint_imports(tmp_path)

    assert done.returncode == 1, done.stdout + done.stderr
    summary = " ".join(done.stdout.split())  # contract names wrap at 80 columns
    verdict = re.search(re.escape(contract) + r".*? (KEPT|BROKEN)\b", summary)
    assert verdict is not None and verdict.group(1) == "BROKEN", done.stdout
