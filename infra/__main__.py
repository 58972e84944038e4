"""The `infra` console script, and `python -m infra ...` for scripts that have only a Python."""

import sys

from infra import interrupts
from infra.exit_codes import ExitCode


def console_script() -> int:
    """The signal handlers are in place before the tool's own imports, which take most of a
    second, so a signal during them ends the run with one line too."""
    with interrupts.handled():
        try:
            from infra.commands import main

            code = main()
        except KeyboardInterrupt:
            interrupts.report()
            code = ExitCode.ERROR
    if interrupts.received():
        # Interpreter shutdown would wait for any thread the interrupted run left blocked.
        interrupts.exit_now(code)
    return code


if __name__ == "__main__":
    sys.exit(console_script())
