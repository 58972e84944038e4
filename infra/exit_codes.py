"""Every exit code of `infra`, its commands and the CI scripts that pass them on: one table.

Standard library only: scripts/build_pr_comment.py reads it outside the virtualenv.
"""

from __future__ import annotations

from enum import IntEnum


class ExitCode(IntEnum):
    OK = 0
    FAILED = 1
    ERROR = 2
    STATEFUL_RISK = 3
    KINDS_DIVERGE = 4


# What each code means, as `infra --help` states it.
MEANINGS: dict[int, str] = {
    ExitCode.OK: "success",
    ExitCode.FAILED: "a mandatory policy violation (smoke: the smoke test failed; permissions: "
    "an identity lacks an action a stack needs, or the plan identity may write)",
    ExitCode.ERROR: "a usage, config, program or policy-pack error, in one line",
    ExitCode.STATEFUL_RISK: "diff --strict: an unacknowledged replacement or deletion of "
    "stateful data",
    ExitCode.KINDS_DIVERGE: "diff: a stack differs in kind from the stack it rehearses "
    "(pyproject.toml [tool.infra.same-kinds])",
}


_ERROR = MEANINGS[ExitCode.ERROR]
# The codes each command can return, as its --help lists them (`infra --help` lists MEANINGS).
COMMAND_CODES: dict[str, dict[int, str]] = {
    "preview": {
        ExitCode.OK: "success (advisory violations are reported, not failed)",
        ExitCode.FAILED: "a mandatory policy violation",
        ExitCode.ERROR: _ERROR,
    },
    "diff": {
        ExitCode.OK: "success",
        ExitCode.FAILED: "a mandatory policy violation in this revision",
        ExitCode.ERROR: f"{_ERROR}, or an upgrade Azure refuses",
        ExitCode.STATEFUL_RISK: "--strict: an unacknowledged replacement or deletion of "
        "stateful data",
        ExitCode.KINDS_DIVERGE: MEANINGS[ExitCode.KINDS_DIVERGE].removeprefix("diff: "),
    },
    "cost": {ExitCode.OK: "success", ExitCode.ERROR: _ERROR},
    "permissions": {
        ExitCode.OK: "every identity holds what every stack needs, and nothing more",
        ExitCode.FAILED: "an identity lacks an action a stack needs, holds one no plan needs, "
        "or the plan identity may write",
        ExitCode.ERROR: _ERROR,
    },
    "export": {ExitCode.OK: "success", ExitCode.ERROR: _ERROR},
    "affected": {ExitCode.OK: "success", ExitCode.ERROR: _ERROR},
    "smoke": {
        ExitCode.OK: "every volume passed",
        ExitCode.FAILED: "the smoke test failed (a Job failed, timed out or was not created)",
        ExitCode.ERROR: "kubectl or pulumi is missing, or the stack, its config or outputs are "
        "unusable",
    },
}


# How a PR comment states each outcome of `infra diff`.
DIFF_OUTCOMES: dict[int, tuple[str, str]] = {
    ExitCode.OK: ("✅", "no mandatory policy violation, no unacknowledged stateful change"),
    ExitCode.FAILED: ("❌", "mandatory policy violation"),
    ExitCode.ERROR: ("💥", "error while diffing"),
    ExitCode.STATEFUL_RISK: ("⚠️", "unacknowledged replacement or deletion of a stateful resource"),
    ExitCode.KINDS_DIVERGE: ("❌", "a stack no longer rehearses the stack it stands in for"),
}

# How a PR comment states each outcome of `infra permissions`.
PERMISSIONS_OUTCOMES: dict[int, tuple[str, str]] = {
    ExitCode.OK: ("✅", "every identity holds what every stack needs; plan writes nothing"),
    ExitCode.FAILED: ("❌", "an identity lacks an action a stack needs, or plan may write"),
    ExitCode.ERROR: ("💥", "error while checking the permissions"),
}
