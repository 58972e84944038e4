"""TrainingJob: distributed PyTorch training as an Indexed Job plus a headless Service.

``workers`` pods (``completionMode: Indexed``, ``completions = parallelism = workers``) run
``torchrun`` on the GPU pool. The Job's ``subdomain`` is a headless Service selecting its pods,
so pod ``i`` is reachable as ``<job>-<i>.<service>.<namespace>.svc`` from the moment it has an
IP (Kubernetes "Indexed Job" stable hostnames; ``publishNotReadyAddresses`` because nothing
here is ever Ready before training starts).

Rendezvous is torchrun's *static* backend (https://pytorch.org/docs/stable/elastic/run.html):
``--node-rank`` is the pod's completion index and ``--master-addr`` is pod 0's stable
hostname. torchrun applies ``--node-rank`` only with the static backend (``c10d`` hands out
ranks in arrival order and ignores it), and static fixes the world size, which is what a Job of
``workers`` pods is. torchrun never restarts workers itself (``--max-restarts=0``): a failed
pod fails, the Job controller replaces it under ``backoffLimit`` and the script resumes from
the newest complete checkpoint. Node drains and preemptions (pod condition
``DisruptionTarget``) do not count against ``backoffLimit``.

Every mount is a RWX volume's PVC, read-only or read-write; all of a job's volumes are in one
namespace (the Job's) and mount as one uid/gid, which the pods run as. ``/dev/shm`` is a
memory-backed ``emptyDir`` of ``shm_size`` (NCCL and DataLoader workers share memory through
it). Optional ``scripts`` are mounted read-only at :data:`SCRIPT_DIR` from an immutable
ConfigMap whose name carries a hash of its content, so a changed script is a new Job.

The manifests are pure functions (:func:`training_job_manifest`,
:func:`training_service_manifest`, :func:`training_scripts_manifest`); :class:`TrainingJob`
registers them.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol, cast

import pulumi
import pulumi_kubernetes as k8s

from components.cluster import GpuScheduling
from components.teams import QUEUE_NAME_LABEL
from components.volume import COMMON_LABELS

# torchrun's default master port; the Service names it so it shows up in `kubectl describe`.
RENDEZVOUS_PORT = 29500
SCRIPT_DIR = "/opt/training"
SHM_PATH = "/dev/shm"
# The root filesystem is read-only; Python, torch and NCCL caches go to this emptyDir ($HOME).
TMP_PATH = "/tmp"
RESERVED_PATHS = (SCRIPT_DIR, SHM_PATH, TMP_PATH)
# Set by the component (HOME) or by the Job controller (the index): not the user's to set.
RESERVED_ENV = ("HOME", "JOB_COMPLETION_INDEX")

MIN_WORKERS, MAX_WORKERS, DEFAULT_WORKERS = 1, 64, 2
MIN_GPUS, MAX_GPUS, DEFAULT_GPUS = 1, 8, 1  # 8: the most GPUs of any Azure VM size
MAX_BACKOFF_LIMIT, DEFAULT_BACKOFF_LIMIT = 100, 4
MIN_DEADLINE_SECONDS, MAX_DEADLINE_SECONDS = 60, 30 * 86400
DEFAULT_DEADLINE_SECONDS = 86400
MAX_TTL_SECONDS = 30 * 86400
DEFAULT_CPU, DEFAULT_MEMORY, DEFAULT_SHM_SIZE = "8", "32Gi", "8Gi"
# ConfigMaps hold at most 1 MiB; leave room for the object's metadata.
MAX_SCRIPTS_BYTES = 512 * 1024

APP_LABEL = "training-job"
JOB_LABEL = "aks-rwx-training/training-job"

# DNS-1035 label (a Service name) short enough that `<job>-<index>` stays a DNS label.
JOB_NAME_RE = re.compile(r"[a-z]([-a-z0-9]{0,50}[a-z0-9])?")
# Whole cores or millicores: "8", "500m".
CPU_RE = re.compile(r"[1-9][0-9]{0,5}m?")
# Whole MiB, GiB or TiB, so sizes compare exactly: "64Gi".
MEMORY_RE = re.compile(r"[1-9][0-9]{0,6}(Mi|Gi|Ti)")
MOUNT_PATH_RE = re.compile(r"(/[A-Za-z0-9_][A-Za-z0-9._-]*)+")
ENV_NAME_RE = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
SCRIPT_NAME_RE = re.compile(r"[A-Za-z0-9_][A-Za-z0-9._-]{0,99}")
_UNITS = {"Mi": 2**20, "Gi": 2**30, "Ti": 2**40}


@dataclass(frozen=True)
class TrainingMount:
    """One RWX volume in a training pod.

    Attributes:
        claim_name: The volume's PVC (``RwxVolume.pvc_name``).
        namespace: The PVC's namespace; the Job runs there.
        mount_path: Absolute path in the container.
        read_only: ``True`` for datasets, ``False`` for checkpoints.
        uid, gid: The volume's mount ownership; the pods run as this uid/gid.
    """

    claim_name: str
    namespace: str
    mount_path: str
    read_only: bool
    uid: int
    gid: int


class TrainingJobSettings(Protocol):
    """One entry of the stack's ``trainingJobs``, as stacks/config.py ``TrainingJobConfig``
    declares and validates it (a DNS-1035 name of at most 52 characters, an image pinned by
    digest, a non-empty command, workers 1-64 and GPUs 1-8 that fit the GPU pool, CPU and
    memory quantities with ``shm_size`` below ``memory``, environment names that are not
    reserved, limits in range, a team that exists): the program hands each entry over whole.

    ``command`` is what torchrun starts on every worker: the script and its arguments.
    ``backoff_limit`` counts pod failures; one lost pod usually fails its peers too (their
    collectives break), so a recovery can cost up to ``workers``.
    ``ttl_seconds_after_finished`` ``None`` keeps the finished Job; a number lets Kubernetes
    delete it, which the next ``pulumi up --refresh`` sees as drift and re-creates (the script
    then finds its final checkpoint and exits at once). ``team`` names the team's Kueue
    LocalQueue (components/teams.py), or ``None`` to run outside any queue: with a queue the Job
    is created suspended and labelled ``kueue.x-k8s.io/queue-name``, and Kueue unsuspends it
    once the whole job fits the team's quota, so no pod exists for half a job.
    """

    @property
    def name(self) -> str: ...
    @property
    def image(self) -> str: ...
    @property
    def command(self) -> Sequence[str]: ...
    @property
    def workers(self) -> int: ...
    @property
    def gpus_per_worker(self) -> int: ...
    @property
    def cpu(self) -> str: ...
    @property
    def memory(self) -> str: ...
    @property
    def shm_size(self) -> str: ...
    @property
    def env(self) -> Mapping[str, str]: ...
    @property
    def backoff_limit(self) -> int: ...
    @property
    def active_deadline_seconds(self) -> int: ...
    @property
    def ttl_seconds_after_finished(self) -> int | None: ...
    @property
    def team(self) -> str | None: ...


@dataclass(frozen=True)
class TrainingJobArgs:
    """Inputs of :class:`TrainingJob` and the manifest functions.

    Attributes:
        job: What to run, how wide and for how long (:class:`TrainingJobSettings`).
        mounts: The RWX volumes (at least one; one namespace, one uid/gid).
        scheduling: The GPU pool's toleration and node selector, from the cluster
            (``TrainingCluster.gpu_scheduling``, never retyped); ``None`` there means the
            cluster has no GPU pool, which a training job cannot run without.
        provider: Kubernetes provider of the cluster; required by the component only.
        scripts: File name -> text, mounted read-only at :data:`SCRIPT_DIR`.
    """

    job: TrainingJobSettings
    mounts: Sequence[TrainingMount]
    scheduling: GpuScheduling | None
    provider: k8s.Provider | None = None
    scripts: Mapping[str, str] = field(default_factory=dict)


def memory_bytes(quantity: str) -> int:
    """Bytes of a quantity matching :data:`MEMORY_RE`."""
    return int(quantity[:-2]) * _UNITS[quantity[-2:]]


def validate_training_job_args(args: TrainingJobArgs) -> None:
    """Raise ``ValueError`` naming the offending setting of what the stack config cannot
    know: the cluster's GPU scheduling and the scripts the program ships. Name, image, command,
    mounts, sizes, env and limits come from the validated stack config (stacks/config.py
    ``trainingJobs``), which checks them and how they fit the GPU pool and the volumes."""
    if not isinstance(args.scheduling, GpuScheduling):
        raise ValueError(
            "scheduling must be the cluster's TrainingCluster.gpu_scheduling, which is None "
            f"without a GPU pool; training needs one (got {args.scheduling!r})"
        )
    for script, text in args.scripts.items():
        if not isinstance(script, str) or not SCRIPT_NAME_RE.fullmatch(script):
            raise ValueError(f"scripts names must be file names like 'train.py' (got {script!r})")
        if not isinstance(text, str):
            raise ValueError(f"script {script!r} must be text")
    size = sum(len(text.encode()) for text in args.scripts.values())
    if size > MAX_SCRIPTS_BYTES:
        raise ValueError(
            f"scripts must total at most {MAX_SCRIPTS_BYTES} bytes (a ConfigMap holds 1 MiB; "
            f"got {size}); put larger code in the image"
        )


def _labels(args: TrainingJobArgs) -> dict[str, str]:
    return {**COMMON_LABELS, "app.kubernetes.io/name": APP_LABEL, JOB_LABEL: args.job.name}


def _selector(args: TrainingJobArgs) -> dict[str, str]:
    return {"app.kubernetes.io/name": APP_LABEL, JOB_LABEL: args.job.name}


def namespace_of(args: TrainingJobArgs) -> str:
    return args.mounts[0].namespace


def master_addr(args: TrainingJobArgs) -> str:
    """Pod 0's stable hostname: ``<job>-0.<service>.<namespace>.svc``."""
    return f"{args.job.name}-0.{args.job.name}.{namespace_of(args)}.svc"


