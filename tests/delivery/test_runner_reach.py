"""scripts/ci-runner-reach.sh: a private stack on a GitHub-hosted runner fails fast, in one
line, before any Azure step; the stack's clusters come from the real `infra preview`."""

from __future__ import annotations

import stat
import subprocess
import sys
from pathlib import Path

import pytest

from tests.delivery._workflows import REPO_ROOT, SCRIPTS, action, all_workflows, env_with

SCRIPT = SCRIPTS / "ci-runner-reach.sh"


@pytest.fixture(scope="module")
def infra(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """This checkout's `infra`, as `make venv` installs it."""
    path = tmp_path_factory.mktemp("bin") / "infra"
    path.write_text(f'#!/usr/bin/env bash\nexec "{sys.executable}" -m infra "$@"\n')
    path.chmod(path.stat().st_mode | stat.S_IXUSR)
    return path


def reach(infra: Path, stack: str, runner: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(SCRIPT), stack],
        cwd=REPO_ROOT,
        env=env_with(
            INFRA=str(infra), PYTHON=sys.executable, INFRA_RUNNER=runner, PYTHONPATH=str(REPO_ROOT)
        ),
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


def test_a_private_stack_on_a_github_hosted_runner_fails_in_one_line(infra: Path) -> None:
    done = reach(infra, "prod", "")
    assert done.returncode == 1
    assert done.stdout == (
        "::error::ci-runner-reach: prod has a private API server (aks-rwx-training-prod) that "
        "GitHub-hosted runners cannot reach; set the repository variable INFRA_RUNNER to a "
        "self-hosted runner with a network path to it (docs/delivery.md, Runner networking)\n"
    )


def test_a_private_stack_runs_on_the_infra_runner(infra: Path) -> None:
    done = reach(infra, "staging", "vnet-runners")
    assert done.returncode == 0, done.stderr
    assert done.stdout == ""


def test_a_public_stack_may_run_anywhere(infra: Path) -> None:
    done = reach(infra, "dev", "")
    assert done.returncode == 0, done.stderr
    assert "dev has no private API server" in done.stderr


def test_a_config_error_stops_the_job_with_infra_s_own_line(infra: Path) -> None:
    done = reach(infra, "nosuchstack", "")
    assert done.returncode != 0
    assert "nosuchstack" in done.stderr


def test_every_cloud_job_checks_the_runner_before_logging_in() -> None:
    """Each job that runs Pulumi against a stack checks reachability first, with the
    repository variable the job's runs-on reads."""
    checked = 0
    for name, doc in all_workflows().items():
        for job_id, job in doc["jobs"].items():
            job_steps = job.get("steps", [])
            actions = [action(step) for step in job_steps]
            if "pulumi/actions" not in actions:
                continue
            runs = [
                i for i, step in enumerate(job_steps) if "ci-runner-reach.sh" in step.get("run", "")
            ]
            assert len(runs) == 1, (name, job_id)
            step = job_steps[runs[0]]
            assert step["run"] == 'scripts/ci-runner-reach.sh "$STACK"', (name, job_id)
            assert step["env"]["INFRA_RUNNER"] == "${{ vars.INFRA_RUNNER }}", (name, job_id)
            assert runs[0] < actions.index("azure/login"), (name, job_id)
            checked += 1
    assert checked >= 3
