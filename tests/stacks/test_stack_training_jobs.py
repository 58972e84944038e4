"""`trainingJobs`: a stack with one job (the example of docs/training.md) previews an Indexed
Job, its headless Service, the example script's ConfigMap and the volume mounts; every
Kubernetes object of that preview is valid against the official schema (strict); `infra
preview --violations-only` reports no mandatory violation; bad job config is one exact line.

The repository's stack files declare no job (`trainingJobs` defaults to []), so the schema test
of tests/reliability would not see these objects: this module adds the job to a copy of prod.
"""

from __future__ import annotations

import copy
import re
from pathlib import Path
from typing import Any

import pytest
import yaml
from stack_harness import PROJECT, ROOT, STACKS, config_error, run_stack, unchanged_run

from components.cluster import GPU_SCHEDULING
from components.training_example import IMAGE, SCRIPTS
from infra.engine.model import StackPlan
from tests.conftest import run_infra_here
from tests.reliability._support import copy_project, preview
from tests.reliability.test_kubernetes_schemas import validate_all

JOB = "kubernetes:batch/v1:Job"
SERVICE = "kubernetes:core/v1:Service"
CONFIG_MAP = "kubernetes:core/v1:ConfigMap"
PVC = "kubernetes:core/v1:PersistentVolumeClaim"

# The example of docs/training.md.
EXAMPLE_JOB: dict[str, Any] = {
    "name": "ddp-example",
    "image": IMAGE,
    "command": ["/opt/training/train.py", "--steps", "1000", "--checkpoint-every", "100"],
    "workers": 2,
    "gpusPerWorker": 1,
    "cpu": "16",
    "memory": "128Gi",
    "shmSize": "32Gi",
    "mounts": [
        {"volume": "datasets", "mountPath": "/data", "readOnly": True},
        {"volume": "checkpoints", "mountPath": "/checkpoints", "readOnly": False},
    ],
    "env": {"CHECKPOINT_DIR": "/checkpoints/ddp-example"},
    "exampleScript": True,
    "ttlSecondsAfterFinished": 86400,
    "team": "training",
}


def test_the_documented_example_is_the_one_tested() -> None:
    text = (ROOT / "docs" / "training.md").read_text()
    blocks = [yaml.safe_load(b) for b in re.findall(r"```yaml\n(.*?)```", text, re.DOTALL)]
    (jobs,) = [b for b in blocks if f"{PROJECT}:trainingJobs" in b]
    assert jobs == {f"{PROJECT}:trainingJobs": [EXAMPLE_JOB]}


def with_job(**changes: Any) -> list[dict[str, Any]]:
    return [{**copy.deepcopy(EXAMPLE_JOB), **changes}]


@pytest.fixture(scope="module")
def prod_with_job() -> Any:
    result = run_stack("prod", {"trainingJobs": [EXAMPLE_JOB]})
    result.raise_error()
    return result


def pod_spec(job: Any) -> dict[str, Any]:
    return job.inputs["spec"]["template"]["spec"]


def test_the_stacks_declare_no_job_by_default() -> None:
    for stack in STACKS:
        result = unchanged_run(stack)
        result.raise_error()
        assert result.by_type("aks-rwx-training:training:TrainingJob") == []


def test_a_job_entry_previews_job_service_and_script(prod_with_job: Any) -> None:
    job, service, config_map = (
        prod_with_job.one(JOB),
        prod_with_job.one(SERVICE),
        prod_with_job.one(CONFIG_MAP),
    )
    assert job.inputs["metadata"]["name"] == service.inputs["metadata"]["name"] == "ddp-example"
    assert job.inputs["metadata"]["namespace"] == "training"
    spec = job.inputs["spec"]
    assert spec["completionMode"] == "Indexed"
    assert spec["completions"] == spec["parallelism"] == 2
    assert spec["ttlSecondsAfterFinished"] == 86400
    assert service.inputs["spec"]["clusterIP"] == "None"
    assert pod_spec(job)["subdomain"] == "ddp-example"
    assert config_map.inputs["data"] == SCRIPTS
    (trainer,) = pod_spec(job)["containers"]
    assert trainer["image"] == IMAGE
    assert "--master-addr=ddp-example-0.ddp-example.training.svc" in trainer["command"]
    assert trainer["command"][-len(EXAMPLE_JOB["command"]) :] == EXAMPLE_JOB["command"]


