"""Read the config-like files a user hands to `infra` (YAML and JSON) without trusting them.

Every such read goes through here so that a FIFO, a device, a huge file, a document nested
thousands deep or a key given twice is one line naming the file, never a hang, a
MemoryError, a RecursionError or a silently dropped value.
"""

from __future__ import annotations

import functools
import json
import os
import pickle
import re
import stat
from pathlib import Path
from typing import Any

import yaml

from infra.errors import UsageError

# Config files are a few kilobytes; anything near this is not one.
MAX_FILE_BYTES = 1 << 20
# Far deeper than any config, and shallow enough that the recursive parsers stay well
# inside Python's recursion limit.
MAX_DEPTH = 64

_KINDS = {
    stat.S_IFDIR: "a directory",
    stat.S_IFIFO: "a FIFO",
    stat.S_IFCHR: "a character device",
    stat.S_IFBLK: "a block device",
    stat.S_IFSOCK: "a socket",
}


def read_text(path: Path, shown: str | None = None, what: str = "it") -> str:
    """The UTF-8 text of a regular file of at most MAX_FILE_BYTES.

    `shown` names the file in messages (default: `path`); `what` is what the caller calls it
    ("stack config"): "<shown>: cannot read <what>: <reason>"."""
    shown = shown or str(path)
    try:
        # O_NONBLOCK: opening a FIFO must not wait for a writer.
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | os.O_NOCTTY | os.O_CLOEXEC)
    except FileNotFoundError:
        raise UsageError(f"{shown}: not found") from None
    except OSError as e:
        raise UsageError(f"{shown}: cannot read {what}: {e.strerror}") from None
    try:
        mode = os.fstat(fd).st_mode
        if not stat.S_ISREG(mode):
            kind = _KINDS.get(stat.S_IFMT(mode), "not a file")
            raise UsageError(f"{shown}: cannot read {what}: {kind}, not a regular file")
        data = _read_at_most(fd, MAX_FILE_BYTES + 1)
    except OSError as e:
        raise UsageError(f"{shown}: cannot read {what}: {e.strerror}") from None
    finally:
        os.close(fd)
    if len(data) > MAX_FILE_BYTES:
        raise UsageError(
            f"{shown}: cannot read {what}: larger than {MAX_FILE_BYTES >> 20} MiB, "
            "too large for a config file"
        )
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as e:
        raise UsageError(f"{shown}: cannot read {what}: not UTF-8 text (byte {e.start})") from None


def _read_at_most(fd: int, limit: int) -> bytes:
    chunks: list[bytes] = []
    left = limit
    while left > 0:
        chunk = os.read(fd, left)
        if not chunk:
            break
        chunks.append(chunk)
        left -= len(chunk)
    return b"".join(chunks)


# --------------------------------------------------------------------------------------------
# YAML


class _Refused(Exception):
    """A YAML document the loader will not build; the message follows "<file>: "."""


class StrictLoader(yaml.SafeLoader):
    """SafeLoader that refuses a key given twice in one mapping and nesting past MAX_DEPTH.

    Both are checked while composing, before the recursive parts of PyYAML run deep."""

    _depth = 0

    def compose_node(self, parent: Any, index: Any) -> Any:
        self._depth += 1
        try:
            if self._depth > MAX_DEPTH:
                line = self.peek_event().start_mark.line + 1
                raise _Refused(f"line {line}: nested deeper than {MAX_DEPTH} levels")
            return super().compose_node(parent, index)
        finally:
            self._depth -= 1

    def compose_mapping_node(self, anchor: Any) -> Any:
        node = super().compose_mapping_node(anchor)
        first_line: dict[tuple[str, str], int] = {}
        for key, _ in node.value:
            # `<<` merges may be overridden by the mapping's own keys; that is not a duplicate.
            if not isinstance(key, yaml.ScalarNode) or key.tag == "tag:yaml.org,2002:merge":
                continue
            line = key.start_mark.line + 1
            if (key.tag, key.value) in first_line:
                seen = first_line[key.tag, key.value]
                raise _Refused(f"duplicate key {key.value!r} at lines {seen} and {line}")
            first_line[key.tag, key.value] = line
        return node


def parse_yaml(text: str, shown: str, loader: type[StrictLoader] = StrictLoader) -> Any:
    """One YAML document from `text`; any problem is one UsageError line naming `shown`."""
    try:
        # A class is hashable; mypy reads the instance method __hash__(self) and says not.
        return pickle.loads(_parsed(text, loader))  # type: ignore[arg-type]
    except _Refused as e:
        raise UsageError(f"{shown}: {e}") from None
    except yaml.YAMLError as e:
        mark = getattr(e, "problem_mark", None)
        where = f" line {mark.line + 1}" if mark is not None else ""
        problem = getattr(e, "problem", None) or str(e).splitlines()[0]
        raise UsageError(f"{shown}:{where} is not valid YAML: {problem}") from None


# A command reads Pulumi.yaml and the stack files several times (each stack's preview, its
# policy keys, the permissions check), and PyYAML's pure-Python loader, which the checks
# above need, takes ~20 ms for Pulumi.yaml: each text is parsed once per process, and each
# caller gets its own copy (unpickling costs a fiftieth of parsing).
@functools.lru_cache(maxsize=64)
def _parsed(text: str, loader: type[StrictLoader]) -> bytes:
    parser = loader(text)
    try:
        return pickle.dumps(parser.get_single_data())
    finally:
        parser.dispose()


def load_yaml(
    path: Path,
    shown: str | None = None,
    what: str = "it",
    loader: type[StrictLoader] = StrictLoader,
) -> Any:
    shown = shown or str(path)
    return parse_yaml(read_text(path, shown, what), shown, loader)


# --------------------------------------------------------------------------------------------
# JSON

# A JSON string (skipped: brackets inside it do not nest) or one bracket.
_JSON_TOKEN = re.compile(r'"[^"\\]*(?:\\.[^"\\]*)*"|[\[\]{}]', re.DOTALL)


def _check_json_depth(text: str, shown: str) -> None:
    depth = 0
    for match in _JSON_TOKEN.finditer(text):
        token = match.group()
        if token in ("[", "{"):
            depth += 1
            if depth > MAX_DEPTH:
                line = text.count("\n", 0, match.start()) + 1
                raise UsageError(f"{shown}: line {line}: nested deeper than {MAX_DEPTH} levels")
        elif token in ("]", "}"):
            depth -= 1


def parse_json(text: str, shown: str) -> Any:
    """The JSON document in `text`; any problem is one UsageError line naming `shown`."""
    _check_json_depth(text, shown)

    def unique(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
        doc: dict[str, Any] = {}
        for key, value in pairs:
            if key in doc:
                raise UsageError(f"{shown}: duplicate key {key!r}")
            doc[key] = value
        return doc

    try:
        return json.loads(text, object_pairs_hook=unique)
    except json.JSONDecodeError as e:
        raise UsageError(
            f"{shown}: invalid JSON at line {e.lineno}, column {e.colno}: {e.msg}"
        ) from None


def load_json(path: Path, shown: str | None = None, what: str = "it") -> Any:
    shown = shown or str(path)
    return parse_json(read_text(path, shown, what), shown)
