"""`infra affected`: the command line of `infra.repo.affected`."""

from __future__ import annotations

import argparse
import contextlib
import json
import sys
from pathlib import Path

from infra.commands.options import add_cwd, add_format, epilog
from infra.engine.project import STACK_REMOVED_NOTE
from infra.errors import UsageError
from infra.git import revision_checkout
from infra.repo.affected import (
    affected_stacks,
    changed_paths_between,
    discover_stacks,
    invalid_stack_files,
    removed_stacks,
    staged_paths,
)
from infra.repo.rules import load_rules


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """The `infra affected` flags; `run(args)` executes them."""
    parser.add_argument("--base", metavar="REF", help="compare against this git ref")
    parser.add_argument(
        "--head",
        metavar="REF",
        help="the changed ref (default: the work tree and index, untracked files included)",
    )
    parser.add_argument(
        "--staged", action="store_true", help="use the staged files (for a pre-commit hook)"
    )
    parser.add_argument("--all", action="store_true", help="list every existing stack")
    add_cwd(parser)
    parser.add_argument(
        "--stack-config-dir",
        default="stacks",
        metavar="DIR",
        help="where Pulumi.<stack>.yaml files live, relative to --cwd (default: stacks)",
    )
    add_format(parser, ("text", "json"))
    parser.add_argument(
        "--with-removed",
        action="store_true",
        help="also list stacks whose file the change deletes (for the PR diff, never a deploy)",
    )
    parser.add_argument(
        "paths", nargs="*", metavar="PATH", help="changed paths (instead of --base/--staged)"
    )


def run(args: argparse.Namespace) -> int:
    """Print the affected stacks; returns the exit code (0). Raises UsageError (exit 2)."""
    root: Path = args.cwd
    modes = sum([bool(args.base), bool(args.staged), bool(args.all), bool(args.paths)])
    if modes != 1:
        raise UsageError("affected: give exactly one of --base REF, --staged, --all or PATHs")
    if args.head and not args.base:
        raise UsageError("affected: --head needs --base")
    # The work tree's rules judge; the stacks are those of --head when given (the PR gate runs
    # in the base's checkout: a PR adding a stack still has it diffed, issue 26.4).
    rules = load_rules(root)
    with contextlib.ExitStack() as scope:
        stacks_root = root
        if args.head:
            stacks_root = scope.enter_context(revision_checkout(root, args.head)) or root
        for name in invalid_stack_files(stacks_root, args.stack_config_dir):
            # Reported, never half-used: preview and diff refuse the same file.
            print(f"infra affected: {name}: not a valid stack name, not a stack", file=sys.stderr)
        existing = discover_stacks(stacks_root, args.stack_config_dir, rules)
    if args.all:
        stacks = existing
    else:
        if args.base:
            paths = changed_paths_between(root, args.base, args.head)
        elif args.staged:
            paths = staged_paths(root)
        else:
            paths = list(args.paths)
        removed = removed_stacks(paths, root, args.stack_config_dir, existing, rules)
        for name in removed:
            print(f"infra affected: {name}: {STACK_REMOVED_NOTE}", file=sys.stderr)
        known = existing + removed if args.with_removed else existing
        stacks = affected_stacks(paths, root, args.stack_config_dir, all_stacks=known, rules=rules)
    if args.format == "json":
        from infra.render.plan import JSON_VERSION

        print(json.dumps({"version": JSON_VERSION, "stacks": stacks}))
    else:
        for stack in stacks:
            print(stack)
    return 0


def add_subparser(sub: argparse._SubParsersAction) -> None:
    """Register `affected` on infra.commands's subparsers (sets `handler=run`)."""
    parser = sub.add_parser(
        "affected",
        help="list the stacks a change touches, in deploy order",
        description="List the stacks a change touches, in deploy order, by the rules in "
        "[tool.infra.affects] of pyproject.toml.",
        epilog=epilog(
            "infra affected --base origin/main",
            "infra affected --base origin/main --head HEAD --json   a CI matrix",
            command="affected",
        ),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    add_arguments(parser)
    parser.set_defaults(handler=run)
