"""Shared fixtures: the repository root, its environments and two runners for `infra`."""

from __future__ import annotations

import contextlib
import hashlib
import io
import subprocess
import sys
import tomllib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

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


@pytest.fixture
def repo_stacks_previewed_once(monkeypatch: pytest.MonkeyPatch) -> None:
    """The preview pipeline (infra/pipeline.py: `infra preview`, `cost`, `export`, ... and the
    generators, run in this process) takes each unchanged stack of this checkout from
    tests/reliability/_support.py real_plan, which runs the program once per process and
    hands out copies, instead of running it again (~3 s a stack). Another project, a stack
    whose config differs from its file, or a non-preview run, runs the program as before.

    For modules about what the commands print; the policy packs still run on every plan."""
    import infra.pipeline
    from infra.engine.model import StackPlan
    from infra.engine.project import Project, StackConfig, load_project, load_stack_config
    from tests.reliability._support import real_plan

    run = infra.pipeline.run_stack
    repo = load_project(REPO_ROOT)

    def run_stack(
        project: Project, stack: str, config: StackConfig, *, preview: bool = True
    ) -> StackPlan:
        if (
            preview
            and project.root.resolve() == REPO_ROOT
            and project.main.resolve() == repo.main.resolve()
            and stack in STACKS
            and config == load_stack_config(repo, stack)
        ):
            return real_plan(stack)
        return run(project, stack, config, preview=preview)

    monkeypatch.setattr(infra.pipeline, "run_stack", run_stack)


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
