"""Shared fixtures: the repository root, its environments and two runners for `infra`."""

from __future__ import annotations

import contextlib
import gc
import hashlib
import io
import json
import os
import pickle
import shutil
import subprocess
import sys
import tomllib
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

from tests._modules import modules_kept
from tests._zygote import Zygote

if TYPE_CHECKING:
    from infra.engine.model import StackPlan
    from infra.engine.project import Project
    from infra.policy.host import PolicyPackSpec, PolicyResults

REPO_ROOT = Path(__file__).resolve().parent.parent
FIXTURES = REPO_ROOT / "tests" / "fixtures"

# A test process allocates in bursts (plans and their copies, Hypothesis examples) over a heap
# of tens of thousands of long-lived objects (the SDKs, the collected tests): at Python's
# default first threshold (700) the stack, component and policy tests made 3,375 collections,
# 8.6 s of their 74 s of CPU (gc.callbacks, timed); at 10,000, 185 collections and 5.4 s.
# Only when garbage is collected changes, never what a test sees: nothing here relies on a
# collection (the runtime's loops close on run.close(), or when the run is freed).
gc.set_threshold(10_000, 10, 10)


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


# A copy of the repository brings these along, as links: a copy gets the checkout's packages.
VENVS = (".venv", ".venv-scan")


def repository_copy(dest: Path) -> Path:
    """The checkout's files as git sees them (tracked and new, not ignored), with its venvs,
    committed as a clone's first revision: a test that follows a README recipe edits this,
    never the checkout."""
    listed = subprocess.run(
        ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
        cwd=REPO_ROOT,
        capture_output=True,
        check=True,
    ).stdout.decode()
    for name in filter(None, listed.split("\0")):
        source = REPO_ROOT / name
        if source.is_file():  # a tracked file deleted in the checkout is gone from the copy too
            (dest / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, dest / name)
    for venv in VENVS:
        if (REPO_ROOT / venv).is_dir():
            # The copy's own stamps (make touches them), everything else the checkout's.
            (dest / venv).mkdir()
            for entry in (REPO_ROOT / venv).iterdir():
                if entry.name.startswith(".installed"):
                    shutil.copy2(entry, dest / venv / entry.name)
                else:
                    (dest / venv / entry.name).symlink_to(entry)
    # A clone, as the README's reader has: the tests that diff revisions need its history.
    for command in (["init", "-q", "-b", "main"], ["add", "-A"], ["commit", "-qm", "clone"]):
        git_as_ci(dest, *command)
    return dest


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
        modules_kept(),
        contextlib.chdir(cwd),
        contextlib.redirect_stdout(stdout),
        contextlib.redirect_stderr(stderr),
    ):
        try:
            code = main(list(args))
        except SystemExit as e:  # --help, --version and usage errors exit from argparse
            code = e.code if isinstance(e.code, int) else int(e.code is not None)
    return Completed(code, stdout.getvalue(), stderr.getvalue())


@pytest.fixture
def infra():
    return run_infra_here


# The fork servers of this test process's in-process previews (tests/_zygote.py), by the
# folder of the `infra` that runs them.
_ZYGOTES: dict[Path, Zygote] = {}
# Plans the preview pipeline's child process returned, as JSON with their tree's root left out,
# by (what the program could read, stack); filled by previews_by_content, one xdist worker
# (process) each.
_CHILD_PLANS: dict[tuple[str, str], str] = {}
_ROOT_MARK = "\0tree\0"
# Never read by a program: caches, virtual environments, version control (a worktree's .git
# is a file).
_NOT_READ = {
    ".git",
    ".venv",
    ".venv-scan",
    "__pycache__",
    ".pytest_cache",
    ".hypothesis",
    ".mypy_cache",
    ".ruff_cache",
}
# At the root of a program's tree, what `infra` reads and no program does: the tool's settings
# (tests/infra/test_preview_repo.py checks that every program plans the same without it), so a
# test that edits only [tool.infra] reuses the plans. A pack's verdicts keep it in their key.
_TOOL_SETTINGS = frozenset({"pyproject.toml"})
_DIGESTS: dict[tuple[Path, frozenset[str]], str] = {}


