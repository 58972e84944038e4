"""Render cost estimates: a line per stack, the lines behind it, and what is not priced."""

from __future__ import annotations

from collections.abc import Sequence

from infra.readers.cost import LEFT_OUT, CostChange, CostLine, StackCost
from infra.render.color import YELLOW, Paint

# Starts the cost line of each stack's Markdown; scripts/build_pr_comment.py finds it by this.
COST_LABEL = "💰 **Estimated cost:**"


def money(amount: float, currency: str | None) -> str:
    symbol = "$" if currency in (None, "USD") else f"{currency} "
    sign = "-" if amount < -0.005 else ""
    return f"{sign}{symbol}{abs(amount):,.2f}"


def span(low: float, high: float, currency: str | None) -> str:
    if abs(high - low) < 0.005:
        return money(low, currency)
    return f"{money(low, currency)} to {money(high, currency)}"


def _signed(low: float, high: float, currency: str | None) -> str:
    def one(amount: float) -> str:
        return ("+" if amount > 0.005 else "") + money(amount, currency)

    return one(low) if abs(high - low) < 0.005 else f"{one(low)} to {one(high)}"


UNKNOWN = "unknown"


def _total(cost: StackCost) -> str:
    return span(cost.low, cost.high, cost.currency) if cost.known else UNKNOWN


def cost_summary(cost: StackCost) -> str:
    """`$73.00 to $21,520.00 a month (…prices…); 5 items not priced`"""
    text = f"{_total(cost)} a month" if cost.known else f"{UNKNOWN} (no prices)"
    if cost.sources:
        text += f" ({'; '.join(cost.sources)})"
    if cost.unpriced:
        text += f"; {len(cost.unpriced)} item(s) not priced"
    return text


def change_summary(change: CostChange) -> str:
    head = change.head
    delta = _signed(change.delta_low, change.delta_high, head.currency)
    before = _total(change.base) if change.base else "nothing"
    if not change.known:
        delta = f"{UNKNOWN}: no prices"
    text = f"{before} → {_total(head)} a month ({delta})"
    unpriced = len(head.unpriced)
    return text + (f"; {unpriced} item(s) not priced" if unpriced else "")


def render_cost_text(costs: Sequence[StackCost], paint: Paint | None = None) -> str:
    """Each stack's total and lines; what has no price in yellow (a total it leaves open)."""
    paint = paint or Paint(False)
    lines: list[str] = []
    for cost in costs:
        summary = cost_summary(cost)
        lines.append(f"Stack {cost.stack}: {paint(YELLOW, summary) if cost.unpriced else summary}")
        for line in cost.lines:
            lines.append(f"  {span(line.low, line.high, cost.currency):>24}  {line.item}")
        for missing in cost.unpriced:
            lines.append(paint(YELLOW, f"  {'not priced':>24}  {missing.item}: {missing.reason}"))
        lines.append("")
    lines.append(f"Not estimated: {LEFT_OUT}.")
    return "\n".join(lines)


def render_cost_markdown(costs: Sequence[StackCost]) -> str:
    """`infra cost --markdown`: per stack a heading, then what the PR comment shows of it."""
    lines: list[str] = []
    for cost in costs:
        lines += [f"### `{cost.stack}`", "", *cost_markdown(cost)]
    return "\n".join(lines)


def _line_key(line: CostLine) -> tuple[str, str, float, float]:
    return (line.resource, line.item, round(line.low, 2), round(line.high, 2))


def not_estimated(cost: StackCost) -> str:
    """Every item of the stack without a price, by name, then what is never estimated."""
    items = list(dict.fromkeys(u.item for u in cost.unpriced))
    named = f"{', '.join(items)}; and " if items else ""
    return f"Not estimated: {named}{LEFT_OUT}."


def cost_markdown(cost: StackCost, change: CostChange | None = None) -> list[str]:
    """The 💰 line and, collapsed, the lines a change adds or removes (every line of a new
    stack) and every item not estimated."""
    summary = change_summary(change) if change else cost_summary(cost)
    shown, removed = cost.lines, []
    if change is not None and change.base is not None:
        before = {_line_key(x) for x in change.base.lines}
        after = {_line_key(x) for x in cost.lines}
        shown = [x for x in cost.lines if _line_key(x) not in before]
        removed = [x for x in change.base.lines if _line_key(x) not in after]
    lines = [f"{COST_LABEL} {summary}", "", "<details><summary>Cost lines</summary>", ""]
    if shown or removed:
        lines += ["| Monthly | Item |", "|---|---|"]
        lines += [f"| {span(x.low, x.high, cost.currency)} | {x.item} |" for x in shown]
        lines += [f"| ~~{span(x.low, x.high, cost.currency)}~~ | {x.item} |" for x in removed]
        lines.append("")
    lines += [not_estimated(cost), "", "</details>", ""]
    return lines
