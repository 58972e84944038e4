"""`infra diff`: the desired-state diff of a change, offline.

Both revisions are previewed (the base from a temporary git worktree) and compared by
`infra.compare`; a base that does not preview is reported per stack, not raised, so that
the pull request repairing it can pass, and the head is compared with the last revision
before it that previews.
"""

from __future__ import annotations

import argparse
import contextlib
import functools
import json
import sys
from collections.abc import Sequence
from pathlib import Path

from infra.commands.options import add_color, add_stack_selection, color_wanted, epilog
from infra.compare import StackDiff, diff_plans
from infra.engine.model import StackPlan
from infra.engine.project import ProgramError, load_project
from infra.errors import UsageError
from infra.exit_codes import ExitCode
from infra.git import git, revision_checkout, verify_ref
from infra.kinds import kind_differences, load_kind_rules
from infra.repo.effective_config import effective_config
from infra.repo.rules import load_rules
from infra.repo.upgrades import upgrade_refusals
from policies.aks_versions import today


def _base_stacks(directory: Path | None, ref: str) -> tuple[list[str], str | None]:
    """The base revision's stacks, or why its project does not load."""
    if directory is None:
        return [], None
    try:
        return load_project(directory).stacks(), None
    except UsageError as e:
        return [], f"base revision {ref} does not preview: {e}"


# How far back along the base's first-parent history `infra diff` looks for a revision that
# previews when the base does not (issue 26.6): what a broken base dropped since then is
# still named. Each step previews the stack once.
BASE_FALLBACK_DEPTH = 20


def _preview(
    directory: Path, names: Sequence[str], judge: Path, evaluate_policies: bool
) -> dict[str, StackPlan]:
    """The plans of ``names`` in one child, judged by the policy pack and configs of the work
    tree infra runs in: the one pack both revisions are evaluated with, so that a revision
    never judges itself (issue 26.4)."""
    from infra.pipeline import preview_stacks

    if not names:
        return {}
    plans = preview_stacks(directory, names, policy_root=judge, evaluate_policies=evaluate_policies)
    return dict(zip(names, plans, strict=True))


def _preview_base(
    directory: Path, names: Sequence[str], ref: str, judge: Path, evaluate_policies: bool
) -> tuple[dict[str, StackPlan], dict[str, str]]:
    """The base's plans, and why a stack's base did not preview. A broken base must not
    block the pull request that repairs it, so its failures are reported, not raised: when
    the stacks together do not preview, each is previewed alone, to tell which do."""
    with contextlib.suppress(UsageError, ProgramError):
        return _preview(directory, names, judge, evaluate_policies), {}
    plans: dict[str, StackPlan] = {}
    errors: dict[str, str] = {}
    for name in names:
        try:
            plans.update(_preview(directory, [name], judge, evaluate_policies))
        except (UsageError, ProgramError) as e:
            first = (str(e).strip().splitlines() or [type(e).__name__])[0]
            errors[name] = f"base revision {ref} does not preview: {first}"
    return plans, errors


def _last_previewing_base(
    cwd: Path, ref: str, names: Sequence[str], judge: Path, evaluate_policies: bool
) -> tuple[dict[str, StackPlan], dict[str, str]]:
    """For stacks whose base does not preview: the plan of the last revision on the base's
    first-parent history (at most BASE_FALLBACK_DEPTH commits back) where each does, and
    which revision that is. A stack no such revision previews is left out."""
    top = Path(git(cwd, "rev-parse", "--show-toplevel").strip())
    ancestors = git(
        top,
        "rev-list",
        "--first-parent",
        f"--max-count={BASE_FALLBACK_DEPTH + 1}",
        verify_ref(top, ref),
    ).split()[1:]
    plans: dict[str, StackPlan] = {}
    found_at: dict[str, str] = {}
    for back, commit in enumerate(ancestors, start=1):
        missing = [n for n in names if n not in plans]
        if not missing:
            break
        with revision_checkout(cwd, commit) as directory:
            stacks, load_error = _base_stacks(directory, commit)
            if directory is None or load_error is not None:
                continue
            found, _ = _preview_base(
                directory, [n for n in missing if n in stacks], commit, judge, evaluate_policies
            )
        for name, plan in found.items():
            plans[name] = plan
            found_at[name] = f"{commit[:12]} ({back} commit{'s' * (back > 1)} before {ref})"
    return plans, found_at


