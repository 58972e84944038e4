"""Ctrl-C and a cancelled CI job's SIGTERM end `infra` with one line, whenever they arrive.

Python raises KeyboardInterrupt wherever the signal lands. During the stack program's lazy
imports (pulumi_azure_native loads a submodule on first use) that can leave a half-imported
module behind, and the program then fails with an unrelated AttributeError. So the handler
also records that a signal came, and an error that follows one is reported as the
interruption it is.
"""

from __future__ import annotations

import signal
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager

MESSAGE = "infra: interrupted"
_received = False


def _on_signal(signum: int, frame: object) -> None:
    global _received
    _received = True
    raise KeyboardInterrupt


def received() -> bool:
    """Whether SIGINT or SIGTERM arrived since `handled()` was entered."""
    return _received


@contextmanager
def handled() -> Iterator[None]:
    """SIGINT and SIGTERM raise KeyboardInterrupt and are remembered; the previous handlers
    come back on exit (tests call the tool's `main` many times in one process)."""
    global _received
    _received = False
    previous = {
        number: signal.signal(number, _on_signal) for number in (signal.SIGINT, signal.SIGTERM)
    }
    unraisable = sys.unraisablehook
    sys.unraisablehook = _quiet_about_ours(unraisable)
    try:
        yield
    finally:
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
