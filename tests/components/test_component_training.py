"""TrainingJob: the Indexed Job, its headless Service and scripts ConfigMap, under the Pulumi
mocks and as pure manifests; torchrun's arguments; mounts; hardening; GPU scheduling equal to
the cluster's pool; every object valid against the Kubernetes schema; exact validation errors.
"""

from __future__ import annotations

import dataclasses
import re
from typing import Any

import kubernetes_validate
import pulumi
import pulumi_kubernetes as k8s
import pytest
from component_harness import RunResult, cluster_network, cluster_settings, gpu_pool, run_pulumi

from components.cluster import (
    GPU_LABELS,
    GPU_SCHEDULING,
    TrainingCluster,
    TrainingClusterArgs,
)
from components.training import (
    JOB_LABEL,
    RENDEZVOUS_PORT,
    SCRIPT_DIR,
    TrainingJob,
    TrainingJobArgs,
    TrainingMount,
    master_addr,
    scripts_config_map_name,
    training_job_manifest,
    training_scripts_manifest,
    training_service_manifest,
    validate_training_job_args,
)
from components.training_example import IMAGE, SCRIPTS
from stacks.config import TrainingJobConfig

COMPONENT = "aks-rwx-training:training:TrainingJob"
JOB = "kubernetes:batch/v1:Job"
SERVICE = "kubernetes:core/v1:Service"
CONFIG_MAP = "kubernetes:core/v1:ConfigMap"
K8S_VERSION = "1.36.0"
SUBNET_ID = (
    "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg-net/providers/"
    "Microsoft.Network/virtualNetworks/vnet/subnets/snet"
)

DATASETS = TrainingMount(
    claim_name="datasets",
    namespace="training",
    mount_path="/data",
    read_only=True,
    uid=1000,
    gid=2000,
)
CHECKPOINTS = dataclasses.replace(
    DATASETS, claim_name="checkpoints", mount_path="/checkpoints", read_only=False
)


def job_args(**overrides: Any) -> TrainingJobArgs:
    """The args with ``overrides`` by field name; a field of a ``trainingJobs`` entry
    (stacks/config.py ``TrainingJobConfig``, its defaults declared there) goes to ``job``."""
    settings = {k: overrides.pop(k) for k in list(overrides) if k in TrainingJobConfig.model_fields}
    job = TrainingJobConfig.model_validate(
        {
            "name": "ddp",
            "image": IMAGE,
            "command": [f"{SCRIPT_DIR}/train.py", "--steps", "500"],
            "mounts": [
                {"volume": "datasets", "mountPath": "/data"},
                {"volume": "checkpoints", "mountPath": "/checkpoints", "readOnly": False},
            ],
            "workers": 4,
            "gpusPerWorker": 2,
            "cpu": "16",
            "memory": "64Gi",
            "shmSize": "16Gi",
            "env": {"CHECKPOINT_DIR": "/checkpoints/ddp"},
            "backoffLimit": 8,
            "activeDeadlineSeconds": 7200,
            "ttlSecondsAfterFinished": 600,
        }
    )
    args = TrainingJobArgs(
        job=job.model_copy(update=settings),
        mounts=[DATASETS, CHECKPOINTS],
        scheduling=GPU_SCHEDULING,
    )
    return dataclasses.replace(args, **overrides)


def pod_spec(manifest: dict[str, Any]) -> dict[str, Any]:
    return manifest["spec"]["template"]["spec"]


def container(manifest: dict[str, Any]) -> dict[str, Any]:
    (only,) = pod_spec(manifest)["containers"]
    return only


def deploy(**overrides: Any) -> RunResult:
    def program() -> TrainingJob:
        provider = k8s.Provider("k8s", kubeconfig=pulumi.Output.secret("apiVersion: v1"))
        return TrainingJob("training-ddp", job_args(provider=provider, **overrides))

    result = run_pulumi(program)
    result.raise_error()
    return result


# --- the component under mocks ----------------------------------------------------------------


