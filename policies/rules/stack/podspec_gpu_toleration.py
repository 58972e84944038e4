"""kubernetes-core-podspec-gpu-toleration (stack policy)

Applies to: every workload (Pod, Job, CronJob, Deployment, StatefulSet, DaemonSet,
ReplicaSet) whose pod template requests ``nvidia.com/gpu`` in ``resources.limits`` or
``resources.requests`` of any container or init container, with the stack's node pools as
context.

Enforces: the pod template tolerates the GPU node pool's taint, or it never schedules on the
pool (GPU pools are tainted so that other pods stay off them):

* when the stack declares node pools with a taint of key ``nvidia.com/gpu``
  (``agentPoolProfiles[].nodeTaints`` of an azure-native ManagedCluster, ``nodeTaints`` of an
  AgentPool), the pod must tolerate every NoSchedule/NoExecute ``nvidia.com/gpu`` taint of at
  least one such pool (a pool whose GPU taint is only PreferNoSchedule needs nothing);
* otherwise it must tolerate the key ``nvidia.com/gpu`` (any value and effect), the taint
  GPU pools conventionally carry.

Tolerations match as in the scheduler: an empty effect matches every effect, ``Exists``
ignores the value, and ``Exists`` without a key tolerates every taint.

Missing: no tolerations tolerate nothing; an unset operator is ``Equal``; unset
value/effect are empty.
Unknown: unknown GPU requests, tolerations or node pool taints skip the workload.
"""

from __future__ import annotations

from functools import partial
from typing import Any

from pulumi_policy import ReportViolation, Severity, StackValidationArgs, StackValidationPolicy

from .._props import UNKNOWN, get
from .._workloads import (
    GPU_RESOURCE,
    GpuPool,
    any_toleration,
    gpu_containers,
    gpu_pools,
    tolerates,
    tolerates_key,
    workloads,
)


def _pool_tolerated(tolerations: Any, pool: GpuPool) -> Any:
    """True if every blocking GPU taint of the pool is tolerated (UNKNOWN if undecided)."""
    results = [any_toleration(tolerations, partial(tolerates, taint=t)) for t in pool.taints]
    if all(r is True for r in results):
        return True
    return UNKNOWN if UNKNOWN in results else False


def _validate(args: StackValidationArgs, report_violation: ReportViolation) -> None:
    pools = gpu_pools(args)
    if pools is UNKNOWN:
        return
    for workload in workloads(args):
        gpus = gpu_containers(workload.spec)
        if gpus is UNKNOWN or not gpus:
            continue
        tolerations = get(workload.spec, "tolerations")
        if pools:
            results = [_pool_tolerated(tolerations, pool) for pool in pools]
            missing = " or ".join(
                f"{', '.join(repr(t.text) for t in pool.taints)} ({pool.label})" for pool in pools
            )
        else:
            results = [any_toleration(tolerations, partial(tolerates_key, key=GPU_RESOURCE))]
            missing = (
                f"with key '{GPU_RESOURCE}' (the stack declares no GPU node pool, so the "
                "conventional key is required)"
            )
        if True in results or UNKNOWN in results:
            continue
        report_violation(
            f"{workload.label} requests {GPU_RESOURCE} but does not tolerate the GPU node pool "
            f"taint {missing}; it would never schedule on the GPU pool.",
            workload.res.urn,
        )


# No stack-file key can cause this verdict: the components always comply.
STACK_KEYS: tuple[str, ...] = ()

POLICY = StackValidationPolicy(
    name="kubernetes-core-podspec-gpu-toleration",
    description="Pods that request nvidia.com/gpu tolerate the GPU node pool's taint.",
    validate=_validate,
    severity=Severity.HIGH,
    remediation_steps=(
        "Add the GPU pool's taint to the pod template's tolerations, e.g. {key: "
        "'nvidia.com/gpu', operator: 'Equal', value: 'present', effect: 'NoSchedule'} for the "
        "taint 'nvidia.com/gpu=present:NoSchedule'."
    ),
    url="https://kubernetes.io/docs/concepts/scheduling-eviction/taint-and-toleration/",
    tags=["kubernetes", "workloads", "gpu"],
)
