"""scripts/verify-action-pins.sh fails well: without gh, or with a gh that cannot reach the
API, one line and exit 2 (not ten MISMATCH lines); with a stand-in GitHub it compares."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

from tests.delivery._standins import standins
from tests.delivery._workflows import WORKFLOW_FILES

PIN = re.compile(r"uses: ([^ @]+)@([0-9a-f]{40}) # (v[0-9.]+)")


def _pins() -> set[tuple[str, str, str]]:
    return {m.groups() for f in WORKFLOW_FILES for m in PIN.finditer(f.read_text())}


def test_without_gh_it_says_so_and_exits_2(tmp_path: Path) -> None:
    # A PATH with what the script needs besides gh (a GitHub runner has gh installed).
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    for tool in ("bash", "grep", "sed", "sort", "dirname"):
        found = shutil.which(tool)
        assert found, tool
        (bin_dir / tool).symlink_to(found)
    fakes = standins(tmp_path / "unused")
    done = fakes.run("verify-action-pins.sh", env={"PATH": str(bin_dir)})
    assert done.returncode == 2
    assert done.stdout == ""
    assert done.stderr.splitlines() == [
        "verify-action-pins: needs gh (https://cli.github.com), logged in, and network access"
    ]


def test_a_gh_that_cannot_reach_github_is_one_line(tmp_path: Path) -> None:
    fakes = standins(tmp_path)
    fakes.answer("gh", "api rate_limit", exit=1)
    done = fakes.run("verify-action-pins.sh")
    assert done.returncode == 2
    assert done.stdout == ""
    assert done.stderr.startswith("verify-action-pins: gh cannot reach the GitHub API")
    assert [c.line for c in fakes.calls()] == ["gh api rate_limit --jq .rate.limit"]


def test_each_pin_is_compared_with_its_tag(tmp_path: Path) -> None:
    pins = _pins()
    assert len(pins) >= 5
    fakes = standins(tmp_path)
    wrong = sorted(pins)[0]
    for ref, sha, tag in sorted(pins):
        owner, name = ref.split("/")[:2]
        answer = "f" * 40 if (ref, sha, tag) == wrong else sha
        fakes.answer("gh", f"api repos/{owner}/{name}/commits/{tag} ", stdout=f"{answer}\n")
    done = fakes.run("verify-action-pins.sh")
    assert done.returncode == 1, done.stderr
    lines = done.stdout.splitlines()
    assert len(lines) == len(pins)
    ref, sha, tag = wrong
    assert f"MISMATCH  {ref} {tag}: pinned {sha}, tag is {'f' * 40}" in lines
    assert sum(line.startswith("ok ") for line in lines) == len(pins) - 1