def scripts_config_map_name(args: TrainingJobArgs) -> str:
    """``<job>-scripts-<8 hex of the content>``: a changed script is a new ConfigMap, hence a
    changed pod template, hence a new Job; running pods never see a half-updated script."""
    content = json.dumps(dict(args.scripts), sort_keys=True).encode()
    return f"{args.job.name}-scripts-{hashlib.sha256(content).hexdigest()[:8]}"


def torchrun_command(args: TrainingJobArgs) -> list[str]:
    """The container command. ``$(JOB_COMPLETION_INDEX)`` is expanded by the kubelet from the
    variable the Job controller sets on every pod of an Indexed Job."""
    return [
        "torchrun",
        f"--nnodes={args.job.workers}",
        f"--nproc-per-node={args.job.gpus_per_worker}",
        "--node-rank=$(JOB_COMPLETION_INDEX)",
        "--rdzv-backend=static",
        f"--master-addr={master_addr(args)}",
        f"--master-port={RENDEZVOUS_PORT}",
        "--max-restarts=0",
        *args.job.command,
    ]


def _pod_spec(args: TrainingJobArgs) -> dict[str, Any]:
    uid, gid = args.mounts[0].uid, args.mounts[0].gid
    scheduling = cast(GpuScheduling, args.scheduling)  # validated
    volumes: list[dict[str, Any]] = []
    mounts: list[dict[str, Any]] = []
    for index, mount in enumerate(args.mounts):
        claim: dict[str, Any] = {"claimName": mount.claim_name}
        if mount.read_only:
            # On the claim too, so the volume is published read-only, not just bind-mounted so.
            claim["readOnly"] = True
        volumes.append({"name": f"shared-{index}", "persistentVolumeClaim": claim})
        mounts.append(
            {"name": f"shared-{index}", "mountPath": mount.mount_path, "readOnly": mount.read_only}
        )
    volumes += [
        {"name": "shm", "emptyDir": {"medium": "Memory", "sizeLimit": args.job.shm_size}},
        {"name": "tmp", "emptyDir": {}},
    ]
    mounts += [
        {"name": "shm", "mountPath": SHM_PATH},
        {"name": "tmp", "mountPath": TMP_PATH},
    ]
    if args.scripts:
        volumes.append(
            {
                "name": "scripts",
                "configMap": {"name": scripts_config_map_name(args), "defaultMode": 0o444},
            }
        )
        mounts.append({"name": "scripts", "mountPath": SCRIPT_DIR, "readOnly": True})
    env = [{"name": "HOME", "value": TMP_PATH}]
    env += [{"name": name, "value": args.job.env[name]} for name in sorted(args.job.env)]
    resources = {
        "cpu": args.job.cpu,
        "memory": args.job.memory,
        "nvidia.com/gpu": str(args.job.gpus_per_worker),
    }
    return {
        # The Job controller replaces failed pods (podFailurePolicy requires Never).
        "restartPolicy": "Never",
        "subdomain": args.job.name,
        "automountServiceAccountToken": False,  # the trainers never talk to the API server
        # Service links would inject <SERVICE>_PORT variables; one named MASTER_PORT by a
        # Service called "master" would break torch.distributed.
        "enableServiceLinks": False,
        "tolerations": scheduling.tolerations,
        "nodeSelector": scheduling.node_selector,
        # fsGroup: files the trainers create belong to the volumes' group. OnRootMismatch: never
        # a recursive chown of a multi-TiB share on every start (the Azure Files driver skips
        # fsGroup on RWX volumes anyway; the mount's gid option decides there).
        "securityContext": {
            "runAsNonRoot": True,
            "runAsUser": uid,
            "runAsGroup": gid,
            "fsGroup": gid,
            "fsGroupChangePolicy": "OnRootMismatch",
            "seccompProfile": {"type": "RuntimeDefault"},
        },
        "containers": [
            {
                "name": "trainer",
                "image": args.job.image,
                "imagePullPolicy": "IfNotPresent",
                "command": torchrun_command(args),
                "env": env,
                "ports": [{"name": "rendezvous", "containerPort": RENDEZVOUS_PORT}],
                "securityContext": {
                    "allowPrivilegeEscalation": False,
                    "readOnlyRootFilesystem": True,
                    "privileged": False,
                    "runAsNonRoot": True,
                    "capabilities": {"drop": ["ALL"]},
                },
                # Requests = limits: a trainer is never throttled below what it was scheduled
                # for, and extended resources (GPUs) must be equal anyway.
                "resources": {"requests": dict(resources), "limits": dict(resources)},
                "volumeMounts": mounts,
            }
        ],
        "volumes": volumes,
    }


