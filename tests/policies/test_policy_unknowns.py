"""Unknown values (preview) never crash a policy and never produce a violation.

Starting from the known-good fixtures, every leaf and every container is replaced, one at a
time, by the engine's unknown sentinel. The pack must stay silent: an unknown value is
checked again once it is known, and an ``UnknownValueError`` escaping a policy would turn
into a "can't run policy during preview" diagnostic.
"""

from __future__ import annotations

import copy
from collections.abc import Iterator
from typing import Any

import pytest
from policy_fixtures import RESOURCES, good_stack
from policy_harness import (
    UNKNOWN,
    build_policy_resources,
    build_stack_args,
    policy_config,
    run_resource,
)
from pulumi_policy import ResourceValidationPolicy, StackValidationArgs, StackValidationPolicy
from pulumi_policy.deserialize import SPECIAL_SIG_KEY

from policies.registry import ALL_POLICIES

RESOURCE_POLICIES = [p for p in ALL_POLICIES if isinstance(p, ResourceValidationPolicy)]
STACK_POLICIES = [p for p in ALL_POLICIES if isinstance(p, StackValidationPolicy)]


def paths(value: Any, prefix: tuple[Any, ...] = ()) -> Iterator[tuple[Any, ...]]:
    """Every path into ``value`` (containers and leaves), excluding the root."""
    if isinstance(value, dict):
        items: Any = value.items()
    elif isinstance(value, list):
        items = enumerate(value)
    else:
        return
    for key, child in items:
        if key == SPECIAL_SIG_KEY:  # the secret marker itself is not a property
            continue
        yield (*prefix, key)
        yield from paths(child, (*prefix, key))


def with_unknown(props: dict[str, Any], path: tuple[Any, ...]) -> dict[str, Any]:
    result = copy.deepcopy(props)
    target: Any = result
    for step in path[:-1]:
        target = target[step]
    target[path[-1]] = UNKNOWN
    return result


@pytest.mark.parametrize("fixture", sorted(RESOURCES))
def test_resource_policies_ignore_any_single_unknown(fixture: str) -> None:
    resource_type, props = RESOURCES[fixture]
    checked = 0
    for path in paths(props):
        mutated = with_unknown(props, path)
        for policy in RESOURCE_POLICIES:
            messages = run_resource(policy, resource_type, mutated, protect=True)
            assert messages == [], (policy.name, path)
            checked += 1
    assert checked > 0


def test_resource_policies_ignore_fully_unknown_inputs() -> None:
    for resource_type, props in RESOURCES.values():
        unknown_top_level = {key: UNKNOWN for key in props}
        for policy in RESOURCE_POLICIES:
            assert run_resource(policy, resource_type, unknown_top_level, protect=True) == []


def test_stack_policies_ignore_any_single_unknown() -> None:
    base = good_stack()
    for name, res in base.items():
        for path in paths(res.props):
            stack = good_stack()
            stack[name].props = with_unknown(res.props, path)
            resources = build_policy_resources(stack.values())
            for policy in STACK_POLICIES:
                args = StackValidationArgs(resources, policy_config(policy), {})
                found: list[str] = []
                policy.validate(args, lambda message, urn=None, found=found: found.append(message))
                assert found == [], (policy.name, name, path)


def test_stack_policies_ignore_unknown_outputs_of_new_resources() -> None:
    """A first preview: the providers cannot know ids/names of resources not created yet."""
    stack = good_stack()
    for res in stack.values():
        for key in ("id", "name"):
            if key in res.props:
                res.props[key] = UNKNOWN
    for policy in STACK_POLICIES:
        args = build_stack_args(stack.values(), policy_config(policy))
        found: list[str] = []
        policy.validate(args, lambda message, urn=None, found=found: found.append(message))
        assert found == [], policy.name


def test_stack_policies_ignore_fully_unknown_azure_outputs() -> None:
    """A first preview: azure-native knows none of a new resource's outputs, and (as after
    deployment) reports no path parameter such as a share's ``accountName``."""
    stack = good_stack()
    assert not {"accountName", "shareName", "resourceGroupName"} & set(
        stack["share-datasets"].props
    )
    assert "scope" not in stack["account-lock"].props
    for res in stack.values():
        if res.type.startswith("azure-native:"):
            res.props = {key: UNKNOWN for key in res.props}
    for policy in STACK_POLICIES:
        args = build_stack_args(stack.values(), policy_config(policy))
        found: list[str] = []
        policy.validate(args, lambda message, urn=None, found=found: found.append(message))
        assert found == [], policy.name
