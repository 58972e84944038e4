"""`infra`: preview, diff, check and cost Pulumi stacks offline; smoke-test a deployed stack."""

from __future__ import annotations

import argparse
import io
import os
import sys
from collections.abc import Sequence

from infra import interrupts
from infra.commands import affected, cost, diff, export, permissions, preview, smoke
from infra.commands.options import epilog
from infra.errors import UsageError
from infra.exit_codes import ExitCode


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # type: ignore[override]
        self.exit(ExitCode.ERROR, f"infra: error: {message}\n")


def _version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    def of(package: str) -> str:
        try:
            return version(package)
        except PackageNotFoundError:
            return "not installed"

    return (
        f"infra {of('aks-rwx-training')} (pulumi {of('pulumi')}, "
        f"pulumi-policy {of('pulumi-policy')}, Python {sys.version.split()[0]})"
    )


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="infra",
        description="Preview, diff and check Pulumi stacks offline; smoke-test a deployed stack.",
        epilog=epilog(
            "infra preview                       every stack, with its policy verdicts",
            "infra diff --base origin/main       what this change does to each stack",
            "infra affected --base origin/main   which stacks it touches",
            "infra preview -h                    a command's own options",
        ),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("-V", "--version", action="version", version=_version())
    sub = parser.add_subparsers(dest="command", parser_class=_Parser)
    for command in (preview, diff, affected, smoke, export, permissions, cost):
        command.add_subparser(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    try:
        os.getcwd()
    except FileNotFoundError:
        # Checked before the parser is built: its --cwd defaults are the current directory.
        print(
            "infra: error: the current directory no longer exists; cd to the project",
            file=sys.stderr,
        )
        return ExitCode.ERROR
    for stream in (sys.stdout, sys.stderr):
        # A stream whose encoding cannot spell the tree's box characters or a resource's name
        # (PYTHONIOENCODING=ascii, a C locale) gets "?" for them instead of a traceback.
        if isinstance(stream, io.TextIOWrapper):
            stream.reconfigure(errors="replace")
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command is None:  # as `pulumi` and `pip` do: help, not a usage error
        parser.print_help()
        return ExitCode.OK
    with interrupts.handled():
        return _run(args)


def _run(args: argparse.Namespace) -> int:
    from infra.engine.project import ProgramError

    try:
        code = int(args.handler(args))
        sys.stdout.flush()  # a closed pipe must fail here, not in the flush at exit
        if interrupts.received():  # a signal something swallowed: still an interruption
            interrupts.report()
            return ExitCode.ERROR
        return code
    except BrokenPipeError:
        # The reader (`| head`) has what it wants: exit quietly, as Python's docs recommend,
        # with stdout on devnull so the flush at exit cannot fail again.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
    except (UsageError, ProgramError) as e:
        # After a signal, whatever failed failed because of it (see infra.interrupts).
        if interrupts.received():
            interrupts.report()
        else:
            print(f"infra: error: {e}", file=sys.stderr)
    except KeyboardInterrupt:
        interrupts.report()
    return ExitCode.ERROR


if __name__ == "__main__":
    sys.exit(main())
