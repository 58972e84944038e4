"""Shared building blocks of the case modules: mutations, case types, shared messages."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from policy_fixtures import (
    ACCOUNT,
)
from policy_harness import StackResource

Mutation = Callable[[Any], None]

# --- mutation helpers ----------------------------------------------------------------------


def _walk(obj: Any, path: str) -> tuple[Any, str | int]:
    steps: list[str | int] = [int(p) if p.isdigit() else p for p in path.split(".")]
    for step in steps[:-1]:
        if isinstance(step, str) and isinstance(obj, dict) and step not in obj:
            obj[step] = {}
        obj = obj[step]
    return obj, steps[-1]


def put(path: str, value: Any) -> Mutation:
    """Set a (dotted, list indexes as numbers) path, creating objects on the way."""

    def mutate(props: Any) -> None:
        parent, last = _walk(props, path)
        parent[last] = value

    return mutate


def drop(path: str) -> Mutation:
    def mutate(props: Any) -> None:
        parent, last = _walk(props, path)
        del parent[last]

    return mutate


def chain(*mutations: Mutation) -> Mutation:
    def mutate(target: Any) -> None:
        for m in mutations:
            m(target)

    return mutate


def on(name: str, *mutations: Mutation) -> Mutation:
    """Apply property mutations to one resource of a stack fixture."""

    def mutate(stack: dict[str, StackResource]) -> None:
        for m in mutations:
            m(stack[name].props)

    return mutate


def remove(*names: str) -> Mutation:
    def mutate(stack: dict[str, StackResource]) -> None:
        for name in names:
            del stack[name]
        for r in stack.values():
            for prop in list(r.property_dependencies):
                r.property_dependencies[prop] = [
                    n for n in r.property_dependencies[prop] if n not in names
                ]

    return mutate


def no_deps(*names: str) -> Mutation:
    """Forget the property dependencies of resources (e.g. values wired as plain strings)."""

    def mutate(stack: dict[str, StackResource]) -> None:
        for name in names:
            stack[name].property_dependencies = {}

    return mutate


def add(resource: StackResource) -> Mutation:
    def mutate(stack: dict[str, StackResource]) -> None:
        stack[resource.name] = resource

    return mutate


# --- case types ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class RCase:
    id: str
    policy: str
    fixture: str
    mutate: Mutation | None = None
    expected: tuple[str, ...] = ()
    settings: dict[str, Any] | None = None
    protect: bool = True
    delete_before_replace: bool | None = None
    # The date the policy runs on (INFRA_TODAY), for policies that read the calendar.
    today: str | None = None


@dataclass(frozen=True)
class SCase:
    id: str
    policy: str
    mutate: Mutation | None = None
    expected: tuple[str, ...] = ()
    settings: dict[str, Any] | None = field(default=None)


# --- shared messages and mutations ---------------------------------------------------------

SA = f"StorageAccount '{ACCOUNT}'"
DISK_PV = chain(
    put("spec.csi.driver", "disk.csi.azure.com"),
    put("spec.csi.volumeAttributes", {"fsType": "ext4"}),
)
