"""The one way the generators rewrite a block of a Markdown file between two markers."""

from __future__ import annotations


def replace_between(text: str, begin: str, end: str, body: str, shown: str) -> str:
    """`text` with what stands between the `begin` and `end` markers replaced by `body`;
    missing markers are one line naming the file (`shown`)."""
    if begin not in text or end not in text:
        raise SystemExit(f"{shown}: the markers {begin!r} and {end!r} are missing")
    head, rest = text.split(begin, 1)
    _, tail = rest.split(end, 1)
    return f"{head}{begin}\n{body}\n{end}{tail}"
