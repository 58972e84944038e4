"""`infra preview` shows what a reviewer looks for: the node pools (VM size, node count range,
GPUs per node and at most), the images the workloads run (with their digest), and what each
Job mounts. The expected lines are derived from the stack files and the components' pinned
images, never copied from the output."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
import yaml

from azure_facts.vm_sizes import vm_size
from components.gpu import DEVICE_PLUGIN_IMAGE
from components.gpu_metrics import DCGM_EXPORTER_IMAGE
from infra.engine.model import Resource, StackPlan
from infra.readers.review import GpuTable, review_facts
from infra.render.color import YELLOW, Paint
from infra.render.review import review_text
from tests.conftest import REPO_ROOT
from tests.reliability._support import (
    PROJECT,
    copy_project,
    project_defaults,
    stack_file_config,
)


def _example_job() -> dict[str, Any]:
    """docs/training.md's example `trainingJobs` entry (tests/stacks previews it too)."""
    text = (REPO_ROOT / "docs" / "training.md").read_text()
    blocks = [yaml.safe_load(b) for b in re.findall(r"```yaml\n(.*?)```", text, re.DOTALL)]
    (jobs,) = [b[f"{PROJECT}:trainingJobs"] for b in blocks if f"{PROJECT}:trainingJobs" in b]
    (job,) = jobs
    return dict(job)


EXAMPLE_JOB = _example_job()


def _config(stack: str) -> dict[str, Any]:
    """The stack's settings: Pulumi.yaml's defaults, then its stack file (unqualified keys)."""
    own = {key.split(":", 1)[1]: value for key, value in stack_file_config(stack).items()}
    return project_defaults() | own


def _block(text: str, heading: str) -> list[str]:
    """The lines under `heading:` up to the blank line, runs of spaces made one column gap."""
    body = text.split(f"\n{heading}:\n", 1)[1].split("\n\n", 1)[0]
    return [re.sub(r" {2,}", "  ", line.strip()) for line in body.splitlines()]


def _expected_pools(stack: str) -> list[str]:
    config = _config(stack)
    system = config["systemVmSize"]
    count = config["systemNodeCount"]
    lines = [f"system  System  {system}  {count} node{'s' * (count != 1)}  no GPU"]
    pool = config.get("gpuPool") or {}
    if pool.get("enabled"):
        size = vm_size(pool["vmSize"])
        assert size is not None and size.gpus > 0
        most = size.gpus * pool["maxCount"]
        lines.append(
            f"gpu  User  {pool['vmSize']}  {pool['minCount']} to {pool['maxCount']} nodes "
            f"(autoscaling)  {size.gpus} GPU per node, up to {most} GPU{'s' * (most != 1)}"
        )
    return lines


@pytest.fixture(scope="module")
def prod_text() -> str:
    from tests.conftest import run_infra_here

    result = run_infra_here("preview", "-s", "prod", "--no-policy")
    assert result.returncode == 0, result.stderr
    return result.stdout


def test_the_text_preview_lists_each_node_pool_with_its_size_range_and_gpus(prod_text) -> None:
    assert _block(prod_text, "Node pools") == _expected_pools("prod")


def test_the_text_preview_lists_every_image_with_its_digest(prod_text) -> None:
    images = _block(prod_text, "Images")
    assert f"DaemonSet kube-system/dcgm-exporter  {DCGM_EXPORTER_IMAGE}" in images
    assert f"DaemonSet kube-system/nvidia-device-plugin-daemonset  {DEVICE_PLUGIN_IMAGE}" in images
    # Helm's images are the chart's: the release names its chart and version instead.
    (kueue,) = [line for line in images if line.startswith("HelmRelease ")]
    assert kueue.startswith("HelmRelease kueue-system/kueue  chart oci://")
    assert kueue.endswith("(its images are the chart's)")
    # prod declares no training Job: no Jobs section.
    assert "\nJobs:\n" not in prod_text


@pytest.mark.parametrize("stack", ["dev", "staging"])
def test_every_stack_shows_its_own_pools(infra, stack: str) -> None:
    result = infra("preview", "-s", stack, "--no-policy")
    assert result.returncode == 0, result.stderr
    assert _block(result.stdout, "Node pools") == _expected_pools(stack)


def test_json_and_markdown_carry_the_same_facts(infra) -> None:
    config = _config("prod")
    pool = config["gpuPool"]
    gpus = vm_size(pool["vmSize"]).gpus  # type: ignore[union-attr]
    document = json.loads(infra("preview", "-s", "prod", "--no-policy", "--json").stdout)
    assert document["version"] == 1
    (stack,) = document["stacks"]
    assert stack["review"]["nodePools"][1] == {
        "name": "gpu",
        "mode": "User",
        "vmSize": pool["vmSize"],
        "minCount": pool["minCount"],
        "maxCount": pool["maxCount"],
        "autoscaling": True,
        "gpusPerNode": gpus,
        "maxGpus": gpus * pool["maxCount"],
    }
    digests = {i["image"]: i["digest"] for i in stack["review"]["images"]}
    assert digests[DEVICE_PLUGIN_IMAGE] == DEVICE_PLUGIN_IMAGE.split("@", 1)[1]
    markdown = infra("preview", "-s", "prod", "--no-policy", "--markdown").stdout
    assert (
        f"| `gpu` | User | `{pool['vmSize']}` | {pool['minCount']} to {pool['maxCount']} nodes "
        f"(autoscaling) | {gpus} GPU per node, up to {gpus * pool['maxCount']} GPUs |"
    ) in markdown
    assert f"| DaemonSet kube-system/dcgm-exporter | `{DCGM_EXPORTER_IMAGE}` |" in markdown


