"""The example's checkpoint logic with real files: the newest *complete* checkpoint is chosen
(temporary files, payloads without metadata, truncated payloads and bad metadata never are),
writes are atomic (a failed or interrupted write leaves the previous state whole), pruning
keeps the newest ones. No torch: the payload writer is a plain function. The script itself
parses its arguments without torch too."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import BinaryIO

import pytest

from components.training_example import SCRIPTS
from components.training_example.checkpoints import (
    Checkpoint,
    atomic_write,
    complete_checkpoints,
    metadata_path,
    newest_complete_checkpoint,
    payload_path,
    prune,
    write_checkpoint,
)

EXAMPLE_DIR = Path(__file__).resolve().parents[2] / "components" / "training_example"


def payload(data: bytes) -> Callable[[BinaryIO], None]:
    def write(handle: BinaryIO) -> None:
        handle.write(data)

    return write


def names(directory: Path) -> list[str]:
    return sorted(entry.name for entry in directory.iterdir())


def test_an_empty_or_missing_directory_has_no_checkpoint(tmp_path: Path) -> None:
    assert newest_complete_checkpoint(tmp_path) is None
    assert newest_complete_checkpoint(tmp_path / "missing") is None


def test_write_then_read_back(tmp_path: Path) -> None:
    written = write_checkpoint(tmp_path / "run", 7, payload(b"weights-7"))
    assert written == Checkpoint(7, tmp_path / "run" / "step-000000007.pt")
    assert written.path.read_bytes() == b"weights-7"
    assert json.loads(metadata_path(tmp_path / "run", 7).read_text()) == {"step": 7, "bytes": 9}
    assert newest_complete_checkpoint(tmp_path / "run") == written
    assert names(tmp_path / "run") == ["step-000000007.json", "step-000000007.pt"]  # no temp


def test_the_newest_by_step_not_by_name_or_time(tmp_path: Path) -> None:
    for step in (10, 200, 30):
        write_checkpoint(tmp_path, step, payload(b"x" * step))
    # A wider step number sorts before the others as text.
    write_checkpoint(tmp_path, 1_000_000_000, payload(b"big"))
    assert newest_complete_checkpoint(tmp_path) == Checkpoint(
        1_000_000_000, tmp_path / "step-1000000000.pt"
    )
    assert [c.step for c in complete_checkpoints(tmp_path)] == [10, 30, 200, 1_000_000_000]


def test_temporary_files_are_never_chosen(tmp_path: Path) -> None:
    write_checkpoint(tmp_path, 1, payload(b"one"))
    # What an interrupted write of step 2 leaves behind.
    (tmp_path / ".step-000000002.pt.4242.tmp").write_bytes(b"half")
    (tmp_path / ".step-000000002.json.4242.tmp").write_text('{"step": 2, "bytes": 4}')
    assert newest_complete_checkpoint(tmp_path) == Checkpoint(1, payload_path(tmp_path, 1))


@pytest.mark.parametrize(
    ("case", "breakage"),
    [
        ("payload without metadata", lambda d: metadata_path(d, 2).unlink()),
        ("metadata without payload", lambda d: payload_path(d, 2).unlink()),
        ("truncated payload", lambda d: payload_path(d, 2).write_bytes(b"tw")),
        ("metadata of another step", lambda d: metadata_path(d, 2).write_text('{"step": 3}')),
        ("metadata not JSON", lambda d: metadata_path(d, 2).write_text('{"step": 2, "by')),
        ("metadata not an object", lambda d: metadata_path(d, 2).write_text("[2, 3]")),
    ],
)
def test_incomplete_checkpoints_are_never_chosen(
    tmp_path: Path, case: str, breakage: Callable[[Path], object]
) -> None:
    write_checkpoint(tmp_path, 1, payload(b"one"))
    write_checkpoint(tmp_path, 2, payload(b"two-complete"))
    breakage(tmp_path)
    assert newest_complete_checkpoint(tmp_path) == Checkpoint(1, payload_path(tmp_path, 1)), case


def test_a_failing_writer_leaves_the_previous_state_whole(tmp_path: Path) -> None:
    write_checkpoint(tmp_path, 1, payload(b"one"))

    def crash(handle: BinaryIO) -> None:
        handle.write(b"partial")
        raise RuntimeError("out of memory while serialising")

    with pytest.raises(RuntimeError, match="out of memory"):
        write_checkpoint(tmp_path, 2, crash)
    assert names(tmp_path) == ["step-000000001.json", "step-000000001.pt"]  # temp removed
    assert newest_complete_checkpoint(tmp_path) == Checkpoint(1, payload_path(tmp_path, 1))


def test_atomic_write_replaces_whole_or_not_at_all(tmp_path: Path) -> None:
    target = tmp_path / "latest.json"
    atomic_write(target, payload(b"old"))
    seen: list[bytes] = []

    def write(handle: BinaryIO) -> None:
        handle.write(b"new content")
        handle.flush()
        # Mid-write, a reader still sees the old file in full.
        seen.append(target.read_bytes())

    atomic_write(target, write)
    assert seen == [b"old"]
    assert target.read_bytes() == b"new content"
    assert names(tmp_path) == ["latest.json"]


def test_the_payload_is_renamed_before_the_metadata_is_written(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The order that makes "metadata present" mean "payload whole": at the moment the
    metadata appears, the payload is already in place."""
    renames: list[str] = []
    real_replace = os.replace

    def replace(src: str | os.PathLike[str], dst: str | os.PathLike[str]) -> None:
        renames.append(Path(dst).name)
        if Path(dst).suffix == ".json":
            assert payload_path(tmp_path, 5).read_bytes() == b"five"
        real_replace(src, dst)

    monkeypatch.setattr(os, "replace", replace)
    write_checkpoint(tmp_path, 5, payload(b"five"))
    assert renames == ["step-000000005.pt", "step-000000005.json"]


