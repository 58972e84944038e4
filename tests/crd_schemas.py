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

from typing import Any

import jsonschema


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


def validate_custom_resource(obj: dict[str, Any]) -> None:
    """Raise ``jsonschema.ValidationError`` unless ``obj`` fits its kind's CRD schema, and
    ``KeyError`` for a custom kind with no schema here."""
    schema = CUSTOM_RESOURCE_SCHEMAS[(str(obj["apiVersion"]), str(obj["kind"]))]
    jsonschema.validate(obj, schema)
