"""Options shared by several commands (as pip's cmdoptions): which stacks, where, in what form."""

from __future__ import annotations

import argparse
from pathlib import Path


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


FORMATS = ("text", "json", "markdown")


def add_stack_selection(
    p: argparse.ArgumentParser, verb: str, extra_formats: tuple[str, ...] = ()
) -> None:
    """The flags `preview` and `diff` share with `pulumi preview`: which stacks, where, how.

    `--format` names the output; `--json` and `--markdown` are its shorthands (same dest)."""
    p.add_argument(
        "-s",
        "--stack",
        action="append",
        default=[],
        metavar="NAME",
        help=f"stack to {verb} (repeatable); default: every stack",
    )
    add_cwd(p)
    fmt = p.add_mutually_exclusive_group()
    fmt.add_argument(
        "--format", choices=(*FORMATS, *extra_formats), default="text", help="output format"
    )
    fmt.add_argument(
        "--json", dest="format", action="store_const", const="json", help="= --format json"
    )
    fmt.add_argument(
        "--markdown",
        dest="format",
        action="store_const",
        const="markdown",
        help="= --format markdown (GitHub-flavoured)",
    )
