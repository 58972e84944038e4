"""The preview pipeline: each stack's program offline under the mock runtime, in a process of
its own (`infra.engine.apart`), then its policy packs over gRPC on the plan it returned, as
`pulumi preview --policy-pack` does.

The one entry point that `infra preview`, `diff`, `cost`, `export` and `permissions`, the docs
generators and the tests call; the commands only parse flags and render its plans.
"""

from __future__ import annotations

import contextlib
import json
import os
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from infra.engine.apart import plan_from_json, plan_to_json, run_stacks_apart
from infra.engine.model import StackPlan, Violation
from infra.engine.project import Project, load_project, load_stack_config, stack_file_settings
from infra.errors import UsageError
from infra.readers.config_origin import effective_values, once_per_resource, stack_keys_behind
from infra.repo.rules import load_rules

if TYPE_CHECKING:
    from infra.policy.host import PolicyPackSpec

DEFAULT_PACK_DIR = "policies"
# How long a policy pack may take to print its port, and to answer one call, before it is
# stopped and reported: a hung pack must never hang a pipeline.
TIMEOUT_SETTINGS = {
    "INFRA_POLICY_START_TIMEOUT": 20.0,
    "INFRA_POLICY_CALL_TIMEOUT": 60.0,
}


# Inside `shared_previews`: each plan made, by project folder and stack, as the JSON of the pipe.
_shared: dict[tuple[Path, str], str] | None = None


@contextlib.contextmanager
def shared_previews() -> Iterator[None]:
    """Within the block, each stack of a project folder has its program run once: a later
    `preview_stacks` of it gets a fresh copy of that plan (its policies still evaluated anew).
    For a process that previews the same files several times (scripts/generate.py), which
    must not change them inside the block."""
    global _shared
    outer, _shared = _shared, {} if _shared is None else _shared
    try:
        yield
    finally:
        _shared = outer


def _programs_run(project: Project, names: Sequence[str]) -> list[StackPlan]:
    if _shared is None:
        return run_stacks_apart(project, names)
    root = project.root.resolve()
    missing = [name for name in dict.fromkeys(names) if (root, name) not in _shared]
    for name, plan in zip(missing, run_stacks_apart(project, missing), strict=True):
        _shared[root, name] = json.dumps(plan_to_json(plan))
    return [plan_from_json(json.loads(_shared[root, name])) for name in names]


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
    project: Project,
    stack: str,
    packs: Sequence[Path],
    configs: Sequence[Path],
    policy_root: Path | None = None,
) -> list[tuple[Path, Path | None]]:
    """Pair each pack with its config, as `pulumi preview --policy-pack-config` does.

    Without --policy-pack the policies/ of ``policy_root`` (default: the project's folder) is
    the one pack, with its config/<stack>.json. A config left without a pack is an error:
    dropping it would evaluate policies under settings nobody asked for."""
    shown = [str(pack) for pack in packs]
    if not packs:
        default = (policy_root or project.root) / DEFAULT_PACK_DIR
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


def _policy_pack_specs(
    project: Project,
    stack: str,
    packs: Sequence[Path],
    configs: Sequence[Path],
    policy_root: Path | None,
) -> list[PolicyPackSpec]:
    resolved = resolve_policy_packs(project, stack, packs, configs, policy_root)
    if not resolved:
        return []
    from infra.policy.host import PolicyPackSpec
    from infra.policy.pack_config import load_config_file

    return [
        PolicyPackSpec(
            pack,
            config,
            load_config_file(config, f"policy pack {pack}") if config is not None else {},
        )
        for pack, config in resolved
    ]


def preview_stacks(
    cwd: Path,
    stacks: Sequence[str],
    *,
    policy_packs: Sequence[Path] = (),
    policy_pack_configs: Sequence[Path] = (),
    policy_root: Path | None = None,
    evaluate_policies: bool = True,
) -> list[StackPlan]:
    """Each stack's plan, judged by its policy packs: those given, else the policies/ pack of
    ``policy_root`` (default: the project's own folder; `infra diff` judges both revisions
    by the work tree's) with its config/<stack>.json. Every stack's program runs in one child
    process; the first stack that does not preview raises."""
    project = load_project(cwd)
    names = list(stacks) or load_rules(project.root).sorted_stacks(project.stacks())
    if not names:
        raise UsageError(
            f"{project.relative(project.stack_config_dir) or '.'}: no Pulumi.<stack>.yaml files; "
            "create one or pass --stack"
        )
    for name in names:  # each stack file's errors before any program runs
        load_stack_config(project, name)
    # And each policy config's shape, parsed once here and handed to the packs: a program may
    # read its stack's config (as this repository's does for the allowed registries) and would
    # misreport a malformed one.
    pack_specs = (
        {
            name: _policy_pack_specs(project, name, policy_packs, policy_pack_configs, policy_root)
            for name in names
        }
        if evaluate_policies
        else {}
    )
    start_timeout = _timeout("INFRA_POLICY_START_TIMEOUT")
    call_timeout = _timeout("INFRA_POLICY_CALL_TIMEOUT")
    # The program runs apart; only its plans come back, and this process judges them.
    plans = _programs_run(project, names)
    for name, plan in zip(names, plans, strict=True):
        specs = pack_specs.get(name)
        if specs:
            from infra.policy.host import evaluate_policy_packs

            results = evaluate_policy_packs(
                specs, plan, start_timeout=start_timeout, call_timeout=call_timeout
            )
            plan.policy_packs = results.packs
            plan.violations = _with_stack_keys(project, plan, once_per_resource(results.violations))
    return plans


def _with_stack_keys(
    project: Project, plan: StackPlan, violations: list[Violation]
) -> list[Violation]:
    """Each verdict with the stack-file keys (and lines) a reviewer changes to fix it."""
    if not violations:
        return violations
    settings = stack_file_settings(project, plan.stack)
    values = effective_values(plan.config, project.name)
    stack_file = project.relative(project.stack_file(plan.stack))
    by_urn = {r.urn: r for r in plan.resources}
    for v in violations:
        resource = by_urn.get(v.urn) if v.urn else None
        v.stack_keys = stack_keys_behind(v, resource, settings, values, project.name, stack_file)
    return violations
