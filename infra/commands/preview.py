"""`infra preview`: the flags, then the preview pipeline (infra/pipeline.py), then a renderer."""

from __future__ import annotations

import argparse
from pathlib import Path

from infra.commands.options import add_color, add_stack_selection, color_wanted, epilog
from infra.engine.project import Project, load_project
from infra.errors import UsageError
from infra.exit_codes import ExitCode
from infra.pipeline import preview_stacks


def add_subparser(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "preview",
        help="show what each stack would deploy, with policy verdicts",
        description="Run each stack's program offline under Pulumi's mock runtime, then its "
        "policy packs as `pulumi preview --policy-pack` does; print the resources, the node "
        "pools, images and Job mounts, the verdicts and outputs.",
        epilog=epilog(
            "infra preview                              every stack",
            "infra preview -s prod --violations-only    one stack's verdicts",
            "infra preview --format sarif >infra.sarif  for GitHub code scanning",
            "infra preview -s prod --format mermaid     the stack as a Mermaid graph",
            "infra preview -C ../app --policy-pack ../pack --policy-pack-config prod.json",
            command="preview",
        ),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    add_stack_selection(p, "preview", ("text", "json", "markdown", "sarif", "junit", "mermaid"))
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
    add_color(p)
    p.set_defaults(handler=run)


def _repository_root(project: Project) -> Path:
    """Where code scanning resolves paths from: the git work tree, else the project."""
    from infra.git import GitError, git

    try:
        return Path(git(project.root, "rev-parse", "--show-toplevel").strip())
    except GitError:
        return project.root


def run(args: argparse.Namespace) -> int:
    from infra.readers.review import review_facts
    from infra.render.plan import render_json, render_markdown
    from infra.render.text import render_preview_text
    from infra.repo.gpus import GPU_TABLE

    # A flag that cannot apply is refused, not silently dropped.
    if args.no_policy and (args.policy_pack or args.policy_pack_config):
        raise UsageError("--no-policy skips the packs that --policy-pack/-config name; drop one")
    if args.violations_only and args.format != "text":
        raise UsageError(
            f"--violations-only shapes the text output; drop it or --format {args.format}"
        )
    color = color_wanted(args)
    if args.no_policy and args.format in ("sarif", "junit"):
        raise UsageError(f"--format {args.format} reports policy verdicts; drop --no-policy")

    plans = preview_stacks(
        args.cwd,
        args.stack,
        policy_packs=args.policy_pack,
        policy_pack_configs=args.policy_pack_config,
        evaluate_policies=not args.no_policy,
    )
    review = {plan.stack: review_facts(plan, GPU_TABLE) for plan in plans}
    if args.format == "json":
        print(render_json(plans, review))
    elif args.format == "mermaid":
        from infra.render.mermaid import render_mermaid_document

        print(render_mermaid_document(plans))
    elif args.format == "markdown":
        from infra.readers.cost import PRICE_DIR, estimate, load_price_tables

        tables = load_price_tables(PRICE_DIR)
        print(render_markdown(plans, {p.stack: estimate(p, tables) for p in plans}, review))
    elif args.format == "sarif":
        from infra.render.sarif import render_sarif

        project = load_project(args.cwd)
        stack_files = {plan.stack: project.stack_file(plan.stack) for plan in plans}
        print(render_sarif(plans, _repository_root(project), stack_files))
    elif args.format == "junit":
        from infra.render.junit import render_junit

        print(render_junit(plans))
    else:
        text = render_preview_text(
            plans, violations_only=args.violations_only, color=color, review=review
        )
        print(text)
    return ExitCode.FAILED if any(p.mandatory_violations for p in plans) else ExitCode.OK
