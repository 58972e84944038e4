"""Property values on the wire: protobuf Structs with Pulumi's signature-tagged maps, as the
SDK sends a registration to the monitor and as the monitor answers it.

Decoding keeps what a plan reader needs to know about a value (secret, unknown,
resource reference) instead of unwrapping it as the SDK's own deserializer does. Only the
process that runs a program (the mock monitor, `infra.engine.runtime`) and the policy host
need this module: it imports the SDK and pulumi_policy for their wire markers.
"""

from __future__ import annotations

from typing import Any

from google.protobuf import json_format, struct_pb2
from pulumi.runtime import rpc
from pulumi_policy.deserialize import SPECIAL_SECRET_SIG, SPECIAL_SIG_KEY
from pulumi_policy.proxy import UNKNOWN_STRING_VALUE

from infra.engine.model import UNKNOWN, Secret, Unknown

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
