"""Schemas of the custom resources the stacks render, which the official Kubernetes schemas
(`kubernetes_validate`) do not know.

Each is the part of its CustomResourceDefinition's ``openAPIV3Schema`` that covers the
fields the program sets, transcribed with the CRD's types, patterns and required fields, and
closed (``additionalProperties: false``): a misspelt or wrong-typed field fails, and a field
the program starts to set fails until it is checked in the CRD and added here. It proves the
object fits the CRD; only the cluster's API server proves the CRD is there (docs/gpu.md, GPU
readiness).
"""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any

import jsonschema
import yaml


def _closed(properties: dict[str, Any], required: tuple[str, ...] = ()) -> dict[str, Any]:
    return {
        "type": "object",
        "properties": properties,
        "required": list(required),
        "additionalProperties": False,
    }


_STRINGS = {"type": "array", "items": {"type": "string"}}
_STRING_MAP = {"type": "object", "additionalProperties": {"type": "string"}}
_INT64 = {"type": "integer"}

# The managed Prometheus add-on's PodMonitor CRD, podmonitors.azmonitoring.coreos.com v1
# (github.com/Azure/prometheus-collector, otelcollector/deploy/addon-chart/
# azure-monitor-metrics-addon/templates/ama-metrics-podmonitor-crd.yaml, commit
# 39583fd50b2f828f83cc18fc0cece9e3074f56db).
POD_MONITOR = _closed(
    {
        "apiVersion": {"const": "azmonitoring.coreos.com/v1"},
        "kind": {"const": "PodMonitor"},
        "metadata": _closed(
            {"name": {"type": "string"}, "namespace": {"type": "string"}, "labels": _STRING_MAP}
        ),
        "spec": _closed(
            {
                "labelLimit": _INT64,
                "labelNameLengthLimit": _INT64,
                "labelValueLengthLimit": _INT64,
                "selector": _closed({"matchLabels": _STRING_MAP}),
                "namespaceSelector": _closed({"any": {"type": "boolean"}, "matchNames": _STRINGS}),
                "podMetricsEndpoints": {
                    "type": "array",
                    "items": _closed(
                        {
                            "port": {"type": "string"},
                            "path": {"type": "string"},
                            "interval": {
                                "type": "string",
                                "pattern": (
                                    r"^(0|(([0-9]+)y)?(([0-9]+)w)?(([0-9]+)d)?(([0-9]+)h)?"
                                    r"(([0-9]+)m)?(([0-9]+)s)?(([0-9]+)ms)?)$"
                                ),
                            },
                        }
                    ),
                },
            },
            required=("selector",),
        ),
    },
    required=("apiVersion", "kind", "metadata", "spec"),
)

CUSTOM_RESOURCE_SCHEMAS: dict[tuple[str, str], dict[str, Any]] = {
    ("azmonitoring.coreos.com/v1", "PodMonitor"): POD_MONITOR,
}

# Kueue's CRDs are vendored whole from the release components/teams.py pins
# (tests/fixtures/schemas/kueue/README.md): their schemas are used as published, not transcribed.
KUEUE_CRD_DIR = Path(__file__).parent / "fixtures" / "schemas" / "kueue"


def _closed_everywhere(schema: Any) -> Any:
    """``schema`` with every object that lists its properties closed: the API server prunes
    an unknown field silently (or rejects it under strict field validation), so a misspelt
    field must fail here."""
    if isinstance(schema, list):
        return [_closed_everywhere(item) for item in schema]
    if not isinstance(schema, dict):
        return schema
    closed = {key: _closed_everywhere(value) for key, value in schema.items()}
    if (
        "properties" in closed
        and "additionalProperties" not in closed
        and not closed.get("x-kubernetes-preserve-unknown-fields")
    ):
        closed["additionalProperties"] = False
    return closed


@cache
def kueue_schemas() -> dict[tuple[str, str], dict[str, Any]]:
    """``(apiVersion, kind) -> schema`` of every served version of the vendored Kueue CRDs."""
    schemas: dict[tuple[str, str], dict[str, Any]] = {}
    for path in sorted(KUEUE_CRD_DIR.glob("*.yaml")):
        crd = yaml.safe_load(path.read_text(encoding="utf-8"))
        group, kind = crd["spec"]["group"], crd["spec"]["names"]["kind"]
        for version in crd["spec"]["versions"]:
            if version.get("served"):
                schema = _closed_everywhere(version["schema"]["openAPIV3Schema"])
                # metadata is the API server's ObjectMeta, which the CRD leaves open.
                schema["properties"]["metadata"] = {"type": "object"}
                schemas[(f"{group}/{version['name']}", kind)] = schema
    return schemas


def has_custom_schema(api_version: str, kind: str) -> bool:
    """Whether ``kind`` is a custom resource whose schema is here (not an official kind)."""
    key = (api_version, kind)
    return key in CUSTOM_RESOURCE_SCHEMAS or key in kueue_schemas()


def validate_custom_resource(obj: dict[str, Any]) -> None:
    """Raise ``jsonschema.ValidationError`` unless ``obj`` fits its kind's CRD schema, and
    ``KeyError`` for a custom kind with no schema here."""
    key = (str(obj["apiVersion"]), str(obj["kind"]))
    schema = CUSTOM_RESOURCE_SCHEMAS.get(key) or kueue_schemas()[key]
    jsonschema.validate(obj, schema)