def _program_tree(own: Path) -> Path:
    """The folder the program of the project in folder ``own`` reads from: its own, or, for a
    project nested in another's folder (bootstrap/ in the repository), the folder above it,
    whose stacks the bootstrap program reads."""
    return own.parent if (own.parent / "Pulumi.yaml").is_file() else own


def _program_inputs(own: Path, tree: Path, unread_at_root: frozenset[str] = frozenset()) -> str:
    """A digest of every file under ``tree`` that the program of the project in folder ``own``
    (resolved) could read: all but another Pulumi project nested in it (a program never reads
    another project's files; the stacks program leaves bootstrap/ alone, so a test that edits
    a bootstrap role reuses its plans) and the files named ``unread_at_root`` at its root."""
    cached = (own, unread_at_root)
    if tree == REPO_ROOT and cached in _DIGESTS:  # the checkout does not change during a run
        return _DIGESTS[cached]
    digest = hashlib.blake2b(f"{own.relative_to(tree)}\0".encode(), digest_size=16)
    for folder, dirs, files in _sorted_walk(tree):
        dirs[:] = [
            d
            for d in dirs
            if d not in _NOT_READ
            and (folder / d == own or not (folder / d / "Pulumi.yaml").is_file())
        ]
        for name in files:
            if name in _NOT_READ or (folder == tree and name in unread_at_root):
                continue
            path = folder / name
            digest.update(f"{path.relative_to(tree)}\0".encode())
            digest.update(path.read_bytes())
    if tree == REPO_ROOT:
        _DIGESTS[cached] = digest.hexdigest()
    return digest.hexdigest()


def _sorted_walk(top: Path) -> Iterator[tuple[Path, list[str], list[str]]]:
    for folder, dirs, files in os.walk(top):
        dirs.sort()
        yield Path(folder), dirs, sorted(files)


def forked_plans(project: Project, stacks: Sequence[str]) -> list[StackPlan]:
    """What `infra.engine.apart.run_stacks_apart` returns, from a child forked from this test
    process's zygote (tests/_zygote.py) rather than started afresh."""
    from infra.engine.apart import TOOL_ROOT, child_arguments, read_plans

    if not stacks:
        return []
    if TOOL_ROOT not in _ZYGOTES:
        _ZYGOTES[TOOL_ROOT] = Zygote(TOOL_ROOT, REPO_ROOT)
    out, err, code = _ZYGOTES[TOOL_ROOT].run(child_arguments(project, stacks))
    return read_plans(project, stacks, out, err, code)


@pytest.fixture(scope="module", autouse=True)
def checkout_modules() -> Iterator[None]:
    """Each test module ends with this repository's modules as it began (tests/_modules.py):
    a test that previews a copy in this process would otherwise leave the copy's `stacks` and
    `components` to the modules after it, with the copy's edits and files (a policy config
    only the copy has), depending on the order."""
    with modules_kept():
        yield


