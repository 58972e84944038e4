"""Plan values as the tool reads them: secrets revealed or masked, the strings a plan holds
only as secrets. No SDK import: what reads and renders plans needs none (the wire encoding
is `infra.engine.wire`).
"""

from __future__ import annotations

from typing import Any

from infra.engine.model import SECRET_MASK, Secret, StackPlan, Unknown


def unwrap(value: Any) -> Any:
    """Plan value -> plain value, secrets revealed (only for the fake provider's own use)."""
    if isinstance(value, Secret):
        return unwrap(value.value)
    if isinstance(value, dict):
        return {k: unwrap(v) for k, v in value.items()}
    if isinstance(value, list):
        return [unwrap(v) for v in value]
    return value


def contains_secret(value: Any) -> bool:
    if isinstance(value, Secret):
        return True
    if isinstance(value, dict):
        return any(contains_secret(v) for v in value.values())
    if isinstance(value, list):
        return any(contains_secret(v) for v in value)
    return False


def masked(value: Any) -> Any:
    """Plan value -> printable value: every secret replaced by the mask."""
    if isinstance(value, Secret):
        return SECRET_MASK
    if isinstance(value, Unknown):
        return "[unknown]"
    if isinstance(value, dict):
        return {k: masked(v) for k, v in value.items()}
    if isinstance(value, list):
        return [masked(v) for v in value]
    return value


def _strings(value: Any, inside_secret: bool, secret: set[str], plain: set[str]) -> None:
    if isinstance(value, Secret):
        _strings(value.value, True, secret, plain)
    elif isinstance(value, dict):
        for item in value.values():
            _strings(item, inside_secret, secret, plain)
    elif isinstance(value, (list, tuple)):
        for item in value:
            _strings(item, inside_secret, secret, plain)
    # Numbers and booleans are left alone: masking "1" or "True" in every message would hide
    # more than it protects.
    elif isinstance(value, str) and value:
        (secret if inside_secret else plain).add(value)


def plan_secret_strings(plan: StackPlan) -> set[str]:
    """Every string the plan holds only as a secret, in resources' inputs and outputs and in
    the stack outputs, and the offline stand-in for each `secure:` config value.

    A string the plan also holds in the clear (an account's name, which its SMB Secret repeats
    inside the provider's secret `stringData`) is already public: masking it would hide the
    resource a message is about and protect nothing."""
    from infra.engine.project import SECRET_PLACEHOLDER

    secret: set[str] = set()
    plain: set[str] = set()
    _strings(plan.outputs, False, secret, plain)
    for resource in plan.resources:
        _strings(resource.inputs, False, secret, plain)
        _strings(resource.outputs, False, secret, plain)
    if any(SECRET_PLACEHOLDER in value for value in plan.config.values()):
        secret.add(SECRET_PLACEHOLDER)
    return secret - plain
