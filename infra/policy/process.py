"""A policy pack's process: its pipes, its engine callback server, and stopping it and every
helper it started, also those that left its session."""

from __future__ import annotations

import contextlib
import os
import queue
import select
import signal
import subprocess
import threading
import time
from collections import deque
from typing import IO, Any

from google.protobuf import empty_pb2
from pulumi.runtime.proto import engine_pb2, engine_pb2_grpc

from infra.policy.common import last_line

# Seconds between SIGTERM and SIGKILL of a pack's processes, and again for SIGKILL to take:
# the bound on stopping a pack, whatever it does.
_TERM_GRACE = 2.0

_STDERR_TAIL = 200  # lines of a pack's stderr kept for error messages

_MAX_LINE = 64 * 1024  # a longer "line" from a pack is cut there, so one never fills memory

# How often a pipe reader looks up from an empty pipe (for close, and to tell it is drained).
_POLL_MS = 50


# --------------------------------------------------------------------------------------------
# Process plumbing


class EngineServicer(engine_pb2_grpc.EngineServicer):
    """The minimal Engine service a pack may log to."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.errors: list[str] = []
        self.root_urn = ""

    def Log(self, request: Any, context: Any) -> empty_pb2.Empty:
        if request.severity == engine_pb2.ERROR:
            with self._lock:
                self.errors.append(request.message)
        return empty_pb2.Empty()

    def GetRootResource(self, request: Any, context: Any) -> engine_pb2.GetRootResourceResponse:
        return engine_pb2.GetRootResourceResponse(urn=self.root_urn)

    def SetRootResource(self, request: Any, context: Any) -> engine_pb2.SetRootResourceResponse:
        self.root_urn = request.urn
        return engine_pb2.SetRootResourceResponse()

    def last_error_line(self) -> str:
        with self._lock:
            return last_line(self.errors[-1]) if self.errors else ""


class PipeReader:
    """Drains one of the pack's pipes in a thread, keeping a tail of its lines.

    With `first_line` set, the first line goes to that queue instead (None at EOF without one).

    The pipe is polled rather than read with a blocking readline: a process that escaped the
    pack's session can hold the pipe open after the pack exits, so EOF may never come, and a
    thread blocked in a buffered read also blocks whoever closes that stream.
    """

    def __init__(self, stream: IO[bytes], name: str, first_line: queue.Queue[str | None] | None):
        self._fd = stream.fileno()
        self._first = first_line
        self._lines: deque[str] = deque(maxlen=_STDERR_TAIL)
        self._stop = threading.Event()
        self._state = threading.Condition()
        self._empty_polls = 0
        self._finished = False
        self.thread = threading.Thread(target=self._run, name=name, daemon=True)
        self.thread.start()

    def _run(self) -> None:
        poller = select.poll()
        poller.register(self._fd, select.POLLIN)
        pending = b""
        try:
            while not self._stop.is_set():
                if not poller.poll(_POLL_MS):
                    with self._state:
                        self._empty_polls += 1
                        self._state.notify_all()
                    continue
                chunk = os.read(self._fd, 65536)
                if not chunk:  # every writer has closed it
                    if pending:
                        self._add(pending)
                    break
                *lines, pending = (pending + chunk).split(b"\n")
                for line in lines:
                    self._add(line)
                if len(pending) > _MAX_LINE:
                    self._add(pending[:_MAX_LINE])
                    pending = b""
        except (OSError, ValueError):
            pass
        finally:
            if self._first is not None:
                self._first.put(None)
                self._first = None
            with self._state:
                self._finished = True
                self._state.notify_all()

    def _add(self, raw: bytes) -> None:
        line = raw[:_MAX_LINE].decode("utf-8", "replace").rstrip("\r")
        if self._first is not None:
            self._first.put(line)
            self._first = None
            return
        with self._state:
            self._lines.append(line)

    def wait_drained(self, timeout: float) -> None:
        """Wait (at most `timeout` s) until all that was written before this call is read.

        For after the pack's main process exited: its last words are in the pipe by then, but
        EOF only comes when every process holding the pipe has exited too.
        """
        with self._state:
            seen = self._empty_polls
            self._state.wait_for(
                lambda: self._finished or self._empty_polls > seen, timeout=timeout
            )

    def stop(self, timeout: float) -> bool:
        """Stop reading; True once the thread is gone and the stream may be closed."""
        self._stop.set()
        self.thread.join(timeout=timeout)
        return not self.thread.is_alive()

    def lines(self) -> list[str]:
        with self._state:
            return list(self._lines)

    def last_line(self) -> str:
        return last_line("\n".join(self.lines()))


def describe_exit(code: int) -> str:
    if code < 0:
        try:
            return f"was killed by {signal.Signals(-code).name}"
        except ValueError:
            return f"was killed by signal {-code}"
    return f"exited with code {code}"


def escaped_processes(marker: bytes, pipes: frozenset[str]) -> list[int]:
    """Processes a pack started that its process group may no longer reach.

    A pack's descendant can call setsid() (leaving the group killpg reaches) and, once its
    parent exits, be re-parented to init (so no ppid chain leads back to the pack).  Two things
    survive both, and /proc shows them for any process of the same user:
    * the environment: every descendant inherits the pack's `_MARKER_ENV` entry, a fresh random
      value per pack run, unless it deliberately runs with another environment;
    * the pack's stdout/stderr pipes: a descendant still holding one is exactly what would keep
      this side waiting for EOF, and it shows as `pipe:[<inode>]` among its fds.
    A process that drops both can no longer hang or confuse `infra`; catching even that needs
    a cgroup or PR_SET_CHILD_SUBREAPER, which would change how the whole `infra` process (and
    any test runner embedding it) reaps orphans, so neither is used.
    A pid found here may in theory be reused before it is signalled: pids are handed out in
    increasing order up to pid_max, so that takes a wrap-around within microseconds.
    """
    me = os.getpid()
    found: list[int] = []
    try:
        entries = os.listdir("/proc")
    except OSError:  # no procfs: only the process group can be stopped
        return found
    for entry in entries:
        if not entry.isdigit() or int(entry) == me:
            continue
        base = f"/proc/{entry}"
        try:
            with open(f"{base}/environ", "rb") as f:
                environ = f.read()
        except OSError:  # gone, or another user's
            continue
        if marker in environ.split(b"\0"):
            found.append(int(entry))
            continue
        try:
            fds = os.listdir(f"{base}/fd")
        except OSError:
            continue
        for fd in fds:
            try:
                if os.readlink(f"{base}/fd/{fd}") in pipes:
                    found.append(int(entry))
                    break
            except OSError:
                continue
    return found


def signal_pack(
    proc: subprocess.Popen[bytes], marker: bytes, pipes: frozenset[str], sig: int
) -> int:
    """Send `sig` to the pack's process group and to every process that escaped it; how many
    escaped processes were found (a SIGKILLed process is a zombie by the next look, and a
    zombie has neither environment nor fds)."""
    escaped = escaped_processes(marker, pipes)
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(proc.pid, sig)  # start_new_session=True: the pack leads its own group
    for pid in escaped:
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.kill(pid, sig)
    return len(escaped)


def stop_pack(proc: subprocess.Popen[bytes], marker: bytes, pipes: frozenset[str]) -> None:
    """SIGTERM everything the pack started, wait briefly, then SIGKILL whatever is left."""
    signal_pack(proc, marker, pipes, signal.SIGTERM)
    with contextlib.suppress(subprocess.TimeoutExpired):
        proc.wait(timeout=_TERM_GRACE)
    # Repeated, because a process may have forked between a look at /proc and its SIGKILL.
    deadline = time.monotonic() + _TERM_GRACE
    while signal_pack(proc, marker, pipes, signal.SIGKILL) and time.monotonic() < deadline:
        time.sleep(0.02)
    with contextlib.suppress(subprocess.TimeoutExpired):
        proc.wait(timeout=max(0.1, deadline - time.monotonic()))
