# ruff: noqa: E501 - expected messages stay on one line each so they can be grepped.
"""Cases of the stack policies in policies/rules/stack/ about workloads (pod templates).

The good stack runs one workload of every shape against the shared claims: a GPU Job
(``parallelism`` 2), a CronJob (job template ``parallelism`` 2), a Deployment (2 replicas, a
dynamically provisioned claim), a StatefulSet (3 replicas, ``volumeClaimTemplates``) and a
DaemonSet; the cases break one of them at a time.
"""

from __future__ import annotations

import copy
from typing import Any

from policy_fixtures import (
    AGENT_POOL,
    AGENT_POOL_TYPE,
    POD,
    POD_TYPE,
    PVC_TYPE,
    SMB_MOUNT_OPTIONS,
)
from policy_harness import UNKNOWN, StackResource

from ._helpers import DISK_PV, Mutation, SCase, add, chain, drop, on, put, remove

MP_RWX = "kubernetes-core-podspec-multi-pod-claim-rwx"
MP_DECLARED = "kubernetes-core-podspec-multi-pod-claim-declared"
GPU_TOL = "kubernetes-core-podspec-gpu-toleration"
OWNER = "kubernetes-core-podspec-shared-claim-run-as-owner"

JOB_POD = "spec.template.spec"
CRON_POD = "spec.jobTemplate.spec.template.spec"

# --- messages --------------------------------------------------------------------------------

JOB = "Job 'training/train-gpu'"
CRONJOB = "CronJob 'training/nightly'"
DEPLOYMENT = "Deployment 'training/serve'"
STATEFULSET = "StatefulSet 'training/index'"
DAEMONSET = "DaemonSet 'training/cache-warmer'"
RUNS = {
    JOB: "runs up to 2 pods at once (parallelism 2)",
    CRONJOB: "runs up to 2 pods at once (parallelism 2)",
    DEPLOYMENT: "runs up to 2 pods at once (replicas 2)",
    STATEFULSET: "runs up to 3 pods at once (replicas 3)",
    DAEMONSET: "runs a pod on every node it selects",
}
RWX_SUFFIX = "pods on a second node cannot attach it. Mount a ReadWriteMany claim, or give each pod its own claim (volumeClaimTemplates)."


def not_rwx(workload: str, claim: str, detail: str) -> str:
    return f"{workload} {RUNS[workload]} but mounts PersistentVolumeClaim '{claim}', {detail}; {RWX_SUFFIX}"


def undeclared(workload: str, claim: str) -> str:
    return f"{workload} {RUNS[workload]} and mounts PersistentVolumeClaim '{claim}', which is not declared in this stack; cannot check that it is ReadWriteMany."


RWO = "whose accessModes ['ReadWriteOnce'] lack 'ReadWriteMany'"
GPU_POOL = "'nvidia.com/gpu=present:NoSchedule' (ManagedCluster 'aks-train-prod' agent pool 'gpu')"
NO_GPU_POOL = "with key 'nvidia.com/gpu' (the stack declares no GPU node pool, so the conventional key is required)"


def untolerated(workload: str, taints: str = GPU_POOL) -> str:
    return f"{workload} requests nvidia.com/gpu but does not tolerate the GPU node pool taint {taints}; it would never schedule on the GPU pool."


def not_owner(
    workload: str, container: str, claim: str, source: str, ids: str, running: str, wanted: str
) -> str:
    return (
        f"{workload} container '{container}' mounts shared PersistentVolumeClaim 'training/{claim}', which {source} mounts as {ids}, but runs as {running}; "
        f"writes fail on an SMB mount with fixed ownership and modes. Set {wanted} in the pod's or the container's securityContext."
    )


PV_DATASETS = "PersistentVolume 'pv-datasets'"
PV_CHECKPOINTS = "PersistentVolume 'pv-checkpoints'"
SC_PREMIUM = "StorageClass 'azurefile-premium-retain'"
IDS_1000 = "uid=1000, gid=1000"
WANT_1000 = "runAsUser 1000 and runAsGroup 1000"

