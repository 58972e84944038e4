"""Hostile files and surroundings stop `infra` with one stderr line and exit 2.

A stack file, Pulumi.yaml or policy config that is a FIFO, a link to /dev/zero, huge, nested
thousands deep or has a key twice; stdout closed under `infra preview --json | head -1`; a
working directory deleted under the shell. Each case runs the installed console script in
a copy of the project, with a timeout and a memory cap, so a regression fails the test
instead of hanging it or exhausting the machine.

Counts: len(FILE_CASES) file cases, plus 1 closed-stdout and len(DELETED_CWD_ARGS)
deleted-directory cases.
"""

from __future__ import annotations

import os
import resource
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.conftest import REPO_ROOT, Completed
from tests.reliability._support import PROJECT, copy_project, one_line_error

# Process behaviour: FIFOs, /dev/zero, a closed stdout and a deleted working directory.
pytestmark = pytest.mark.slow

INFRA = str(Path(sys.executable).parent / "infra")
TIMEOUT = 60
MEMORY_CAP = 2 << 30
DEPTH = 5000  # far past Python's recursion limit

STACK = "stacks/Pulumi.dev.yaml"
POLICY = "policies/config/dev.json"


def _limit_memory() -> None:
    # Reading /dev/zero to the end would otherwise take every byte the machine has.
    resource.setrlimit(resource.RLIMIT_AS, (MEMORY_CAP, MEMORY_CAP))


def _run(*args: str, cwd: Path, stdout: int = subprocess.PIPE) -> Completed:
    result = subprocess.run(
        [INFRA, *args],
        cwd=cwd,
        stdout=stdout,
        stderr=subprocess.PIPE,
        text=True,
        timeout=TIMEOUT,
        preexec_fn=_limit_memory,
        check=False,
    )
    return Completed(result.returncode, result.stdout or "", result.stderr)


# --- ways to spoil a file: each replaces the file at `path` -------------------------------


def _fifo(path: Path) -> None:
    path.unlink(missing_ok=True)
    os.mkfifo(path)


def _dev_zero(path: Path) -> None:
    path.unlink(missing_ok=True)
    path.symlink_to("/dev/zero")


def _huge(path: Path) -> None:
    # Valid YAML and JSON up to the padding: only the size is wrong.
    text = path.read_text() if path.exists() else "{}"
    path.write_text(text + " " * (2 << 20) + "\n")


def _nested_yaml(path: Path) -> None:
    path.write_text(f"config:\n  {PROJECT}:tags: {'[' * DEPTH}{']' * DEPTH}\n")


def _nested_yaml_mapping(path: Path) -> None:
    path.write_text("name: x\nruntime: python\nconfig: " + "{a: " * DEPTH + "1" + "}" * DEPTH)


def _nested_json(path: Path) -> None:
    path.write_text('{"all": ' + "[" * DEPTH + "]" * DEPTH + "}")


def _append(text: str) -> Callable[[Path], None]:
    def spoil(path: Path) -> None:
        path.write_text(path.read_text() + text)

    return spoil


def _json_duplicate(path: Path) -> None:
    text = path.read_text() if path.exists() else '{"all": "mandatory"}'
    path.write_text(text.rstrip().removesuffix("}") + ',\n  "all": "advisory"\n}\n')


def _line_of(path: str, needle: str) -> int:
    lines = (REPO_ROOT / path).read_text().splitlines()
    return next(i for i, line in enumerate(lines, 1) if needle in line)


def _line_count(path: str) -> int:
    return len((REPO_ROOT / path).read_text().splitlines())


SKU_KEY = f"{PROJECT}:fileBillingModel"
SKU_LINE = _line_of(STACK, SKU_KEY)
DUPLICATE_SKU_LINE = _line_count(STACK) + 1
NAME_LINE = _line_of("Pulumi.yaml", "name:")
DUPLICATE_NAME_LINE = _line_count("Pulumi.yaml") + 1
TAG_LINE = _line_count(STACK) + 1

