"""Plan values on the Analyzer wire, and masking what a pack says about secrets."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from infra.engine.model import SECRET_MASK, Secret, Unknown
from infra.engine.wire import SECRET_SIG, SIG_KEY, UNKNOWN_SENTINEL

# --------------------------------------------------------------------------------------------
# Property encoding


class UnsupportedValue(Exception):
    def __init__(self, type_name: str) -> None:
        super().__init__(type_name)
        self.type_name = type_name
        self.path: list[str] = []


def encode(value: Any) -> Any:
    """A plan value as the JSON-like structure the CLI would put in a Struct."""
    if value is None or isinstance(value, (str, bool, int, float)):
        return value
    if isinstance(value, Secret):
        return {SIG_KEY: SECRET_SIG, "value": encode(value.value)}
    if isinstance(value, Unknown):
        return UNKNOWN_SENTINEL
    if isinstance(value, Mapping):
        return encode_map(value)
    if isinstance(value, (list, tuple)):
        out = []
        for i, item in enumerate(value):
            try:
                out.append(encode(item))
            except UnsupportedValue as e:
                e.path.insert(0, f"[{i}]")
                raise
        return out
    raise UnsupportedValue(type(value).__name__)


def encode_map(props: Mapping[Any, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in props.items():
        k = str(key)
        if k.startswith("__"):  # the CLI's SkipInternalKeys
            continue
        try:
            out[k] = encode(value)
        except UnsupportedValue as e:
            e.path.insert(0, f".{k}")
            raise
    return out


def parse_urn(urn: str) -> tuple[str, str]:
    """(type, name) from `urn:pulumi:stack::project::[parent$]type::name`."""
    parts = urn.split("::", 3)
    if len(parts) < 4:
        return "", urn
    return parts[2].rsplit("$", 1)[-1], parts[3]


# --------------------------------------------------------------------------------------------
# Secrets in what a pack says


class SecretMask:
    """Replaces every stretch of text covered by some secret with the mask.

    Stretches are merged first, so a secret inside another ("pw" in "pw-long") or overlapping
    another ("abcd", "cdef" in "abcdef") never leaves a piece of either in view.  Even a
    one-character secret is masked: a pack quoting it would otherwise show it in full.
    """

    def __init__(self, secrets: set[str]) -> None:
        self._secrets = sorted(secrets)

    def __call__(self, text: str) -> str:
        spans: list[tuple[int, int]] = []
        for secret in self._secrets:
            at = text.find(secret)
            while at != -1:
                spans.append((at, at + len(secret)))
                at = text.find(secret, at + 1)
        if not spans:
            return text
        spans.sort()
        out: list[str] = []
        done = 0
        start, end = spans[0]
        for s, e in spans[1:]:
            if s <= end:
                end = max(end, e)
                continue
            out += [text[done:start], SECRET_MASK]
            done, (start, end) = end, (s, e)
        out += [text[done:start], SECRET_MASK, text[end:]]
        return "".join(out)