# --- mutations -------------------------------------------------------------------------------


def claim(name: str, modes: list[str], namespace: str = "training") -> StackResource:
    """A dynamically provisioned claim (a class outside the stack) named ``name``."""
    return StackResource(
        PVC_TYPE,
        f"pvc-{name}",
        {
            "apiVersion": "v1",
            "kind": "PersistentVolumeClaim",
            "metadata": {"name": name, "namespace": namespace},
            "spec": {
                "accessModes": modes,
                "storageClassName": "managed-csi",
                "resources": {"requests": {"storage": "10Gi"}},
            },
        },
    )


def gpu(container: str, section: str = "limits", count: object = 1) -> Mutation:
    """Request GPUs in the container at the dotted path ``container``."""
    return put(f"{container}.resources.{section}", {"nvidia.com/gpu": count})


def bare_pod() -> StackResource:
    """A bare Pod requesting a GPU, without tolerations."""
    props = copy.deepcopy(POD)
    props["spec"]["containers"][0]["resources"] = {"limits": {"nvidia.com/gpu": 1}}
    return StackResource(POD_TYPE, "pod-debug", props)


def add_state_volume(props: dict[str, Any]) -> None:
    """Mount the claim ``state`` as a pod volume of the StatefulSet's template."""
    props["spec"]["template"]["spec"]["volumes"].append(
        {"name": "state", "persistentVolumeClaim": {"claimName": "state"}}
    )


# The cluster without its GPU pool (the dev shape: one System pool).
SYSTEM_POOL_ONLY = on("aks", drop("agentPoolProfiles.1"))
SINGLE_POD_JOBS = chain(
    on("job-train-gpu", drop("spec.parallelism")),
    on("cronjob-nightly", put("spec.jobTemplate.spec.parallelism", 1)),
)
STATEFULSET_SHARED_STATE = chain(
    on(
        "statefulset-index",
        drop("spec.volumeClaimTemplates"),
        add_state_volume,
    ),
    add(claim("state", ["ReadWriteOnce"])),
)
NFS_PV = put("spec.csi.volumeAttributes.protocol", "nfs")

