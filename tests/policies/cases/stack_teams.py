# ruff: noqa: E501 - expected messages stay on one line each so they can be grepped.
"""Cases of the team policies in policies/rules/stack/: GPU workloads queued through Kueue,
other teams' shares mounted read-only, team quotas within the GPU pool.

The good stack has no team; ``TEAMS`` turns it into the two-team shape of stacks/Pulumi.prod.yaml:
``training`` owns the ``datasets`` share (its PV's claimRef), ``evaluation`` mounts it through
a read-only copy (labelled, ``csi.readOnly``) and runs its own queued GPU Job; each team has
a LocalQueue and a ClusterQueue. The cases break one piece at a time.
"""

from __future__ import annotations

import copy
from typing import Any

from policy_fixtures import DEPLOYMENT, GPU_JOB, PV, PVC
from policy_harness import StackResource

from ._helpers import Mutation, SCase, chain, drop, on, put

QUEUED = "kubernetes-core-podspec-team-gpu-workload-queued"
OTHER_TEAM = "kubernetes-core-podspec-other-team-claim-read-only"
QUOTA = "kubernetes-kueue-clusterqueue-gpu-quota-within-pool"

NAMESPACE_TYPE = "kubernetes:core/v1:Namespace"
JOB_TYPE = "kubernetes:batch/v1:Job"
DEPLOYMENT_TYPE = "kubernetes:apps/v1:Deployment"
PV_TYPE = "kubernetes:core/v1:PersistentVolume"
PVC_TYPE = "kubernetes:core/v1:PersistentVolumeClaim"
LOCAL_QUEUE_TYPE = "kubernetes:kueue.x-k8s.io/v1beta2:LocalQueue"
CLUSTER_QUEUE_TYPE = "kubernetes:kueue.x-k8s.io/v1beta2:ClusterQueue"
TEAM = "aks-rwx-training/team"
QUEUE = "kueue.x-k8s.io/queue-name"
EVAL_POD = "spec.template.spec"


def namespace(name: str) -> StackResource:
    props = {
        "apiVersion": "v1",
        "kind": "Namespace",
        "metadata": {"name": name, "labels": {TEAM: name}},
    }
    return StackResource(NAMESPACE_TYPE, f"ns-{name}", props)


def local_queue(team: str) -> StackResource:
    props = {
        "apiVersion": "kueue.x-k8s.io/v1beta2",
        "kind": "LocalQueue",
        "metadata": {"name": team, "namespace": team},
        "spec": {"clusterQueue": team},
    }
    return StackResource(LOCAL_QUEUE_TYPE, f"lq-{team}", props)


def cluster_queue(team: str, gpus: Any) -> StackResource:
    props = {
        "apiVersion": "kueue.x-k8s.io/v1beta2",
        "kind": "ClusterQueue",
        "metadata": {"name": team},
        "spec": {
            "cohortName": "gpu-pool",
            "resourceGroups": [
                {
                    "coveredResources": ["cpu", "memory", "nvidia.com/gpu"],
                    "flavors": [
                        {
                            "name": "gpu-pool",
                            "resources": [
                                {"name": "cpu", "nominalQuota": "96"},
                                {"name": "memory", "nominalQuota": "880Gi"},
                                {"name": "nvidia.com/gpu", "nominalQuota": gpus},
                            ],
                        }
                    ],
                }
            ],
        },
    }
    return StackResource(CLUSTER_QUEUE_TYPE, f"cq-{team}", props)


def eval_copy_pv() -> StackResource:
    props = copy.deepcopy(PV)
    props["metadata"] = {
        "name": "evaluation-datasets",
        "labels": {"aks-rwx-training/read-only-copy": "true"},
    }
    props["spec"]["csi"]["readOnly"] = True
    props["spec"]["csi"]["volumeHandle"] += "##evaluation"
    props["spec"]["claimRef"] = {"namespace": "evaluation", "name": "datasets"}
    return StackResource(PV_TYPE, "pv-eval-datasets", props)


def eval_claim(volume_name: str = "evaluation-datasets") -> StackResource:
    props = copy.deepcopy(PVC)
    props["metadata"] = {"name": "datasets", "namespace": "evaluation"}
    props["spec"]["volumeName"] = volume_name
    return StackResource(
        PVC_TYPE, "pvc-eval-datasets", props, property_dependencies={"metadata": ["ns-evaluation"]}
    )


def eval_job() -> StackResource:
    props = copy.deepcopy(GPU_JOB)
    props["metadata"] = {
        "name": "eval-gpu",
        "namespace": "evaluation",
        "labels": {QUEUE: "evaluation"},
    }
    pod = props["spec"]["template"]["spec"]
    pod["containers"][0]["volumeMounts"] = [
        {"name": "datasets", "mountPath": "/data", "readOnly": True}
    ]
    pod["volumes"] = [{"name": "datasets", "persistentVolumeClaim": {"claimName": "datasets"}}]
    return StackResource(JOB_TYPE, "job-eval-gpu", props)


def gpu_deployment() -> StackResource:
    props = copy.deepcopy(DEPLOYMENT)
    props["metadata"] = {"name": "notebook", "namespace": "evaluation"}
    props["spec"]["template"]["spec"]["containers"][0]["resources"] = {
        "limits": {"nvidia.com/gpu": 1}
    }
    return StackResource(DEPLOYMENT_TYPE, "deployment-notebook", props)


