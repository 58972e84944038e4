"""Render cost estimates: a line per stack, the lines behind it, and what is not priced."""

from __future__ import annotations

from collections.abc import Sequence

from infra.readers.cost import LEFT_OUT, CostChange, StackCost

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


def cost_summary(cost: StackCost) -> str:
    """`$73.00 to $21,520.00 a month (…prices…); 5 items not priced`"""
    text = f"{span(cost.low, cost.high, cost.currency)} a month"
    if cost.sources:
        text += f" ({'; '.join(cost.sources)})"
    if cost.unpriced:
        text += f"; {len(cost.unpriced)} item(s) not priced"
    return text


def change_summary(change: CostChange) -> str:
    head = change.head
    delta = _signed(change.delta_low, change.delta_high, head.currency)
    before = span(change.base.low, change.base.high, head.currency) if change.base else "nothing"
    text = f"{before} → {span(head.low, head.high, head.currency)} a month ({delta})"
    unpriced = len(head.unpriced)
    return text + (f"; {unpriced} item(s) not priced" if unpriced else "")


def render_cost_text(costs: Sequence[StackCost]) -> str:
    lines: list[str] = []
    for cost in costs:
        lines.append(f"Stack {cost.stack}: {cost_summary(cost)}")
        for line in cost.lines:
            lines.append(f"  {span(line.low, line.high, cost.currency):>24}  {line.item}")
        for missing in cost.unpriced:
            lines.append(f"  {'not priced':>24}  {missing.item}: {missing.reason}")
        lines.append("")
    lines.append(f"Not estimated: {LEFT_OUT}.")
    return "\n".join(lines)


def cost_markdown(cost: StackCost, change: CostChange | None = None) -> list[str]:
    """The 💰 line and, collapsed, the lines behind it."""
    summary = change_summary(change) if change else cost_summary(cost)
    lines = [f"{COST_LABEL} {summary}", "", "<details><summary>Cost lines</summary>", ""]
    lines += ["| Monthly | Item |", "|---|---|"]
    lines += [f"| {span(x.low, x.high, cost.currency)} | {x.item} |" for x in cost.lines]
    lines += [f"| not priced | {x.item}: {x.reason} |" for x in cost.unpriced]
    lines += ["", f"Not estimated: {LEFT_OUT}.", "", "</details>", ""]
    return lines
