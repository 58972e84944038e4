"""Render cost estimates: a line per stack, the lines behind it, and what is not priced."""

from __future__ import annotations

from collections.abc import Sequence

from infra.readers.cost import HOURS_PER_MONTH, LEFT_OUT, CostChange, CostLine, StackCost, TeamCost
from infra.render.color import YELLOW, Paint

# Starts the cost line of each stack's Markdown; scripts/build_pr_comment.py finds it by this.
COST_LABEL = "💰 **Estimated cost:**"
# Starts the line of a team whose GPU quota or its cost changes.
TEAM_LABEL = "👥"


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


# Heads each stack's team lines: what the figures are (docs/cli.md says more).
TEAMS_HEADING = (
    "Teams on the GPU pool (quota: GPUs guaranteed; cost: the pool's VMs a team holds at full "
    "use, not added to the total):"
)


def _gpus(count: int) -> str:
    return f"{count} GPU{'s' * (count != 1)}"


def _team_name(team: TeamCost, teams: Sequence[TeamCost]) -> str:
    """The team's name, with its flavor when its GPU quota is on more than one."""
    shared = sum(other.team == team.team for other in teams) > 1
    return f"{team.team} ({team.flavor})" if shared else team.team


def _at_full_use(team: TeamCost, nodes: int, currency: str | None) -> tuple[str, str]:
    """(monthly, hourly) cost of `nodes` of the team's pool, or "unknown" twice."""
    hourly = team.hourly(nodes)
    if hourly is None:
        return UNKNOWN, UNKNOWN
    return money(hourly * HOURS_PER_MONTH, currency), money(hourly, currency)


def team_text(team: TeamCost, currency: str | None) -> str:
    """`quota 6 GPUs (6 x Standard_NC24ads_A100_v4): $20,914.50 a month ($28.65 an hour);
    may borrow 2, up to 8 GPUs (8 nodes): $27,886.00 a month ($38.20 an hour)`"""
    monthly, hourly = _at_full_use(team, team.nodes, currency)
    held = f" ({team.nodes} x {team.vm_size})" if team.vm_size else ""
    text = f"quota {_gpus(team.gpus)}{held}: {monthly} a month ({hourly} an hour)"
    monthly, hourly = _at_full_use(team, team.max_nodes, currency)
    nodes = f" ({team.max_nodes} node{'s' * (team.max_nodes != 1)})" if team.vm_size else ""
    text += (
        f"; may borrow {team.may_borrow}, up to {_gpus(team.max_gpus)}{nodes}: "
        f"{monthly} a month ({hourly} an hour)"
    )
    return text + (f" [unknown: {team.unknown}]" if team.unknown else "")


def _from_to(old: str | None, new: str | None) -> str:
    if old == new:
        return new or "none"
    return f"{old or 'none'} → {new or 'none'}"


def _team_figures(team: TeamCost | None, currency: str | None) -> list[str | None]:
    """What a change line compares: quota, borrowing, most held, and the cost at full use."""
    if team is None:
        return [None] * 6
    monthly, hourly = _at_full_use(team, team.nodes, currency)
    borrowing, _ = _at_full_use(team, team.max_nodes, currency)
    gpus, borrow, most = str(team.gpus), str(team.may_borrow), _gpus(team.max_gpus)
    return [gpus, borrow, most, monthly, hourly, borrowing]


def team_changes(change: CostChange) -> list[str]:
    """One line per team added, removed or whose quota, borrowing or cost changes:
    `team training: GPU quota 6 → 8, may borrow 2 → 0, up to 8 GPUs; at full use $20,914.50 →
    $27,886.00 a month ($28.65 → $38.20 an hour), borrowing too $27,886.00 a month`"""
    before = change.base.teams if change.base else []
    base = {(t.team, t.flavor): t for t in before}
    head = {(t.team, t.flavor): t for t in change.head.teams}
    currency = change.head.currency
    lines = []
    for key in sorted({*base, *head}, key=lambda k: (k[0], k[1] or "")):
        old, new = base.get(key), head.get(key)
        if old == new:
            continue
        name = _team_name(new, change.head.teams) if new else _team_name(base[key], before)
        what = " (added)" if old is None else " (removed)" if new is None else ""
        parts = [
            _from_to(a, b)
            for a, b in zip(_team_figures(old, currency), _team_figures(new, currency), strict=True)
        ]
        line = (
            f"team {name}{what}: GPU quota {parts[0]}, may borrow {parts[1]}, up to {parts[2]}; "
            f"at full use {parts[3]} a month ({parts[4]} an hour), borrowing too {parts[5]} a "
            "month"
        )
        reasons = [t.unknown for t in (old, new) if t is not None and t.unknown]
        lines.append(line + "".join(f" [unknown: {r}]" for r in dict.fromkeys(reasons)))
    return lines


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
        if cost.teams:
            lines.append(f"  {TEAMS_HEADING}")
            for team in cost.teams:
                name = _team_name(team, cost.teams)
                lines.append(f"    team {name}: {team_text(team, cost.currency)}")
        lines.append("")
    lines.append(f"Not estimated: {LEFT_OUT}.")
    return "\n".join(lines)


def render_cost_markdown(costs: Sequence[StackCost]) -> str:
    """`infra cost --markdown`: per stack a heading, then what the PR comment shows of it."""
    lines: list[str] = []
    for cost in costs:
        lines += [f"### `{cost.stack}`", "", *cost_markdown(cost)]
        if cost.teams:
            lines += [TEAMS_HEADING, ""]
            lines += [
                f"- team `{_team_name(t, cost.teams)}`: {team_text(t, cost.currency)}"
                for t in cost.teams
            ]
            lines.append("")
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
    lines = [f"{COST_LABEL} {summary}", ""]
    if change is not None and (teams := team_changes(change)):
        lines += [*(f"{TEAM_LABEL} {line}" for line in teams), ""]
    lines += ["<details><summary>Cost lines</summary>", ""]
    if shown or removed:
        lines += ["| Monthly | Item |", "|---|---|"]
        lines += [f"| {span(x.low, x.high, cost.currency)} | {x.item} |" for x in shown]
        lines += [f"| ~~{span(x.low, x.high, cost.currency)}~~ | {x.item} |" for x in removed]
        lines.append("")
    lines += [not_estimated(cost), "", "</details>", ""]
    return lines
