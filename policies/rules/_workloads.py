"""Workload helpers shared by the policies: pod templates, concurrency, claims, GPUs, taints.

A *workload* is any object with a pod spec (:data:`POD_SPEC_PATHS`). What the helpers read:

* **concurrency** - how many pods a workload can run at once: a Job's (or a CronJob's job
  template's) ``parallelism`` (default 1), the ``replicas`` of a Deployment, ReplicaSet or
  StatefulSet (default 1), and one pod per node for a DaemonSet;
* **claims** - ``persistentVolumeClaim`` volumes of the pod spec, except those a
  StatefulSet's ``volumeClaimTemplates`` replace (the StatefulSet controller swaps a pod
  volume of a template's name for that pod's own claim);
* **GPUs** - a container requests GPUs when ``resources.limits`` or ``resources.requests``
  holds a positive ``nvidia.com/gpu``;
* **taints and tolerations** - AKS node taints are strings ``key[=value]:Effect``; a
  toleration matches a taint exactly as the scheduler decides it (``ToleratesTaint`` in
  ``k8s.io/api/core/v1``).

Like the other helpers, these return :data:`UNKNOWN` when the answer depends on a value that
is not known yet, and callers skip that item.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any, Final

from pulumi_policy import StackValidationArgs

from ._azure import AGENT_POOL_TYPE, MANAGED_CLUSTER_TYPE, agent_pools
from ._k8s import PVC_TYPE, object_name, object_namespace
from ._props import MISSING, UNKNOWN, as_int, get, is_known
from ._quantity import parse_quantity
from ._stack import Res, resources

POD_TYPE: Final = "kubernetes:core/v1:Pod"
JOB_TYPE: Final = "kubernetes:batch/v1:Job"
CRONJOB_TYPE: Final = "kubernetes:batch/v1:CronJob"
DEPLOYMENT_TYPE: Final = "kubernetes:apps/v1:Deployment"
STATEFULSET_TYPE: Final = "kubernetes:apps/v1:StatefulSet"
DAEMONSET_TYPE: Final = "kubernetes:apps/v1:DaemonSet"
REPLICASET_TYPE: Final = "kubernetes:apps/v1:ReplicaSet"

# Where each kind keeps its pod spec.
POD_SPEC_PATHS: Final[dict[str, tuple[str, ...]]] = {
    POD_TYPE: ("spec",),
    JOB_TYPE: ("spec", "template", "spec"),
    CRONJOB_TYPE: ("spec", "jobTemplate", "spec", "template", "spec"),
    DEPLOYMENT_TYPE: ("spec", "template", "spec"),
    STATEFULSET_TYPE: ("spec", "template", "spec"),
    DAEMONSET_TYPE: ("spec", "template", "spec"),
    REPLICASET_TYPE: ("spec", "template", "spec"),
}
CONTAINER_LISTS: Final = ("initContainers", "containers", "ephemeralContainers")
# Ephemeral containers cannot declare resources, so only these can request GPUs.
RESOURCE_CONTAINER_LISTS: Final = ("initContainers", "containers")
# The field that scales each kind, and where it is; unset means one pod.
_SCALE_PATHS: Final[dict[str, tuple[str, ...]]] = {
    JOB_TYPE: ("spec", "parallelism"),
    CRONJOB_TYPE: ("spec", "jobTemplate", "spec", "parallelism"),
    DEPLOYMENT_TYPE: ("spec", "replicas"),
    STATEFULSET_TYPE: ("spec", "replicas"),
    REPLICASET_TYPE: ("spec", "replicas"),
}

GPU_RESOURCE: Final = "nvidia.com/gpu"
SHM_PATH: Final = "/dev/shm"
# Taints that keep pods without a toleration off a node (PreferNoSchedule only discourages).
BLOCKING_EFFECTS: Final = frozenset({"NoSchedule", "NoExecute"})
NODE_POOL_TYPES: Final = (MANAGED_CLUSTER_TYPE, AGENT_POOL_TYPE)


def kind_of(resource_type: str) -> str:
    return resource_type.rsplit(":", 1)[-1]


def pod_spec(resource_type: str, props: dict[str, Any]) -> Any:
    """The pod spec of a workload's props (a dict, MISSING or UNKNOWN); None for other types."""
    path = POD_SPEC_PATHS.get(resource_type)
    return None if path is None else get(props, *path)


def workload_label(resource_type: str, props: dict[str, Any], fallback: str) -> str:
    """``Kind 'namespace/name'`` (just the name while the namespace is unknown)."""
    namespace = object_namespace(props)
    name = object_name(props, fallback)
    where = f"{namespace}/{name}" if isinstance(namespace, str) else name
    return f"{kind_of(resource_type)} '{where}'"


