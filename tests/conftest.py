"""Shared fixtures: the repository root and a runner for the `infra` command."""

from __future__ import annotations

import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parent.parent
FIXTURES = REPO_ROOT / "tests" / "fixtures"


@dataclass
class Completed:
    returncode: int
    stdout: str
    stderr: str


def run_infra(*args: str, cwd: Path = REPO_ROOT, timeout: float = 300) -> Completed:
    """Run the installed `infra` console script as a user would."""
    result = subprocess.run(
        [str(Path(sys.executable).parent / "infra"), *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
    return Completed(result.returncode, result.stdout, result.stderr)


@pytest.fixture
def infra():
    return run_infra