def fresh(factory: Any, *args: Any) -> Mutation:
    """Add a new resource built for this case: cases mutate what they add."""

    def mutate(stack: dict[str, StackResource]) -> None:
        resource = factory(*args)
        stack[resource.name] = resource

    return mutate


TEAMS: Mutation = chain(
    on("training", put("metadata.labels", {TEAM: "training"})),
    on("job-train-gpu", put("metadata.labels", {QUEUE: "training"})),
    on("pv-datasets", put("spec.claimRef", {"namespace": "training", "name": "datasets"})),
    fresh(namespace, "evaluation"),
    fresh(local_queue, "training"),
    fresh(local_queue, "evaluation"),
    fresh(cluster_queue, "training", 3),
    fresh(cluster_queue, "evaluation", 1),
    fresh(eval_copy_pv),
    fresh(eval_claim),
    fresh(eval_job),
)

# --- messages --------------------------------------------------------------------------------

TRAIN_JOB = "Job 'training/train-gpu' requests nvidia.com/gpu in team 'training''s namespace"
EVAL_WRITES = "Job 'evaluation/eval-gpu' mounts PersistentVolumeClaim 'evaluation/datasets' read-write, but its share 'datasets' belongs to team 'training' (namespace 'training'); it could overwrite that team's data. Mount it through a read-only claim (teams.members[].sharedVolumes) with readOnly: true."
POOL = "ManagedCluster 'aks-train-prod' agent pool 'gpu': 4 x 1 GPU Standard_NC24ads_A100_v4"

# The copy PV without csi.readOnly and the container mount without readOnly: nothing keeps
# the evaluation Job from writing training's share.
WRITABLE_COPY = chain(
    on("pv-eval-datasets", drop("spec.csi.readOnly")),
    on("job-eval-gpu", drop(f"{EVAL_POD}.containers.0.volumeMounts.0.readOnly")),
)

CASES: list[SCase] = [
    # kubernetes-core-podspec-team-gpu-workload-queued
    SCase("queued-good-no-teams", QUEUED),
    SCase("queued-good-teams", QUEUED, TEAMS),
    SCase(
        "queued-job-without-label",
        QUEUED,
        chain(TEAMS, on("job-train-gpu", drop("metadata.labels"))),
        (
            f"{TRAIN_JOB} but has no '{QUEUE}' label; Kueue would hold it suspended for ever. Label it with the namespace's LocalQueue ('training').",
        ),
    ),
    SCase(
        "queued-job-names-another-namespaces-queue",
        QUEUED,
        chain(TEAMS, on("job-train-gpu", put("metadata.labels", {QUEUE: "evaluation"}))),
        (
            f"{TRAIN_JOB} but its '{QUEUE}' label names LocalQueue 'evaluation', which the stack does not declare in namespace 'training'; it would never be admitted. Use 'training'.",
        ),
    ),
    SCase(
        "queued-gpu-deployment-in-team-namespace",
        QUEUED,
        chain(TEAMS, fresh(gpu_deployment)),
        (
            "Deployment 'evaluation/notebook' requests nvidia.com/gpu in team 'evaluation''s namespace but is a Deployment, which Kueue does not queue here (integrations: batch/job); it would take GPUs around the team's quota. Run GPU work as a Job labelled with the team's queue.",
        ),
    ),
    # kubernetes-core-podspec-other-team-claim-read-only
    SCase("other-team-good-no-teams", OTHER_TEAM),
    SCase("other-team-good-teams", OTHER_TEAM, TEAMS),
    SCase(
        "other-team-read-only-pv-alone-suffices",
        OTHER_TEAM,
        chain(TEAMS, on("job-eval-gpu", drop(f"{EVAL_POD}.containers.0.volumeMounts.0.readOnly"))),
    ),
    SCase(
        "other-team-read-only-mount-alone-suffices",
        OTHER_TEAM,
        chain(TEAMS, on("pv-eval-datasets", drop("spec.csi.readOnly"))),
    ),
    SCase("other-team-writable-copy", OTHER_TEAM, chain(TEAMS, WRITABLE_COPY), (EVAL_WRITES,)),
    SCase(
        "other-team-claims-the-owners-volume",
        OTHER_TEAM,
        chain(
            TEAMS,
            fresh(eval_claim, "pv-datasets"),
            on("job-eval-gpu", drop(f"{EVAL_POD}.containers.0.volumeMounts.0.readOnly")),
        ),
        (EVAL_WRITES,),
    ),
    # kubernetes-kueue-clusterqueue-gpu-quota-within-pool
    SCase("quota-good-no-queues", QUOTA),
    SCase("quota-good-teams", QUOTA, TEAMS),
    SCase("quota-good-at-the-pool-size", QUOTA, chain(TEAMS, fresh(cluster_queue, "training", 4))),
    SCase(
        "quota-beyond-the-pool",
        QUOTA,
        chain(TEAMS, fresh(cluster_queue, "training", 6)),
        (
            f"ClusterQueue 'training' has a nominal quota of 6 nvidia.com/gpu but the GPU pools can hold at most 4 ({POOL}); a job that needs more than the pool stays queued for ever. Lower the quota or raise the pool's maxCount.",
        ),
    ),
    SCase(
        "quota-unknown-vm-size-is-skipped",
        QUOTA,
        chain(
            TEAMS,
            fresh(cluster_queue, "training", 6),
            on("aks", put("agentPoolProfiles.1.vmSize", "Standard_ND96asr_v4")),
        ),
    ),
]