# (case id, file to spoil, how, extra preview flags, what the one line must contain after
# "infra: error: "; "{file}" is the spoiled file's absolute path)
FILE_CASES: list[tuple[str, str, Callable[[Path], None], tuple[str, ...], str]] = [
    ("stack-fifo", STACK, _fifo, (), f"{STACK}: cannot read stack config: a FIFO"),
    ("stack-dev-zero", STACK, _dev_zero, (), f"{STACK}: cannot read stack config: a character"),
    ("stack-huge", STACK, _huge, (), f"{STACK}: cannot read stack config: larger than 1 MiB"),
    ("stack-nested", STACK, _nested_yaml, (), f"{STACK}: line 2: nested deeper than 64 levels"),
    (
        "stack-duplicate-key",
        STACK,
        _append(f"  {SKU_KEY}: provisioned-v1-ssd\n"),
        (),
        f"{STACK}: duplicate key '{SKU_KEY}' at lines {SKU_LINE} and {DUPLICATE_SKU_LINE}",
    ),
    (
        "stack-duplicate-nested-key",
        STACK,
        _append(f"  {PROJECT}:tags:\n    owner: a\n    cost-center: b\n    owner: c\n"),
        (),
        f"{STACK}: duplicate key 'owner' at lines {TAG_LINE + 1} and {TAG_LINE + 3}",
    ),
    ("project-fifo", "Pulumi.yaml", _fifo, (), "{file}: cannot read project file: a FIFO"),
    ("project-dev-zero", "Pulumi.yaml", _dev_zero, (), "{file}: cannot read project file: a "),
    ("project-nested", "Pulumi.yaml", _nested_yaml_mapping, (), "{file}: line 3: nested deeper"),
    (
        "project-duplicate-key",
        "Pulumi.yaml",
        _append("name: other\n"),
        (),
        f"{{file}}: duplicate key 'name' at lines {NAME_LINE} and {DUPLICATE_NAME_LINE}",
    ),
    # The program reads this file first (stacks/policy_config.py) and names it its own way.
    ("policy-config-fifo", POLICY, _fifo, (), POLICY),
    ("policy-config-dev-zero", POLICY, _dev_zero, (), POLICY),
    (
        "policy-config-duplicate-key",
        POLICY,
        _json_duplicate,
        (),
        f"{POLICY}: duplicate key 'all'",  # the config's shape is read before any program runs
    ),
    (
        "policy-pack-config-flag-duplicate-key",
        "other.json",
        _json_duplicate,
        ("--policy-pack-config", "{file}"),
        "config file {file}: duplicate key 'all'",
    ),
    (
        "policy-pack-config-flag-fifo",
        "other.json",
        _fifo,
        ("--policy-pack-config", "{file}"),
        "config file {file}: cannot read it: a FIFO",
    ),
    (
        "policy-pack-config-flag-dev-zero",
        "other.json",
        _dev_zero,
        ("--policy-pack-config", "{file}"),
        "config file {file}: cannot read it: a character device",
    ),
    (
        "policy-pack-config-flag-huge",
        "other.json",
        _huge,
        ("--policy-pack-config", "{file}"),
        "config file {file}: cannot read it: larger than 1 MiB",
    ),
    (
        "policy-pack-config-flag-nested",
        "other.json",
        _nested_json,
        ("--policy-pack-config", "{file}"),
        "config file {file}: line 1: nested deeper than 64 levels",
    ),
]
DELETED_CWD_ARGS = (("--help",), ("preview",), ("affected", "--base", "HEAD"))


@pytest.fixture
def project(tmp_path: Path) -> Path:
    return copy_project(tmp_path / "project")


@pytest.mark.parametrize(
    ("target", "spoil", "flags", "expected"),
    [pytest.param(*case[1:], id=case[0]) for case in FILE_CASES],
)
def test_hostile_file_is_one_line_and_exit_2(
    project: Path,
    target: str,
    spoil: Callable[[Path], None],
    flags: tuple[str, ...],
    expected: str,
) -> None:
    path = project / target
    spoil(path)
    extra = [flag.format(file=path) for flag in flags]
    result = _run("preview", "-s", "dev", *extra, cwd=project)
    assert result.returncode == 2, (result.returncode, result.stderr[-2000:])
    assert result.stdout == ""
    line = one_line_error(result)
    assert expected.format(file=path) in line, line


def test_yaml_merge_keys_may_override_without_being_duplicates(project: Path) -> None:
    stack = project / STACK
    stack.write_text(
        stack.read_text()
        + f"  {PROJECT}:tags:\n    <<: &base {{owner: a, cost-center: b}}\n    owner: c\n"
    )
    result = _run("preview", "-s", "dev", "--no-policy", "--json", cwd=project)
    assert result.returncode == 0, result.stderr


def test_closed_stdout_exits_quietly(project: Path) -> None:
    """`infra preview --json | head -1`: the reader is gone before the output is written."""
    read_end, write_end = os.pipe()
    os.close(read_end)
    try:
        result = _run(
            "preview", "-s", "dev", "--no-policy", "--json", cwd=project, stdout=write_end
        )
    finally:
        os.close(write_end)
    assert result.stderr == ""
    assert result.returncode == 2


@pytest.mark.parametrize("args", DELETED_CWD_ARGS, ids=lambda args: args[0])
def test_deleted_working_directory_is_one_line(tmp_path: Path, args: tuple[str, ...]) -> None:
    gone = tmp_path / "gone"
    gone.mkdir()
    result = subprocess.run(
        ["sh", "-c", 'cd "$1" && rmdir "$1" && shift && exec "$0" "$@"', INFRA, str(gone), *args],
        capture_output=True,
        text=True,
        timeout=TIMEOUT,
        check=False,
    )
    assert result.returncode == 2, (result.returncode, result.stderr[-2000:])
    assert result.stdout == ""
    line = one_line_error(Completed(result.returncode, result.stdout, result.stderr))
    assert "current directory no longer exists" in line, line
