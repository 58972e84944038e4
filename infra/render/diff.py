"""Render `infra diff` results as text or as Markdown for a PR comment."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from infra.compare import PropertyChange, ResourceChange, StackDiff
from infra.engine.project import STACK_REMOVED_NOTE
from infra.engine.values import masked
from infra.readers.cost import CostChange
from infra.render.cost import cost_markdown
from infra.render.escape import md_code, md_text
from infra.render.mermaid import mermaid_block

# GitHub refuses comments over 65,536 characters; leave room for the comment's header.
COMMENT_LIMIT = 60_000
TRUNCATED_NOTE = (
    "\n\n_Diff truncated to fit a PR comment; the full diff is in the job summary artifact._\n"
)
DETAILS_OMITTED_NOTE = (
    "\n_Property details omitted for some stacks to fit a PR comment; see the job artifact._\n"
)
ROWS_OMITTED_NOTE = (
    "\n_Create and update rows counted, not listed, for some stacks to fit a PR comment; every "
    "replace and delete row and every policy verdict is shown; see the job artifact._\n"
)
BASE_FAILED_NOTE = "the head's full plan is shown as all creates"
KINDS_NOTE = "allowed differences: pyproject.toml [tool.infra.same-kinds.allowed]"

_ICONS = {"add": "🟢 create", "update": "🟡 update", "replace": "🔴 replace", "remove": "🔴 delete"}
_VERBS = (("add", "create"), ("update", "update"), ("replace", "replace"), ("remove", "delete"))
# How much of a stack's Markdown is kept, most first; a large diff steps down per stack
# until it fits. Replace and delete rows, config changes and verdicts are never dropped.
_FULL, _NO_DETAILS, _NO_CREATES, _NO_CREATES_OR_UPDATES = range(4)


def _plain(value: Any) -> str:
    shown = masked(value)
    return "(none)" if shown is None else shown if isinstance(shown, str) else str(shown)


def _md(value: Any) -> str:
    return md_code(_plain(value)[:200])


def _summary(diff: StackDiff) -> str:
    parts = [f"{diff.count(action)} to {verb}" for action, verb in _VERBS]
    if diff.config_changes:
        parts.append(f"{len(diff.config_changes)} config change(s)")
    return ", ".join(parts)


def _why(c: ResourceChange) -> str:
    if c.blocked_by_protect:
        return "; ".join(filter(None, (c.protect_note, _reason(c))))
    return _reason(c)


def _reason(c: ResourceChange) -> str:
    if c.replace_reasons:
        return "forces replacement: " + ", ".join(map(md_code, c.replace_reasons))
    if c.old_urn:
        return "renamed with alias"
    if c.action == "remove" and c.stateful:
        return "deletes stateful data"
    if c.shortened_retention:
        return "shortens retention: " + ", ".join(map(md_code, c.shortened_retention))
    if c.weakened:
        return "shortens retention or weakens protection: " + ", ".join(map(md_code, c.weakened))
    return ""


def _rows(diff: StackDiff, level: int) -> list[str]:
    hidden = {"add"} if level == _NO_CREATES else set()
    if level == _NO_CREATES_OR_UPDATES:
        hidden = {"add", "update"}
    # A risky update (a shorter backup retention) is never counted away.
    shown = [c for c in diff.changes if c.action not in hidden or c.stateful_risk]
    lines = ["| Action | Type | Name | Why |", "|---|---|---|---|"]
    for c in shown:
        flag = " ⚠️" if c.stateful_risk else ""
        lines.append(
            f"| {_ICONS[c.action]}{flag} | {md_code(c.type)} | {md_code(c.name)} | {_why(c)} |"
        )
    for action in sorted(hidden, key=list(_ICONS).index):
        if count := sum(1 for c in diff.changes if c.action == action and not c.stateful_risk):
            lines.append(f"| {_ICONS[action]} | | _{count} not shown_ | |")
    return [*lines, ""]


def _config_table(changes: Sequence[PropertyChange]) -> list[str]:
    lines = ["| ⚙️ Config key | Old | New |", "|---|---|---|"]
    lines += [f"| {md_code(c.path)} | {_md(c.old)} | {_md(c.new)} |" for c in changes]
    return [*lines, ""]


def _cell(text: str) -> str:
    return md_text(text)


def _verdict_table(diff: StackDiff) -> list[str]:
    """New and resolved verdicts, with the severity, link and remediation the pack declares."""
    lines = [
        "| Policy verdict | Level | Severity | Policy | Resource | Message |",
        "|---|---|---|---|---|---|",
    ]
    for label, violations in (
        ("new", diff.violations_added),
        ("resolved", diff.violations_removed),
    ):
        for v in violations:
            resource = v.urn.split("::")[-1] if v.urn else "(stack)"
            rule = v.rule
            policy = f"[`{v.policy}`]({rule.url})" if rule and rule.url else f"`{v.policy}`"
            message = _cell(v.message)
            if label == "new" and rule and rule.remediation:
                message += f"<br>**Fix:** {_cell(rule.remediation)}"
            severity = rule.severity if rule else ""
            lines.append(
                f"| {label} | {v.enforcement_level} | {severity} | {policy} | {md_code(resource)} "
                f"| {message} |"
            )
    return [*lines, ""]


def _details(diff: StackDiff) -> list[str]:
    lines: list[str] = []
    for c in diff.changes:
        if not c.changes:
            continue
        lines += [
            f"<details><summary>{_ICONS[c.action]} <code>{c.name}</code> ({c.type})</summary>",
            "",
            "| Property | Old | New |",
            "|---|---|---|",
        ]
        lines += [f"| {md_code(p.path)} | {_md(p.old)} | {_md(p.new)} |" for p in c.changes]
        lines += ["", "</details>", ""]
    return lines


def _stack_markdown(diff: StackDiff, level: int, cost: CostChange | None = None) -> list[str]:
    if diff.removed:
        return [f"### 🗑️ `{diff.stack}`: {STACK_REMOVED_NOTE}", ""]
    risk = (
        f" — ⚠️ {len(diff.stateful_risks)} stateful replacement/deletion"
        if diff.stateful_risks
        else ""
    )
    verdict = (
        "❌" if diff.mandatory_violations or diff.refusals else "⚠️" if diff.stateful_risks else "✅"
    )
    lines = [f"### {verdict} `{diff.stack}`: {_summary(diff)}{risk}", ""]
    if diff.base_error:
        lines += [f"> ⚠️ {diff.base_error.replace(chr(10), ' ')}; {BASE_FAILED_NOTE}.", ""]
    lines += [f"> ❌ refused: {line}" for line in diff.refusals] + [""] * bool(diff.refusals)
    if diff.kind_differences:
        lines += [
            f"> ❌ differs in kind from the stack it rehearses ({KINDS_NOTE}):",
            *(f"> - {line}" for line in diff.kind_differences),
            "",
        ]
    if cost is not None:
        lines += cost_markdown(cost.head, cost)
    if diff.config_changes:
        lines += _config_table(diff.config_changes)
    if diff.changes:
        lines += _rows(diff, level)
    elif not diff.config_changes:
        lines += ["No changes to desired state.", ""]
    if diff.violations_added or diff.violations_removed:
        lines += _verdict_table(diff)
    if level == _FULL:
        lines += _details(diff)
        if diff.head_plan is not None:
            summary = "<details><summary>Graph of the stack after the change</summary>"
            lines += [summary, "", *mermaid_block(diff.head_plan), "", "</details>", ""]
    return lines


def render_diff_markdown(
    diffs: Sequence[StackDiff],
    limit: int = COMMENT_LIMIT,
    costs: Mapping[str, CostChange] | None = None,
) -> str:
    """Changes-only summary per stack. When the whole would not fit in one PR comment,
    stacks step down (last stack first) from full details to no details, then no create
    rows, then no update rows; a hard cut is the last resort."""
    levels = [_FULL] * len(diffs)
    while True:
        text = "\n".join(
            line
            for d, lvl in zip(diffs, levels, strict=True)
            for line in _stack_markdown(d, lvl, (costs or {}).get(d.stack))
        )
        reducible = [i for i, lvl in enumerate(levels) if lvl < _NO_CREATES_OR_UPDATES]
        if len(text) <= limit or not reducible:
            break
        lowest = min(levels[i] for i in reducible)
        levels[max(i for i in reducible if levels[i] == lowest)] += 1
    if len(text) > limit:
        cut = text.rfind("\n", 0, limit - 200)
        return text[:cut] + TRUNCATED_NOTE
    if any(lvl > _NO_DETAILS for lvl in levels):
        text += ROWS_OMITTED_NOTE
    elif any(lvl == _NO_DETAILS and _details(d) for d, lvl in zip(diffs, levels, strict=True)):
        text += DETAILS_OMITTED_NOTE
    return text


def render_diff_text(diffs: Sequence[StackDiff]) -> str:
    symbols = {"add": "+", "update": "~", "replace": "+-", "remove": "-"}
    lines: list[str] = []
    for diff in diffs:
        lines.append(f"Stack {diff.project}/{diff.stack}")
        if diff.removed:
            lines += [f"  {STACK_REMOVED_NOTE}", ""]
            continue
        if diff.base_error:
            lines.append(f"  {diff.base_error.replace(chr(10), ' ')}; {BASE_FAILED_NOTE}")
        lines += [f"  refused: {line}" for line in diff.refusals]
        lines += [f"  differs in kind: {line}" for line in diff.kind_differences]
        for p in diff.config_changes:
            lines.append(f"  config {p.path}: {_plain(p.old)} => {_plain(p.new)}")
        for c in diff.changes:
            note = "  [STATEFUL: data at risk]" if c.stateful_risk else ""
            renamed = f"  (was {c.old_urn})" if c.old_urn else ""
            lines.append(f"  {symbols[c.action]:>2} {c.type} {c.name}{renamed}{note}")
            for p in c.changes:
                forced = "  (forces replacement)" if p.path in c.replace_reasons else ""
                lines.append(f"       {p.path}: {_plain(p.old)} => {_plain(p.new)}{forced}")
            if c.action == "replace" and not c.changes:
                lines.append(f"       {', '.join(c.replace_reasons)}")
            if c.blocked_by_protect:
                lines.append(f"       {c.protect_note}")
        for v in diff.violations_added:
            lines.append(f"  new {v.enforcement_level} violation {v.policy}: {v.message}")
        for v in diff.violations_removed:
            lines.append(f"  resolved {v.enforcement_level} violation {v.policy}: {v.message}")
        lines.append(f"  Summary: {_summary(diff)}; {len(diff.stateful_risks)} stateful at risk")
        lines.append("")
    return "\n".join(lines)
