"""Safe access to the property bags the policy engine hands to policies.

What the engine sends, and how this module normalises it:

* Properties arrive wrapped in ``pulumi_policy``'s unknown-checking proxy. Touching an
  unknown value (a value only the provider can compute, e.g. an output of a resource that
  does not exist yet during ``pulumi preview``) raises ``UnknownValueError``; if a policy
  let that escape, the engine would turn it into an advisory "can't run policy ... during
  preview" diagnostic. :func:`plain` walks the proxy once, catches those errors per key
  and per list element, and returns ordinary ``dict``/``list`` values in which every
  unknown is replaced by the :data:`UNKNOWN` sentinel. Raw unknown sentinel strings (the
  UUIDs the engine uses on the wire) are recognised too, so the same code works on
  unproxied data.
* Numbers travel through ``google.protobuf.Struct``, so every integer arrives as a
  ``float`` (``shareQuota: 100`` is ``100.0``). Use :func:`as_int` to read integers.
* ``None`` (JSON ``null``) means "not set" and reads as :data:`MISSING`, the same as an
  absent key.
* Secrets are already unwrapped by the engine for validation; ``pulumi_policy.Secret``
  wrappers (only produced for remediations) are unwrapped here as well.

Policies decide per property what :data:`MISSING` means (a secure platform default, or a
violation) and document it in their module docstring. Unless a module says otherwise, a
policy that meets :data:`UNKNOWN` in a value it needs skips that check silently: the
value is checked again on the next preview/update once it is known.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, Final

from pulumi_policy import Secret
from pulumi_policy.proxy import (
    UNKNOWN_ARCHIVE_VALUE,
    UNKNOWN_ARRAY_VALUE,
    UNKNOWN_ASSET_VALUE,
    UNKNOWN_BOOLEAN_VALUE,
    UNKNOWN_NUMBER_VALUE,
    UNKNOWN_OBJECT_VALUE,
    UNKNOWN_STRING_VALUE,
    UnknownValueError,
)

__all__ = [
    "MISSING",
    "UNKNOWN",
    "as_int",
    "describe",
    "get",
    "is_known",
    "plain",
]


class _Sentinel:
    __slots__ = ("_name",)

    def __init__(self, name: str) -> None:
        self._name = name

    def __repr__(self) -> str:
        return self._name

    def __reduce__(self) -> str:
        return self._name


UNKNOWN: Final = _Sentinel("UNKNOWN")
"""A value that cannot be known yet (preview of a value computed by a provider)."""

MISSING: Final = _Sentinel("MISSING")
"""A property that is absent or ``null``."""

_UNKNOWN_SENTINELS: Final = frozenset(
    {
        UNKNOWN_BOOLEAN_VALUE,
        UNKNOWN_NUMBER_VALUE,
        UNKNOWN_STRING_VALUE,
        UNKNOWN_ARRAY_VALUE,
        UNKNOWN_ASSET_VALUE,
        UNKNOWN_ARCHIVE_VALUE,
        UNKNOWN_OBJECT_VALUE,
    }
)


def plain(value: Any) -> Any:
    """Return ``value`` as plain ``dict``/``list``/scalars with unknowns as :data:`UNKNOWN`."""
    if isinstance(value, Secret):
        return plain(value.value)
    if isinstance(value, str):
        return UNKNOWN if value in _UNKNOWN_SENTINELS else value
    if isinstance(value, Mapping):
        out: dict[str, Any] = {}
        for key in list(value):
            try:
                item = value[key]
            except UnknownValueError:
                out[key] = UNKNOWN
                continue
            out[key] = plain(item)
        return out
    if isinstance(value, Sequence) and not isinstance(value, bytes | bytearray):
        items: list[Any] = []
        for index in range(len(value)):
            try:
                item = value[index]
            except UnknownValueError:
                items.append(UNKNOWN)
                continue
            items.append(plain(item))
        return items
    return value


def get(obj: Any, *path: str | int) -> Any:
    """Follow ``path`` through plain data; returns the value, :data:`MISSING` or :data:`UNKNOWN`.

    A step through an unknown container yields :data:`UNKNOWN`; a step through a missing
    container, a ``null``, an out-of-range index or a value of the wrong shape (e.g. a
    string where an object was expected) yields :data:`MISSING`.
    """
    current = plain(obj) if not isinstance(obj, dict | list) else obj
    for step in path:
        if current is UNKNOWN:
            return UNKNOWN
        if isinstance(step, int) and isinstance(current, list):
            if not -len(current) <= step < len(current):
                return MISSING
            current = current[step]
        elif isinstance(step, str) and isinstance(current, dict):
            if step not in current:
                return MISSING
            current = current[step]
        else:
            return MISSING
        if current is None:
            return MISSING
    return current


def is_known(value: Any) -> bool:
    """True when ``value`` is neither :data:`UNKNOWN` nor :data:`MISSING`."""
    return value is not UNKNOWN and value is not MISSING


def as_int(value: Any) -> int | None:
    """An integral number as ``int`` (``100.0`` -> ``100``); ``None`` for anything else.

    Booleans, fractional numbers and strings are not integers here.
    """
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return None


def describe(value: Any) -> str:
    """Render a property value for a violation message (``'x'``, ``true``, ``<not set>``)."""
    if value is MISSING:
        return "<not set>"
    if value is UNKNOWN:
        return "<unknown>"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, str):
        return f"'{value}'"
    return repr(value)
