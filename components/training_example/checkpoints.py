"""Checkpoints on a shared (RWX) volume that a reader never sees half written.

A checkpoint of step N is two files in the checkpoint directory:

* ``step-<N>.pt``: the payload (whatever the writer streams, e.g. ``torch.save``);
* ``step-<N>.json``: ``{"step": N, "bytes": <payload size>}``, written after the payload.

Each file is written to a hidden temporary name in the same directory, flushed and fsynced,
then renamed into place with :func:`os.replace`, which is atomic on one filesystem (POSIX
``rename``; SMB and NFS shares rename on the server). So a name either is absent or holds the
whole file. A checkpoint is *complete* when its metadata is there, parses, and names a payload
of exactly that size: a crash between the two renames, a truncated copy or a payload without
metadata is never chosen. Temporary files (``.step-<N>.*.tmp``) are never chosen either.

Only one process (rank 0) writes; any number may read. No torch here: the tests run it with
real files, and ``train.py`` passes ``torch.save`` in as the payload writer.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

PAYLOAD_RE = re.compile(r"step-(\d+)\.pt")
METADATA_RE = re.compile(r"step-(\d+)\.json")
# Leftovers of an interrupted write: `.step-<N>.<pt|json>.<pid>.tmp`.
TEMP_RE = re.compile(r"\.step-(\d+)\.(?:pt|json)\.\d+\.tmp")


@dataclass(frozen=True)
class Checkpoint:
    step: int
    path: Path  # the payload


def payload_path(directory: Path, step: int) -> Path:
    # Zero-padded so that `ls` lists them in step order; the step is parsed, not sorted as text.
    return directory / f"step-{step:09d}.pt"


def metadata_path(directory: Path, step: int) -> Path:
    return directory / f"step-{step:09d}.json"


def _fsync_directory(directory: Path) -> None:
    """Make the renames in ``directory`` durable. CIFS and some NFS clients refuse to fsync a
    directory; the rename is still atomic there, only its durability on power loss is the
    server's to decide."""
    with contextlib.suppress(OSError):
        fd = os.open(directory, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def atomic_write(path: Path, write: Callable[[BinaryIO], object]) -> None:
    """Write ``path`` through a temporary file in its directory and rename it into place, so a
    reader sees the old state or the whole new file, never part of it."""
    temp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        with open(temp, "wb") as handle:
            write(handle)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temp, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            temp.unlink()
        raise
    _fsync_directory(path.parent)


def write_checkpoint(directory: Path, step: int, write: Callable[[BinaryIO], object]) -> Checkpoint:
    """Write checkpoint ``step``: the payload (streamed by ``write``) first, its metadata last,
    each atomically, so the metadata only ever names a payload that is fully there."""
    if step < 0:
        raise ValueError(f"step must be >= 0 (got {step})")
    directory.mkdir(parents=True, exist_ok=True)
    payload = payload_path(directory, step)
    atomic_write(payload, write)
    record = json.dumps({"step": step, "bytes": payload.stat().st_size}).encode()
    atomic_write(metadata_path(directory, step), lambda handle: handle.write(record))
    return Checkpoint(step, payload)


def _complete(directory: Path, step: int) -> bool:
    try:
        record = json.loads(metadata_path(directory, step).read_bytes())
        size = payload_path(directory, step).stat().st_size
    except (OSError, ValueError):
        return False
    return isinstance(record, dict) and record.get("step") == step and record.get("bytes") == size


def _steps(directory: Path, pattern: re.Pattern[str]) -> dict[int, list[Path]]:
    found: dict[int, list[Path]] = {}
    with contextlib.suppress(FileNotFoundError):
        for entry in directory.iterdir():
            match = pattern.fullmatch(entry.name)
            if match:
                found.setdefault(int(match.group(1)), []).append(entry)
    return found


def complete_checkpoints(directory: Path) -> list[Checkpoint]:
    """Every complete checkpoint in ``directory``, oldest first (empty if it does not exist)."""
    return [
        Checkpoint(step, payload_path(directory, step))
        for step in sorted(_steps(directory, METADATA_RE))
        if _complete(directory, step)
    ]


def newest_complete_checkpoint(directory: Path) -> Checkpoint | None:
    """The complete checkpoint with the highest step, or ``None`` to start from scratch."""
    complete = complete_checkpoints(directory)
    return complete[-1] if complete else None


def prune(directory: Path, keep: int) -> list[Path]:
    """Remove all but the newest ``keep`` complete checkpoints, and every leftover (temporary
    file, payload without metadata, metadata of a broken payload) of an older step; return what
    was removed. Files of steps newer than the newest complete one are left alone: they may
    belong to a write in progress."""
    if keep < 1:
        raise ValueError(f"keep must be >= 1 (got {keep})")
    complete = complete_checkpoints(directory)
    if not complete:
        return []
    kept = {checkpoint.step for checkpoint in complete[-keep:]}
    newest = complete[-1].step
    removed: list[Path] = []
    # Metadata before payload: a reader never finds metadata whose payload is gone.
    for pattern in (METADATA_RE, PAYLOAD_RE, TEMP_RE):
        for step, paths in sorted(_steps(directory, pattern).items()):
            if step < newest and step not in kept:
                for path in paths:
                    with contextlib.suppress(FileNotFoundError):
                        path.unlink()
                        removed.append(path)
    return removed