def test_a_training_job_shows_each_claim_it_mounts_and_how(infra, tmp_path: Path) -> None:
    """prod with docs/training.md's example job: the claims are the volumes' (a volume's claim
    takes its name), read-only as the entry says."""
    project = copy_project(tmp_path / "project")
    stack_file = project / "stacks" / "Pulumi.prod.yaml"
    document = yaml.safe_load(stack_file.read_text())
    document["config"][f"{PROJECT}:trainingJobs"] = [EXAMPLE_JOB]
    stack_file.write_text(yaml.safe_dump(document))
    result = infra("preview", "-s", "prod", "--no-policy", cwd=project)
    assert result.returncode == 0, result.stderr
    gpus = EXAMPLE_JOB["gpusPerWorker"]
    mounts = [
        f"{m['volume']} → {m['mountPath']} {'read-only' if m['readOnly'] else 'read-write'}"
        for m in EXAMPLE_JOB["mounts"]
    ]
    team = EXAMPLE_JOB["team"]
    assert _block(result.stdout, "Jobs") == [
        f"{team}/{EXAMPLE_JOB['name']}  {EXAMPLE_JOB['workers']} pods, {gpus} GPU"
        f"{'s' * (gpus != 1)} each",
        *mounts,
    ]
    assert f"Job {team}/{EXAMPLE_JOB['name']}  {EXAMPLE_JOB['image']}" in _block(
        result.stdout, "Images"
    )


def _resource(type_: str, name: str, **inputs: Any) -> Resource:
    return Resource(f"urn:pulumi:s::p::{type_}::{name}", type_, name, True, None, None, inputs)


def test_what_the_plan_leaves_open_is_said_and_painted() -> None:
    """A VM size the table lacks, an image without a digest, a claim the volume makes
    read-only though the mount does not, a pool that does not autoscale."""
    pool = _resource(
        "azure-native:containerservice:AgentPool",
        "big",
        agentPoolName="big",
        vmSize="Standard_Made_Up",
        count=2,
    )
    spec = {
        "containers": [
            {"name": "a", "image": "repo/a:1", "volumeMounts": [{"name": "d", "mountPath": "/d"}]}
        ],
        "volumes": [
            {"name": "d", "persistentVolumeClaim": {"claimName": "data", "readOnly": True}}
        ],
    }
    job = _resource(
        "kubernetes:batch/v1:Job",
        "j",
        metadata={"namespace": "ns", "name": "j"},
        spec={"template": {"spec": spec}},
    )
    table = GpuTable(lambda name: None, "the test's table")
    facts = review_facts(StackPlan("p", "s", [pool, job], {}), table)
    painted = review_text(facts, Paint(True))
    assert painted[:2] == [
        "Node pools:",
        f"{YELLOW}    big  User  Standard_Made_Up  2 nodes  GPUs unknown: Standard_Made_Up is not "
        "in the test's table\033[0m",
    ]
    plain = review_text(facts, Paint(False))
    assert plain[3:5] == ["Images:", "    Job ns/j  repo/a:1  (no digest: the tag can move)"]
    assert plain[6:] == ["Jobs:", "    ns/j  1 pod", "        data → /d read-only", ""]


def test_names_a_pull_request_controls_stay_inert() -> None:
    """A Job's namespace, claim and image are the PR's to write: no terminal escape reaches
    the terminal, no HTML or cell break reaches the Markdown."""
    from infra.render.review import review_markdown

    hostile = "x\033[31m</details>|@team"
    spec = {
        "containers": [
            {"name": "a", "image": hostile, "volumeMounts": [{"name": "d", "mountPath": hostile}]}
        ],
        "volumes": [{"name": "d", "persistentVolumeClaim": {"claimName": hostile}}],
    }
    job = _resource(
        "kubernetes:batch/v1:Job",
        "j",
        metadata={"namespace": hostile, "name": "j"},
        spec={"template": {"spec": spec}},
    )
    facts = review_facts(StackPlan("p", "s", [job], {}), GpuTable(lambda name: None, "t"))
    text = "\n".join(review_text(facts, Paint(False)))
    assert "\033" not in text and "\\x1b[31m" in text
    markdown = "\n".join(review_markdown(facts))
    assert "\033" not in markdown
    (row,) = [line for line in markdown.splitlines() if line.startswith("| `x")]
    # Three cells (the Job, its pods, its mounts); HTML only inside a code span, where
    # GitHub shows it as typed.
    assert row.count(" | ") == 2
    assert "</details>" not in row.split("` | ", 1)[1]
