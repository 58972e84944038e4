"""Property values on the wire: protobuf Structs with Pulumi's signature-tagged maps.

Decoding keeps what a plan reader needs to know about a value (secret, unknown,
resource reference) instead of unwrapping it as the SDK's own deserializer does.
"""

from __future__ import annotations

from typing import Any

from google.protobuf import json_format, struct_pb2
from pulumi.runtime import rpc
from pulumi_policy.deserialize import SPECIAL_SECRET_SIG, SPECIAL_SIG_KEY
from pulumi_policy.proxy import UNKNOWN_STRING_VALUE

from infra.engine.model import SECRET_MASK, UNKNOWN, Secret, StackPlan, Unknown

# The wire's markers, from the libraries that define them: pulumi_policy exports the secret
# signature and the unknown sentinel; the resource-reference and output-value signatures
# only the SDK's serializer knows.
SIG_KEY = SPECIAL_SIG_KEY
SECRET_SIG = SPECIAL_SECRET_SIG
RESOURCE_SIG = rpc._special_resource_sig
OUTPUT_VALUE_SIG = rpc._special_output_value_sig
UNKNOWN_SENTINEL = UNKNOWN_STRING_VALUE


def decode(value: Any) -> Any:
    """Wire value (as JSON-like Python) -> plan value with `Secret`/`UNKNOWN`."""
    if isinstance(value, str):
        return UNKNOWN if value == UNKNOWN_SENTINEL else value
    if isinstance(value, list):
        return [decode(v) for v in value]
    if isinstance(value, dict):
        sig = value.get(SIG_KEY)
        if sig == SECRET_SIG:
            return Secret(decode(value.get("value")))
        if sig == RESOURCE_SIG:
            return value.get("urn")
        if sig == OUTPUT_VALUE_SIG:
            inner = decode(value["value"]) if "value" in value else UNKNOWN
            return Secret(inner) if value.get("secret") else inner
        return {k: decode(v) for k, v in value.items()}
    if isinstance(value, float) and value.is_integer():
        # protobuf Structs carry every number as a double.
        return int(value)
    return value


def encode(value: Any) -> Any:
    """Plan value -> wire value (JSON-like Python)."""
    if isinstance(value, Secret):
        return {SIG_KEY: SECRET_SIG, "value": encode(value.value)}
    if isinstance(value, Unknown):
        return UNKNOWN_SENTINEL
    if isinstance(value, dict):
        return {k: encode(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [encode(v) for v in value]
    return value


def decode_struct(struct: struct_pb2.Struct) -> dict[str, Any]:
    return decode(json_format.MessageToDict(struct))


def encode_struct(value: dict[str, Any]) -> struct_pb2.Struct:
    struct = struct_pb2.Struct()
    struct.update(encode(value))
    return struct


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