def training_job_manifest(args: TrainingJobArgs) -> dict[str, Any]:
    """The Indexed Job (``batch/v1``) as a plain manifest."""
    validate_training_job_args(args)
    spec: dict[str, Any] = {
        "completionMode": "Indexed",
        "completions": args.job.workers,
        "parallelism": args.job.workers,
        "backoffLimit": args.job.backoff_limit,
        "activeDeadlineSeconds": args.job.active_deadline_seconds,
        "podFailurePolicy": {
            "rules": [
                # Drains, preemptions and evictions are not the trainer's fault.
                {
                    "action": "Ignore",
                    "onPodConditions": [{"type": "DisruptionTarget", "status": "True"}],
                }
            ]
        },
        "template": {"metadata": {"labels": _labels(args)}, "spec": _pod_spec(args)},
    }
    if args.job.ttl_seconds_after_finished is not None:
        spec["ttlSecondsAfterFinished"] = args.job.ttl_seconds_after_finished
    labels = _labels(args)
    if args.job.team is not None:
        # Kueue's batch/job integration: it admits a suspended Job carrying the label.
        spec["suspend"] = True
        labels[QUEUE_NAME_LABEL] = args.job.team
    return {
        "apiVersion": "batch/v1",
        "kind": "Job",
        "metadata": {
            "name": args.job.name,
            "namespace": namespace_of(args),
            "labels": labels,
            # `pulumi up` must not wait hours for the training to finish.
            "annotations": {"pulumi.com/skipAwait": "true"},
        },
        "spec": spec,
    }


