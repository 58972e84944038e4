"""A stack as a Mermaid flowchart: components as subgraphs, explicit providers as hexagons
with dotted edges to what they manage, and the plan's dependencies as arrows (dependency ->
dependent). Arrows implied by others are dropped (transitive reduction) so the picture stays
readable; GitHub renders the result in Markdown."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from infra.engine.model import Resource, StackPlan
from infra.render.escape import mermaid_label

PROVIDER_PREFIX = "pulumi:providers:"
STACK_TYPE = "pulumi:pulumi:Stack"
# Beyond this a graph is unreadable, and GitHub's renderer refuses large ones.
MAX_NODES = 200


def _kind(resource: Resource) -> str:
    if resource.type.startswith(PROVIDER_PREFIX):
        return f"{resource.type.removeprefix(PROVIDER_PREFIX)} provider"
    return resource.type.rsplit(":", 1)[-1].rsplit("/", 1)[-1]


def _label(resource: Resource) -> str:
    name, kind = mermaid_label(resource.name), mermaid_label(_kind(resource))
    return f'"{name}<br/><small>{kind}</small>"'


def _reduced(edges: Mapping[str, set[str]]) -> dict[str, set[str]]:
    """Each node's direct dependencies, minus those reachable through another of them."""

    def reachable(start: str) -> set[str]:
        seen: set[str] = set()
        stack = [start]
        while stack:
            for nxt in edges.get(stack.pop(), ()):
                if nxt not in seen:
                    seen.add(nxt)
                    stack.append(nxt)
        return seen

    return {
        node: {d for d in deps if not any(d in reachable(o) for o in deps - {d})}
        for node, deps in edges.items()
    }


def render_mermaid(plan: StackPlan) -> str:
    shown = [r for r in plan.resources if r.type != STACK_TYPE]
    if len(shown) > MAX_NODES:
        return (
            f'flowchart LR\n  omitted["{plan.stack}: {len(shown)} resources, '
            f'over the {MAX_NODES} a readable graph holds"]'
        )
    ids = {r.urn: f"n{i}" for i, r in enumerate(shown)}
    children: dict[str | None, list[Resource]] = {}
    for r in shown:
        children.setdefault(r.parent if r.parent in ids else None, []).append(r)

    lines = ["flowchart LR"]

    def place(resource: Resource, depth: int) -> None:
        pad = "  " * depth
        node = ids[resource.urn]
        if not resource.custom and resource.urn in children:
            lines.append(f"{pad}subgraph {node}[{_label(resource)}]")
            for child in children[resource.urn]:
                place(child, depth + 1)
            lines.append(f"{pad}end")
        elif resource.type.startswith(PROVIDER_PREFIX):
            lines.append(f"{pad}{node}{{{{{_label(resource)}}}}}")
        else:
            lines.append(f"{pad}{node}[{_label(resource)}]")

    for resource in children.get(None, []):
        place(resource, 1)
    depends = {
        ids[r.urn]: {ids[d] for d in r.dependencies if d in ids and d != r.urn} for r in shown
    }
    for node, deps in _reduced(depends).items():
        lines += [f"  {dep} --> {node}" for dep in sorted(deps, key=lambda n: int(n[1:]))]
    for r in shown:
        provider = (r.provider or "").rsplit("::", 1)[0]
        if provider in ids:
            lines.append(f"  {ids[provider]} -.-> {ids[r.urn]}")
    return "\n".join(lines)


def mermaid_block(plan: StackPlan) -> list[str]:
    return ["```mermaid", render_mermaid(plan), "```"]


def render_mermaid_stacks(plans: Sequence[StackPlan]) -> str:
    """`infra preview --format mermaid`: one fenced graph per stack, headed by its name."""
    parts = []
    for plan in plans:
        parts += [f"### `{plan.project}/{plan.stack}`", "", *mermaid_block(plan), ""]
    return "\n".join(parts)
