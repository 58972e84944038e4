"""`infra`: preview, diff and check the stacks offline; smoke-test a deployed stack.

Exit codes: 0 ok; 1 mandatory policy violations (`smoke`: the smoke test failed); 2 a usage,
config, program or policy-pack error (one line, or the program's traceback); 3 `diff
--strict` found an unacknowledged replacement or deletion of stateful data."""

from __future__ import annotations

import argparse
import os
import signal
import sys
from collections.abc import Sequence
from pathlib import Path

from infra.affected import add_subparser as add_affected_subparser
from infra.errors import UsageError
from infra.exit_codes import ExitCode
from infra.smoke import add_subparser as add_smoke_subparser


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # type: ignore[override]
        self.exit(ExitCode.ERROR, f"infra: error: {message}\n")


def _add_stack_selection(p: argparse.ArgumentParser, verb: str) -> None:
    """The flags `preview` and `diff` share with `pulumi preview`: which stacks, where, how."""
    p.add_argument(
        "-s",
        "--stack",
        action="append",
        default=[],
        metavar="NAME",
        help=f"stack to {verb} (repeatable); default: every stack",
    )
    p.add_argument(
        "-C",
        "--cwd",
        type=Path,
        default=Path.cwd(),
        metavar="DIR",
        help="the Pulumi project directory (default: the current directory)",
    )
    fmt = p.add_mutually_exclusive_group()
    fmt.add_argument("--json", action="store_true", help="print one JSON document")
    fmt.add_argument("--markdown", action="store_true", help="print GitHub-flavoured Markdown")


def _add_preview(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("preview", help="show what each stack would deploy, with policy verdicts")
    _add_stack_selection(p, "preview")
    p.add_argument(
        "--policy-pack",
        action="append",
        default=[],
        type=Path,
        metavar="DIR",
        help="policy pack folder (repeatable); default: the project's policies/",
    )
    p.add_argument(
        "--policy-pack-config",
        action="append",
        default=[],
        type=Path,
        metavar="FILE",
        help="config for the policy pack in the same position (repeatable)",
    )
    p.add_argument("--no-policy", action="store_true", help="skip policy evaluation")
    p.add_argument(
        "--violations-only",
        action="store_true",
        help="text output: only policy verdicts and the summary",
    )
    p.set_defaults(handler=_preview)


def _preview(args: argparse.Namespace) -> int:
    from infra.preview import preview_stacks
    from infra.report import render_json, render_markdown, render_text

    # A flag that cannot apply is refused, not silently dropped.
    if args.no_policy and (args.policy_pack or args.policy_pack_config):
        raise UsageError("--no-policy skips the packs that --policy-pack/-config name; drop one")
    if args.violations_only and (args.json or args.markdown):
        raise UsageError("--violations-only shapes the text output; drop it or --json/--markdown")

    plans = preview_stacks(
        args.cwd,
        args.stack,
        policy_packs=args.policy_pack,
        policy_pack_configs=args.policy_pack_config,
        evaluate_policies=not args.no_policy,
    )
    if args.json:
        print(render_json(plans))
    elif args.markdown:
        print(render_markdown(plans))
    else:
        print(render_text(plans, violations_only=args.violations_only))
    return ExitCode.FAILED if any(p.mandatory_violations for p in plans) else ExitCode.OK


def _add_diff(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("diff", help="desired-state diff between a base revision and this one")
    p.add_argument("--base", required=True, metavar="REF", help="git revision to compare against")
    p.add_argument("--head", metavar="REF", help="git revision to diff (default: the work tree)")
    _add_stack_selection(p, "diff")
    p.add_argument(
        "--strict",
        action="store_true",
        help=f"exit {ExitCode.STATEFUL_RISK} if a stateful resource would be replaced "
        "or deleted, unless --ack is given",
    )
    p.add_argument(
        "--ack",
        action="store_true",
        help="acknowledge stateful replacements/deletions (the PR says so)",
    )
    p.add_argument("--no-policy", action="store_true", help="skip policy evaluation")
    p.set_defaults(handler=_diff)


def _diff(args: argparse.Namespace) -> int:
    import json

    from infra.diff import diff_stacks
    from infra.diff_render import render_diff_markdown, render_diff_text

    diffs = diff_stacks(
        args.cwd, args.base, args.stack, head_ref=args.head, evaluate_policies=not args.no_policy
    )
    risks = [c for d in diffs for c in d.stateful_risks]
    blocked = args.strict and bool(risks) and not args.ack
    if args.json:
        print(json.dumps({"stacks": [d.as_json() for d in diffs], "blocked": blocked}, indent=2))
    elif args.markdown:
        print(render_diff_markdown(diffs))
    else:
        print(render_diff_text(diffs))
    if blocked:
        print(
            f"infra: {len(risks)} stateful resource(s) would be replaced or deleted; "
            "a maintainer's approving review must acknowledge them (see the report), "
            "or rerun with --ack",
            file=sys.stderr,
        )
        return ExitCode.STATEFUL_RISK
    return ExitCode.FAILED if any(d.mandatory_violations for d in diffs) else ExitCode.OK


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="infra", description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    sub = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)
    _add_preview(sub)
    _add_diff(sub)
    add_affected_subparser(sub)
    add_smoke_subparser(sub)
    return parser


def _interrupt(signum: int, frame: object) -> None:
    # A cancelled CI job sends SIGTERM: unwind like Ctrl-C, so policy packs are stopped.
    raise KeyboardInterrupt


def main(argv: Sequence[str] | None = None) -> int:
    from infra.engine import ProgramError

    try:
        os.getcwd()
    except FileNotFoundError:
        # Checked before the parser is built: its --cwd defaults are the current directory.
        print(
            "infra: error: the current directory no longer exists; cd to the project",
            file=sys.stderr,
        )
        return ExitCode.ERROR
    args = build_parser().parse_args(argv)
    previous_handler = signal.signal(signal.SIGTERM, _interrupt)
    try:
        code = int(args.handler(args))
        sys.stdout.flush()  # a closed pipe must fail here, not in the flush at exit
        return code
    except BrokenPipeError:
        # The reader (`| head`) has what it wants: exit quietly, as Python's docs recommend,
        # with stdout on devnull so the flush at exit cannot fail again.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
    except (UsageError, ProgramError) as e:
        print(f"infra: error: {e}", file=sys.stderr)
    except KeyboardInterrupt:
        print("infra: interrupted", file=sys.stderr)
    finally:
        signal.signal(signal.SIGTERM, previous_handler)
    return ExitCode.ERROR


if __name__ == "__main__":
    sys.exit(main())
