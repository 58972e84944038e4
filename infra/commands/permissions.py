"""`infra permissions`: is each delivery identity granted what each stack's plan needs?"""

from __future__ import annotations

import argparse
import json
import sys

from infra.commands.options import add_cwd
from infra.engine.project import load_project
from infra.exit_codes import ExitCode
from infra.readers.permissions import check, missing_lines
from infra.repo.permissions import load_permission_rules


def add_subparser(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "permissions",
        help="check that the bootstrap grants each identity what every stack needs",
    )
    p.add_argument(
        "-s",
        "--stack",
        action="append",
        default=[],
        metavar="NAME",
        help="stack to check (repeatable); default: every stack",
    )
    add_cwd(p)
    p.add_argument("--json", action="store_true", help="print one JSON document")
    p.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    from infra.commands.preview import preview_stacks

    rules = load_permission_rules(load_project(args.cwd).root)
    plans = preview_stacks(args.cwd, args.stack, evaluate_policies=False)
    (bootstrap,) = preview_stacks(rules.bootstrap, [rules.bootstrap_stack], evaluate_policies=False)
    results = [(plan.stack, check(plan, bootstrap, rules.identities)) for plan in plans]
    lines = [line for stack, reports in results for line in missing_lines(stack, reports)]
    if args.json:
        doc = {
            "stacks": [
                {
                    "stack": stack,
                    "identities": [
                        {
                            "name": r.name,
                            "access": r.access,
                            "required": [n.as_json() for n in r.required],
                            "granted": [g.as_json() for g in r.granted],
                            "missing": [n.as_json() for n in r.missing],
                            "problems": r.problems,
                        }
                        for r in reports
                    ],
                }
                for stack, reports in results
            ]
        }
        print(json.dumps(doc, indent=2))
    else:
        for stack, reports in results:
            for r in reports:
                state = "covered" if r.covered else "NOT covered"
                print(
                    f"{stack}: {r.name} ({r.access}): {len(r.required)} actions needed, "
                    f"{len(r.granted)} role assignments, {state}"
                )
    # With --json, stdout stays one JSON document; the verdict lines go to stderr.
    for line in lines:
        print(line, file=sys.stderr if args.json else sys.stdout)
    return ExitCode.FAILED if lines else ExitCode.OK
