"""What a reviewer looks for first in a plan: the node pools (VM size, node count range,
GPUs), the container images the workloads run, and the claims each Job mounts.

Read from the inputs the program registered, never from the config that asked for them: the
preview shows what the deploy would send. Only the GPUs of a VM size are not in the plan; the
caller passes the table that knows them (`GpuTable`).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from infra.engine.model import Resource, StackPlan
from infra.engine.values import masked

CLUSTER = "azure-native:containerservice:ManagedCluster"
AGENT_POOL = "azure-native:containerservice:AgentPool"
JOB = "kubernetes:batch/v1:Job"
HELM_RELEASE = "kubernetes:helm.sh/v3:Release"
# Where each workload kind holds its pod spec (the Kubernetes API's own field paths).
POD_SPEC_PATHS: dict[str, tuple[str, ...]] = {
    "kubernetes:core/v1:Pod": ("spec",),
    JOB: ("spec", "template", "spec"),
    "kubernetes:batch/v1:CronJob": ("spec", "jobTemplate", "spec", "template", "spec"),
    "kubernetes:apps/v1:Deployment": ("spec", "template", "spec"),
    "kubernetes:apps/v1:StatefulSet": ("spec", "template", "spec"),
    "kubernetes:apps/v1:DaemonSet": ("spec", "template", "spec"),
    "kubernetes:apps/v1:ReplicaSet": ("spec", "template", "spec"),
}
# The extended resource NVIDIA's device plugin advertises a node's GPUs as.
GPU_RESOURCE = "nvidia.com/gpu"
# An agent pool profile's `count` when unset: "The default value is 1" (Azure REST API,
# Microsoft.ContainerService ManagedClusterAgentPoolProfileProperties.count).
DEFAULT_NODE_COUNT = 1


@dataclass(frozen=True)
class GpuTable:
    """The GPUs per VM of a VM size (None: not in the table), and where the table lives."""

    gpus: Callable[[str], int | None]
    source: str


@dataclass(frozen=True)
class NodePool:
    name: str
    mode: str
    vm_size: str
    min_count: int
    max_count: int
    autoscaling: bool
    gpus_per_node: int | None

    @property
    def max_gpus(self) -> int | None:
        return None if self.gpus_per_node is None else self.gpus_per_node * self.max_count

    def as_json(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "mode": self.mode,
            "vmSize": self.vm_size,
            "minCount": self.min_count,
            "maxCount": self.max_count,
            "autoscaling": self.autoscaling,
            "gpusPerNode": self.gpus_per_node,
            "maxGpus": self.max_gpus,
        }


@dataclass(frozen=True)
class Image:
    workload: str
    container: str
    image: str

    @property
    def digest(self) -> str | None:
        return self.image.partition("@")[2] or None

    def as_json(self) -> dict[str, Any]:
        return {
            "workload": self.workload,
            "container": self.container,
            "image": self.image,
            "digest": self.digest,
        }


@dataclass(frozen=True)
class Chart:
    """A Helm release: its images are the chart's, known only once Helm renders it."""

    release: str
    chart: str
    version: str

    def as_json(self) -> dict[str, Any]:
        return {"release": self.release, "chart": self.chart, "version": self.version}


@dataclass(frozen=True)
class Mount:
    claim: str
    mount_path: str
    read_only: bool
    sub_path: str = ""

    def as_json(self) -> dict[str, Any]:
        return {
            "claim": self.claim,
            "subPath": self.sub_path or None,
            "mountPath": self.mount_path,
            "readOnly": self.read_only,
        }


@dataclass(frozen=True)
class JobMounts:
    job: str
    pods: int
    gpus_per_pod: int
    mounts: tuple[Mount, ...]

    def as_json(self) -> dict[str, Any]:
        return {
            "job": self.job,
            "pods": self.pods,
            "gpusPerPod": self.gpus_per_pod,
            "mounts": [m.as_json() for m in self.mounts],
        }


@dataclass(frozen=True)
class ReviewFacts:
    node_pools: tuple[NodePool, ...]
    images: tuple[Image, ...]
    charts: tuple[Chart, ...]
    jobs: tuple[JobMounts, ...]
    gpu_source: str

    def as_json(self) -> dict[str, Any]:
        return {
            "nodePools": [p.as_json() for p in self.node_pools],
            "images": [i.as_json() for i in self.images],
            "charts": [c.as_json() for c in self.charts],
            "jobs": [j.as_json() for j in self.jobs],
        }


def _text(value: Any) -> str:
    """A value as the preview prints it: secrets and unknowns as their masks."""
    shown = masked(value)
    return "(none)" if shown is None else shown if isinstance(shown, str) else str(shown)


def _int(value: Any, default: int) -> int:
    return value if isinstance(value, int) and not isinstance(value, bool) else default


def _items(value: Any) -> list[Any]:
    """A list input's items; nothing for a secret or unknown one (a `secure:` stack value makes
    the whole input secret, and the preview never shows what it hides)."""
    return list(value) if isinstance(value, list | tuple) else []


