"""azure-native-containerservice-managedcluster-node-count-limits

Applies to: ``azure-native:containerservice:ManagedCluster`` (every ``agentPoolProfiles``
entry) and ``azure-native:containerservice:AgentPool``.

Enforces, per node pool, against the allowed range (``pools.<name>`` if configured, else
``systemPool`` or ``userPool`` by the pool's mode):

* autoscaling pools (``enableAutoScaling`` true) set ``minCount`` and ``maxCount``,
  ``minCount <= maxCount``, both within the allowed range, and ``count`` (if set) within
  ``minCount..maxCount``;
* fixed-size pools have ``count`` within the allowed range.

Missing: an autoscaling pool without ``minCount``/``maxCount`` is a violation; a fixed pool
without ``count`` is evaluated as 1 (the AKS default). A pool without ``mode`` is ``System``
when it is the first profile of a ManagedCluster and ``User`` otherwise.
Unknown: an unknown pool list skips everything; an unknown count/bound skips the checks
that need it.
"""

from __future__ import annotations

from typing import Any

from pulumi_policy import (
    ReportViolation,
    ResourceValidationArgs,
    ResourceValidationPolicy,
    Severity,
)

from .._azure import agent_pools, pool_mode
from .._config import schema, settings
from .._props import MISSING, UNKNOWN, as_int, describe, get, plain

_RANGE = {
    "type": "object",
    "properties": {
        "min": {"type": "integer", "minimum": 0, "maximum": 1000},
        "max": {"type": "integer", "minimum": 0, "maximum": 1000},
    },
    "required": ["min", "max"],
    "additionalProperties": False,
}

CONFIG_SCHEMA = schema(
    {
        "systemPool": {
            **_RANGE,
            "description": "Allowed node range of System pools (autoscaler bounds or count).",
            "default": {"min": 1, "max": 5},
        },
        "userPool": {
            **_RANGE,
            "description": "Allowed node range of User pools (autoscaler bounds or count).",
            "default": {"min": 0, "max": 10},
        },
        "pools": {
            "type": "object",
            "additionalProperties": _RANGE,
            "description": 'Per-pool overrides by pool name, e.g. {"gpu": {"min": 0, "max": 4}}.',
            "default": {},
        },
    }
)


def _limits(cfg: dict[str, Any], name: Any, mode: Any) -> tuple[int, int]:
    override = cfg["pools"].get(name) if isinstance(name, str) else None
    chosen = override or (cfg["systemPool"] if mode == "System" else cfg["userPool"])
    return int(chosen["min"]), int(chosen["max"])


def _validate(args: ResourceValidationArgs, report_violation: ReportViolation) -> None:
    props = plain(args.props)
    pools = agent_pools(args.resource_type, props, args.name)
    if pools is UNKNOWN or not pools:
        return
    cfg = settings(args.get_config(), CONFIG_SCHEMA)
    for pool_label, pool, index in pools:
        mode = pool_mode(pool, index)
        if mode is UNKNOWN:
            continue
        name = get(pool, "agentPoolName") if index is None else get(pool, "name")
        low, high = _limits(cfg, name, mode)
        allowed = f"allowed for this {mode} pool: {low}-{high} nodes"
        autoscaling = get(pool, "enableAutoScaling")
        if autoscaling is UNKNOWN:
            continue
        count_raw = get(pool, "count")
        count = as_int(count_raw)
        if autoscaling is True:
            min_raw, max_raw = get(pool, "minCount"), get(pool, "maxCount")
            if MISSING in (min_raw, max_raw):
                report_violation(
                    f"{pool_label} enables the autoscaler without minCount and maxCount; "
                    f"{allowed}.",
                    None,
                )
                continue
            low_count, high_count = as_int(min_raw), as_int(max_raw)
            if low_count is None or high_count is None:
                continue
            if low_count > high_count:
                report_violation(
                    f"{pool_label} has minCount {low_count} greater than maxCount {high_count}.",
                    None,
                )
                continue
            if low_count < low or high_count > high:
                report_violation(
                    f"{pool_label} autoscales between {low_count} and {high_count} nodes; "
                    f"{allowed}.",
                    None,
                )
            if count is not None and not low_count <= count <= high_count:
                report_violation(
                    f"{pool_label} has count {count} outside its autoscaler bounds "
                    f"{low_count}-{high_count}.",
                    None,
                )
            continue
        if count_raw is UNKNOWN:
            continue
        nodes = 1 if count_raw is MISSING else count
        if nodes is None or not low <= nodes <= high:
            shown = describe(count_raw) if nodes is None else nodes
            report_violation(f"{pool_label} has {shown} node(s); {allowed}.", None)


# The stack-file keys whose values can cause this verdict (the fix line names them).
STACK_KEYS: tuple[str, ...] = ("systemNodeCount", "gpuPool.minCount", "gpuPool.maxCount")

POLICY = ResourceValidationPolicy(
    name="azure-native-containerservice-managedcluster-node-count-limits",
    description="AKS node pool sizes and autoscaler bounds stay within the configured limits.",
    validate=_validate,
    config_schema=CONFIG_SCHEMA,
    severity=Severity.MEDIUM,
    remediation_steps=(
        "Keep the node pool's count, minCount and maxCount within the systemPool / userPool / "
        "pools settings of this policy (the fix line names the stack-file key)."
    ),
    url="https://learn.microsoft.com/azure/aks/cluster-autoscaler",
    tags=["azure", "aks", "cost", "capacity"],
)