CASES: list[SCase] = [
    # kubernetes-core-podspec-multi-pod-claim-rwx
    SCase("mprwx-good", MP_RWX),
    SCase(
        "mprwx-statefulset-template-claims-are-per-pod",
        MP_RWX,
        chain(
            # A pod volume named like a template is replaced by the pod's own claim.
            on("statefulset-index", add_state_volume),
            add(claim("state", ["ReadWriteOnce"])),
        ),
    ),
    SCase(
        "mprwx-single-replica",
        MP_RWX,
        chain(
            on("deployment-serve", put("spec.replicas", 1)),
            on("pvc-scratch", put("spec.accessModes", ["ReadWriteOnce"])),
        ),
    ),
    SCase(
        "mprwx-replicas-default-one",
        MP_RWX,
        chain(
            on("deployment-serve", drop("spec.replicas")),
            on("pvc-scratch", put("spec.accessModes", ["ReadWriteOnce"])),
        ),
    ),
    SCase(
        "mprwx-parallelism-default-one",
        MP_RWX,
        chain(SINGLE_POD_JOBS, on("pvc-checkpoints", put("spec.accessModes", ["ReadWriteOnce"]))),
    ),
    SCase(
        "mprwx-claim-not-declared-is-the-advisory-one",
        MP_RWX,
        remove("pvc-scratch"),
    ),
    SCase(
        "mprwx-replicas-unknown",
        MP_RWX,
        chain(
            on("deployment-serve", put("spec.replicas", UNKNOWN)),
            on("pvc-scratch", put("spec.accessModes", ["ReadWriteOnce"])),
        ),
    ),
    SCase(
        "mprwx-claim-namespace-unknown",
        MP_RWX,
        chain(
            on(
                "pvc-scratch",
                put("metadata.namespace", UNKNOWN),
                put("spec.accessModes", ["ReadWriteOnce"]),
            ),
        ),
    ),
    SCase(
        "mprwx-other-namespace-is-another-claim",
        MP_RWX,
        add(claim("scratch", ["ReadWriteOnce"], namespace="other")),
    ),
    SCase(
        "mprwx-deployment",
        MP_RWX,
        on("pvc-scratch", put("spec.accessModes", ["ReadWriteOnce"])),
        (not_rwx(DEPLOYMENT, "training/scratch", RWO),),
    ),
    SCase(
        "mprwx-one-claim-three-shapes",
        MP_RWX,
        on("pvc-datasets", put("spec.accessModes", ["ReadWriteOnce"])),
        (
            not_rwx(JOB, "training/datasets", RWO),
            not_rwx(STATEFULSET, "training/datasets", RWO),
            not_rwx(DAEMONSET, "training/datasets", RWO),
        ),
    ),
    SCase(
        "mprwx-read-write-once-pod-is-not-shared",
        MP_RWX,
        on("pvc-checkpoints", put("spec.accessModes", ["ReadWriteOncePod"])),
        (
            not_rwx(
                JOB,
                "training/checkpoints",
                "whose accessModes ['ReadWriteOncePod'] lack 'ReadWriteMany'",
            ),
            not_rwx(
                CRONJOB,
                "training/checkpoints",
                "whose accessModes ['ReadWriteOncePod'] lack 'ReadWriteMany'",
            ),
        ),
    ),
    SCase(
        "mprwx-cronjob",
        MP_RWX,
        chain(
            on("job-train-gpu", drop("spec.parallelism")),
            on("pvc-checkpoints", put("spec.accessModes", ["ReadWriteOnce"])),
        ),
        (not_rwx(CRONJOB, "training/checkpoints", RWO),),
    ),
    SCase(
        "mprwx-bare-job",
        MP_RWX,
        chain(
            on("cronjob-nightly", drop("spec.jobTemplate.spec.parallelism")),
            on("pvc-checkpoints", drop("spec.accessModes")),
        ),
        (not_rwx(JOB, "training/checkpoints", "which sets no accessModes"),),
    ),
    SCase(
        "mprwx-statefulset-without-templates",
        MP_RWX,
        STATEFULSET_SHARED_STATE,
        (not_rwx(STATEFULSET, "training/state", RWO),),
    ),
    SCase(
        "mprwx-daemonset-read-only-many",
        MP_RWX,
        chain(
            on("job-train-gpu", put("spec.parallelism", 1)),
            on("statefulset-index", put("spec.replicas", 1)),
            on("pvc-datasets", put("spec.accessModes", ["ReadOnlyMany"])),
        ),
        (
            not_rwx(
                DAEMONSET,
                "training/datasets",
                "whose accessModes ['ReadOnlyMany'] lack 'ReadWriteMany'",
            ),
        ),
    ),
    # kubernetes-core-podspec-multi-pod-claim-declared
    SCase("mpdecl-good", MP_DECLARED),
    SCase(
        "mpdecl-single-replica",
        MP_DECLARED,
        chain(remove("pvc-scratch"), on("deployment-serve", put("spec.replicas", 1))),
    ),
    SCase(
        "mpdecl-claim-name-unknown",
        MP_DECLARED,
        chain(
            on("pvc-scratch", put("metadata.name", UNKNOWN)),
            on(
                "deployment-serve",
                put(f"{JOB_POD}.volumes.0.persistentVolumeClaim.claimName", "other"),
            ),
        ),
    ),
    SCase(
        "mpdecl-volumes-unknown",
        MP_DECLARED,
        chain(remove("pvc-scratch"), on("deployment-serve", put(f"{JOB_POD}.volumes", UNKNOWN))),
    ),
    SCase(
        "mpdecl-deployment",
        MP_DECLARED,
        remove("pvc-scratch"),
        (undeclared(DEPLOYMENT, "training/scratch"),),
    ),
    SCase(
        "mpdecl-default-namespace",
        MP_DECLARED,
        on("deployment-serve", drop("metadata.namespace")),
        (
            "Deployment 'default/serve' runs up to 2 pods at once (replicas 2) and mounts PersistentVolumeClaim 'default/scratch', which is not declared in this stack; cannot check that it is ReadWriteMany.",
        ),
    ),
    SCase(
        "mpdecl-job-cronjob-statefulset-daemonset",
        MP_DECLARED,
        remove("pvc-datasets", "pvc-checkpoints"),
        (
            undeclared(JOB, "training/datasets"),
            undeclared(JOB, "training/checkpoints"),
            undeclared(CRONJOB, "training/checkpoints"),
            undeclared(STATEFULSET, "training/datasets"),
            undeclared(DAEMONSET, "training/datasets"),
        ),
    ),
    # kubernetes-core-podspec-gpu-toleration
    SCase("gputol-good", GPU_TOL),
    SCase(
        "gputol-exists-on-the-key",
        GPU_TOL,
        on(
            "job-train-gpu",
            put(f"{JOB_POD}.tolerations.0", {"key": "nvidia.com/gpu", "operator": "Exists"}),
        ),
    ),
    SCase(
        "gputol-daemonset-exists-without-key-tolerates-all",
        GPU_TOL,
        on("daemonset-cache-warmer", gpu(f"{JOB_POD}.containers.0")),
    ),
    SCase(
        "gputol-zero-gpus",
        GPU_TOL,
        on(
            "job-train-gpu",
            drop(f"{JOB_POD}.tolerations"),
            gpu(f"{JOB_POD}.containers.0", count="0"),
        ),
    ),
    SCase(
        "gputol-prefer-no-schedule-pool",
        GPU_TOL,
        chain(
            on(
                "aks",
                put("agentPoolProfiles.1.nodeTaints", ["nvidia.com/gpu=present:PreferNoSchedule"]),
            ),
            on("job-train-gpu", drop(f"{JOB_POD}.tolerations")),
        ),
    ),
    SCase(
        "gputol-one-of-two-pools",
        GPU_TOL,
        add(
            StackResource(
                AGENT_POOL_TYPE,
                "agentpool-h100",
                {
                    **copy.deepcopy(AGENT_POOL),
                    "agentPoolName": "h100",
                    "nodeTaints": ["nvidia.com/gpu=h100:NoSchedule"],
                },
            )
        ),
    ),
    SCase(
        "gputol-no-pool-key-tolerated",
        GPU_TOL,
        chain(SYSTEM_POOL_ONLY, on("job-train-gpu", put(f"{JOB_POD}.tolerations.0.value", "any"))),
    ),
    SCase(
        "gputol-taint-unknown",
        GPU_TOL,
        chain(
            on("aks", put("agentPoolProfiles.1.nodeTaints.0", UNKNOWN)),
            on("job-train-gpu", drop(f"{JOB_POD}.tolerations")),
        ),
    ),
    SCase(
        "gputol-toleration-unknown",
        GPU_TOL,
        on(
            "job-train-gpu",
            put(f"{JOB_POD}.tolerations.0.effect", UNKNOWN),
            put(f"{JOB_POD}.tolerations.0.value", "other"),
        ),
    ),
    SCase(
        "gputol-job-no-tolerations",
        GPU_TOL,
        on("job-train-gpu", drop(f"{JOB_POD}.tolerations")),
        (untolerated(JOB),),
    ),
    SCase(
        "gputol-job-wrong-value",
        GPU_TOL,
        on("job-train-gpu", put(f"{JOB_POD}.tolerations.0.value", "true")),
        (untolerated(JOB),),
    ),
    SCase(
        "gputol-job-wrong-effect",
        GPU_TOL,
        on("job-train-gpu", put(f"{JOB_POD}.tolerations.0.effect", "NoExecute")),
        (untolerated(JOB),),
    ),
    SCase(
        "gputol-deployment-requests-only",
        GPU_TOL,
        on("deployment-serve", gpu(f"{JOB_POD}.containers.0", section="requests")),
        (untolerated(DEPLOYMENT),),
    ),
    SCase(
        "gputol-statefulset-init-container",
        GPU_TOL,
        on(
            "statefulset-index",
            put(
                f"{JOB_POD}.initContainers",
                [{"name": "probe", "image": "x", "resources": {"limits": {"nvidia.com/gpu": "2"}}}],
            ),
        ),
        (untolerated(STATEFULSET),),
    ),
    SCase(
        "gputol-cronjob",
        GPU_TOL,
        on("cronjob-nightly", gpu(f"{CRON_POD}.containers.0")),
        (untolerated(CRONJOB),),
    ),
    SCase(
        "gputol-bare-pod",
        GPU_TOL,
        add(bare_pod()),
        (untolerated("Pod 'training/debug'"),),
    ),
    SCase(
        "gputol-agent-pool-resource",
        GPU_TOL,
        chain(
            SYSTEM_POOL_ONLY,
            add(
                StackResource(
                    AGENT_POOL_TYPE,
                    "agentpool-gpu",
                    {
                        **copy.deepcopy(AGENT_POOL),
                        "agentPoolName": "gpu",
                        "nodeTaints": ["nvidia.com/gpu:NoSchedule"],
                    },
                )
            ),
        ),
        (untolerated(JOB, "'nvidia.com/gpu:NoSchedule' (AgentPool 'gpu')"),),
    ),
    SCase(
        "gputol-no-pool-in-stack",
        GPU_TOL,
        chain(SYSTEM_POOL_ONLY, on("deployment-serve", gpu(f"{JOB_POD}.containers.0"))),
        (untolerated(DEPLOYMENT, NO_GPU_POOL),),
    ),
    # kubernetes-core-podspec-shared-claim-run-as-owner
    SCase("owner-good", OWNER),
    SCase(
        "owner-only-uid-option",
        OWNER,
        chain(
            on("pv-checkpoints", put("spec.mountOptions", ["uid=1000", "file_mode=0770"])),
            on("cronjob-nightly", put(f"{CRON_POD}.securityContext.runAsGroup", 3000)),
        ),
    ),
    SCase(
        "owner-no-id-options",
        OWNER,
        chain(
            on("pv-checkpoints", drop("spec.mountOptions")),
            on("cronjob-nightly", drop(f"{CRON_POD}.securityContext")),
        ),
    ),
    SCase(
        "owner-nfs-volume",
        OWNER,
        chain(
            on("pv-checkpoints", NFS_PV),
            on("cronjob-nightly", drop(f"{CRON_POD}.securityContext")),
        ),
    ),
    SCase(
        "owner-nfs-class",
        OWNER,
        chain(
            on("sc-premium", put("parameters.protocol", "nfs")),
            on("deployment-serve", drop(f"{JOB_POD}.containers.0.securityContext")),
        ),
    ),
    SCase(
        "owner-disk-volume-not-shared",
        OWNER,
        chain(
            on("pv-datasets", DISK_PV),
            on("pvc-datasets", put("spec.accessModes", ["ReadWriteOnce"])),
            on("daemonset-cache-warmer", put(f"{JOB_POD}.securityContext.runAsUser", 0)),
        ),
    ),
    SCase(
        "owner-claim-not-declared",
        OWNER,
        chain(
            remove("pvc-scratch"),
            on("deployment-serve", drop(f"{JOB_POD}.containers.0.securityContext")),
        ),
    ),
    SCase(
        "owner-run-as-unknown",
        OWNER,
        on("deployment-serve", put(f"{JOB_POD}.containers.0.securityContext.runAsUser", UNKNOWN)),
    ),
    SCase(
        "owner-mount-options-unknown",
        OWNER,
        chain(
            on("pv-checkpoints", put("spec.mountOptions.2", UNKNOWN)),
            on("cronjob-nightly", drop(f"{CRON_POD}.securityContext")),
        ),
    ),
    SCase(
        "owner-deployment-root",
        OWNER,
        on("deployment-serve", put(f"{JOB_POD}.containers.0.securityContext.runAsUser", 0)),
        (
            not_owner(
                DEPLOYMENT,
                "train",
                "scratch",
                SC_PREMIUM,
                IDS_1000,
                "runAsUser 0, runAsGroup 1000",
                WANT_1000,
            ),
        ),
    ),
    SCase(
        "owner-job-unset",
        OWNER,
        on("job-train-gpu", drop(f"{JOB_POD}.securityContext")),
        (
            not_owner(
                JOB,
                "train",
                "datasets",
                PV_DATASETS,
                IDS_1000,
                "runAsUser <not set>, runAsGroup <not set>",
                WANT_1000,
            ),
            not_owner(
                JOB,
                "train",
                "checkpoints",
                PV_CHECKPOINTS,
                IDS_1000,
                "runAsUser <not set>, runAsGroup <not set>",
                WANT_1000,
            ),
        ),
    ),
    SCase(
        "owner-statefulset-container-overrides-pod",
        OWNER,
        on(
            "statefulset-index",
            put(f"{JOB_POD}.containers.0.securityContext", {"runAsGroup": 2000}),
        ),
        (
            not_owner(
                STATEFULSET,
                "index",
                "datasets",
                PV_DATASETS,
                IDS_1000,
                "runAsUser 1000, runAsGroup 2000",
                WANT_1000,
            ),
        ),
    ),
    SCase(
        "owner-cronjob-combined-option",
        OWNER,
        on(
            "pv-checkpoints",
            put("spec.mountOptions", [*SMB_MOUNT_OPTIONS[:2], "uid=2000,gid=2000"]),
        ),
        (
            not_owner(
                JOB,
                "train",
                "checkpoints",
                PV_CHECKPOINTS,
                "uid=2000, gid=2000",
                "runAsUser 1000, runAsGroup 1000",
                "runAsUser 2000 and runAsGroup 2000",
            ),
            not_owner(
                CRONJOB,
                "train",
                "checkpoints",
                PV_CHECKPOINTS,
                "uid=2000, gid=2000",
                "runAsUser 1000, runAsGroup 1000",
                "runAsUser 2000 and runAsGroup 2000",
            ),
        ),
    ),
    SCase(
        "owner-daemonset-rwx-claim-on-other-driver",
        OWNER,
        chain(
            on("pv-datasets", DISK_PV),
            on("daemonset-cache-warmer", put(f"{JOB_POD}.securityContext.runAsUser", 0)),
        ),
        (
            not_owner(
                DAEMONSET,
                "warm",
                "datasets",
                PV_DATASETS,
                IDS_1000,
                "runAsUser 0, runAsGroup 1000",
                WANT_1000,
            ),
        ),
    ),
    SCase(
        "owner-init-container",
        OWNER,
        on(
            "job-train-gpu",
            put(
                f"{JOB_POD}.initContainers",
                [
                    {
                        "name": "fetch",
                        "image": "x",
                        "securityContext": {"runAsUser": 0},
                        "volumeMounts": [{"name": "datasets", "mountPath": "/data"}],
                    }
                ],
            ),
        ),
        (
            not_owner(
                JOB,
                "fetch",
                "datasets",
                PV_DATASETS,
                IDS_1000,
                "runAsUser 0, runAsGroup 1000",
                WANT_1000,
            ),
        ),
    ),
]
