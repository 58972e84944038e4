"""Differences in kind between two stacks' plans: what a rehearsal stack must share with the
stack it rehearses.

Two stacks of one program differ in sizes, counts and names by design; a difference in kind
(a resource type only one deploys, another SKU or billing model, a feature turned on in one
only) means the rehearsal never runs what the other deploys. ``[tool.infra.same-kinds]`` in
``pyproject.toml`` declares, as data::

    [tool.infra.same-kinds]
    pairs = [["staging", "prod"]]     # rehearsal, rehearsed
    kinds = ["azure-native:storage:StorageAccount sku.name"]   # "<type> <input path>"
    [tool.infra.same-kinds.allowed]   # "<type>" or "<type> <input path>" = "why"

A plan's kinds are: every resource type it holds; every true/false input (a feature toggle),
at its path; and the values of the ``kinds`` paths. ``[]`` in a path stands for every item of a
list, whose values are compared as a set: how many items hold one is a count.
"""

from __future__ import annotations

import tomllib
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from infra.engine.files import read_text
from infra.engine.model import Secret, StackPlan, Unknown
from infra.errors import UsageError

TABLE = "same-kinds"
# What a kind fact is: a resource type, or a type and an input path, and the values it holds.
Fact = tuple[str, str]


@dataclass(frozen=True)
class KindRules:
    pairs: tuple[tuple[str, str], ...] = ()
    kinds: tuple[Fact, ...] = ()
    # "<type>" or "<type> <path>" -> why that difference is allowed.
    allowed: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class KindDifference:
    rehearsal: str
    rehearsed: str
    type: str
    path: str
    rehearsal_values: frozenset[str]
    rehearsed_values: frozenset[str]

    def line(self) -> str:
        def shown(values: frozenset[str]) -> str:
            return ", ".join(sorted(values)) or "(none)"

        where = f"{self.type} {self.path}" if self.path else self.type
        return (
            f"{where}: {self.rehearsal} has {shown(self.rehearsal_values)}, "
            f"{self.rehearsed} has {shown(self.rehearsed_values)}"
        )


def _fact(text: str, where: str) -> Fact:
    type_token, _, path = text.strip().partition(" ")
    if not type_token or ":" not in type_token:
        raise UsageError(f"{where}: {text!r} is not '<type>' or '<type> <input path>'")
    return type_token, path.strip()


def load_kind_rules(project_root: Path) -> KindRules:
    """``[tool.infra.same-kinds]`` of ``project_root/pyproject.toml``; none when absent."""
    path = project_root / "pyproject.toml"
    if not path.exists():
        return KindRules()
    try:
        doc = tomllib.loads(read_text(path, what="pyproject.toml"))
    except tomllib.TOMLDecodeError as error:
        raise UsageError(f"{path}: not readable TOML ({error})") from None
    table = doc.get("tool", {}).get("infra", {}).get(TABLE, {})
    where = f"{path.name}: [tool.infra.{TABLE}]"
    if not isinstance(table, dict) or set(table) - {"pairs", "kinds", "allowed"}:
        raise UsageError(f"{where} may hold only pairs, kinds and allowed")
    pairs = table.get("pairs", [])
    if not isinstance(pairs, list) or not all(
        isinstance(p, list) and len(p) == 2 and all(isinstance(s, str) and s for s in p)
        for p in pairs
    ):
        raise UsageError(f"{where} pairs must be a list of [rehearsal, rehearsed] stack names")
    kinds = table.get("kinds", [])
    if not isinstance(kinds, list) or not all(isinstance(k, str) for k in kinds):
        raise UsageError(f"{where} kinds must be a list of '<type> <input path>' strings")
    allowed = table.get("allowed", {})
    if not isinstance(allowed, dict) or not all(
        isinstance(v, str) and v.strip() for v in allowed.values()
    ):
        raise UsageError(f"{where}.allowed must map '<type> [<input path>]' to a reason")
    for key in allowed:
        _fact(key, f"{where}.allowed")
    return KindRules(
        pairs=tuple((a, b) for a, b in pairs),
        kinds=tuple(_fact(k, f"{where} kinds") for k in kinds),
        allowed=dict(allowed),
    )


def _values_at(value: Any, parts: list[str]) -> Iterator[Any]:
    if not parts:
        yield value
        return
    head, rest = parts[0], parts[1:]
    if head == "[]":
        if isinstance(value, list):
            for item in value:
                yield from _values_at(item, rest)
    elif isinstance(value, dict) and head in value:
        yield from _values_at(value[head], rest)


def _split(path: str) -> list[str]:
    return [p for p in path.replace("[]", ".[].").split(".") if p]


def _toggles(value: Any, path: str = "") -> Iterator[tuple[str, bool]]:
    if isinstance(value, bool):
        yield path, value
    elif isinstance(value, dict):
        for key, item in value.items():
            yield from _toggles(item, f"{path}.{key}" if path else str(key))
    elif isinstance(value, list):
        for item in value:
            yield from _toggles(item, f"{path}[]")


def _shown(value: Any) -> str | None:
    if isinstance(value, (Secret, Unknown)) or value is None:
        return None
    return str(value).lower() if isinstance(value, bool) else str(value)


def kinds_of(plan: StackPlan, kinds: tuple[Fact, ...]) -> dict[Fact, frozenset[str]]:
    """Every kind fact of ``plan``: its resource types, toggles and declared kind inputs."""
    found: dict[Fact, set[str]] = {}
    for resource in plan.resources:
        found.setdefault((resource.type, ""), set()).add("present")
        for path, flag in _toggles(resource.inputs):
            found.setdefault((resource.type, path), set()).add(str(flag).lower())
    for type_token, path in kinds:
        for resource in plan.resources:
            if resource.type != type_token:
                continue
            values = {_shown(v) for v in _values_at(resource.inputs, _split(path))}
            found.setdefault((type_token, path), set()).update(v for v in values if v)
    return {fact: frozenset(values) for fact, values in found.items()}


def kind_differences(
    rehearsal: StackPlan, rehearsed: StackPlan, rules: KindRules
) -> list[KindDifference]:
    """The differences in kind between the two plans that ``rules.allowed`` does not allow."""
    first, second = kinds_of(rehearsal, rules.kinds), kinds_of(rehearsed, rules.kinds)
    differences = []
    for fact in sorted(first.keys() | second.keys()):
        type_token, path = fact
        if type_token in rules.allowed or f"{type_token} {path}" in rules.allowed:
            continue
        mine, theirs = first.get(fact, frozenset()), second.get(fact, frozenset())
        # A type only one plan holds is one difference, not one per input.
        held_by_both = (type_token, "") in first and (type_token, "") in second
        if path and not held_by_both:
            continue
        if mine != theirs:
            differences.append(
                KindDifference(rehearsal.stack, rehearsed.stack, type_token, path, mine, theirs)
            )
    return differences