def containers(spec: dict[str, Any], lists: tuple[str, ...] = CONTAINER_LISTS) -> Any:
    """The container objects of ``lists`` in a pod spec; UNKNOWN if a list or entry is."""
    found = []
    for list_name in lists:
        entries = get(spec, list_name)
        if entries is UNKNOWN:
            return UNKNOWN
        for entry in entries if isinstance(entries, list) else []:
            if entry is UNKNOWN:
                return UNKNOWN
            if isinstance(entry, dict):
                found.append(entry)
    return found


def container_label(container: dict[str, Any]) -> str:
    name = container.get("name")
    return f"container '{name}'" if isinstance(name, str) else "a container"


# --- concurrency -----------------------------------------------------------------------------


def concurrency(resource_type: str, props: dict[str, Any]) -> Any:
    """How the workload runs several pods at once (a phrase), None if it cannot, or UNKNOWN."""
    if resource_type == DAEMONSET_TYPE:
        return "runs a pod on every node it selects"
    path = _SCALE_PATHS.get(resource_type)
    if path is None:
        return None
    value = get(props, *path)
    if value is UNKNOWN:
        return UNKNOWN
    count = 1 if value is MISSING else as_int(value)
    if count is None or count <= 1:
        return None
    return f"runs up to {count} pods at once ({path[-1]} {count})"


# --- claims ----------------------------------------------------------------------------------


def claim_volumes(resource_type: str, props: dict[str, Any], spec: dict[str, Any]) -> Any:
    """``{volume name: claimName}`` of the pod spec's claim volumes shared by all its pods.

    UNKNOWN when the volume list is unknown. A volume whose name or claim is unknown is left
    out; so is one that a ``volumeClaimTemplates`` entry of (possibly) the same name replaces.
    """
    volumes = get(spec, "volumes")
    if volumes is UNKNOWN:
        return UNKNOWN
    templates = get(props, "spec", "volumeClaimTemplates")
    if resource_type != STATEFULSET_TYPE or templates is MISSING:
        template_names: Any = []
    elif templates is UNKNOWN:
        template_names = UNKNOWN
    else:
        template_names = [get(t, "metadata", "name") for t in templates]
    found: dict[str, Any] = {}
    for volume in volumes if isinstance(volumes, list) else []:
        name = get(volume, "name")
        claim = get(volume, "persistentVolumeClaim", "claimName")
        if not isinstance(name, str) or not is_known(claim):
            continue
        if template_names is UNKNOWN or name in template_names or UNKNOWN in template_names:
            continue
        found[name] = claim
    return found


def find_claim(namespace: Any, name: Any, claims: list[Res]) -> Any:
    """The claim ``namespace/name`` among ``claims``: Res, None or UNKNOWN."""
    if UNKNOWN in (namespace, name):
        return UNKNOWN
    undecided = False
    for claim in claims:
        other = (object_namespace(claim.props), claim.get("metadata", "name"))
        if other == (namespace, name):
            return claim
        if UNKNOWN in other:
            undecided = True
    return UNKNOWN if undecided else None


# --- GPUs ------------------------------------------------------------------------------------


def requests_gpu(container: dict[str, Any]) -> Any:
    """True if the container asks for a positive ``nvidia.com/gpu``, else False or UNKNOWN."""
    undecided = False
    for section in ("limits", "requests"):
        value = get(container, "resources", section, GPU_RESOURCE)
        if value is UNKNOWN:
            undecided = True
            continue
        if value is MISSING:
            continue
        try:
            if parse_quantity(value) > 0:
                return True
        except (TypeError, ValueError):
            continue  # the API server rejects a malformed quantity before it can schedule
    return UNKNOWN if undecided else False


def gpu_containers(spec: dict[str, Any]) -> Any:
    """The containers of a pod spec that request GPUs; UNKNOWN if that cannot be decided."""
    candidates = containers(spec, RESOURCE_CONTAINER_LISTS)
    if candidates is UNKNOWN:
        return UNKNOWN
    found = []
    for container in candidates:
        gpu = requests_gpu(container)
        if gpu is UNKNOWN:
            return UNKNOWN
        if gpu:
            found.append(container)
    return found


# --- taints and tolerations ------------------------------------------------------------------


@dataclass(frozen=True)
class Taint:
    key: str
    value: str
    effect: str
    text: str


def parse_taint(text: str) -> Taint | None:
    """An AKS node taint ``key=value:Effect`` or ``key:Effect``; None if malformed."""
    head, sep, effect = text.rpartition(":")
    if not sep or not head or not effect:
        return None
    key, _, value = head.partition("=")
    return Taint(key.strip(), value.strip(), effect.strip(), text) if key.strip() else None