def diff_stacks(
    cwd: Path,
    base_ref: str,
    stacks: Sequence[str],
    *,
    head_ref: str | None = None,
    evaluate_policies: bool = True,
) -> list[StackDiff]:
    """The diff of each stack from ``base_ref`` to ``head_ref`` (default: the work tree).

    What judges the change is the work tree infra runs in (``cwd``), never the revisions
    compared: its [tool.infra] rules, and its policy pack and configs, with which both
    revisions are evaluated. The PR gate runs in a checkout of the base revision with
    ``--head``, so a pull request cannot relax the rules it is judged by (issue 26.4)."""
    judge = cwd.resolve()
    with contextlib.ExitStack() as scope:
        head_dir = cwd
        if head_ref is not None:
            checkout = scope.enter_context(revision_checkout(cwd, head_ref))
            if checkout is None:
                raise UsageError(f"{head_ref}: has no Pulumi project at {cwd}")
            head_dir = checkout
        head_project = load_project(head_dir)
        head_stacks = head_project.stacks()
        base_dir = scope.enter_context(revision_checkout(cwd, base_ref))
        base_stacks, load_error = _base_stacks(base_dir, base_ref)
        rules = load_rules(judge)
        names = list(stacks) or rules.sorted_stacks({*head_stacks, *base_stacks})
        removed = {n for n in names if n in base_stacks and n not in head_stacks}
        present = [n for n in names if n not in removed]
        head_plans = _preview(head_dir, present, judge, evaluate_policies)
        base_plans: dict[str, StackPlan]
        if load_error is not None:
            base_plans, base_errors = {}, dict.fromkeys(present, load_error)
        else:
            in_base = [n for n in present if n in base_stacks]
            base_plans, base_errors = (
                _preview_base(base_dir, in_base, base_ref, judge, evaluate_policies)
                if base_dir is not None
                else ({}, {})
            )
        fallback_plans, compared_with = (
            _last_previewing_base(cwd, base_ref, list(base_errors), judge, evaluate_policies)
            if base_errors
            else ({}, {})
        )
        base_plans.update(fallback_plans)
        kind_rules = load_kind_rules(judge)
        on = today()
        refusals = {
            name: upgrade_refusals(
                head_project, name, base_plans.get(name), head_plans.get(name), on
            )
            for name in present
        }
        # The head's stack files are read for the config diff and the settings' lines while
        # its checkout (with --head) still exists.
        diffs = []
        for name in names:
            if name in removed:
                diffs.append(StackDiff(head_project.name, name, [], [], [], [], removed=True))
                continue
            diff = diff_plans(
                base_plans.get(name),
                head_plans[name],
                functools.partial(effective_config, head_project.root),
            )
            if name in compared_with:
                diff.compared_with = f"{base_errors[name]}; compared with {compared_with[name]}"
            else:
                diff.base_error = base_errors.get(name)
            diff.refusals = refusals[name]
            diffs.append(diff)
        for rehearsal, rehearsed in kind_rules.pairs:
            if rehearsal in head_plans and rehearsed in head_plans:
                found = kind_differences(head_plans[rehearsal], head_plans[rehearsed], kind_rules)
                for diff in diffs:
                    if diff.stack == rehearsal:
                        diff.kind_differences = [d.line() for d in found]
    return diffs


def add_subparser(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "diff",
        help="desired-state diff between a base revision and this one",
        description="Preview a base revision (from a temporary git worktree) and this one; "
        "show per stack what the change creates, updates, replaces or deletes, and the "
        "policy verdicts it adds or removes.",
        epilog=epilog(
            "infra diff --base origin/main",
            "infra diff --base origin/main -s prod --strict --markdown",
            "infra diff --base v1.2.0 --head v1.3.0 --json",
            "infra diff --base origin/main --format mermaid   the resources that change",
            command="diff",
        ),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument("--base", required=True, metavar="REF", help="git revision to compare against")
    p.add_argument(
        "--head",
        metavar="REF",
        help="git revision to diff (default: the work tree); the work tree's rules, policy "
        "pack and configs still judge it",
    )
    add_stack_selection(p, "diff", ("text", "json", "markdown", "mermaid"))
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
    p.add_argument(
        "--report",
        metavar="FILE",
        type=Path,
        help="also write the JSON document (what --json prints) to FILE, whatever the format",
    )
    add_color(p)
    p.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    from infra.render.color import Paint
    from infra.render.diff import render_diff_markdown, render_diff_text
    from infra.render.plan import JSON_VERSION

    color = color_wanted(args)
    diffs = diff_stacks(
        args.cwd, args.base, args.stack, head_ref=args.head, evaluate_policies=not args.no_policy
    )
    risks = [c for d in diffs for c in d.stateful_risks]
    blocked = args.strict and bool(risks) and not args.ack
    document = ""
    if args.format == "json" or args.report is not None:
        stacks = [d.as_json() for d in diffs]
        document = json.dumps(
            {"version": JSON_VERSION, "stacks": stacks, "blocked": blocked}, indent=2
        )
    if args.report is not None:
        # One run for both: scripts/ci-offline-diff.sh shows the Markdown and hands the JSON's
        # resources at risk to ci_ack.py (a second run would preview both revisions again).
        try:
            args.report.write_text(document + "\n", encoding="utf-8")
        except OSError as e:
            raise UsageError(f"--report {args.report}: {e.strerror or e}") from None
    if args.format == "json":
        print(document)
    elif args.format == "mermaid":
        from infra.render.diff import touched_plan
        from infra.render.mermaid import render_mermaid_document

        print(render_mermaid_document([touched_plan(d) for d in diffs if not d.removed]))
    else:
        from infra.readers.cost import PRICE_DIR, estimate_change, load_price_tables
        from infra.repo.gpus import gpus_per_node

        tables = load_price_tables(PRICE_DIR)
        costs = {
            d.stack: estimate_change(d.base_plan, d.head_plan, tables, gpus_per_node)
            for d in diffs
            if d.head_plan is not None
        }
        if args.format == "markdown":
            print(
                render_diff_markdown(diffs, costs=costs, strict=args.strict, acknowledged=args.ack)
            )
        else:
            print(render_diff_text(diffs, costs, Paint(color)))
    refusals = [line for d in diffs for line in d.refusals]
    for line in refusals:
        print(f"infra: {line}", file=sys.stderr)
    if refusals:
        return ExitCode.ERROR
    diverged = [(d.stack, line) for d in diffs for line in d.kind_differences]
    for stack, line in diverged:
        print(f"infra: stack {stack!r} differs in kind: {line}", file=sys.stderr)
    if diverged:
        return ExitCode.KINDS_DIVERGE
    if blocked:
        print(
            f"infra: {len(risks)} stateful resource(s) would be replaced or deleted (or lose "
            "data or a protection: a shorter retention, a weaker setting, a lock or protect "
            "removed); "
            "a maintainer's approving review must acknowledge them (see the report), "
            "or rerun with --ack",
            file=sys.stderr,
        )
        return ExitCode.STATEFUL_RISK
    return ExitCode.FAILED if any(d.mandatory_violations for d in diffs) else ExitCode.OK
