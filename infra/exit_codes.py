"""Every exit code of `infra`, its commands and the CI scripts that pass them on: one table.

Standard library only: scripts/build_pr_comment.py reads it outside the virtualenv.
"""

from __future__ import annotations

from enum import IntEnum


class ExitCode(IntEnum):
    OK = 0
    # A mandatory policy violation (`infra smoke`: the smoke test failed).
    FAILED = 1
    # A usage, config, program or policy-pack error, printed as one line.
    ERROR = 2
    # `infra diff --strict`: an unacknowledged replacement or deletion of stateful data.
    STATEFUL_RISK = 3


# How a PR comment states each outcome of `infra diff`.
DIFF_OUTCOMES: dict[int, tuple[str, str]] = {
    ExitCode.OK: ("✅", "no mandatory policy violation, no unacknowledged stateful change"),
    ExitCode.FAILED: ("❌", "mandatory policy violation"),
    ExitCode.ERROR: ("💥", "error while diffing"),
    ExitCode.STATEFUL_RISK: ("⚠️", "unacknowledged replacement or deletion of a stateful resource"),
}

# How a PR comment states each outcome of `infra permissions`.
PERMISSIONS_OUTCOMES: dict[int, tuple[str, str]] = {
    ExitCode.OK: ("✅", "every identity holds what every stack needs; plan writes nothing"),
    ExitCode.FAILED: ("❌", "an identity lacks an action a stack needs, or plan may write"),
    ExitCode.ERROR: ("💥", "error while checking the permissions"),
}
