"""`infra cost`: each stack's monthly cost, estimated offline from a committed price table."""

from __future__ import annotations

import argparse
import json

from infra.commands.options import add_stacks, epilog
from infra.exit_codes import ExitCode


def add_subparser(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "cost",
        help="estimate each stack's monthly cost (offline price table)",
        description="Price each stack's plan from the committed retail price table "
        "(infra/prices/): the AKS tier, node VMs (an autoscaled pool as a range), OS disks, "
        "Azure Files and monitoring ingestion; anything the table lacks is listed as not priced. "
        "Per team (Kueue ClusterQueue): its GPU quota, what it may borrow, and what the GPU "
        "pool's nodes it holds at full use cost.",
        epilog=epilog("infra cost", "infra cost -s prod --json", command="cost"),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    add_stacks(p, "estimate")
    p.add_argument("--json", action="store_true", help="print one JSON document")
    p.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    from infra.pipeline import preview_stacks
    from infra.readers.cost import PRICE_DIR, estimate, load_price_tables
    from infra.render.cost import render_cost_text
    from infra.repo.gpus import gpus_per_node

    tables = load_price_tables(PRICE_DIR)
    costs = [
        estimate(plan, tables, gpus_per_node)
        for plan in preview_stacks(args.cwd, args.stack, evaluate_policies=False)
    ]
    if args.json:
        from infra.render.plan import JSON_VERSION

        document = {"version": JSON_VERSION, "stacks": [c.as_json() for c in costs]}
        print(json.dumps(document, indent=2))
    else:
        print(render_cost_text(costs))
    return ExitCode.OK