def test_prune_keeps_the_newest_and_removes_older_leftovers(tmp_path: Path) -> None:
    for step in (1, 2, 3, 4):
        write_checkpoint(tmp_path, step, payload(b"s%d" % step))
    (tmp_path / ".step-000000002.pt.99.tmp").write_bytes(b"old temp")
    payload_path(tmp_path, 0).write_bytes(b"orphan payload")
    # Newer than the newest complete one: a write may be in progress; left alone.
    (tmp_path / ".step-000000005.pt.99.tmp").write_bytes(b"in progress")

    removed = prune(tmp_path, keep=2)

    assert sorted(p.name for p in removed) == [
        ".step-000000002.pt.99.tmp",
        "step-000000000.pt",
        "step-000000001.json",
        "step-000000001.pt",
        "step-000000002.json",
        "step-000000002.pt",
    ]
    assert names(tmp_path) == [
        ".step-000000005.pt.99.tmp",
        "step-000000003.json",
        "step-000000003.pt",
        "step-000000004.json",
        "step-000000004.pt",
    ]
    assert newest_complete_checkpoint(tmp_path) == Checkpoint(4, payload_path(tmp_path, 4))


def test_prune_without_a_complete_checkpoint_removes_nothing(tmp_path: Path) -> None:
    (tmp_path / ".step-000000001.pt.1.tmp").write_bytes(b"x")
    assert prune(tmp_path, keep=1) == []
    assert names(tmp_path) == [".step-000000001.pt.1.tmp"]


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda d: prune(d, keep=0), "keep must be >= 1 (got 0)"),
        (lambda d: write_checkpoint(d, -1, payload(b"")), "step must be >= 0 (got -1)"),
    ],
)
def test_bad_arguments(tmp_path: Path, call: Callable[[Path], object], message: str) -> None:
    with pytest.raises(ValueError) as error:
        call(tmp_path)
    assert str(error.value) == message


def test_the_config_map_scripts_are_the_example_files() -> None:
    assert set(SCRIPTS) == {"train.py", "checkpoints.py"}
    for name, text in SCRIPTS.items():
        assert text == (EXAMPLE_DIR / name).read_text()


def test_the_training_script_parses_its_arguments_without_torch(tmp_path: Path) -> None:
    """torch is imported only in main(): the script starts (and reports bad arguments) in an
    environment without it, importing checkpoints.py from beside it as in the pod."""
    script = EXAMPLE_DIR / "train.py"
    env = {k: v for k, v in os.environ.items() if k != "CHECKPOINT_DIR"}
    result = subprocess.run(
        [sys.executable, str(script), "--help"],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env=env,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert "--checkpoint-every" in result.stdout
    result = subprocess.run(
        [sys.executable, str(script), "--steps", "10"],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env=env,
        check=False,
    )
    assert result.returncode == 2
    assert "set --checkpoint-dir or CHECKPOINT_DIR" in result.stderr