def test_the_mounts_are_the_volumes_claims(prod_with_job: Any) -> None:
    job = prod_with_job.one(JOB)
    pod = pod_spec(job)
    claims = {
        volume["name"]: volume["persistentVolumeClaim"]
        for volume in pod["volumes"]
        if "persistentVolumeClaim" in volume
    }
    assert claims == {
        "shared-0": {"claimName": "datasets", "readOnly": True},
        "shared-1": {"claimName": "checkpoints"},
    }
    (trainer,) = pod["containers"]
    mounts = {mount["mountPath"]: mount for mount in trainer["volumeMounts"]}
    assert mounts["/data"]["readOnly"] is True
    assert mounts["/checkpoints"]["readOnly"] is False
    assert mounts["/opt/training"]["readOnly"] is True
    shm = next(v for v in pod["volumes"] if v["name"] == mounts["/dev/shm"]["name"])
    assert shm == {"name": "shm", "emptyDir": {"medium": "Memory", "sizeLimit": "32Gi"}}
    # The volumes' default uid/gid (1000), and the cluster's GPU pool.
    assert pod["securityContext"]["runAsUser"] == pod["securityContext"]["fsGroup"] == 1000
    assert pod["tolerations"] == GPU_SCHEDULING.tolerations
    assert pod["nodeSelector"] == GPU_SCHEDULING.node_selector
    # Created after the claims (and so after their namespace).
    pvcs = {
        r.urn for r in prod_with_job.by_type(PVC) if r.inputs["metadata"]["namespace"] == "training"
    }
    assert len(pvcs) == 2
    assert pvcs <= set(prod_with_job.one("aks-rwx-training:training:TrainingJob").dependencies)


def project_with(tmp_path: Path, jobs: list[dict[str, Any]]) -> Path:
    """A copy of the project whose prod stack file declares ``jobs``."""
    project = copy_project(tmp_path / "project")
    path = project / "stacks" / "Pulumi.prod.yaml"
    doc = yaml.safe_load(path.read_text())
    doc["config"][f"{PROJECT}:trainingJobs"] = jobs
    path.write_text(yaml.safe_dump(doc))
    return project


