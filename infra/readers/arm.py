"""A stack plan's azure-native resources as an ARM deployment template.

The azure-native provider talks to the same REST API an ARM template deploys to, but its
inputs are flattened and renamed (the specs' `x-ms-client-flatten` and `x-ms-client-name`).
This reader undoes that: the path parameters become the `name` segments, everything but
the envelope moves under `properties`, and the client names go back to the wire names. The
apiVersion and the ARM type come from the engine's generated data (`infra/engine/arm.py`,
the REST API version each class of the locked SDK uses and its REST path), and the renames,
which live only in the provider plugin's metadata, are the small table below.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from infra.engine.arm import (
    ARM_PATHS,
    PATH_PARAMETER,
    arm_data,
    arm_name,
    arm_type,
    path_parameters,
    scope_parameter,
)
from infra.engine.model import Resource, Secret, StackPlan, Unknown
from infra.errors import UsageError

SCHEMA = "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#"
AZURE_NATIVE_PREFIX = "azure-native:"


@dataclass(frozen=True)
class ArmType:
    """Where an azure-native resource lives in ARM, read from its REST path.

    `name` spells the ARM name from the resource's path parameters ({accountName}) and
    fixed segments; `scope` names the input holding an extension resource's target."""

    type: str
    name: str
    scope: str | None = None


def arm_type_of(resource_type: str) -> ArmType | None:
    """The ARM type, name and scope of a listed azure-native type (`ARM_PATHS`)."""
    path = ARM_PATHS.get(resource_type)
    if path is None:
        return None
    return ArmType(arm_type(path), arm_name(path), scope_parameter(path))


# The envelope of an ARM resource: these stay beside `properties`, everything else goes in it
# (https://learn.microsoft.com/azure/azure-resource-manager/templates/resource-declaration).
ENVELOPE = frozenset({"location", "tags", "sku", "kind", "identity", "zones", "extendedLocation"})

# Client name -> wire name, per type, by input path ("[]" steps into a list's items), from
# the REST specs' x-ms-client-name, e.g. storage.json's StorageAccountPropertiesCreateParameters
# (supportsHttpsTrafficOnly, networkAcls), VirtualNetworkRule (id) and IPRule (value).
RENAMES: dict[str, dict[str, str]] = {
    "azure-native:storage:StorageAccount": {
        "enableHttpsTrafficOnly": "supportsHttpsTrafficOnly",
        "networkRuleSet": "networkAcls",
        "networkRuleSet.virtualNetworkRules[].virtualNetworkResourceId": "id",
        "networkRuleSet.ipRules[].iPAddressOrRange": "value",
    },
}


def api_version(resource_type: str) -> str:
    """The REST API version the locked azure-native SDK uses for this type (the generated
    data, checked against the SDK's own docstrings by tests/infra/test_arm_types.py)."""
    return str(arm_data()["types"][resource_type]["apiVersion"])


class _Parameters:
    """Values the template cannot hold literally become its parameters: secrets as
    securestring, values known only once deployed as parameters without a default."""

    def __init__(self) -> None:
        self.declared: dict[str, dict[str, Any]] = {}

    def reference(self, resource: Resource, path: str, value: Secret | Unknown) -> str:
        name = re.sub(r"\W+", "_", f"{resource.name}_{path}").strip("_")
        if isinstance(value, Secret):
            self.declared[name] = {
                "type": "securestring",
                "metadata": {"description": f"secret: {resource.urn} {path}"},
            }
        else:
            self.declared[name] = {
                "type": "string",
                "metadata": {"description": f"unknown until deployed: {resource.urn} {path}"},
            }
        return f"[parameters('{name}')]"


def _convert(
    value: Any, path: str, renames: dict[str, str], resource: Resource, params: _Parameters
) -> Any:
    if isinstance(value, Secret | Unknown):
        return params.reference(resource, path, value)
    if isinstance(value, dict):
        return {
            renames.get(f"{path}.{key}" if path else key, key): _convert(
                item, f"{path}.{key}" if path else key, renames, resource, params
            )
            for key, item in value.items()
        }
    if isinstance(value, list):
        return [_convert(item, f"{path}[]", renames, resource, params) for item in value]
    return value


def _name(arm: ArmType, resource: Resource, params: _Parameters) -> str:
    """The ARM name from the path parameters; one not known offline makes it an expression."""
    parts: list[str] = []
    literal = True
    for index, piece in enumerate(PATH_PARAMETER.split(arm.name)):
        if index % 2 == 0:  # the text between parameters
            parts.append(f"'{piece}'")
            continue
        value = resource.inputs.get(piece)
        if value is None:
            raise UsageError(f"{resource.urn}: no {piece} to name the ARM resource")
        if isinstance(value, Secret | Unknown):
            literal = False
            parts.append(params.reference(resource, piece, value)[1:-1])
        else:
            parts.append(f"'{value}'")
    if literal:
        return "".join(part[1:-1] for part in parts)
    return "[concat(" + ", ".join(part for part in parts if part != "''") + ")]"


def arm_resource(resource: Resource, params: _Parameters) -> dict[str, Any]:
    arm = arm_type_of(resource.type)
    if arm is None:
        raise UsageError(
            f"{resource.type} ({resource.name}) has no REST path; "
            "regenerate infra/engine/arm_types.json (scripts/gen_arm_types.py)"
        )
    named_by_path = set(path_parameters(arm.name)) | {"resourceGroupName"}
    if arm.scope:
        named_by_path.add(arm.scope)
    converted = _convert(
        {k: v for k, v in resource.inputs.items() if k not in named_by_path},
        "",
        RENAMES.get(resource.type, {}),
        resource,
        params,
    )
    out: dict[str, Any] = {
        "type": arm.type,
        "apiVersion": api_version(resource.type),
        "name": _name(arm, resource, params),
    }
    if arm.scope:
        out["scope"] = _convert(resource.inputs.get(arm.scope), arm.scope, {}, resource, params)
    out |= {k: v for k, v in converted.items() if k in ENVELOPE}
    properties = {k: v for k, v in converted.items() if k not in ENVELOPE}
    if properties:
        out["properties"] = properties
    group = resource.inputs.get("resourceGroupName")
    out["comments"] = resource.urn + (
        f" (resource group {group})" if isinstance(group, str) else ""
    )
    return out


def arm_template(plan: StackPlan) -> dict[str, Any]:
    """The plan's azure-native resources as one deploymentTemplate (2019-04-01 schema)."""
    params = _Parameters()
    resources = [
        arm_resource(resource, params)
        for resource in plan.resources
        if resource.custom and resource.type.startswith(AZURE_NATIVE_PREFIX)
    ]
    return {
        "$schema": SCHEMA,
        "contentVersion": "1.0.0.0",
        "metadata": {"generator": "infra export", "project": plan.project, "stack": plan.stack},
        "parameters": params.declared,
        "resources": resources,
    }
