"""A stack's effective config: every key of the program's namespace with its defaults applied,
spelled as the stack file spells it, for `infra diff` to compare.

The engine hands the program each key as set (the stack file's value, else Pulumi.yaml's
default). An object the stack file sets replaces Pulumi.yaml's whole default object, and the
program's model (stacks/config.py) fills the fields it leaves out with their defaults, so
`backup: {dailyRetentionDays: 7}` still means `enabled: true`. Only the model knows those
defaults, so the values are read through it: `parse_config(raw, project, stack).values`,
dumped by alias (the stack file's camelCase keys). The model groups the flat stack-file keys
into one sub-model per component, so the dump is flattened back by one level. That is the
whole of the model's API relied on here.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

from infra.engine.model import StackPlan


def effective_config(root: Path, plan: StackPlan) -> dict[str, Any] | None:
    """`key -> effective value` (keys without the project prefix, JSON types) for the keys the
    model knows, or None when the model does not read this config (a base revision whose keys
    the head's model no longer has): the diff then compares the values as set."""
    if str(root) not in sys.path:
        sys.path.insert(0, str(root))  # `stacks` is the program, not an installed package
    import pulumi

    from stacks.config import parse_config

    prefix = f"{plan.project}:"
    raw = {k.removeprefix(prefix): v for k, v in plan.config.items() if k.startswith(prefix)}
    try:
        loaded = parse_config(raw, plan.project, plan.stack)
    except (pulumi.RunError, ValueError):
        return None
    groups: dict[str, dict[str, Any]] = loaded.values.model_dump(mode="json", by_alias=True)
    return {key: value for group in groups.values() for key, value in group.items()}
