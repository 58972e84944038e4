"""Options shared by several commands (as pip's cmdoptions): which stacks, where, in what form."""

from __future__ import annotations

import argparse
from collections.abc import Sequence
from pathlib import Path

from infra.exit_codes import COMMAND_CODES, MEANINGS


def add_cwd(parser: argparse.ArgumentParser) -> None:
    """`-C/--cwd`, as `pulumi` and `git` spell it."""
    parser.add_argument(
        "-C",
        "--cwd",
        type=Path,
        default=Path.cwd(),
        metavar="DIR",
        help="the Pulumi project directory (default: the current directory)",
    )


def add_stacks(parser: argparse.ArgumentParser, verb: str) -> None:
    """Which stacks, and where: `-s/--stack` (repeatable, default every stack) and `-C/--cwd`."""
    parser.add_argument(
        "-s",
        "--stack",
        action="append",
        default=[],
        metavar="NAME",
        help=f"stack to {verb} (repeatable); default: every stack",
    )
    add_cwd(parser)


def add_stack_selection(
    p: argparse.ArgumentParser, verb: str, formats: Sequence[str] = ("text", "json", "markdown")
) -> None:
    """The flags `preview` and `diff` share with `pulumi preview`: which stacks, where, how.

    `--format` picks the output; `--json` and `--markdown` are its shorthands (one dest)."""
    add_stacks(p, verb)
    fmt = p.add_mutually_exclusive_group()
    fmt.add_argument(
        "--format",
        choices=formats,
        default="text",
        help="output format (default: text)",
    )
    fmt.add_argument(
        "--json", dest="format", action="store_const", const="json", help="= --format json"
    )
    fmt.add_argument(
        "--markdown",
        dest="format",
        action="store_const",
        const="markdown",
        help="= --format markdown",
    )


def add_color(parser: argparse.ArgumentParser) -> None:
    """`--color`, as `pulumi` spells it; `auto` honours NO_COLOR and colours only a terminal."""
    parser.add_argument(
        "--color",
        choices=("auto", "always", "never"),
        default="auto",
        help="colour the text output (default: auto: on a terminal, unless NO_COLOR is set)",
    )


def epilog(*examples: str, command: str | None = None) -> str:
    """Examples, then the exit codes (from `infra.exit_codes`: the command's own, or every
    code for `infra` itself), for a parser's epilog; give the parser
    `argparse.RawDescriptionHelpFormatter` so the lines stay as written."""
    lines = []
    if examples:
        lines += ["examples:", *(f"  {example}" for example in examples), ""]
    lines.append("exit codes:")
    codes = COMMAND_CODES[command] if command else MEANINGS
    lines += [f"  {int(code)}  {meaning}" for code, meaning in codes.items()]
    return "\n".join(lines)
