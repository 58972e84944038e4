# ruff: noqa: E501 - expected messages stay on one line each so they can be grepped.
"""Cases of the resource policies in policies/rules/kubernetes/ about GPU workloads."""

from __future__ import annotations

from policy_harness import UNKNOWN

from ._helpers import Mutation, RCase, chain, drop, put

SHM = "kubernetes-core-podspec-gpu-shm-memory"

POD = "spec.template.spec"
CRON_POD = "spec.jobTemplate.spec.template.spec"
SHM_SUFFIX = (
    "the runtime's default /dev/shm is 64 MiB, too small for PyTorch DataLoader workers and NCCL."
)
NO_SHM = f"requests nvidia.com/gpu but mounts nothing at /dev/shm; {SHM_SUFFIX}"
DISK_SHM = f"requests nvidia.com/gpu but mounts volume 'shm' at /dev/shm, which is not an emptyDir with medium Memory; {SHM_SUFFIX}"


def gpu(container: str, section: str = "limits", count: object = 1) -> Mutation:
    """Request GPUs in the container at the dotted path ``container``."""
    return put(f"{container}.resources.{section}", {"nvidia.com/gpu": count})


def with_shm(pod: str) -> Mutation:
    """A memory-backed /dev/shm for the first container of the pod spec at ``pod``."""
    return chain(
        put(f"{pod}.volumes", [{"name": "shm", "emptyDir": {"medium": "Memory"}}]),
        put(f"{pod}.containers.0.volumeMounts", [{"name": "shm", "mountPath": "/dev/shm/"}]),
    )


CASES: list[RCase] = [
    # kubernetes-core-podspec-gpu-shm-memory
    RCase("shm-gpu-job-good", SHM, "gpu_job"),
    RCase("shm-no-gpu", SHM, "job"),
    RCase("shm-not-a-workload", SHM, "pvc"),
    RCase("shm-zero-gpus", SHM, "deployment", gpu(f"{POD}.containers.0", count="0")),
    RCase(
        "shm-cronjob-with-shm",
        SHM,
        "cronjob",
        chain(gpu(f"{CRON_POD}.containers.0"), with_shm(CRON_POD)),
    ),
    RCase("shm-gpu-unknown", SHM, "deployment", gpu(f"{POD}.containers.0", count=UNKNOWN)),
    RCase("shm-medium-unknown", SHM, "gpu_job", put(f"{POD}.volumes.2.emptyDir.medium", UNKNOWN)),
    RCase(
        "shm-mount-path-unknown",
        SHM,
        "gpu_job",
        put(f"{POD}.containers.0.volumeMounts.2.mountPath", UNKNOWN),
    ),
    RCase(
        "shm-job-disk-backed",
        SHM,
        "gpu_job",
        drop(f"{POD}.volumes.2.emptyDir.medium"),
        (f"Job 'training/train-gpu' container 'train' {DISK_SHM}",),
    ),
    RCase(
        "shm-job-not-mounted",
        SHM,
        "gpu_job",
        drop(f"{POD}.containers.0.volumeMounts.2"),
        (f"Job 'training/train-gpu' container 'train' {NO_SHM}",),
    ),
    RCase(
        "shm-job-init-container",
        SHM,
        "job",
        gpu(f"{POD}.initContainers.0", section="requests"),
        (f"Job 'training/train' container 'fetch' {NO_SHM}",),
    ),
    RCase(
        "shm-cronjob",
        SHM,
        "cronjob",
        gpu(f"{CRON_POD}.containers.0"),
        (f"CronJob 'training/nightly' container 'train' {NO_SHM}",),
    ),
    RCase(
        "shm-deployment",
        SHM,
        "deployment",
        gpu(f"{POD}.containers.0"),
        (f"Deployment 'training/serve' container 'train' {NO_SHM}",),
    ),
    RCase(
        "shm-statefulset",
        SHM,
        "statefulset",
        gpu(f"{POD}.containers.0", section="requests", count="2"),
        (f"StatefulSet 'training/index' container 'index' {NO_SHM}",),
    ),
    RCase(
        "shm-daemonset-default-namespace",
        SHM,
        "daemonset",
        chain(drop("metadata.namespace"), gpu(f"{POD}.containers.0")),
        (f"DaemonSet 'default/cache-warmer' container 'warm' {NO_SHM}",),
    ),
    RCase(
        "shm-bare-pod",
        SHM,
        "pod",
        gpu("spec.containers.0"),
        (f"Pod 'training/debug' container 'train' {NO_SHM}",),
    ),
]
