"""Run single policies the way ``pulumi_policy``'s analyzer server does, without gRPC.

``_PolicyAnalyzerServicer.Analyze``/``AnalyzeStack`` (pulumi_policy/policy.py) turn the
request's ``google.protobuf.Struct`` into a dict with ``json_format.MessageToDict``,
``deserialize_properties`` it (unwrapping secrets) and wrap it in
``unknown_checking_proxy``; config arrives the same way (``Configure``). The helpers below
repeat those steps, so policies see exactly what the engine would hand them - including
integers turned into floats and unknowns as sentinel strings behind the proxy.
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from inspect import isawaitable
from typing import Any

from google.protobuf import json_format, struct_pb2
from pulumi_policy import (
    Policy,
    PolicyCustomTimeouts,
    PolicyResource,
    PolicyResourceOptions,
    ResourceValidationArgs,
    ResourceValidationPolicy,
    StackValidationArgs,
    StackValidationPolicy,
)
from pulumi_policy.deserialize import SPECIAL_SECRET_SIG, SPECIAL_SIG_KEY, deserialize_properties
from pulumi_policy.proxy import UNKNOWN_STRING_VALUE, unknown_checking_proxy

from policies.rules._config import defaults

UNKNOWN = UNKNOWN_STRING_VALUE
"""What the engine sends for an unknown value of any type (marshalled as a string)."""

STACK = "test"
PROJECT = "aks-rwx-training"


def secret(value: Any) -> dict[str, Any]:
    """A value marked secret, in its wire encoding."""
    return {SPECIAL_SIG_KEY: SPECIAL_SECRET_SIG, "value": value}


def urn(resource_type: str, name: str) -> str:
    return f"urn:pulumi:{STACK}::{PROJECT}::{resource_type}::{name}"


def _struct(props: Mapping[str, Any]) -> struct_pb2.Struct:
    message = struct_pb2.Struct()
    message.update(dict(props))
    return message


def wire(props: Mapping[str, Any]) -> Mapping[str, Any]:
    """Properties as a policy receives them (Struct round trip, secrets unwrapped, proxied)."""
    deserialized = deserialize_properties(json_format.MessageToDict(_struct(props)))
    return unknown_checking_proxy(deserialized)


def policy_config(policy: Policy, settings: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """The policy's schema defaults overlaid with ``settings``, as ``Configure`` delivers them."""
    merged = defaults(policy.config_schema)
    merged.update(copy.deepcopy(dict(settings or {})))
    return json_format.MessageToDict(_struct(merged)) if merged else {}


def options(
    *, protect: bool = False, delete_before_replace: bool | None = None, parent: str | None = None
) -> PolicyResourceOptions:
    return PolicyResourceOptions(
        protect, [], delete_before_replace, [], PolicyCustomTimeouts(0, 0, 0), [], parent
    )


@dataclass
class Violation:
    message: str
    urn: str | None


def _collector() -> tuple[list[Violation], Callable[..., None]]:
    found: list[Violation] = []

    def report_violation(message: str, violation_urn: str | None = None) -> None:
        if message and not isinstance(message, str):  # same guard as the engine's callback
            raise TypeError("Expected message to be a string")
        found.append(Violation(message, violation_urn))

    return found, report_violation


def _finish(result: Any) -> None:
    if result is not None and isawaitable(result):  # pragma: no cover - no async policies
        import asyncio

        asyncio.run(result)  # type: ignore[arg-type]


def run_resource(
    policy: Policy,
    resource_type: str,
    props: Mapping[str, Any],
    *,
    name: str = "res",
    protect: bool = False,
    delete_before_replace: bool | None = None,
    settings: Mapping[str, Any] | None = None,
) -> list[str]:
    """Validate one resource (its inputs) with one resource policy; return the messages."""
    assert isinstance(policy, ResourceValidationPolicy), policy.name
    args = ResourceValidationArgs(
        resource_type,
        wire(props),
        urn(resource_type, name),
        name,
        options(protect=protect, delete_before_replace=delete_before_replace),
        None,
        policy_config(policy, settings),
        {},
    )
    found, report_violation = _collector()
    _finish(policy.validate(args, report_violation))
    return [v.message for v in found]


@dataclass
class StackResource:
    """One resource of a stack fixture: its outputs and property dependencies (by name)."""

    type: str
    name: str
    props: dict[str, Any]
    protect: bool = False
    property_dependencies: dict[str, list[str]] = field(default_factory=dict)
    parent: str | None = None

    @property
    def urn(self) -> str:
        return urn(self.type, self.name)


def build_stack_args(
    resources: Iterable[StackResource], config: Mapping[str, Any] | None = None
) -> StackValidationArgs:
    """``StackValidationArgs`` built like ``AnalyzeStack`` builds them."""
    return StackValidationArgs(build_policy_resources(resources), dict(config or {}), {})


def build_policy_resources(resources: Iterable[StackResource]) -> list[PolicyResource]:
    """``PolicyResource`` objects with parents and (property) dependencies resolved."""
    resources = list(resources)
    by_name = {r.name: r for r in resources}
    assert len(by_name) == len(resources), "stack fixture names must be unique"
    policy_resources: dict[str, PolicyResource] = {}
    for r in resources:
        policy_resources[r.name] = PolicyResource(
            r.type, wire(r.props), r.urn, r.name, options(protect=r.protect), None, None, [], {}
        )
    for r in resources:
        resource = policy_resources[r.name]
        if r.parent is not None:
            resource.parent = policy_resources[r.parent]
        for prop, names in r.property_dependencies.items():
            deps = [policy_resources[n] for n in names]
            resource.property_dependencies[prop] = deps
            for dep in deps:
                if dep not in resource.dependencies:
                    resource.dependencies.append(dep)
    return list(policy_resources.values())


def run_stack_violations(
    policy: Policy,
    resources: Iterable[StackResource],
    *,
    settings: Mapping[str, Any] | None = None,
) -> list[Violation]:
    """Validate a stack (resource outputs) with one stack policy."""
    assert isinstance(policy, StackValidationPolicy), policy.name
    args = build_stack_args(resources, policy_config(policy, settings))
    found, report_violation = _collector()
    _finish(policy.validate(args, report_violation))
    return found


def run_stack(
    policy: Policy,
    resources: Iterable[StackResource],
    *,
    settings: Mapping[str, Any] | None = None,
) -> list[str]:
    return [v.message for v in run_stack_violations(policy, resources, settings=settings)]


def policy_by_name(name: str) -> Policy:
    from policies.registry import ALL_POLICIES

    matches = [p for p in ALL_POLICIES if p.name == name]
    assert len(matches) == 1, f"{name} registered {len(matches)} times"
    return matches[0]
