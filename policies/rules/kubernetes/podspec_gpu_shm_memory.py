"""kubernetes-core-podspec-gpu-shm-memory (advisory by default)

Applies to: every object with a pod template (Pod, Job, CronJob, Deployment, StatefulSet,
DaemonSet, ReplicaSet) and, in it, every container or init container that requests
``nvidia.com/gpu`` in ``resources.limits`` or ``resources.requests``.

Enforces: such a container mounts a memory-backed ``/dev/shm``: a volume mount at
``/dev/shm`` of an ``emptyDir`` volume with ``medium: Memory``. The container runtime's
default ``/dev/shm`` is 64 MiB; PyTorch DataLoader workers pass batches through shared
memory and die with "bus error" / "unable to write to file </torch_...>" once it is full,
and NCCL uses it for intra-node transfers too.

Missing: no volume mount at ``/dev/shm``, or an ``emptyDir`` without ``medium`` (node
disk), is a violation.
Unknown: an unknown GPU request, volume mount, volume list or medium skips the container.
"""

from __future__ import annotations

from typing import Any, Final

from pulumi_policy import (
    EnforcementLevel,
    ReportViolation,
    ResourceValidationArgs,
    ResourceValidationPolicy,
    Severity,
)

from .._props import UNKNOWN, get, plain
from .._workloads import (
    GPU_RESOURCE,
    SHM_PATH,
    container_label,
    gpu_containers,
    pod_spec,
    workload_label,
)

NAME: Final = "kubernetes-core-podspec-gpu-shm-memory"


def _shm_mount(container: dict[str, Any]) -> Any:
    """The name of the volume mounted at /dev/shm, None, or UNKNOWN."""
    mounts = get(container, "volumeMounts")
    if mounts is UNKNOWN:
        return UNKNOWN
    undecided = False
    for mount in mounts if isinstance(mounts, list) else []:
        path = get(mount, "mountPath")
        if path is UNKNOWN:
            undecided = True
        elif isinstance(path, str) and path.rstrip("/") == SHM_PATH:
            return get(mount, "name")
    return UNKNOWN if undecided else None


def _memory_backed(spec: dict[str, Any], volume_name: Any) -> Any:
    """Whether the named volume is an emptyDir with medium Memory (True/False/UNKNOWN)."""
    volumes = get(spec, "volumes")
    if UNKNOWN in (volumes, volume_name):
        return UNKNOWN
    undecided = False
    for volume in volumes if isinstance(volumes, list) else []:
        name = get(volume, "name")
        if name is UNKNOWN:
            undecided = True
        elif name == volume_name:
            medium = get(volume, "emptyDir", "medium")
            return UNKNOWN if medium is UNKNOWN else medium == "Memory"
    return UNKNOWN if undecided else False


def _validate(args: ResourceValidationArgs, report_violation: ReportViolation) -> None:
    props = plain(args.props)
    spec = pod_spec(args.resource_type, props)
    if not isinstance(spec, dict):
        return
    gpus = gpu_containers(spec)
    for container in [] if gpus is UNKNOWN else gpus:
        volume_name = _shm_mount(container)
        if volume_name is None:
            problem = f"mounts nothing at {SHM_PATH}"
        else:
            backed = _memory_backed(spec, volume_name)
            if backed is not False:
                continue
            problem = (
                f"mounts volume '{volume_name}' at {SHM_PATH}, which is not an emptyDir with "
                "medium Memory"
            )
        report_violation(
            f"{workload_label(args.resource_type, props, args.name)} {container_label(container)} "
            f"requests {GPU_RESOURCE} but {problem}; the runtime's default /dev/shm is 64 MiB, "
            "too small for PyTorch DataLoader workers and NCCL.",
            None,
        )


# No stack-file key can cause this verdict: the components always comply.
STACK_KEYS: tuple[str, ...] = ()

POLICY = ResourceValidationPolicy(
    name=NAME,
    description="Containers that request GPUs mount a memory-backed /dev/shm.",
    validate=_validate,
    enforcement_level=EnforcementLevel.ADVISORY,
    severity=Severity.MEDIUM,
    remediation_steps=(
        "Add a volume {name: shm, emptyDir: {medium: Memory, sizeLimit: 8Gi}} to the pod "
        "template and mount it at /dev/shm in every GPU container (the size counts against "
        "the container's memory limit)."
    ),
    url="https://kubernetes.io/docs/concepts/storage/volumes/#emptydir",
    tags=["kubernetes", "workloads", "gpu"],
)