@pytest.fixture(scope="module")
def project_with_job(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return project_with(tmp_path_factory.mktemp("training"), [EXAMPLE_JOB])


def test_every_kubernetes_object_is_schema_valid(project_with_job: Path) -> None:
    plan: StackPlan = preview(project_with_job, "prod")
    kinds = validate_all(plan)
    assert {"Job", "Service", "ConfigMap", "PersistentVolumeClaim"} <= kinds


def test_no_mandatory_policy_violation(project_with_job: Path) -> None:
    result = run_infra_here(
        "preview", "-C", str(project_with_job), "-s", "prod", "--violations-only"
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "0 mandatory" in result.stdout, result.stdout


def test_the_image_policy_sees_the_job(tmp_path: Path) -> None:
    image = "ghcr.io/x/trainer@sha256:" + "a" * 64
    project = project_with(tmp_path, with_job(image=image))
    result = run_infra_here("preview", "-C", str(project), "-s", "prod", "--violations-only")
    assert result.returncode == 1, result.stdout + result.stderr
    assert "[mandatory] aks-rwx-training/kubernetes-core-podspec-image-allowed" in result.stdout
    assert f"Job 'ddp-example' container 'trainer' image '{image}'" in result.stdout
    assert "1 mandatory" in result.stdout


# --------------------------------------------------------------------------------------------
# Bad job config: one exact line naming the key, nothing registered

# "training" is prod's team namespace, which the team creates.
OTHER_NAMESPACE_VOLUMES = [
    {
        "name": "datasets",
        "namespace": "training",
        "createNamespace": False,
        "quotaGiB": 2048,
        "throughputMiBps": 800,
    },
    {"name": "checkpoints", "namespace": "research", "quotaGiB": 4096},
]
OTHER_UID_VOLUMES = [
    {
        "name": "datasets",
        "namespace": "training",
        "createNamespace": False,
        "quotaGiB": 2048,
        "throughputMiBps": 800,
    },
    {
        "name": "checkpoints",
        "namespace": "training",
        "createNamespace": False,
        "quotaGiB": 4096,
        "uid": 2000,
    },
]

SYSTEM_PATHS = "/bin, /dev, /etc, /lib, /lib64, /proc, /run, /sbin, /sys, /usr, /var/run"


def mount_over_system(name: str, path: str, system: str) -> tuple[str, dict[str, Any], str]:
    """A case mounting the first volume at ``path``, over or below ``system``."""
    return (
        f"mount-{name}",
        {"trainingJobs": with_job(mounts=[{"volume": "datasets", "mountPath": path}])},
        f"trainingJobs[0].mounts[0].mountPath' must not be {system} or below it: it would hide "
        f"what the container needs there (system paths: {SYSTEM_PATHS}) (got '{path}')",
    )


CASES: list[tuple[str, dict[str, Any], str]] = [
    (
        "not-a-list",
        {"trainingJobs": EXAMPLE_JOB},
        'trainingJobs\' must be a list of training job objects (got {"name":"ddp-example",'
        '"image":"nvcr.io/nvidia/pytorch:23.08-py3@sha256:12a39f...)',
    ),
    (
        "missing-image",
        {"trainingJobs": [{k: v for k, v in EXAMPLE_JOB.items() if k != "image"}]},
        "trainingJobs[0].image' is missing; it is required and must be an image pinned by "
        "digest like 'registry/name:tag@sha256:<64 hex>'",
    ),
    (
        "unpinned-image",
        {"trainingJobs": with_job(image="nvcr.io/nvidia/pytorch:23.08-py3")},
        "trainingJobs[0].image' must be an image pinned by digest like "
        "'registry/name:tag@sha256:<64 hex>' (got 'nvcr.io/nvidia/pytorch:23.08-py3')",
    ),
    (
        "bad-name",
        {"trainingJobs": with_job(name="DDP")},
        "trainingJobs[0].name' must be 1-52 lowercase letters, digits and '-', starting with a "
        "letter and ending with a letter or digit (got 'DDP')",
    ),
    (
        "typo",
        {"trainingJobs": with_job(gpusPerWorkers=2)},
        "trainingJobs[0].gpusPerWorkers' is not a known key; did you mean 'gpusPerWorker'?",
    ),
    (
        "empty-command",
        {"trainingJobs": with_job(command=[])},
        "trainingJobs[0].command' must be a non-empty list of non-empty strings: the script "
        "torchrun starts and its arguments (got [])",
    ),
    (
        "empty-argument",
        {"trainingJobs": with_job(command=["/opt/training/train.py", ""])},
        "trainingJobs[0].command[1]' must be a non-empty string",
    ),
    (
        "too-many-workers",
        {"trainingJobs": with_job(workers=65)},
        "trainingJobs[0].workers' must be an integer between 1 and 64 (got 65)",
    ),
    (
        "gpus-as-text",
        {"trainingJobs": with_job(gpusPerWorker="2")},
        "trainingJobs[0].gpusPerWorker' must be an integer between 1 and 8 (got '2')",
    ),
    (
        "fractional-cpu",
        {"trainingJobs": with_job(cpu="1.5")},
        "trainingJobs[0].cpu' must be whole cores or millicores like '8' or '500m' (got '1.5')",
    ),
    (
        "decimal-memory",
        {"trainingJobs": with_job(memory="128G")},
        "trainingJobs[0].memory' must be a whole number of Mi, Gi or Ti like '64Gi' (got '128G')",
    ),
    (
        "shm-as-big-as-memory",
        {"trainingJobs": with_job(shmSize="128Gi")},
        "trainingJobs[0].shmSize' must be less than memory ('128Gi'): /dev/shm is "
        "memory-backed and counts against it (got '128Gi')",
    ),
    (
        "reserved-env",
        {"trainingJobs": with_job(env={"HOME": "/root"})},
        "trainingJobs[0].env' must not set 'HOME': the Job sets it itself",
    ),
    (
        "bad-env-name",
        {"trainingJobs": with_job(env={"CHECKPOINT-DIR": "/c"})},
        "trainingJobs[0].env' names must be letters, digits and '_', not starting with a digit "
        "(got 'CHECKPOINT-DIR')",
    ),
    (
        "no-mounts",
        {"trainingJobs": with_job(mounts=[])},
        "trainingJobs[0].mounts' must be a non-empty list of mount objects {volume, mountPath, "
        "readOnly} (got [])",
    ),
    (
        "unknown-volume",
        {"trainingJobs": with_job(mounts=[{"volume": "scratch", "mountPath": "/scratch"}])},
        "trainingJobs[0].mounts[0].volume' names no entry of volumes (got 'scratch'); known "
        "volumes: datasets, checkpoints, eval-results",
    ),
    (
        "relative-mount-path",
        {"trainingJobs": with_job(mounts=[{"volume": "datasets", "mountPath": "data"}])},
        "trainingJobs[0].mounts[0].mountPath' must be an absolute path like '/data' (got 'data')",
    ),
    (
        "reserved-mount-path",
        {"trainingJobs": with_job(mounts=[{"volume": "datasets", "mountPath": "/dev/shm"}])},
        "trainingJobs[0].mounts[0].mountPath' must not be one of the pod's own paths "
        "/opt/training, /dev/shm, /tmp (got '/dev/shm')",
    ),
    (
        "mount-under-dev-shm",
        {"trainingJobs": with_job(mounts=[{"volume": "datasets", "mountPath": "/dev/shm/data"}])},
        "trainingJobs[0].mounts[0].mountPath' must not be under /dev/shm, the memory-backed "
        "volume the job's pods get (shmSize) (got '/dev/shm/data')",
    ),
    mount_over_system("over-dev", "/dev", "/dev"),
    mount_over_system("over-proc", "/proc", "/proc"),
    mount_over_system("under-sys", "/sys/fs/data", "/sys"),
    mount_over_system("over-usr", "/usr", "/usr"),
    mount_over_system("under-usr", "/usr/lib/data", "/usr"),
    mount_over_system("over-etc", "/etc", "/etc"),
    mount_over_system("under-var-run", "/var/run/secrets", "/var/run"),
    (
        "same-mount-path-twice",
        {
            "trainingJobs": with_job(
                mounts=[
                    {"volume": "datasets", "mountPath": "/data"},
                    {"volume": "checkpoints", "mountPath": "/data", "readOnly": False},
                ]
            )
        },
        "trainingJobs[0].mounts[1].mountPath' duplicates trainingJobs[0].mounts[0].mountPath "
        "('/data')",
    ),
    (
        "volumes-in-two-namespaces",
        {"volumes": OTHER_NAMESPACE_VOLUMES, "trainingJobs": [EXAMPLE_JOB]},
        "trainingJobs[0].mounts[1].volume' is in namespace 'research' but "
        "trainingJobs[0].mounts[0] is in 'training'; a job's volumes must share one namespace "
        "(its pods run there)",
    ),
    (
        "volumes-with-two-owners",
        {"volumes": OTHER_UID_VOLUMES, "trainingJobs": [EXAMPLE_JOB]},
        "trainingJobs[0].mounts[1].volume' mounts as uid/gid 2000/1000 but "
        "trainingJobs[0].mounts[0] as 1000/1000; a job's pods run as one user, so its volumes "
        "must share uid and gid",
    ),
    (
        "duplicate-names",
        {"trainingJobs": [EXAMPLE_JOB, EXAMPLE_JOB]},
        "trainingJobs[1].name' duplicates trainingJobs[0].name ('ddp-example'); job names must "
        "be unique",
    ),
    (
        "no-gpu-pool",
        # Without prod's teams, which need the pool too.
        {"gpuPool": {"enabled": False}, "teams": {"members": []}, "trainingJobs": [EXAMPLE_JOB]},
        "trainingJobs' needs the GPU pool: its pods tolerate the pool's taint and select its "
        "nodes, so they would never be scheduled; set gpuPool.enabled: true or remove the jobs",
    ),
    (
        "more-gpus-per-pod-than-the-vm-has",
        {"trainingJobs": with_job(gpusPerWorker=2)},
        "trainingJobs[0].gpusPerWorker' asks for 2 GPUs per pod but a Standard_NC24ads_A100_v4 "
        "node has 1; the pods would never be scheduled: lower it or choose a larger "
        "gpuPool.vmSize",
    ),
    (
        "more-workers-than-the-pool-holds",
        {"trainingJobs": with_job(workers=9)},
        "trainingJobs[0].workers' is 9 but the GPU pool holds at most 8 such pods "
        "(gpuPool.maxCount 8 x 1 per Standard_NC24ads_A100_v4 node); the rest would stay "
        "Pending: lower it or raise gpuPool.maxCount",
    ),
    (
        "pods-per-node-count-against-the-pool",
        {
            "gpuPool": {"enabled": True, "vmSize": "Standard_NC96ads_A100_v4", "maxCount": 2},
            "trainingJobs": with_job(workers=5, gpusPerWorker=3),
        },
        "trainingJobs[0].workers' is 5 but the GPU pool holds at most 2 such pods "
        "(gpuPool.maxCount 2 x 1 per Standard_NC96ads_A100_v4 node); the rest would stay "
        "Pending: lower it or raise gpuPool.maxCount",
    ),
    (
        "an-image-the-gpu-nodes-cannot-hold",
        {"trainingJobs": with_job(imageGiB=40)},
        "trainingJobs[0].imageGiB' is 40: 1 such image(s) per node, unpacked and compressed, "
        "need 80 GiB but a Standard_NC24ads_A100_v4 node's 128 GiB OS disk leaves 68 GiB for "
        "images (components/node_disks.py); use a smaller image",
    ),
    (
        "gpu-pool-on-a-size-without-gpu",
        {"gpuPool": {"enabled": True, "vmSize": "Standard_D8ds_v5"}},
        "gpuPool.vmSize' 'Standard_D8ds_v5' has no GPU (azure_facts/vm_sizes.py VM_SIZES, read "
        "2026-12-06); use one of (case-insensitive): standard_nc24ads_a100_v4 (1 GPU), "
        "standard_nc48ads_a100_v4 (2 GPU), standard_nc96ads_a100_v4 (4 GPU), "
        "standard_nc40ads_h100_v5 (1 GPU)",
    ),
    (
        "gpu-pool-on-an-unknown-size",
        {"gpuPool": {"enabled": True, "vmSize": "Standard_ND96asr_v4"}},
        "gpuPool.vmSize' 'Standard_ND96asr_v4' is not a GPU size this repository knows "
        "(azure_facts/vm_sizes.py VM_SIZES, read 2026-12-06); use one of (case-insensitive): "
        "standard_nc24ads_a100_v4 (1 GPU), standard_nc48ads_a100_v4 (2 GPU), "
        "standard_nc96ads_a100_v4 (4 GPU), standard_nc40ads_h100_v5 (1 GPU)",
    ),
    (
        "cpu-beyond-any-vm",
        {"trainingJobs": with_job(cpu="999999")},
        "trainingJobs[0].cpu' asks for '999999' CPU per pod but a Standard_NC24ads_A100_v4 node "
        "has 24 vCPUs (azure_facts/vm_sizes.py VM_SIZES); the pods would never be scheduled: "
        "lower it or choose a larger gpuPool.vmSize",
    ),
    (
        "millicores-beyond-the-vm",
        {"trainingJobs": with_job(cpu="24001m")},
        "trainingJobs[0].cpu' asks for '24001m' CPU per pod but a Standard_NC24ads_A100_v4 node "
        "has 24 vCPUs (azure_facts/vm_sizes.py VM_SIZES); the pods would never be scheduled: "
        "lower it or choose a larger gpuPool.vmSize",
    ),
    (
        "memory-beyond-the-vm",
        {"trainingJobs": with_job(memory="221Gi")},
        "trainingJobs[0].memory' asks for '221Gi' per pod but a Standard_NC24ads_A100_v4 node "
        "has 220 GiB (azure_facts/vm_sizes.py VM_SIZES); the pods would never be scheduled: "
        "lower it or choose a larger gpuPool.vmSize",
    ),
    (
        "memory-beyond-any-vm",
        {
            "gpuPool": {"enabled": True, "vmSize": "Standard_NC96ads_A100_v4"},
            "trainingJobs": with_job(memory="9999999Ti"),
        },
        "trainingJobs[0].memory' asks for '9999999Ti' per pod but a Standard_NC96ads_A100_v4 "
        "node has 880 GiB (azure_facts/vm_sizes.py VM_SIZES); the pods would never be "
        "scheduled: lower it or choose a larger gpuPool.vmSize",
    ),
    (
        "negative-backoff",
        {"trainingJobs": with_job(backoffLimit=-1)},
        "trainingJobs[0].backoffLimit' must be an integer between 0 and 100 (got -1)",
    ),
    (
        "short-deadline",
        {"trainingJobs": with_job(activeDeadlineSeconds=30)},
        "trainingJobs[0].activeDeadlineSeconds' must be an integer between 60 and 2592000 (got 30)",
    ),
    (
        "negative-ttl",
        {"trainingJobs": with_job(ttlSecondsAfterFinished=-1)},
        "trainingJobs[0].ttlSecondsAfterFinished' must be null (keep the finished Job) or an "
        "integer between 0 and 2592000 (got -1)",
    ),
]


@pytest.mark.parametrize(
    ("overrides", "expected"), [case[1:] for case in CASES], ids=[case[0] for case in CASES]
)
def test_bad_job_config_is_one_exact_line_and_registers_nothing(
    overrides: dict[str, Any], expected: str
) -> None:
    message = config_error("prod", overrides)
    assert message == f"stacks/Pulumi.prod.yaml: config key '{PROJECT}:{expected}"


def test_ttl_may_be_null_and_the_defaults_apply() -> None:
    job = {
        k: v for k, v in EXAMPLE_JOB.items() if k in ("name", "image", "command", "mounts", "team")
    }
    result = run_stack("prod", {"trainingJobs": [{**job, "ttlSecondsAfterFinished": None}]})
    result.raise_error()
    spec = result.one(JOB).inputs["spec"]
    assert "ttlSecondsAfterFinished" not in spec
    assert spec["parallelism"] == 2
    assert spec["backoffLimit"] == 4
    assert spec["activeDeadlineSeconds"] == 86400
    assert result.by_type(CONFIG_MAP) == []  # no exampleScript
