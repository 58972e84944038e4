"""The text preview, laid out as `pulumi preview` lays out its own: per stack a tree of
resources nested by parent under the stack (`├─`/`└─`, as pulumi/pulumi
pkg/backend/display/progress.go `addIndentations` draws it) with Type, Name, Plan and Info
columns, then the policy violations, the outputs printed as nested blocks, and a
`Resources:` summary. Offline, every resource is a create (`+`).

Colour (ANSI) is the caller's choice; see `infra.render.color`.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping, Sequence
from typing import Any

from infra.engine.model import SECRET_MASK, Resource, Secret, StackPlan, Unknown, Violation
from infra.readers.review import ReviewFacts
from infra.render.color import GREEN as _GREEN
from infra.render.color import RED as _RED
from infra.render.color import YELLOW as _YELLOW
from infra.render.color import Paint as _Paint
from infra.render.escape import terminal
from infra.render.plan import key_settings, resource_flags, sorted_violations, summary_line
from infra.render.review import review_text

_STACK_TYPE = "pulumi:pulumi:Stack"
_INDENT = "    "


def _tree(plan: StackPlan) -> Iterator[tuple[str, Resource]]:
    """(prefix, resource) in plan order, each under its parent, the top level under the stack."""
    by_urn = {r.urn: r for r in plan.resources}
    children: dict[str | None, list[Resource]] = {}
    for resource in plan.resources:
        parent = resource.parent if resource.parent in by_urn else None
        children.setdefault(parent, []).append(resource)

    def walk(parent: str | None, indentation: str) -> Iterator[tuple[str, Resource]]:
        nodes = children.get(parent, [])
        for i, node in enumerate(nodes):
            last = i == len(nodes) - 1
            yield indentation + ("└─ " if last else "├─ "), node
            yield from walk(node.urn, indentation + ("   " if last else "│  "))

    return walk(None, "")


def _info(resource: Resource) -> str:
    details = [f"{k}={v}" for k, v in key_settings(resource)]
    details += [f"[{flag}]" for flag in resource_flags(resource)]
    return " ".join(details)


def _resource_rows(plan: StackPlan, paint: _Paint) -> list[str]:
    rows = [(" ", "Type", "Name", "Plan", "Info")]
    # The stack itself is the tree's root; like `infra`'s counts, it is not one of the resources.
    rows.append(("", _STACK_TYPE, f"{plan.project}-{plan.stack}", "", ""))
    rows += [
        ("+", prefix + resource.type, terminal(resource.name), "create", terminal(_info(resource)))
        for prefix, resource in _tree(plan)
    ]
    type_width = max(len(row[1]) for row in rows)
    name_width = max(len(row[2]) for row in rows)
    lines = []
    for op, type_, name, verb, info in rows:
        line = f" {op:<3} {type_:<{type_width}}  {name:<{name_width}}  {verb:<6}  {info}".rstrip()
        lines.append(paint(_GREEN, line) if op == "+" else line)
    return lines


def _value_lines(value: Any, indent: str) -> list[str]:
    """A value as `pulumi` prints outputs: strings quoted, maps and lists as indented blocks
    (`key: value`, `[i]: value`), secrets and unknowns as their masks."""
    if isinstance(value, Secret):
        return [SECRET_MASK]
    if isinstance(value, Unknown):
        return ["[unknown]"]
    if isinstance(value, dict):
        if not value:
            return ["{}"]
        return ["{", *_entry_lines(sorted(value.items()), indent + _INDENT), indent + "}"]
    if isinstance(value, (list, tuple)):
        if not value:
            return ["[]"]
        items = [(f"[{i}]", item) for i, item in enumerate(value)]
        return ["[", *_entry_lines(items, indent + _INDENT), indent + "]"]
    return [json.dumps(value)]


def _entry_lines(items: list[tuple[str, Any]], indent: str) -> list[str]:
    width = max(len(key) for key, _ in items)
    lines = []
    for key, item in items:
        first, *rest = _value_lines(item, indent)
        lines.append(f"{indent}{terminal(key):<{width}}: {first}")
        lines.extend(rest)
    return lines


def output_lines(outputs: dict[str, Any]) -> list[str]:
    if not outputs:
        return []
    return ["Outputs:", *_entry_lines(sorted(outputs.items()), _INDENT)]


def _violation_lines(violations: Sequence[Violation], paint: _Paint) -> list[str]:
    lines = ["Policy violations:"]
    for v in sorted_violations(violations):
        color = _RED if v.enforcement_level == "mandatory" else _YELLOW
        severity = f" ({v.rule.severity})" if v.rule and v.rule.severity else ""
        lines.append(
            f"    {paint(color, f'[{v.enforcement_level}]')} {v.policy_pack}/{v.policy}"
            f"{severity}  {terminal(v.urn or '(stack)')}"
        )
        lines += [f"        {terminal(line)}" for line in v.message.splitlines() or [""]]
        lines += [f"        fix: {terminal(str(key))}" for key in v.stack_keys]
        if v.rule and v.rule.remediation:
            how = "how" if v.stack_keys else "fix"
            lines.append(f"        {how}: {terminal(v.rule.remediation)}")
        if v.rule and v.rule.url:
            lines.append(f"        see: {v.rule.url}")
    return lines


def render_preview_text(
    plans: Sequence[StackPlan],
    *,
    violations_only: bool = False,
    color: bool = False,
    review: Mapping[str, ReviewFacts] | None = None,
) -> str:
    """Per stack: the tree, what a reviewer looks for (`review`: node pools, images, Jobs'
    mounts), the verdicts, the outputs, the counts."""
    paint = _Paint(color)
    lines: list[str] = []
    for plan in plans:
        lines += [f"Stack {plan.project}/{plan.stack}", ""]
        if not violations_only:
            lines += [*_resource_rows(plan, paint), ""]
            if review and plan.stack in review:
                lines += review_text(review[plan.stack], paint)
        if plan.violations:
            lines += [*_violation_lines(plan.violations, paint), ""]
        if not violations_only and plan.outputs:
            lines += [*output_lines(plan.outputs), ""]
        if not violations_only:
            protected = sum(1 for r in plan.resources if r.protect)
            created = paint(_GREEN, f"+ {len(plan.resources)} to create")
            lines += ["Resources:", f"    {created} ({protected} protected)", ""]
        lines += [f"  Summary: {summary_line(plan)}", ""]
    return "\n".join(lines)
