"""Options shared by several commands (as pip's cmdoptions): which stacks, where, in what form."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

from infra.errors import UsageError
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


def add_format(parser: argparse.ArgumentParser, formats: Sequence[str]) -> None:
    """`--format`, with the formats this command can print (text first, the default); `--json`
    and `--markdown` are shorthands for those it offers (one dest). Any other format is refused
    by argparse in one line naming `--format` and the command's choices."""
    group = parser.add_mutually_exclusive_group()
    group.add_argument(
        "--format",
        choices=formats,
        default=formats[0],
        help=f"output format (default: {formats[0]})",
    )
    for shorthand in ("json", "markdown"):
        if shorthand in formats:
            group.add_argument(
                f"--{shorthand}",
                dest="format",
                action="store_const",
                const=shorthand,
                help=f"= --format {shorthand}",
            )


def add_stack_selection(
    p: argparse.ArgumentParser, verb: str, formats: Sequence[str] = ("text", "json", "markdown")
) -> None:
    """The flags `preview` and `diff` share with `pulumi preview`: which stacks, where, how."""
    add_stacks(p, verb)
    add_format(p, formats)


def add_color(parser: argparse.ArgumentParser) -> None:
    """`--color`, as `pulumi` spells it; `auto` honours NO_COLOR and colours only a terminal."""
    parser.add_argument(
        "--color",
        choices=("auto", "always", "never"),
        default="auto",
        help="colour the text output (default: auto: on a terminal, unless NO_COLOR is set)",
    )


def color_wanted(args: argparse.Namespace) -> bool:
    """Whether to colour this run's text output (`--color`, NO_COLOR, a terminal). A `--color`
    given with another format is refused: it would be silently dropped."""
    if args.color != "auto" and args.format != "text":
        raise UsageError(f"--color colours the text output; drop it or --format {args.format}")
    from infra.render.color import use_color

    return args.format == "text" and use_color(args.color, sys.stdout)


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
