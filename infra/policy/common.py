"""What every part of the policy host shares: its error, the enforcement levels, and how a
pack's words are cut down to one line."""

from __future__ import annotations

import json
from typing import Any

from pulumi.runtime.proto import analyzer_pb2

from infra.errors import UsageError

LEVELS = ("advisory", "mandatory", "remediate", "disabled")

LEVEL_TO_PROTO = {
    "advisory": analyzer_pb2.ADVISORY,
    "mandatory": analyzer_pb2.MANDATORY,
    "remediate": analyzer_pb2.REMEDIATE,
    "disabled": analyzer_pb2.DISABLED,
}

PROTO_TO_LEVEL = {v: k for k, v in LEVEL_TO_PROTO.items()}

# What a diagnostic's level means for the gate: a remediate-level violation is one the pack could
# not fix, so it blocks like a mandatory one; disabled policies are never reported.
REPORTED_LEVEL = {
    analyzer_pb2.ADVISORY: "advisory",
    analyzer_pb2.MANDATORY: "mandatory",
    analyzer_pb2.REMEDIATE: "mandatory",
}


class PolicyPackError(UsageError):
    """A policy pack could not be evaluated; `str(e)` is one line naming the pack."""

    def __init__(self, message: str) -> None:
        super().__init__(one_line(message))


def one_line(text: str) -> str:
    return " ".join(part.strip() for part in text.splitlines() if part.strip())


def last_line(text: str) -> str:
    for line in reversed(text.splitlines()):
        if line.strip():
            return line.strip()
    return ""


def clip(text: str, limit: int = 120) -> str:
    return text if len(text) <= limit else text[: limit - 3] + "..."


def short_json(value: Any) -> str:
    return clip(json.dumps(value))


def integral(value: Any) -> Any:
    """Struct carries every number as a double; give whole numbers back their int form."""
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, dict):
        return {k: integral(v) for k, v in value.items()}
    if isinstance(value, list):
        return [integral(v) for v in value]
    return value


def json_type(value: Any) -> str:
    if isinstance(value, list):
        return "an array"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, (int, float)):
        return "a number"
    return "null"
