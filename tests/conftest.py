"""Shared fixtures: the repository root, its environments and two runners for `infra`."""

from __future__ import annotations

import contextlib
import copy
import hashlib
import io
import subprocess
import sys
import tomllib
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

REPO_ROOT = Path(__file__).resolve().parent.parent
FIXTURES = REPO_ROOT / "tests" / "fixtures"


def _deploy_order() -> tuple[str, ...]:
    with (REPO_ROOT / "pyproject.toml").open("rb") as handle:
        return tuple(tomllib.load(handle)["tool"]["infra"]["deploy-order"])


# The repository's environments, in deploy order: declared once, in [tool.infra] of
# pyproject.toml. A test about every environment takes them from here, so an environment a
# user adds is tested like the others, with no test to edit.
STACKS = _deploy_order()


@dataclass
class Completed:
    returncode: int
    stdout: str
    stderr: str


def git_as_ci(repo: Path, *args: str) -> None:
    """Run `git ARGS` in `repo` as a fixed committer, so a test's commits need no git config."""
    subprocess.run(
        ["git", "-c", "user.email=ci@example.com", "-c", "user.name=ci", *args],
        cwd=repo,
        check=True,
        capture_output=True,
    )


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


def run_infra_here(*args: str, cwd: Path = REPO_ROOT) -> Completed:
    """Run `infra` through the console script's own entry point, in this process.

    The same parser, commands, output and exit codes as `run_infra`, without the ~3 s a
    new process spends importing the Pulumi SDKs for every call. What only a process
    shows (signals, a terminal, a closed pipe, a hang) is tested through `run_infra`."""
    from infra.commands import main

    stdout, stderr = io.StringIO(), io.StringIO()
    with (
        restored_modules(),
        contextlib.chdir(cwd),
        contextlib.redirect_stdout(stdout),
        contextlib.redirect_stderr(stderr),
    ):
        try:
            code = main(list(args))
        except SystemExit as e:  # --help, --version and usage errors exit from argparse
            code = e.code if isinstance(e.code, int) else int(e.code is not None)
    return Completed(code, stdout.getvalue(), stderr.getvalue())


@contextlib.contextmanager
def restored_modules() -> Iterator[None]:
    """Around an in-process preview of another project (or revision): it evicts this
    checkout's `components`, `stacks` and `policies` and imports its own, and the tests
    that follow must find the modules they imported. The SDKs' modules stay cached."""
    modules = dict(sys.modules)
    try:
        yield
    finally:
        installed = (sys.prefix, sys.base_prefix)
        for name in set(sys.modules) - modules.keys():
            origin = getattr(sys.modules[name], "__file__", None) or ""
            if not origin.startswith(installed):
                del sys.modules[name]
        sys.modules.update(modules)


@pytest.fixture
def infra():
    return run_infra_here


# Plans of this checkout's stacks as the preview pipeline's child process returned them, by
# stack; filled by repo_stacks_previewed_once, one xdist worker (process) each.
_CHILD_PLANS: dict[str, Any] = {}


@pytest.fixture
def repo_stacks_previewed_once(monkeypatch: pytest.MonkeyPatch) -> None:
    """The preview pipeline (infra/pipeline.py, behind `infra preview`, `cost`, `export`,
    `permissions` and the generators, run in this process) previews each stack of this
    checkout in its child process once per test process, and hands each caller a deep copy
    of that plan (~3 s of a child and its program saved a call). Another project (a copy,
    another revision) runs its own child as before; the policy packs judge every plan.

    For modules about what the commands print. The checkout does not change during a run
    (pytest_sessionfinish checks it), so the same stack file gives the same plan."""
    import infra.pipeline
    from infra.engine.model import UNKNOWN, StackPlan
    from infra.engine.project import Project

    run_apart = infra.pipeline.run_stacks_apart

    def run_stacks_apart(project: Project, stacks: Sequence[str]) -> list[StackPlan]:
        if project.root.resolve() != REPO_ROOT:
            return run_apart(project, stacks)
        missing = [stack for stack in dict.fromkeys(stacks) if stack not in _CHILD_PLANS]
        if missing:
            _CHILD_PLANS.update(zip(missing, run_apart(project, missing), strict=True))
        return [copy.deepcopy(_CHILD_PLANS[stack], {id(UNKNOWN): UNKNOWN}) for stack in stacks]

    monkeypatch.setattr(infra.pipeline, "run_stacks_apart", run_stacks_apart)


# The checkout's state when the run started (tests never change the checkout).
_CHECKOUT = pytest.StashKey[str | None]()


def _checkout_state() -> str | None:
    """What `git status` and `git diff` say of the checkout (None outside a git checkout)."""
    try:
        status = subprocess.run(
            ["git", "status", "--porcelain", "-z"],
            cwd=REPO_ROOT,
            capture_output=True,
            timeout=60,
            check=True,
        ).stdout
        diff = subprocess.run(
            ["git", "diff", "HEAD", "--no-ext-diff", "--binary"],
            cwd=REPO_ROOT,
            capture_output=True,
            timeout=60,
            check=True,
        ).stdout
    except (OSError, subprocess.SubprocessError):
        return None
    return hashlib.sha256(status + b"\0" + diff).hexdigest()


def _changed_files() -> str:
    return subprocess.run(
        ["git", "status", "--short"], cwd=REPO_ROOT, capture_output=True, text=True, check=False
    ).stdout


def pytest_sessionstart(session: pytest.Session) -> None:
    if not hasattr(session.config, "workerinput"):  # the controller, not an xdist worker
        session.config.stash[_CHECKOUT] = _checkout_state()


def pytest_sessionfinish(session: pytest.Session) -> None:
    """Tests work on copies (tests/reliability/_support.py copy_project): a run that leaves
    the checkout's files changed, or new files in it, fails."""
    before = session.config.stash.get(_CHECKOUT, None)
    if before is None or _checkout_state() == before:
        return
    session.config.get_terminal_writer().line(
        "The tests changed files of the checkout (a test must change a copy; or were they "
        f"edited during the run?):\n{_changed_files()}",
        red=True,
    )
    session.exitstatus = pytest.ExitCode.TESTS_FAILED