def test_component_registers_job_service_and_config_map_as_children() -> None:
    result = deploy(scripts=SCRIPTS)
    component = result.one(COMPONENT)
    provider = result.one("pulumi:providers:kubernetes").urn
    job, service, config_map = result.one(JOB), result.one(SERVICE), result.one(CONFIG_MAP)
    assert (job.name, service.name, config_map.name) == (
        "training-ddp-job",
        "training-ddp-service",
        "training-ddp-scripts",
    )
    for child in (job, service, config_map):
        assert child.parent == component.urn
        assert child.provider.startswith(provider + "::")
    args = job_args(scripts=SCRIPTS)
    # The engine sees exactly the pure manifests (numbers come back as floats from the wire).
    expected_job = training_job_manifest(args)
    assert job.inputs["metadata"] == expected_job["metadata"]
    assert job.inputs["spec"] == expected_job["spec"]
    assert service.inputs["spec"] == training_service_manifest(args)["spec"]
    expected_map = training_scripts_manifest(args)
    assert expected_map is not None
    assert config_map.inputs["data"] == expected_map["data"] == SCRIPTS
    assert config_map.inputs["immutable"] is True
    # The Job waits for what its pods need, and a replacement never runs two trainers at once.
    assert set(job.dependencies) >= {service.urn, config_map.urn}
    assert job.delete_before_replace
    trainer: TrainingJob = result.value
    assert trainer.job_name == "ddp"
    assert trainer.namespace == "training"
    assert trainer.master_addr == "ddp-0.ddp.training.svc"


def test_without_scripts_there_is_no_config_map() -> None:
    result = deploy()
    assert result.by_type(CONFIG_MAP) == []
    assert result.value.config_map is None
    assert training_scripts_manifest(job_args()) is None
    assert "scripts" not in {
        v["name"] for v in pod_spec(training_job_manifest(job_args()))["volumes"]
    }


def test_component_needs_a_provider() -> None:
    result = run_pulumi(lambda: TrainingJob("t", job_args()))
    assert isinstance(result.error, ValueError)
    assert str(result.error) == "TrainingJob needs the cluster's Kubernetes provider (provider)"


# --- the Job ----------------------------------------------------------------------------------


def test_indexed_job_shape_and_limits() -> None:
    manifest = training_job_manifest(job_args())
    assert (manifest["apiVersion"], manifest["kind"]) == ("batch/v1", "Job")
    assert manifest["metadata"]["name"] == "ddp"
    assert manifest["metadata"]["namespace"] == "training"
    # pulumi up must not block until the training ends.
    assert manifest["metadata"]["annotations"] == {"pulumi.com/skipAwait": "true"}
    spec = manifest["spec"]
    assert spec["completionMode"] == "Indexed"
    assert spec["completions"] == spec["parallelism"] == 4
    assert spec["backoffLimit"] == 8
    assert spec["activeDeadlineSeconds"] == 7200
    assert spec["ttlSecondsAfterFinished"] == 600
    assert spec["podFailurePolicy"] == {
        "rules": [
            {
                "action": "Ignore",
                "onPodConditions": [{"type": "DisruptionTarget", "status": "True"}],
            }
        ]
    }
    pod = pod_spec(manifest)
    assert pod["restartPolicy"] == "Never"  # required by podFailurePolicy
    assert pod["subdomain"] == "ddp"  # the headless Service: stable pod hostnames
    assert pod["enableServiceLinks"] is False
    assert (
        "ttlSecondsAfterFinished"
        not in training_job_manifest(job_args(ttl_seconds_after_finished=None))["spec"]
    )


def test_torchrun_static_rendezvous_at_pod_zero() -> None:
    command = container(training_job_manifest(job_args()))["command"]
    assert command == [
        "torchrun",
        "--nnodes=4",
        "--nproc-per-node=2",
        # Expanded by the kubelet from the variable the Job controller sets on each pod.
        "--node-rank=$(JOB_COMPLETION_INDEX)",
        "--rdzv-backend=static",
        "--master-addr=ddp-0.ddp.training.svc",
        f"--master-port={RENDEZVOUS_PORT}",
        "--max-restarts=0",
        "/opt/training/train.py",
        "--steps",
        "500",
    ]
    assert master_addr(job_args()) == "ddp-0.ddp.training.svc"