def training_service_manifest(args: TrainingJobArgs) -> dict[str, Any]:
    """The headless Service that gives the Job's pods their stable DNS names."""
    validate_training_job_args(args)
    return {
        "apiVersion": "v1",
        "kind": "Service",
        "metadata": {
            "name": args.job.name,
            "namespace": namespace_of(args),
            "labels": _labels(args),
        },
        "spec": {
            "clusterIP": "None",
            "selector": _selector(args),
            # Pods have no readiness probe and peers must resolve pod 0 before anything runs.
            "publishNotReadyAddresses": True,
            "ports": [
                {
                    "name": "rendezvous",
                    "port": RENDEZVOUS_PORT,
                    "targetPort": RENDEZVOUS_PORT,
                    "protocol": "TCP",
                }
            ],
        },
    }


def training_scripts_manifest(args: TrainingJobArgs) -> dict[str, Any] | None:
    """The immutable ConfigMap holding ``args.scripts``, or ``None`` without scripts."""
    validate_training_job_args(args)
    if not args.scripts:
        return None
    return {
        "apiVersion": "v1",
        "kind": "ConfigMap",
        "metadata": {
            "name": scripts_config_map_name(args),
            "namespace": namespace_of(args),
            "labels": _labels(args),
        },
        "immutable": True,
        "data": dict(args.scripts),
    }


