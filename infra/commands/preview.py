"""`infra preview`: run each stack's program offline, then its policy packs over gRPC."""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence
from pathlib import Path

from infra.commands.options import add_color, add_stack_selection, epilog
from infra.engine.model import StackPlan
from infra.engine.project import Project, load_project, load_stack_config, stack_file_settings
from infra.engine.runtime import run_stack
from infra.errors import UsageError
from infra.exit_codes import ExitCode
from infra.repo.rules import load_rules

DEFAULT_PACK_DIR = "policies"
# How long a policy pack may take to print its port, and to answer one call, before it is
# stopped and reported: a hung pack must never hang a pipeline.
TIMEOUT_SETTINGS = {
    "INFRA_POLICY_START_TIMEOUT": 20.0,
    "INFRA_POLICY_CALL_TIMEOUT": 60.0,
}


def _timeout(name: str) -> float:
    raw = os.environ.get(name)
    if raw is None:
        return TIMEOUT_SETTINGS[name]
    try:
        value = float(raw)
    except ValueError:
        value = -1.0
    if not 0 < value <= 3600:
        raise UsageError(f"{name}={raw!r}: must be a number of seconds between 0 and 3600")
    return value


def resolve_policy_packs(
    project: Project, stack: str, packs: Sequence[Path], configs: Sequence[Path]
) -> list[tuple[Path, Path | None]]:
    """Pair each pack with its config, as `pulumi preview --policy-pack-config` does.

    Without --policy-pack the project's policies/ is the one pack. A config left without a
    pack is an error: dropping it would evaluate policies under settings nobody asked for."""
    shown = [str(pack) for pack in packs]
    if not packs:
        default = project.root / DEFAULT_PACK_DIR
        if not (default / "PulumiPolicy.yaml").exists():
            if configs:
                raise UsageError("--policy-pack-config needs a --policy-pack (no policies/ here)")
            return []
        if not configs:
            default_config = default / "config" / f"{stack}.json"
            return [(default, default_config if default_config.exists() else None)]
        packs, shown = [default], [DEFAULT_PACK_DIR]
    if len(configs) > len(packs):
        raise UsageError(
            f"--policy-pack-config {configs[len(packs)]} has no --policy-pack to pair with "
            f"({len(configs)} configs for {len(packs)} pack{'s' * (len(packs) > 1)}: "
            f"{', '.join(shown)}); give one config per pack, in the same order"
        )
    return [(pack, configs[i] if i < len(configs) else None) for i, pack in enumerate(packs)]


def preview_stacks(
    cwd: Path,
    stacks: Sequence[str],
    *,
    policy_packs: Sequence[Path] = (),
    policy_pack_configs: Sequence[Path] = (),
    evaluate_policies: bool = True,
) -> list[StackPlan]:
    project = load_project(cwd)
    names = list(stacks) or load_rules(project.root).sorted_stacks(project.stacks())
    if not names:
        raise UsageError(
            f"{project.relative(project.stack_config_dir) or '.'}: no Pulumi.<stack>.yaml files; "
            "create one or pass --stack"
        )
    configs = {name: load_stack_config(project, name) for name in names}
    start_timeout = _timeout("INFRA_POLICY_START_TIMEOUT")
    call_timeout = _timeout("INFRA_POLICY_CALL_TIMEOUT")
    plans = []
    for name in names:
        plan = run_stack(project, name, configs[name])
        if evaluate_policies:
            packs = resolve_policy_packs(project, name, policy_packs, policy_pack_configs)
            if packs:
                from infra.policy.host import PolicyPackSpec, evaluate_policy_packs

                results = evaluate_policy_packs(
                    [PolicyPackSpec(path, config) for path, config in packs],
                    plan,
                    start_timeout=start_timeout,
                    call_timeout=call_timeout,
                )
                plan.policy_packs, plan.violations = results.packs, results.violations
        plans.append(plan)
    return plans


def add_subparser(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "preview",
        help="show what each stack would deploy, with policy verdicts",
        description="Run each stack's program offline under Pulumi's mock runtime, then its "
        "policy packs as `pulumi preview --policy-pack` does; print the resources, outputs "
        "and verdicts.",
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
    from infra.render.plan import render_json, render_markdown
    from infra.render.text import render_preview_text, use_color

    # A flag that cannot apply is refused, not silently dropped.
    if args.no_policy and (args.policy_pack or args.policy_pack_config):
        raise UsageError("--no-policy skips the packs that --policy-pack/-config name; drop one")
    if args.violations_only and args.format != "text":
        raise UsageError(
            f"--violations-only shapes the text output; drop it or --format {args.format}"
        )
    if args.color != "auto" and args.format != "text":
        raise UsageError(f"--color colours the text output; drop it or --format {args.format}")
    if args.no_policy and args.format in ("sarif", "junit"):
        raise UsageError(f"--format {args.format} reports policy verdicts; drop --no-policy")

    plans = preview_stacks(
        args.cwd,
        args.stack,
        policy_packs=args.policy_pack,
        policy_pack_configs=args.policy_pack_config,
        evaluate_policies=not args.no_policy,
    )
    if args.format == "json":
        print(render_json(plans))
    elif args.format == "mermaid":
        from infra.render.mermaid import render_mermaid_stacks

        print(render_mermaid_stacks(plans))
    elif args.format == "markdown":
        from infra.readers.cost import PRICE_DIR, estimate, load_price_tables

        tables = load_price_tables(PRICE_DIR)
        print(render_markdown(plans, {p.stack: estimate(p, tables) for p in plans}))
    elif args.format == "sarif":
        from infra.render.sarif import render_sarif

        project = load_project(args.cwd)
        stack_files = {plan.stack: project.stack_file(plan.stack) for plan in plans}
        settings = {plan.stack: stack_file_settings(project, plan.stack) for plan in plans}
        print(render_sarif(plans, _repository_root(project), stack_files, settings))
    elif args.format == "junit":
        from infra.render.junit import render_junit

        print(render_junit(plans))
    else:
        color = use_color(args.color, sys.stdout)
        print(render_preview_text(plans, violations_only=args.violations_only, color=color))
    return ExitCode.FAILED if any(p.mandatory_violations for p in plans) else ExitCode.OK