def tolerates(toleration: Any, taint: Taint) -> Any:
    """Whether a toleration matches ``taint`` (True/False), UNKNOWN if a field is unknown."""
    if toleration is UNKNOWN:
        return UNKNOWN
    if not isinstance(toleration, dict):
        return False
    fields = [get(toleration, f) for f in ("key", "operator", "value", "effect")]
    if UNKNOWN in fields:
        return UNKNOWN
    key, operator, value, effect = ("" if f is MISSING else f for f in fields)
    if effect and effect != taint.effect:
        return False
    if key and key != taint.key:
        return False
    if operator == "Exists":
        return True
    return operator in ("", "Equal") and value == taint.value


def tolerates_key(toleration: Any, key: str) -> Any:
    """Whether a toleration covers some taint with ``key``, whatever its value and effect."""
    if toleration is UNKNOWN:
        return UNKNOWN
    if not isinstance(toleration, dict):
        return False
    tol_key, operator = get(toleration, "key"), get(toleration, "operator")
    if UNKNOWN in (tol_key, operator):
        return UNKNOWN
    if tol_key is MISSING or tol_key == "":
        return operator == "Exists"
    return tol_key == key


def any_toleration(tolerations: Any, check: Any) -> Any:
    """True if some toleration passes ``check``; UNKNOWN if none does but one might."""
    if tolerations is UNKNOWN:
        return UNKNOWN
    results = [check(t) for t in tolerations] if isinstance(tolerations, list) else []
    if True in results:
        return True
    return UNKNOWN if UNKNOWN in results else False


@dataclass(frozen=True)
class GpuPool:
    """A node pool declared in the stack with (blocking) ``nvidia.com/gpu`` taints."""

    label: str
    taints: tuple[Taint, ...]


def gpu_pools(args: StackValidationArgs) -> Any:
    """Node pools of the stack's ManagedClusters and AgentPools tainted with key
    ``nvidia.com/gpu``; a pool whose GPU taints are all PreferNoSchedule has no blocking
    taint and is listed with none. UNKNOWN if any pool's taints are unknown."""
    pools = []
    for res in resources(args, *NODE_POOL_TYPES):
        entries = agent_pools(res.type, res.props, res.name)
        if entries is UNKNOWN:
            return UNKNOWN
        for label, pool, _ in entries:
            taints = get(pool, "nodeTaints")
            if not isinstance(taints, list):
                if taints is UNKNOWN:
                    return UNKNOWN
                continue
            if UNKNOWN in taints:
                return UNKNOWN
            parsed = [parse_taint(t) for t in taints if isinstance(t, str)]
            gpu = [t for t in parsed if t is not None and t.key == GPU_RESOURCE]
            if gpu:
                pools.append(GpuPool(label, tuple(t for t in gpu if t.effect in BLOCKING_EFFECTS)))
    return pools


# --- the stack's workloads -------------------------------------------------------------------


@dataclass(eq=False)
class Workload:
    """A stack resource with a (known) pod spec."""

    res: Res
    spec: dict[str, Any]

    @property
    def label(self) -> str:
        return workload_label(self.res.type, self.res.props, self.res.name)

    @property
    def namespace(self) -> Any:
        return object_namespace(self.res.props)


def workloads(args: StackValidationArgs) -> list[Workload]:
    """The stack's workloads, skipping those whose pod spec is unknown."""
    found = []
    for res in resources(args, *POD_SPEC_PATHS):
        spec = pod_spec(res.type, res.props)
        if isinstance(spec, dict):
            found.append(Workload(res, spec))
    return found


def mounted_claims(workload: Workload, claims: list[Res]) -> Any:
    """``(claimName, claim)`` per shared claim volume of a workload, the claim being the
    stack's Res, None (not declared in the stack) or UNKNOWN; UNKNOWN if the volumes are."""
    volumes = claim_volumes(workload.res.type, workload.res.props, workload.spec)
    if volumes is UNKNOWN:
        return UNKNOWN
    return [
        (name, find_claim(workload.namespace, name, claims))
        for name in dict.fromkeys(volumes.values())
    ]


def concurrent_mounts(args: StackValidationArgs) -> Iterator[tuple[Workload, str, str, Any]]:
    """``(workload, reason, claimName, claim)`` for each claim mounted by a workload that runs
    several pods at once (``reason`` says why, from :func:`concurrency`); the claim as in
    :func:`mounted_claims`. Workloads whose concurrency or volumes are unknown are skipped."""
    claims = resources(args, PVC_TYPE)
    for workload in workloads(args):
        reason = concurrency(workload.res.type, workload.res.props)
        if reason is None or reason is UNKNOWN:
            continue
        mounted = mounted_claims(workload, claims)
        if mounted is UNKNOWN:
            continue
        for name, claim in mounted:
            yield workload, reason, name, claim