def test_mounts_read_only_and_read_write_with_memory_shm() -> None:
    manifest = training_job_manifest(job_args())
    pod = pod_spec(manifest)
    assert pod["volumes"] == [
        {
            "name": "shared-0",
            "persistentVolumeClaim": {"claimName": "datasets", "readOnly": True},
        },
        {"name": "shared-1", "persistentVolumeClaim": {"claimName": "checkpoints"}},
        {"name": "shm", "emptyDir": {"medium": "Memory", "sizeLimit": "16Gi"}},
        {"name": "tmp", "emptyDir": {}},
    ]
    assert container(manifest)["volumeMounts"] == [
        {"name": "shared-0", "mountPath": "/data", "readOnly": True},
        {"name": "shared-1", "mountPath": "/checkpoints", "readOnly": False},
        {"name": "shm", "mountPath": "/dev/shm"},
        {"name": "tmp", "mountPath": "/tmp"},
    ]


def test_scripts_are_mounted_read_only_from_a_content_named_config_map() -> None:
    args = job_args(scripts=SCRIPTS)
    manifest = training_job_manifest(args)
    name = scripts_config_map_name(args)
    assert re.fullmatch(r"ddp-scripts-[0-9a-f]{8}", name)
    assert pod_spec(manifest)["volumes"][-1] == {
        "name": "scripts",
        "configMap": {"name": name, "defaultMode": 0o444},
    }
    assert container(manifest)["volumeMounts"][-1] == {
        "name": "scripts",
        "mountPath": SCRIPT_DIR,
        "readOnly": True,
    }
    config_map = training_scripts_manifest(args)
    assert config_map is not None
    assert config_map["metadata"]["name"] == name
    assert config_map["immutable"] is True
    # A changed script is another ConfigMap, so another pod template: a new Job.
    changed = job_args(scripts={**SCRIPTS, "train.py": "print('v2')\n"})
    assert scripts_config_map_name(changed) != name


def test_environment_resources_and_image() -> None:
    trainer = container(training_job_manifest(job_args()))
    assert trainer["image"] == IMAGE
    assert trainer["env"] == [
        {"name": "HOME", "value": "/tmp"},  # the root filesystem is read-only
        {"name": "CHECKPOINT_DIR", "value": "/checkpoints/ddp"},
    ]
    wanted = {"cpu": "16", "memory": "64Gi", "nvidia.com/gpu": "2"}
    assert trainer["resources"] == {"requests": wanted, "limits": wanted}


def test_pod_is_hardened_and_runs_as_the_volumes_owner() -> None:
    pod = pod_spec(training_job_manifest(job_args()))
    assert pod["securityContext"] == {
        "runAsNonRoot": True,
        "runAsUser": 1000,
        "runAsGroup": 2000,
        "fsGroup": 2000,
        "fsGroupChangePolicy": "OnRootMismatch",
        "seccompProfile": {"type": "RuntimeDefault"},
    }
    assert pod["automountServiceAccountToken"] is False
    assert container(training_job_manifest(job_args()))["securityContext"] == {
        "allowPrivilegeEscalation": False,
        "readOnlyRootFilesystem": True,
        "privileged": False,
        "runAsNonRoot": True,
        "capabilities": {"drop": ["ALL"]},
    }
    for volume in pod["volumes"]:
        assert "hostPath" not in volume


