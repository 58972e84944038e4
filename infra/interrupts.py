"""Ctrl-C and a cancelled CI job's SIGTERM end `infra` with one line, whenever they arrive.

Python raises KeyboardInterrupt wherever the signal lands. During the stack program's lazy
imports (pulumi_azure_native loads a submodule on first use) that can leave a half-imported
module behind, and the program then fails with an unrelated AttributeError. So the handler
also records that a signal came, and an error that follows one is reported as the
interruption it is.

Where the KeyboardInterrupt is swallowed (a program's bare `except`, a callback Python cannot
raise from) or leaves a thread blocked that interpreter shutdown would wait for, the run
would go on or never end. So a signal also starts a deadline: the run ends, with the one
line, at most GRACE_SECONDS later, and an interrupted console script skips the shutdown.
"""

from __future__ import annotations

import os
import signal
import sys
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from typing import NoReturn

from infra.exit_codes import ExitCode

MESSAGE = "infra: interrupted"
# Longer than the clean-up after a signal takes (a policy pack is stopped within ~3 s,
# infra/policy/process.py), far shorter than the ~7.5 s + grace a CI runner gives.
GRACE_SECONDS = 10.0
_POLL_SECONDS = 0.25

# Plain assignments only: the handler may run inside any code of the main thread, so it takes
# no lock (a lock the interrupted code holds would deadlock it).
_received_at: float | None = None
_reported = False
_depth = 0


def _on_signal(signum: int, frame: object) -> None:
    global _received_at
    if _received_at is None:
        _received_at = time.monotonic()
    raise KeyboardInterrupt


def received() -> bool:
    """Whether SIGINT or SIGTERM arrived since `handled()` was entered."""
    return _received_at is not None


def report() -> None:
    """Print the one line, once."""
    global _reported
    if not _reported:
        _reported = True
        print(MESSAGE, file=sys.stderr, flush=True)


def exit_now(code: int = ExitCode.ERROR) -> NoReturn:
    """End the process without interpreter shutdown, which would join threads an
    interrupted run may have left blocked."""
    for stream in (sys.stdout, sys.stderr):
        with suppress(OSError, ValueError):
            stream.flush()
    os._exit(code)


def _deadline(left: threading.Event) -> None:
    while not left.wait(_POLL_SECONDS):
        if _received_at is not None and time.monotonic() - _received_at > GRACE_SECONDS:
            report()
            exit_now()


@contextmanager
def handled() -> Iterator[None]:
    """SIGINT and SIGTERM raise KeyboardInterrupt and are remembered; the previous handlers
    come back on exit (tests call the tool's `main` many times in one process). Nested uses
    share the outermost one's deadline."""
    global _received_at, _reported, _depth
    _received_at = None
    _reported = False
    previous = {
        number: signal.signal(number, _on_signal) for number in (signal.SIGINT, signal.SIGTERM)
    }
    unraisable = sys.unraisablehook
    sys.unraisablehook = _quiet_about_ours(unraisable)
    left = threading.Event() if _depth == 0 else None
    if left is not None:
        threading.Thread(
            target=_deadline, args=(left,), name="infra-interrupt-deadline", daemon=True
        ).start()
    _depth += 1
    try:
        yield
    finally:
        _depth -= 1
        if left is not None:
            left.set()
        sys.unraisablehook = unraisable
        for number, handler in previous.items():
            signal.signal(number, handler)


def _quiet_about_ours(
    hook: Callable[[sys.UnraisableHookArgs], object],
) -> Callable[[sys.UnraisableHookArgs], object]:
    # A signal that lands in a callback Python cannot raise from (a weakref's, during garbage
    # collection) would print "Exception ignored in: ..." with a traceback; it is recorded
    # above, and the run ends with the one line, so only that line is printed.
    def quiet(args: sys.UnraisableHookArgs) -> object:
        if args.exc_type is not None and issubclass(args.exc_type, KeyboardInterrupt):
            return None
        return hook(args)

    return quiet
