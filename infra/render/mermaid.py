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


def _graph_lines(plan: StackPlan, prefix: str, depth: int) -> list[str]:
    """The plan's nodes (ids `<prefix><i>`), subgraphs and edges, indented `depth` levels."""
    top = "  " * depth
    shown = [r for r in plan.resources if r.type != STACK_TYPE]
    if len(shown) > MAX_NODES:
        return [
            f'{top}{prefix}_omitted["{mermaid_label(plan.stack)}: {len(shown)} resources, '
            f'over the {MAX_NODES} a readable graph holds"]'
        ]
    ids = {r.urn: f"{prefix}{i}" for i, r in enumerate(shown)}
    children: dict[str | None, list[Resource]] = {}
    for r in shown:
        children.setdefault(r.parent if r.parent in ids else None, []).append(r)

    lines: list[str] = []

    def place(resource: Resource, level: int) -> None:
        pad = "  " * level
        node = ids[resource.urn]
        if not resource.custom and resource.urn in children:
            lines.append(f"{pad}subgraph {node}[{_label(resource)}]")
            for child in children[resource.urn]:
                place(child, level + 1)
            lines.append(f"{pad}end")
        elif resource.type.startswith(PROVIDER_PREFIX):
            lines.append(f"{pad}{node}{{{{{_label(resource)}}}}}")
        else:
            lines.append(f"{pad}{node}[{_label(resource)}]")

    for resource in children.get(None, []):
        place(resource, depth)
    depends = {
        ids[r.urn]: {ids[d] for d in r.dependencies if d in ids and d != r.urn} for r in shown
    }
    order = {node: i for i, node in enumerate(ids.values())}
    for node, deps in _reduced(depends).items():
        lines += [f"{top}{dep} --> {node}" for dep in sorted(deps, key=order.__getitem__)]
    for r in shown:
        provider = (r.provider or "").rsplit("::", 1)[0]
        if provider in ids:
            lines.append(f"{top}{ids[provider]} -.-> {ids[r.urn]}")
    return lines


def render_mermaid(plan: StackPlan) -> str:
    return "\n".join(["flowchart LR", *_graph_lines(plan, "n", 1)])


def mermaid_block(plan: StackPlan) -> list[str]:
    return ["```mermaid", render_mermaid(plan), "```"]


def render_mermaid_document(plans: Sequence[StackPlan]) -> str:
    """`infra preview --format mermaid`: one Mermaid document (what `mmdc` and mermaid.live
    read, no Markdown around it), each stack a subgraph named `project/stack`."""
    lines = ["flowchart LR"]
    for i, plan in enumerate(plans):
        title = mermaid_label(f"{plan.project}/{plan.stack}")
        lines += [f'  subgraph s{i}["{title}"]', *_graph_lines(plan, f"s{i}n", 2), "  end"]
    return "\n".join(lines)