def test_gpu_scheduling_is_the_cluster_gpu_pool() -> None:
    """The toleration matches the taint and the selector the labels the cluster puts on its
    GPU pool, as registered by TrainingCluster itself, and come from the cluster's own
    description of the pool (not retyped)."""

    def program() -> TrainingCluster:
        return TrainingCluster(
            "c",
            TrainingClusterArgs(
                resource_group_name="rg",
                location="westeurope",
                node_subnet_id=SUBNET_ID,
                cluster=cluster_settings(
                    gpu_pool=gpu_pool(), entra_id=False, disable_local_accounts=False
                ),
                network=cluster_network(),
            ),
        )

    result = run_pulumi(program)
    result.raise_error()
    agent_pool = result.one("azure-native:containerservice:AgentPool").inputs
    (taint,) = agent_pool["nodeTaints"]
    scheduling = result.value.gpu_scheduling
    pod = pod_spec(training_job_manifest(job_args(scheduling=scheduling)))
    (toleration,) = pod["tolerations"]
    key, _, rest = taint.partition("=")
    value, _, effect = rest.partition(":")
    assert toleration == {"key": key, "operator": "Equal", "value": value, "effect": effect}
    assert pod["nodeSelector"] == agent_pool["nodeLabels"] == dict(GPU_LABELS)
    assert pod["tolerations"] == scheduling.tolerations


# --- the Service ------------------------------------------------------------------------------


def test_headless_service_selects_the_job_pods() -> None:
    manifest = training_service_manifest(job_args())
    assert (manifest["apiVersion"], manifest["kind"]) == ("v1", "Service")
    assert manifest["metadata"]["name"] == "ddp"
    assert manifest["metadata"]["namespace"] == "training"
    spec = manifest["spec"]
    assert spec["clusterIP"] == "None"
    assert spec["publishNotReadyAddresses"] is True
    assert spec["ports"] == [
        {"name": "rendezvous", "port": 29500, "targetPort": 29500, "protocol": "TCP"}
    ]
    pod_labels = training_job_manifest(job_args())["spec"]["template"]["metadata"]["labels"]
    assert spec["selector"].items() <= pod_labels.items()
    assert spec["selector"][JOB_LABEL] == "ddp"
    # Another job's pods are not selected.
    other = training_job_manifest(job_args(name="other"))["spec"]["template"]["metadata"]
    assert not spec["selector"].items() <= other["labels"].items()


# --- schema -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "manifest",
    [
        pytest.param(training_job_manifest(job_args()), id="job"),
        pytest.param(training_job_manifest(job_args(scripts=SCRIPTS)), id="job-scripts"),
        pytest.param(
            training_job_manifest(
                job_args(workers=1, gpus_per_worker=1, ttl_seconds_after_finished=None)
            ),
            id="job-minimal",
        ),
        pytest.param(training_service_manifest(job_args()), id="service"),
        pytest.param(training_scripts_manifest(job_args(scripts=SCRIPTS)), id="config-map"),
    ],
)
def test_manifest_validates_against_the_kubernetes_schema(manifest: dict[str, Any]) -> None:
    kubernetes_validate.validate(manifest, K8S_VERSION, strict=True)


def test_pod_hostnames_stay_dns_labels_with_the_longest_name() -> None:
    name = "j" + "x" * 51
    args = job_args(name=name, workers=64)
    validate_training_job_args(args)
    assert len(f"{name}-{args.job.workers - 1}") <= 63


# --- validation -------------------------------------------------------------------------------

OTHER_NAMESPACE = dataclasses.replace(CHECKPOINTS, namespace="other")
OTHER_UID = dataclasses.replace(CHECKPOINTS, uid=1001)


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        (
            {"scheduling": None},
            "scheduling must be the cluster's TrainingCluster.gpu_scheduling, which is None "
            "without a GPU pool; training needs one (got None)",
        ),
        (
            {"scripts": {"../train.py": "x"}},
            "scripts names must be file names like 'train.py' (got '../train.py')",
        ),
        (
            {"scripts": {"big.py": "#" * (512 * 1024 + 1)}},
            "scripts must total at most 524288 bytes (a ConfigMap holds 1 MiB; got 524289); "
            "put larger code in the image",
        ),
    ],
)
def test_bad_args_are_rejected(overrides: dict[str, Any], message: str) -> None:
    with pytest.raises(ValueError) as error:
        validate_training_job_args(job_args(**overrides))
    assert str(error.value) == message
