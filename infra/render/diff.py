"""Render `infra diff` results as text or as Markdown for a PR comment."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import Any

from infra.compare import PropertyChange, ResourceChange, StackDiff
from infra.engine.model import StackKey, StackPlan, Violation
from infra.engine.project import STACK_REMOVED_NOTE
from infra.engine.values import masked
from infra.readers.cost import CostChange
from infra.render.color import GREEN, RED, YELLOW, Paint
from infra.render.comment import ACK_TRAILER, REASONS_END, REASONS_MARKER
from infra.render.cost import cost_markdown, team_changes
from infra.render.escape import md_code, md_text
from infra.render.mermaid import mermaid_block
from infra.render.plan import stack_keys_markdown

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


def _keys_changed(diff: StackDiff, v: Violation) -> tuple[StackKey, ...]:
    """The stack-file keys behind a new verdict, those this change sets first: of a pool's
    minCount and maxCount both named by the message, the one the pull request changed."""
    changed = {c.path for c in diff.config_changes}
    touched = tuple(
        k
        for k in v.stack_keys
        if any(path == k.key or path.startswith((f"{k.key}.", f"{k.key}[")) for path in changed)
    )
    return touched or v.stack_keys


def _verdict_table(diff: StackDiff) -> list[str]:
    """New and resolved verdicts, with the severity, link and remediation the pack declares;
    a new verdict a stack setting causes names that key first in its fix."""
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
            message = "<br>".join(_cell(m) for m in v.message.splitlines())
            if label == "new":
                keys = _keys_changed(diff, v)
                fixes = [stack_keys_markdown(keys)] if keys else []
                if rule and rule.remediation:
                    fixes.append(_cell(rule.remediation))
                if fixes:
                    message += "<br>**Fix:** " + "; or: ".join(fixes)
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


def red_reasons(
    diff: StackDiff, strict: bool = True, acknowledged: bool = False
) -> list[tuple[str, str]]:
    """(category, text) of every reason the stack's check is red, in the order a reviewer
    acts on them: mandatory violations, refusals, kind differences, an unacknowledged
    stateful risk (scripts/build_pr_comment.py orders the whole comment's by category)."""
    reasons = []
    if mandatory := {(v.policy, v.urn) for v in diff.mandatory_violations}:
        reasons.append(("mandatory", f"{len(mandatory)} mandatory policy violation(s)"))
    if diff.refusals:
        reasons.append(("refused", f"{len(diff.refusals)} refused change(s)"))
    if diff.kind_differences:
        reasons.append(("kinds", "differs in kind from the stack it rehearses"))
    if diff.stateful_risks and strict and not acknowledged:
        reasons.append(
            ("stateful", f"{len(diff.stateful_risks)} stateful resource(s) at risk, unacknowledged")
        )
    return reasons


def acknowledgement(diff: StackDiff) -> str:
    """The review line that acknowledges the stack's stateful risks (scripts/ci_ack.py)."""
    names = sorted({c.name for c in diff.stateful_risks})
    return f"{ACK_TRAILER}: {diff.stack}: {', '.join(names)}"


def _marker(diff: StackDiff, reasons: list[tuple[str, str]], ack: str) -> str:
    # `<` and `>` escaped: no name can close the HTML comment.
    data = json.dumps({"stack": diff.stack, "reasons": reasons, "acknowledge": ack})
    return REASONS_MARKER + data.replace("<", "\\u003c").replace(">", "\\u003e") + REASONS_END


def _changed_plan(diff: StackDiff) -> StackPlan | None:
    """The resources a change creates, replaces, updates or deletes, for the graph: only when
    it creates or deletes some (an update leaves the graph as it was)."""
    if diff.head_plan is None or not (diff.count("add") or diff.count("remove")):
        return None
    return touched_plan(diff)


def touched_plan(diff: StackDiff) -> StackPlan:
    """The resources the change creates, replaces, updates or deletes, as a plan to draw."""
    changed = {c.urn for c in diff.changes}
    base = diff.base_plan.resources if diff.base_plan else []
    head = diff.head_plan.resources if diff.head_plan else []
    resources = [r for r in head if r.urn in changed]
    resources += [r for r in base if r.urn in changed and r.urn not in {x.urn for x in resources}]
    return StackPlan(diff.project, diff.stack, resources, {})


def _stack_markdown(
    diff: StackDiff,
    level: int,
    cost: CostChange | None = None,
    strict: bool = True,
    acknowledged: bool = False,
) -> list[str]:
    if diff.removed:
        return [f"### 🗑️ `{diff.stack}`: {STACK_REMOVED_NOTE}", ""]
    reasons = red_reasons(diff, strict, acknowledged)
    ack = acknowledgement(diff) if diff.stateful_risks else ""
    icon = "❌" if reasons else "⚠️" if diff.stateful_risks else "✅"
    headline = " · ".join(text for _, text in reasons) or "nothing blocks the merge"
    lines = [_marker(diff, reasons, ack), f"### {icon} `{diff.stack}`: {headline}", ""]
    if diff.stateful_risks:
        count = f"{len(diff.stateful_risks)} stateful resource(s) replaced, deleted or weakened"
        if acknowledged:
            lines += [f"> ⚠️ {count}: acknowledged.", ""]
        elif strict:
            lines += [
                f"> **To merge:** {count}; a maintainer other than the author approves the head "
                f"commit with a review holding the line {md_code(ack)}",
                "",
            ]
        else:
            lines += [f"> ⚠️ {count} (a warning: the diff ran without --strict)", ""]
    lines += [f"{_summary(diff)}.", ""]
    if diff.base_error:
        lines += [f"> ⚠️ {diff.base_error.replace(chr(10), ' ')}; {BASE_FAILED_NOTE}.", ""]
    if diff.compared_with:
        lines += [f"> ⚠️ {diff.compared_with.replace(chr(10), ' ')}.", ""]
    lines += [f"> ❌ refused: {line}" for line in diff.refusals] + [""] * bool(diff.refusals)
    if diff.kind_differences:
        lines += [
            f"> ❌ differs in kind from the stack it rehearses ({KINDS_NOTE}):",
            *(f"> - {line}" for line in diff.kind_differences),
            "",
        ]
    if diff.violations_added or diff.violations_removed:
        lines += _verdict_table(diff)
    if diff.config_changes:
        lines += _config_table(diff.config_changes)
    if diff.changes:
        lines += _rows(diff, level)
    elif not diff.config_changes:
        lines += ["No changes to desired state.", ""]
    if cost is not None:
        lines += cost_markdown(cost.head, cost)
    if level == _FULL:
        lines += _details(diff)
        if (changed := _changed_plan(diff)) is not None:
            summary = "<details><summary>Graph of the resources that change</summary>"
            lines += [summary, "", *mermaid_block(changed), "", "</details>", ""]
    return lines


def render_diff_markdown(
    diffs: Sequence[StackDiff],
    limit: int = COMMENT_LIMIT,
    costs: Mapping[str, CostChange] | None = None,
    *,
    strict: bool = True,
    acknowledged: bool = False,
) -> str:
    """Changes-only summary per stack. When the whole would not fit in one PR comment,
    stacks step down (last stack first) from full details to no details, then no create
    rows, then no update rows; a hard cut is the last resort."""
    levels = [_FULL] * len(diffs)
    while True:
        text = "\n".join(
            line
            for d, lvl in zip(diffs, levels, strict=True)
            for line in _stack_markdown(d, lvl, (costs or {}).get(d.stack), strict, acknowledged)
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


# As `pulumi preview` colours its steps: create green, update yellow, replace and delete red.
_TEXT_COLORS = {"add": GREEN, "update": YELLOW, "replace": RED, "remove": RED}


def render_diff_text(
    diffs: Sequence[StackDiff],
    costs: Mapping[str, CostChange] | None = None,
    paint: Paint | None = None,
) -> str:
    paint = paint or Paint(False)
    symbols = {"add": "+", "update": "~", "replace": "+-", "remove": "-"}
    lines: list[str] = []
    for diff in diffs:
        lines.append(f"Stack {diff.project}/{diff.stack}")
        if diff.removed:
            lines += [f"  {STACK_REMOVED_NOTE}", ""]
            continue
        if diff.base_error:
            lines.append(f"  {diff.base_error.replace(chr(10), ' ')}; {BASE_FAILED_NOTE}")
        if diff.compared_with:
            lines.append(f"  {diff.compared_with.replace(chr(10), ' ')}")
        lines += [f"  refused: {line}" for line in diff.refusals]
        lines += [f"  differs in kind: {line}" for line in diff.kind_differences]
        for p in diff.config_changes:
            lines.append(f"  config {p.path}: {_plain(p.old)} => {_plain(p.new)}")
        if (cost := (costs or {}).get(diff.stack)) is not None:
            lines += [f"  {line}" for line in team_changes(cost)]
        for c in diff.changes:
            note = "  [STATEFUL: data at risk]" if c.stateful_risk else ""
            renamed = f"  (was {c.old_urn})" if c.old_urn else ""
            row = f"  {symbols[c.action]:>2} {c.type} {c.name}{renamed}{note}"
            lines.append(paint(_TEXT_COLORS[c.action], row))
            for p in c.changes:
                forced = "  (forces replacement)" if p.path in c.replace_reasons else ""
                lines.append(f"       {p.path}: {_plain(p.old)} => {_plain(p.new)}{forced}")
            if c.action == "replace" and not c.changes:
                lines.append(f"       {', '.join(c.replace_reasons)}")
            if c.blocked_by_protect:
                lines.append(f"       {c.protect_note}")
        for v in diff.violations_added:
            fix = "".join(f"; fix: {key}" for key in _keys_changed(diff, v))
            text = "; ".join(v.message.splitlines())
            lines.append(f"  new {v.enforcement_level} violation {v.policy}: {text}{fix}")
        for v in diff.violations_removed:
            text = "; ".join(v.message.splitlines())
            lines.append(f"  resolved {v.enforcement_level} violation {v.policy}: {text}")
        lines.append(f"  Summary: {_summary(diff)}; {len(diff.stateful_risks)} stateful at risk")
        lines.append("")
    return "\n".join(lines)
