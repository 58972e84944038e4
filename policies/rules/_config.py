"""Policy settings: one JSON schema per policy, defaults taken from that schema.

Each configurable policy declares its settings once, as JSON-schema ``properties`` with a
``default`` for every property. The same schema object is handed to the engine (which
validates ``--policy-pack-config`` files against it) and used at run time to fill in
whatever the config file leaves out, so the defaults in code and in the schema can never
drift apart.

The engine transports config through ``google.protobuf.Struct``; integers therefore arrive
as floats (``30`` -> ``30.0``) and are turned back into ``int`` here.
"""

from __future__ import annotations

import copy
from collections.abc import Mapping
from typing import Any

from pulumi_policy import PolicyConfigSchema

__all__ = ["defaults", "schema", "settings"]


def schema(properties: dict[str, dict[str, Any]]) -> PolicyConfigSchema:
    """Build a config schema; every property must carry a ``default``.

    Nothing is ``required``: a config file may omit any setting and get the default (a
    required property would make the CLI reject config files that rely on defaults).
    """
    for name, spec in properties.items():
        if "default" not in spec:
            raise ValueError(f"setting {name!r} needs a default")
        if "description" not in spec:
            raise ValueError(f"setting {name!r} needs a description")
    return PolicyConfigSchema(properties=properties, required=[])


def defaults(config_schema: PolicyConfigSchema | None) -> dict[str, Any]:
    """The default settings declared in ``config_schema``."""
    if config_schema is None:
        return {}
    return {
        name: copy.deepcopy(spec["default"])
        for name, spec in config_schema.properties.items()
        if "default" in spec
    }


def _integral(value: Any) -> Any:
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, list):
        return [_integral(v) for v in value]
    if isinstance(value, dict):
        return {k: _integral(v) for k, v in value.items()}
    return value


def settings(config: Mapping[str, Any] | None, config_schema: PolicyConfigSchema) -> dict[str, Any]:
    """Defaults from ``config_schema`` overlaid with the configured values (top-level keys)."""
    merged = defaults(config_schema)
    for key, value in (config or {}).items():
        if key == "enforcementLevel":
            continue
        merged[key] = _integral(copy.deepcopy(value))
    return merged
