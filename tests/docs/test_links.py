"""Every relative link in the README and docs/ leads somewhere: the file exists and, where the
link names a heading, the heading is there (GitHub's anchor for it)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests.conftest import REPO_ROOT

DOCS = sorted(
    [REPO_ROOT / "README.md", REPO_ROOT / "SECURITY.md", *(REPO_ROOT / "docs").glob("*.md")]
)
LINK = re.compile(r"\]\(([^)\s]+)\)")
FENCE = re.compile(r"^(```|````)")


def _prose(path: Path) -> list[str]:
    """The lines outside fenced blocks: a link inside an example comment is the example's."""
    lines, fenced = [], False
    for line in path.read_text(encoding="utf-8").splitlines():
        if FENCE.match(line):
            fenced = not fenced
        elif not fenced:
            lines.append(line)
    return lines


def anchors(path: Path) -> set[str]:
    """GitHub's heading anchors: lower case, punctuation dropped, spaces to hyphens."""
    found = set()
    for line in _prose(path):
        heading = re.match(r"#{1,6} (.*)", line)
        if heading:
            text = heading.group(1).strip().lower()
            found.add(re.sub(r"[^\w\- ]", "", text).replace(" ", "-"))
    return found


@pytest.mark.parametrize("doc", DOCS, ids=[d.relative_to(REPO_ROOT).as_posix() for d in DOCS])
def test_every_relative_link_resolves(doc: Path) -> None:
    broken = []
    for line in _prose(doc):
        for target in LINK.findall(line):
            if re.match(r"[a-z]+:", target):
                continue
            file_part, _, anchor = target.partition("#")
            linked = (doc.parent / file_part).resolve() if file_part else doc
            if not linked.exists():
                broken.append(f"{target}: no such file")
            elif anchor and linked.suffix == ".md" and anchor not in anchors(linked):
                broken.append(f"{target}: no such heading")
    assert not broken, broken


def test_the_readme_is_a_front_door() -> None:
    assert len((REPO_ROOT / "README.md").read_bytes()) < 25_000