def _at(value: Any, path: Sequence[str]) -> Any:
    for part in path:
        value = value.get(part) if isinstance(value, Mapping) else None
    return value


def _pool(profile: Mapping[str, Any], name: Any, table: GpuTable) -> NodePool:
    count = _int(profile.get("count"), DEFAULT_NODE_COUNT)
    autoscaling = profile.get("enableAutoScaling") is True
    low, high = count, count
    if autoscaling:
        low, high = _int(profile.get("minCount"), count), _int(profile.get("maxCount"), count)
    vm_size = _text(profile.get("vmSize"))
    return NodePool(
        name=_text(name),
        mode=_text(profile.get("mode", "User")),
        vm_size=vm_size,
        min_count=low,
        max_count=high,
        autoscaling=autoscaling,
        gpus_per_node=table.gpus(vm_size) if isinstance(profile.get("vmSize"), str) else None,
    )


def node_pools(plan: StackPlan, table: GpuTable) -> list[NodePool]:
    """The cluster's inline pools (`agentPoolProfiles`), then each AgentPool resource."""
    pools = []
    for resource in plan.resources:
        if resource.type == CLUSTER:
            for profile in _items(resource.inputs.get("agentPoolProfiles")):
                if isinstance(profile, Mapping):
                    pools.append(_pool(profile, profile.get("name"), table))
        elif resource.type == AGENT_POOL:
            pools.append(_pool(resource.inputs, resource.inputs.get("agentPoolName"), table))
    return pools


def _workload(resource: Resource) -> str:
    kind = resource.type.rsplit(":", 1)[-1]
    name = _text(_at(resource.inputs, ("metadata", "name")) or resource.name)
    namespace = _at(resource.inputs, ("metadata", "namespace"))
    return f"{kind} {_text(namespace)}/{name}" if namespace else f"{kind} {name}"


def _containers(spec: Mapping[str, Any]) -> list[Mapping[str, Any]]:
    found = [*_items(spec.get("initContainers")), *_items(spec.get("containers"))]
    return [c for c in found if isinstance(c, Mapping)]


def _gpus(container: Mapping[str, Any]) -> int:
    limits = _at(container, ("resources", "limits")) or {}
    value = limits.get(GPU_RESOURCE) if isinstance(limits, Mapping) else None
    text = _text(value)
    return int(text) if text.isdigit() else 0


def _mounts(spec: Mapping[str, Any]) -> tuple[Mount, ...]:
    """Each container's mount of a PersistentVolumeClaim. A claim is read-only when the mount
    says so or its volume does ("readOnly ... Will force the ReadOnly setting in
    VolumeMounts", PersistentVolumeClaimVolumeSource, Kubernetes API reference)."""
    claims = {
        v.get("name"): v["persistentVolumeClaim"]
        for v in _items(spec.get("volumes"))
        if isinstance(v, Mapping) and isinstance(v.get("persistentVolumeClaim"), Mapping)
    }
    mounts = []
    for container in _containers(spec):
        for mount in _items(container.get("volumeMounts")):
            source = claims.get(mount.get("name")) if isinstance(mount, Mapping) else None
            if source is None:
                continue
            mounts.append(
                Mount(
                    claim=_text(source.get("claimName")),
                    mount_path=_text(mount.get("mountPath")),
                    read_only=mount.get("readOnly") is True or source.get("readOnly") is True,
                    sub_path=_text(mount.get("subPath", "")),
                )
            )
    return tuple(dict.fromkeys(mounts))


def review_facts(plan: StackPlan, table: GpuTable) -> ReviewFacts:
    images, charts, jobs = [], [], []
    for resource in plan.resources:
        if resource.type == HELM_RELEASE:
            inputs = resource.inputs
            release = f"{_text(inputs.get('namespace', ''))}/{_text(inputs.get('name', ''))}"
            charts.append(
                Chart(release, _text(inputs.get("chart")), _text(inputs.get("version", "")))
            )
            continue
        path = POD_SPEC_PATHS.get(resource.type)
        spec = _at(resource.inputs, path) if path else None
        if not isinstance(spec, Mapping):
            continue
        workload = _workload(resource)
        containers = _containers(spec)
        images += [Image(workload, _text(c.get("name")), _text(c.get("image"))) for c in containers]
        if resource.type == JOB:
            jobs.append(
                JobMounts(
                    job=workload.removeprefix("Job "),
                    pods=_int(_at(resource.inputs, ("spec", "parallelism")), 1),
                    gpus_per_pod=sum(
                        _gpus(c) for c in _items(spec.get("containers")) if isinstance(c, Mapping)
                    ),
                    mounts=_mounts(spec),
                )
            )
    return ReviewFacts(
        tuple(node_pools(plan, table)), tuple(images), tuple(charts), tuple(jobs), table.source
    )
