"""`infra permissions`: is each delivery identity granted what each stack's plan needs?"""

from __future__ import annotations

import argparse
import contextlib
import sys
from pathlib import Path

from infra.commands.options import add_color, add_format, add_stacks, color_wanted, epilog
from infra.engine.project import load_project
from infra.errors import UsageError
from infra.exit_codes import ExitCode
from infra.git import revision_checkout
from infra.readers.permissions import (
    ACCESS,
    DEPLOY,
    Need,
    check,
    environment_scopes,
    excess_lines,
    foreign_grants,
    missing_lines,
    other_principals,
    required,
)
from infra.readers.registrations import unregistered_lines
from infra.render.color import Paint
from infra.render.permissions import render_json, render_markdown, render_text
from infra.repo.permissions import PermissionRules, load_permission_rules


def add_subparser(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "permissions",
        help="check that the bootstrap grants each identity what every stack needs",
        description="Derive from each stack's offline plan the Azure actions the plan and "
        "deploy identities need, and compare them with what bootstrap/ grants (its own "
        "offline plan: role definitions, assignments and their scopes); and the resource "
        "providers and features the plan needs with those bootstrap/ registers.",
        epilog=epilog(
            "infra permissions",
            "infra permissions -s prod --json",
            "infra permissions --markdown",
            "infra permissions --head origin/my-branch",
            command="permissions",
        ),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    add_stacks(p, "check")
    add_format(p, ("text", "json", "markdown"))
    add_color(p)
    p.add_argument(
        "--head",
        metavar="REF",
        help="git revision to check (default: the work tree); the work tree's "
        "[tool.infra.permissions] (identities, accepted excess) still judges it",
    )
    p.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    # What judges is the work tree infra runs in (its [tool.infra.permissions]: which
    # identity plans and which deploys, the accepted excess); --head names the revision
    # judged, its stacks and its bootstrap. The PR gate runs in a checkout of the base with
    # --head, so a pull request cannot accept its own excess (issue 26.4).
    judge = load_project(args.cwd)
    rules = load_permission_rules(judge.root)
    with contextlib.ExitStack() as scope:
        judged = args.cwd
        if args.head is not None:
            checkout = scope.enter_context(revision_checkout(args.cwd, args.head))
            if checkout is None:
                raise UsageError(f"{args.head}: has no Pulumi project at {args.cwd}")
            judged = checkout
        return _check(args, judged, judged / rules.bootstrap.relative_to(judge.root), rules)


def _check(args: argparse.Namespace, cwd: Path, bootstrap_dir: Path, rules: PermissionRules) -> int:
    from infra.pipeline import preview_stacks

    color = color_wanted(args)
    project = load_project(cwd)
    # The other stacks too, in the same child: a stack's own identity is checked against
    # their scopes.
    chosen = list(dict.fromkeys(args.stack))
    rest = [name for name in project.stacks() if name not in chosen] if chosen else []
    every = preview_stacks(cwd, [*chosen, *rest], evaluate_policies=False)
    plans = every[: len(chosen)] if chosen else every
    (bootstrap,) = preview_stacks(bootstrap_dir, [rules.bootstrap_stack], evaluate_policies=False)
    scopes = {plan.stack: environment_scopes(plan) for plan in every}
    # What each access needs across every stack: the actions a grant may hold (excess_lines).
    needs: dict[str, list[Need]] = {
        access: [n for other in every for n in required(other, access)[0]] for access in ACCESS
    }
    results = []
    for plan in plans:
        identities = rules.for_stack(plan.stack)
        own = {name: plan.stack for name in identities if rules.per_stack(name, plan.stack)}
        reports = check(plan, bootstrap, identities, own)
        for report in reports:
            report.problems.extend(
                excess_lines(report, needs[report.access], rules.accepted_excess)
            )
            if report.name in own and report.access == DEPLOY:
                report.problems.extend(foreign_grants(plan.stack, report, scopes))
        results.append((plan.stack, reports))
    lines = [line for stack, reports in results for line in missing_lines(stack, reports)]
    lines += [line for plan in plans for line in unregistered_lines(plan.stack, plan, bootstrap)]
    principals = other_principals(bootstrap)
    lines += [
        f"bootstrap: {p.principal_type} {p.principal}: {problem}"
        for p in principals
        for problem in p.problems
    ]
    if args.format == "json":
        print(render_json(results, principals))
        # stdout stays one JSON document; the verdict lines go to stderr.
        for line in lines:
            print(line, file=sys.stderr)
    elif args.format == "markdown":
        print(render_markdown(results, principals, lines))
    else:
        print(render_text(results, principals, lines, Paint(color)))
    return ExitCode.FAILED if lines else ExitCode.OK