@pytest.fixture(autouse=True)
def previews_by_content(monkeypatch: pytest.MonkeyPatch) -> None:
    """The preview pipeline (infra/pipeline.py, behind `infra preview`, `diff`, `cost`,
    `export`, `permissions` and the generators, run in this process) runs a stack's program in
    its child process once per test process and content: a project whose program would read
    the same files (this checkout, or a copy of it under another folder with the same
    contents) is handed that plan, its paths moved to the project's folder, a fresh copy each
    time (~2 s of a child and its program saved a call). A plan it has not seen comes from a
    child forked from this test process's zygote (tests/_zygote.py), which has the SDKs
    imported already (~0.6 s saved a child). A program that fails is run each time. What the
    repository's own policy pack said of a plan is kept the same way (by what the pack could
    read, its config, its environment and the plan): a fixture pack, which may hang or crash
    on purpose, runs each time. What a program prints (its warnings) shows only on the run
    that previewed it: a test about a program's own output runs it through `run_infra`, in a
    process of its own.

    Every test has it: it pays most in modules about what the commands print and in mutation
    tests whose edits leave most stacks' programs unchanged. Plans are deterministic: the same
    files give the same plan (tests/infra/test_preview_repo.py checks it)."""
    import infra.pipeline
    from infra.engine.apart import plan_from_json, plan_to_json

    def run_stacks_apart(project: Project, stacks: Sequence[str]) -> list[StackPlan]:
        own = project.root.resolve()
        tree = _program_tree(own)
        inputs = _program_inputs(own, tree, _TOOL_SETTINGS)
        root = json.dumps(str(tree))[1:-1]
        missing = [s for s in dict.fromkeys(stacks) if (inputs, s) not in _CHILD_PLANS]
        for stack, plan in zip(missing, forked_plans(project, missing), strict=True):
            text = json.dumps(plan_to_json(plan))
            _CHILD_PLANS[inputs, stack] = text.replace(root, _ROOT_MARK)
        return [
            plan_from_json(json.loads(_CHILD_PLANS[inputs, s].replace(_ROOT_MARK, root)))
            for s in stacks
        ]

    monkeypatch.setattr(infra.pipeline, "run_stacks_apart", run_stacks_apart)

    import infra.policy.host

    evaluate = infra.policy.host.evaluate_policy_packs

    def evaluate_policy_packs(
        packs: Sequence[PolicyPackSpec], plan: StackPlan, **options: Any
    ) -> PolicyResults:
        key = _verdicts_key(packs, plan, options)
        if key is None:
            return evaluate(packs, plan, **options)
        if key not in _VERDICTS:
            _VERDICTS[key] = pickle.dumps(evaluate(packs, plan, **options))
        return pickle.loads(_VERDICTS[key])

    monkeypatch.setattr(infra.policy.host, "evaluate_policy_packs", evaluate_policy_packs)


# What a repository's own policy pack said of a plan, pickled, by what the pack could read, its
# config, the plan and the options (one xdist worker each); see previews_by_content.
_VERDICTS: dict[str, bytes] = {}


def _verdicts_key(
    packs: Sequence[PolicyPackSpec], plan: StackPlan, options: dict[str, Any]
) -> str | None:
    """None unless every pack is a repository's own (its folder beside a Pulumi.yaml): a test's
    fixture pack may hang, crash or count its runs, and is run each time."""
    from infra.engine.apart import plan_to_json

    if not packs or not all((spec.path.parent / "Pulumi.yaml").is_file() for spec in packs):
        return None
    digest = hashlib.blake2b(digest_size=16)
    for spec in packs:
        tree = spec.path.resolve().parent
        digest.update(_program_inputs(tree, tree).encode())
        digest.update(
            json.dumps([str(spec.path), spec.config], sort_keys=True, default=repr).encode()
        )
    # The pack process's environment is this one's (a policy may read it: the date it takes
    # for today, for instance), but for the name of the test that runs.
    environment = {k: v for k, v in os.environ.items() if k != "PYTEST_CURRENT_TEST"}
    judged = [plan_to_json(plan), options, environment]
    digest.update(json.dumps(judged, sort_keys=True, default=repr).encode())
    return digest.hexdigest()


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
    for zygote in _ZYGOTES.values():
        zygote.close()
    before = session.config.stash.get(_CHECKOUT, None)
    if before is None or _checkout_state() == before:
        return
    session.config.get_terminal_writer().line(
        "The tests changed files of the checkout (a test must change a copy; or were they "
        f"edited during the run?):\n{_changed_files()}",
        red=True,
    )
    session.exitstatus = pytest.ExitCode.TESTS_FAILED
