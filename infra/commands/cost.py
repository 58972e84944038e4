"""`infra cost`: each stack's monthly cost, estimated offline from a committed price table."""

from __future__ import annotations

import argparse
import json

from infra.commands.options import add_color, add_format, add_stacks, color_wanted, epilog
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
        epilog=epilog(
            "infra cost", "infra cost -s prod --json", "infra cost --markdown", command="cost"
        ),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    add_stacks(p, "estimate")
    add_format(p, ("text", "json", "markdown"))
    add_color(p)
    p.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    from infra.pipeline import preview_stacks
    from infra.readers.cost import PRICE_DIR, estimate, load_price_tables
    from infra.render.color import Paint
    from infra.render.cost import render_cost_markdown, render_cost_text
    from infra.repo.gpus import gpus_per_node

    color = color_wanted(args)
    tables = load_price_tables(PRICE_DIR)
    costs = [
        estimate(plan, tables, gpus_per_node)
        for plan in preview_stacks(args.cwd, args.stack, evaluate_policies=False)
    ]
    if args.format == "json":
        from infra.render.plan import JSON_VERSION

        document = {"version": JSON_VERSION, "stacks": [c.as_json() for c in costs]}
        print(json.dumps(document, indent=2))
    elif args.format == "markdown":
        print(render_cost_markdown(costs))
    else:
        print(render_cost_text(costs, Paint(color)))
    return ExitCode.OK
