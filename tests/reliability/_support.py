"""Shared helpers: temporary project copies, in-process previews, process scans."""

from __future__ import annotations

import copy
import functools
import os
import shutil
import sys
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import yaml

from infra.engine.model import UNKNOWN, StackPlan
from infra.engine.project import load_project, load_stack_config
from infra.engine.runtime import run_stack
from tests.conftest import FIXTURES, REPO_ROOT, STACKS, Completed

PROJECT = "aks-rwx-training"
PROJECT_PARTS = ("stacks", "components", "policies")
MINIMAL = FIXTURES / "projects" / "minimal"
PACKS = FIXTURES / "packs"


def copy_project(dest: Path) -> Path:
    """A copy of the repository's Pulumi project (program, components, policy pack)."""
    dest.mkdir(parents=True, exist_ok=True)
    shutil.copy2(REPO_ROOT / "Pulumi.yaml", dest / "Pulumi.yaml")
    for part in PROJECT_PARTS:
        shutil.copytree(REPO_ROOT / part, dest / part, ignore=shutil.ignore_patterns("__pycache__"))
    return dest


def _own_name(key: str, stack: str) -> str:
    letters = "".join(c for c in stack.lower() if c.isalnum())
    return {
        "resourceGroupName": f"rg-copy-{letters}",
        "storageAccountName": f"stcopy{letters}"[:24],
        "clusterName": f"aks-copy-{letters}",
    }[key]


def with_own_names(text: str, stack: str) -> str:
    """A stack file's text copied from a repository stack, as a new stack ``stack``: the
    resource group, account and cluster names that one stack alone may own get new values."""
    from stacks.config import UNIQUE_ACROSS_STACKS

    for source in STACKS:
        config = stack_file_config(source)
        for key in UNIQUE_ACROSS_STACKS:
            line = f"{PROJECT}:{key}: "
            text = text.replace(
                line + config[f"{PROJECT}:{key}"] + "\n", line + _own_name(key, stack) + "\n"
            )
    return text


def config_with_own_names(config: dict[str, Any], stack: str) -> dict[str, Any]:
    """``config`` (qualified keys) with the same renaming as ``with_own_names``."""
    from stacks.config import UNIQUE_ACROSS_STACKS

    taken = {
        (key, stack_file_config(source)[f"{PROJECT}:{key}"])
        for source in STACKS
        for key in UNIQUE_ACROSS_STACKS
    }
    # Keys may be qualified (`project:key`) or not, as in a stack file.
    return {
        qualified: (
            _own_name(qualified.split(":", 1)[-1], stack)
            if isinstance(value, str) and (qualified.split(":", 1)[-1], value) in taken
            else value
        )
        for qualified, value in config.items()
    }


def stack_file_config(stack: str) -> dict[str, Any]:
    """The `config:` mapping of the repository's stacks/Pulumi.<stack>.yaml."""
    doc = yaml.safe_load((REPO_ROOT / "stacks" / f"Pulumi.{stack}.yaml").read_text()) or {}
    return dict(doc.get("config") or {})


def project_defaults() -> dict[str, Any]:
    """`key -> default` from the `config:` block of Pulumi.yaml (unqualified keys)."""
    project = load_project(REPO_ROOT)
    return {key.split(":", 1)[1]: value for key, value in project.defaults().items()}


def evict_repo_program_modules() -> None:
    """Forget this repository's `stacks`/`components` modules, so a temporary copy of the
    project imports its own (the engine only evicts modules under the project it runs)."""
    for part in ("stacks", "components"):
        root = (REPO_ROOT / part).resolve()
        for name, module in list(sys.modules.items()):
            origin = getattr(module, "__file__", None)
            if name.split(".")[0] != part or not origin:
                continue
            if Path(origin).resolve().is_relative_to(root):
                del sys.modules[name]


def preview(project_dir: Path, stack: str) -> StackPlan:
    """`infra preview --no-policy` of one stack, in this process."""
    if project_dir.resolve() != REPO_ROOT.resolve():
        evict_repo_program_modules()
    project = load_project(project_dir)
    return run_stack(project, stack, load_stack_config(project, stack))


@functools.cache
def _previewed_once(stack: str) -> StackPlan:
    return preview(REPO_ROOT, stack)


def real_plan(stack: str) -> StackPlan:
    """The plan of one of the repository's unchanged stacks: `preview(REPO_ROOT, stack)`.

    The program runs once per process (~3 s a stack); each call returns its own deep copy,
    so a test that changes its plan cannot change what a later test reads. UNKNOWN stays
    the one sentinel that `is UNKNOWN` checks."""
    return copy.deepcopy(_previewed_once(stack), {id(UNKNOWN): UNKNOWN})


def one_line_error(result: Completed) -> str:
    """The single stderr line of a failed `infra` run (asserts the shape)."""
    lines = result.stderr.splitlines()
    assert "Traceback" not in result.stderr, result.stderr
    assert len(lines) == 1, f"expected one stderr line, got {len(lines)}:\n{result.stderr}"
    assert lines[0].startswith("infra: error: "), lines[0]
    return lines[0]


def _read(path: str) -> bytes:
    try:
        with open(path, "rb") as f:
            return f.read()
    except OSError:
        return b""


def live_processes_matching(
    *, markers: Iterable[str] = (), cwds: Iterable[Path] = (), pids: Iterable[int] = ()
) -> list[str]:
    """Running (not zombie) processes whose cmdline or environment mentions a marker, whose
    working directory is one of `cwds`, or whose pid is listed; one description each."""
    marker_bytes = [m.encode() for m in markers]
    cwd_set = {str(Path(c).resolve()) for c in cwds}
    pid_set = set(pids)
    found = []
    me = os.getpid()
    for entry in os.listdir("/proc"):
        if not entry.isdigit() or int(entry) == me:
            continue
        base = f"/proc/{entry}"
        stat = _read(f"{base}/stat")
        if not stat:
            continue  # gone already
        state = stat.rsplit(b")", 1)[-1].split()[0:1]
        if state == [b"Z"]:
            continue  # exited; only its parent's wait() is missing
        cmdline = _read(f"{base}/cmdline")
        environ = _read(f"{base}/environ")
        try:
            cwd = os.readlink(f"{base}/cwd")
        except OSError:
            cwd = ""
        hit = (
            int(entry) in pid_set
            or cwd in cwd_set
            or any(m in cmdline or m in environ for m in marker_bytes)
        )
        if hit:
            command = cmdline.replace(b"\0", b" ").decode(errors="replace")
            found.append(f"pid {entry} (cwd {cwd}): {command}")
    return found
