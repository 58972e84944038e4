"""The one way the generators rewrite a block of a Markdown file between two markers."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path


def replace_between(text: str, begin: str, end: str, body: str, shown: str) -> str:
    """`text` with what stands between the `begin` and `end` markers replaced by `body`;
    missing markers are one line naming the file (`shown`)."""
    if begin not in text or end not in text:
        raise SystemExit(f"{shown}: the markers {begin!r} and {end!r} are missing")
    head, rest = text.split(begin, 1)
    _, tail = rest.split(end, 1)
    return f"{head}{begin}\n{body}\n{end}{tail}"


def regenerate(path: Path, rendered: Callable[[str], str], check: bool, stale: str) -> int:
    """Rewrite `path` as `rendered` makes it; with `check`, rewrite nothing and print `stale`
    and return 1 when it would change."""
    text = path.read_text(encoding="utf-8")
    new = rendered(text)
    if new == text:
        return 0
    if check:
        print(stale)
        return 1
    path.write_text(new, encoding="utf-8")
    return 0


def regenerate_all(
    paths: Sequence[Path],
    rendered: Callable[[str, Path], str],
    check: bool,
    root: Path,
    stale: Callable[[str], str],
) -> int:
    """`regenerate` for several files at once: with `check`, the stale ones (relative to
    `root`, comma-separated) are named together in the one line `stale` makes of them."""
    names = []
    for path in paths:
        text = path.read_text(encoding="utf-8")
        new = rendered(text, path)
        if new != text:
            names.append(path.relative_to(root).as_posix())
            if not check:
                path.write_text(new, encoding="utf-8")
    if check and names:
        print(stale(", ".join(names)))
        return 1
    return 0
