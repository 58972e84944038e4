"""docs/cli.md's heading for each `infra` command restates its flags: every flag a heading names is
one the command takes, and a heading's `--format a|b|...` lists exactly the command's choices."""

from __future__ import annotations

import argparse
import re

import pytest

from infra.commands import build_parser
from tests.conftest import REPO_ROOT

HEADINGS = re.findall(
    r"^## `infra (\w+) (.*)`$", (REPO_ROOT / "docs" / "cli.md").read_text(), flags=re.MULTILINE
)


def _options(command: str) -> dict[str, argparse.Action]:
    parser = build_parser()
    (commands,) = (a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    return {flag: a for a in commands.choices[command]._actions for flag in a.option_strings}


def test_every_command_with_a_heading_is_found() -> None:
    assert {command for command, _ in HEADINGS} >= {"preview", "diff", "cost", "export"}


@pytest.mark.parametrize(("command", "synopsis"), HEADINGS, ids=[c for c, _ in HEADINGS])
def test_a_heading_names_only_the_commands_flags_and_formats(command: str, synopsis: str) -> None:
    options = _options(command)
    for flag in re.findall(r"(?<![\w-])(--?[A-Za-z][\w-]*)", synopsis):
        assert flag in options, f"docs/cli.md heading of `infra {command}` names {flag}"
    formats = re.search(r"--format ([\w|]+)", synopsis)
    if formats:
        assert formats.group(1).split("|") == list(options["--format"].choices)
