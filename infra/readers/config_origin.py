"""Which stack-file settings caused a verdict: the config keys a reviewer would change.

A program turns config into resource inputs in its own ways, so the link is found by value:
a setting is behind a verdict when its value is both among the resource's inputs and named
in the verdict's message (policies name the offending value). Values that only name the
resource (the values of inputs called `name` or `...Name`, wherever else they recur)
identify it rather than cause anything, and
booleans, one-character values and secrets never count (`stack_file_settings` leaves
secrets out).
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from typing import Any

from infra.engine.model import Resource, Secret, Unknown
from infra.engine.project import Setting

_TOO_COMMON = frozenset({"true", "false", "yes", "no", "on", "off", "null", "~"})
_MIN_LENGTH = 2


def _leaves(value: Any, key: str = "") -> Iterator[tuple[str, str]]:
    if isinstance(value, dict):
        for name, item in value.items():
            yield from _leaves(item, str(name))
    elif isinstance(value, list):
        for item in value:
            yield from _leaves(item, key)
    elif not isinstance(value, (Secret, Unknown, bool)) and value is not None:
        yield key, str(value)


def _names_the_resource(key: str) -> bool:
    return key == "name" or key.endswith("Name")


def _named_in(text: str, message: str) -> bool:
    return re.search(rf"(?<![\w.-]){re.escape(text)}(?![\w-])", message) is not None


def settings_behind(resource: Resource, message: str, settings: Sequence[Setting]) -> list[Setting]:
    """The stack file's settings behind a verdict on `resource`, in file order."""
    leaves = list(_leaves(resource.inputs))
    names = {text for key, text in leaves if _names_the_resource(key)}
    values = {text for _, text in leaves} - names
    return [
        s
        for s in settings
        if len(s.text) >= _MIN_LENGTH
        and s.text.lower() not in _TOO_COMMON
        and s.text in values
        and _named_in(s.text, message)
    ]
