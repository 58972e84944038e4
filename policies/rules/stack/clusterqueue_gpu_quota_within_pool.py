"""kubernetes-kueue-clusterqueue-gpu-quota-within-pool (stack policy, advisory by default)

Applies to: the stack's Kueue ClusterQueues and its GPU node pools (ManagedCluster agent pool
profiles and AgentPools tainted with key ``nvidia.com/gpu``).

Enforces: a ClusterQueue's nominal ``nvidia.com/gpu`` quota (summed over its flavors) is at
most what the GPU pools can ever hold: the sum over the pools of ``maxCount`` (``count``
without autoscaling) times the GPUs of the pool's ``vmSize`` (the ``gpusPerVmSize`` setting,
the table of azure_facts/vm_sizes.py). Quota beyond that is a promise the pool cannot keep:
a job that needs it stays queued for ever. Advisory: a cluster may add pools outside the
stack.

Missing: a pool without ``maxCount`` and ``count`` holds nothing; a queue without GPU quota
passes.
Unknown: an unknown pool list, size, count or quota, or a VM size not in ``gpusPerVmSize``,
skips the check.
"""

from __future__ import annotations

from typing import Any

from pulumi_policy import (
    EnforcementLevel,
    ReportViolation,
    Severity,
    StackValidationArgs,
    StackValidationPolicy,
)

from .._azure import agent_pools
from .._config import schema, settings
from .._props import UNKNOWN, as_int, get
from .._quantity import parse_quantity
from .._stack import k8s_label, resources
from .._teams import kueue_resources
from .._workloads import GPU_RESOURCE, NODE_POOL_TYPES, parse_taint

CONFIG_SCHEMA = schema(
    {
        "gpusPerVmSize": {
            "type": "object",
            "additionalProperties": {"type": "integer", "minimum": 0},
            "description": (
                "NVIDIA GPUs per VM size (azure_facts/vm_sizes.py VM_SIZES, compared "
                "case-insensitively)."
            ),
            "default": {
                "Standard_NC24ads_A100_v4": 1,
                "Standard_NC48ads_A100_v4": 2,
                "Standard_NC96ads_A100_v4": 4,
                "Standard_NC40ads_H100_v5": 1,
            },
        }
    }
)


def _pool_gpus(args: StackValidationArgs, per_size: dict[str, int]) -> Any:
    """``(total GPUs, description)`` of the stack's GPU pools, or UNKNOWN."""
    total, parts = 0, []
    for res in resources(args, *NODE_POOL_TYPES):
        entries = agent_pools(res.type, res.props, res.name)
        if entries is UNKNOWN:
            return UNKNOWN
        for label, pool, _ in entries:
            taints = get(pool, "nodeTaints")
            if taints is UNKNOWN:
                return UNKNOWN
            parsed = (
                [parse_taint(t) for t in taints if isinstance(t, str)]
                if isinstance(taints, list)
                else []
            )
            if not any(t is not None and t.key == GPU_RESOURCE for t in parsed):
                continue
            size = get(pool, "vmSize")
            autoscaled = get(pool, "enableAutoScaling")
            count = get(pool, "maxCount" if autoscaled is True else "count")
            if UNKNOWN in (size, count, autoscaled) or not isinstance(size, str):
                return UNKNOWN
            gpus = per_size.get(size.lower())
            if gpus is None:
                return UNKNOWN
            nodes = as_int(count) or 0
            total += nodes * gpus
            parts.append(f"{label}: {nodes} x {gpus} GPU {size}")
    return total, "; ".join(parts) or "no GPU pool"


def _gpu_quota(queue_props: dict[str, Any]) -> Any:
    total = 0
    groups = get(queue_props, "spec", "resourceGroups")
    if groups is UNKNOWN:
        return UNKNOWN
    for group in groups if isinstance(groups, list) else []:
        flavors = get(group, "flavors")
        if flavors is UNKNOWN:
            return UNKNOWN
        for flavor in flavors if isinstance(flavors, list) else []:
            resources_ = get(flavor, "resources")
            if resources_ is UNKNOWN:
                return UNKNOWN
            for resource in resources_ if isinstance(resources_, list) else []:
                if get(resource, "name") != GPU_RESOURCE:
                    continue
                quota = get(resource, "nominalQuota")
                if quota is UNKNOWN:
                    return UNKNOWN
                try:
                    total += int(parse_quantity(quota))
                except (TypeError, ValueError):
                    return UNKNOWN
    return total


def _validate(args: StackValidationArgs, report_violation: ReportViolation) -> None:
    queues = kueue_resources(args, "ClusterQueue")
    if not queues:
        return
    per_size = {
        size.lower(): count
        for size, count in settings(args.get_config(), CONFIG_SCHEMA)["gpusPerVmSize"].items()
    }
    pool = _pool_gpus(args, per_size)
    if pool is UNKNOWN:
        return
    capacity, described = pool
    for queue in queues:
        quota = _gpu_quota(queue.props)
        if quota is UNKNOWN or quota <= capacity:
            continue
        report_violation(
            f"ClusterQueue '{k8s_label(queue)}' has a nominal quota of {quota} nvidia.com/gpu "
            f"but the GPU pools can hold at most {capacity} ({described}); a job that needs "
            "more than the pool stays queued for ever. Lower the quota or raise the pool's "
            "maxCount.",
            queue.urn,
        )


# The stack-file keys whose values can cause this verdict (the fix line names them).
STACK_KEYS: tuple[str, ...] = ("teams.members[].gpus", "gpuPool.maxCount", "gpuPool.vmSize")

POLICY = StackValidationPolicy(
    name="kubernetes-kueue-clusterqueue-gpu-quota-within-pool",
    description="A team's GPU quota fits what the GPU pools can ever hold.",
    validate=_validate,
    config_schema=CONFIG_SCHEMA,
    enforcement_level=EnforcementLevel.ADVISORY,
    severity=Severity.MEDIUM,
    remediation_steps=(
        "Lower teams.members[].gpus (the ClusterQueue's nominalQuota) to at most gpuPool.maxCount "
        "x the GPUs of gpuPool.vmSize, or raise gpuPool.maxCount."
    ),
    url="https://kueue.sigs.k8s.io/docs/concepts/cluster_queue/",
    tags=["kubernetes", "kueue", "gpu", "cost"],
)
