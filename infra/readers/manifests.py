"""A stack plan's Kubernetes objects as the manifests `kubectl apply` would take."""

from __future__ import annotations

from typing import Any

import yaml

from infra.engine.model import StackPlan
from infra.engine.values import masked

# pulumi-kubernetes types are `kubernetes:<group>/<version>:<Kind>`; its provider resource
# (`pulumi:providers:kubernetes`) is no object of the cluster.
KUBERNETES_PREFIX = "kubernetes:"
# A Helm Release (`kubernetes:helm.sh/v3:Release`, e.g. Kueue's) is no object of the cluster
# either: its inputs are the chart reference and values, without apiVersion or kind, and the
# chart's objects exist only once Helm renders it at deploy time.
HELM_PREFIX = "kubernetes:helm.sh/"


def manifests(plan: StackPlan) -> list[dict[str, Any]]:
    """Each Kubernetes object of the plan, its inputs as the manifest.

    Secrets print as their mask and values only known once deployed as `[unknown]`: a
    scanner sees that a value is there without seeing the value. Helm releases are left out
    (HELM_PREFIX)."""
    return [
        _ordered(masked(resource.inputs))
        for resource in plan.resources
        if resource.custom
        and resource.type.startswith(KUBERNETES_PREFIX)
        and not resource.type.startswith(HELM_PREFIX)
    ]


def _ordered(manifest: dict[str, Any]) -> dict[str, Any]:
    """apiVersion, kind and metadata first, as kubectl prints them."""
    head = ("apiVersion", "kind", "metadata")
    return {key: manifest[key] for key in head if key in manifest} | {
        key: value for key, value in manifest.items() if key not in head
    }


def render_manifests(plan: StackPlan) -> str:
    """One YAML stream, one document per object, in the order the program registered them."""
    return yaml.safe_dump_all(manifests(plan), sort_keys=False, default_flow_style=False)