class TrainingJob(pulumi.ComponentResource):
    """The training Job, its headless Service and (with scripts) its ConfigMap.

    Outputs (attributes):
        job: The Job (Pulumi name ``<name>-job``); ``job_name`` its ``metadata.name``.
        service: The headless Service (``<name>-service``).
        config_map: The scripts ConfigMap (``<name>-scripts``), or ``None``.
        namespace: Where they run (the mounted volumes' namespace).
        master_addr: Pod 0's stable hostname, torchrun's rendezvous host.
    """

    config_map: k8s.core.v1.ConfigMap | None

    def __init__(
        self,
        name: str,
        args: TrainingJobArgs,
        opts: pulumi.ResourceOptions | None = None,
    ) -> None:
        validate_training_job_args(args)
        if args.provider is None:
            raise ValueError("TrainingJob needs the cluster's Kubernetes provider (provider)")
        super().__init__("aks-rwx-training:training:TrainingJob", name, None, opts)

        self.namespace = namespace_of(args)
        self.job_name = args.job.name
        self.master_addr = master_addr(args)

        self.config_map = None
        scripts = training_scripts_manifest(args)
        if scripts is not None:
            self.config_map = k8s.core.v1.ConfigMap(
                f"{name}-scripts",
                metadata=scripts["metadata"],
                data=scripts["data"],
                immutable=True,
                opts=pulumi.ResourceOptions(parent=self, provider=args.provider),
            )

        service = training_service_manifest(args)
        self.service = k8s.core.v1.Service(
            f"{name}-service",
            metadata=service["metadata"],
            spec=service["spec"],
            opts=pulumi.ResourceOptions(parent=self, provider=args.provider),
        )

        job = training_job_manifest(args)
        self.job = k8s.batch.v1.Job(
            f"{name}-job",
            metadata=job["metadata"],
            spec=job["spec"],
            opts=pulumi.ResourceOptions(
                parent=self,
                provider=args.provider,
                depends_on=[self.service, *([self.config_map] if self.config_map else [])],
                # A Job's pod template is immutable, so a change replaces it. The old Job goes
                # first: the name is fixed (pod 0's hostname is built from it), and two Jobs
                # writing the same checkpoints at once would corrupt the run.
                delete_before_replace=True,
                # Kueue flips suspend when it admits, evicts or requeues the Job; that is not
                # drift to undo.
                ignore_changes=["spec.suspend"] if args.job.team is not None else None,
            ),
        )

        self.register_outputs(
            {"jobName": self.job_name, "namespace": self.namespace, "masterAddr": self.master_addr}
        )
