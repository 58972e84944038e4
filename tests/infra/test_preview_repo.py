"""`infra preview` on this repository: what a platform engineer reads before a merge."""

from __future__ import annotations

import json
import re
import shutil

import pytest

from infra.engine.project import load_project, load_stack_config
from tests.conftest import REPO_ROOT, STACKS, forked_plans
from tests.reliability._support import copy_project, real_plan


@pytest.fixture(scope="module")
def preview_json():
    from tests.conftest import run_infra_here

    result = run_infra_here("preview", "--json", cwd=REPO_ROOT)
    assert result.returncode == 0, result.stderr
    return {s["stack"]: s for s in json.loads(result.stdout)["stacks"]}


def test_every_stack_in_deploy_order_with_a_summary(infra):
    result = infra("preview")
    assert result.returncode == 0, result.stderr
    headers = [line for line in result.stdout.splitlines() if line.startswith("Stack ")]
    assert headers == [f"Stack aks-rwx-training/{s}" for s in STACKS]
    summaries = [line for line in result.stdout.splitlines() if "Summary:" in line]
    assert len(summaries) == len(STACKS)
    assert all(line.endswith("0 mandatory, 0 advisory policy violations") for line in summaries)
    assert re.search(r"^    kubeconfig *: \[secret\]$", result.stdout, re.MULTILINE)


def test_json_outputs_per_stack(preview_json):
    project = load_project(REPO_ROOT)
    for stack in STACKS:
        outputs = preview_json[stack]["outputs"]
        assert outputs["kubeconfig"] == "[secret]"
        config = load_stack_config(project, stack).values
        assert outputs["clusterName"] == config["aks-rwx-training:clusterName"]
        volumes = json.loads(config["aks-rwx-training:volumes"])
        assert set(outputs["volumes"]) == {volume["name"] for volume in volumes}
        for volume in outputs["volumes"].values():
            assert set(volume) >= {
                "namespace",
                "pvcName",
                "billingModel",
                "quotaGiB",
                "performance",
            }
    prod = preview_json["prod"]["outputs"]["volumes"]["datasets"]
    assert (prod["billingModel"], prod["quotaGiB"], prod["throughputMiBps"], prod["iops"]) == (
        "provisioned-v2-ssd",
        2048,
        800,
        5048,
    )


def test_json_resources_carry_options_and_camel_case_inputs(preview_json):
    prod = {r["name"]: r for r in preview_json["prod"]["resources"]}
    account = prod["shared-storage-account"]
    assert account["type"] == "azure-native:storage:StorageAccount"
    assert account["parent"].endswith("aks-rwx-training:storage:SharedStorage::shared-storage")
    assert (account["protect"], account["retainOnDelete"]) == (True, True)
    assert account["inputs"]["minimumTlsVersion"] == "TLS1_2"
    pvc = prod["volume-datasets-pvc"]
    assert pvc["provider"].startswith(
        "urn:pulumi:prod::aks-rwx-training::aks-rwx-training:cluster:TrainingCluster$"
        "pulumi:providers:kubernetes::training-provider::"
    )
    assert pvc["inputs"]["spec"]["storageClassName"] == ""
    assert pvc["inputs"]["spec"]["volumeName"] == "training-datasets"
    dev = {r["name"]: r for r in preview_json["dev"]["resources"]}
    assert dev["shared-storage-account"]["protect"] is False
    assert "shared-storage-lock" not in dev


def test_markdown_report(infra):
    result = infra("preview", "--markdown", "-s", "prod")
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("### ✅ `aks-rwx-training/prod`")
    assert "No policy violations." in result.stdout


def test_no_stack_holds_or_reads_a_storage_account_key(preview_json):
    # Issue 21: the program read the account key (listStorageAccountKeys, so every PR preview
    # identity held listKeys) and wrote it into one Kubernetes Secret per SMB volume.

    for stack in STACKS:
        text = json.dumps(preview_json[stack]).lower()
        assert "azurestorageaccountkey" not in text, stack
        assert not [
            r for r in preview_json[stack]["resources"] if r["type"] == "kubernetes:core/v1:Secret"
        ], stack
    for stack in STACKS:
        invokes = real_plan(stack).invokes
        assert not [i for i in invokes if "listStorageAccountKeys" in i.token], stack


def test_a_test_that_changes_its_shared_plan_leaves_the_next_ones_unchanged():
    """real_plan runs each stack once per process and hands out copies: a test that edits
    its plan (as a mutation test might) must not change what later tests read."""
    plan = real_plan("prod")
    account = next(r for r in plan.resources if r.name == "shared-storage-account")
    account.inputs["minimumTlsVersion"] = "TLS1_0"
    plan.outputs["clusterName"] = "changed"
    plan.resources.clear()

    again = real_plan("prod")
    account = next(r for r in again.resources if r.name == "shared-storage-account")
    assert account.inputs["minimumTlsVersion"] == "TLS1_2"
    assert again.outputs["clusterName"] != "changed"
    assert again is not plan


def _as_json(plan):
    from infra.engine.apart import plan_to_json

    return json.dumps(plan_to_json(plan))


def test_the_shared_previews_are_the_childs_plans_for_the_same_files(tmp_path):
    """previews_by_content (tests/conftest.py, every test's) serves what the pipeline's child
    returns for the files the program reads, a fresh copy each time, its paths in the project
    asked about; a project whose program reads other files runs its own child. Its children
    are forked from the suite's zygote (tests/_zygote.py): their plans are the real child's."""
    import infra.pipeline
    from infra.engine.apart import run_stacks_apart

    project = load_project(REPO_ROOT)
    (served,) = infra.pipeline.run_stacks_apart(project, ["dev"])
    assert _as_json(served) == _as_json(run_stacks_apart(project, ["dev"])[0])
    served.outputs["clusterName"] = "changed"
    served.resources.clear()
    (again,) = infra.pipeline.run_stacks_apart(project, ["dev"])
    assert again.resources and again.outputs["clusterName"] != "changed"

    first, second = copy_project(tmp_path / "first"), copy_project(tmp_path / "second")
    infra.pipeline.run_stacks_apart(load_project(first), ["dev"])
    (moved,) = infra.pipeline.run_stacks_apart(load_project(second), ["dev"])
    assert str(first) not in _as_json(moved)
    assert _as_json(moved) == _as_json(run_stacks_apart(load_project(second), ["dev"])[0])

    stack_file = second / "stacks" / "Pulumi.dev.yaml"
    name = again.outputs["clusterName"]
    stack_file.write_text(stack_file.read_text().replace(f": {name}\n", ": aks-renamed\n", 1))
    (renamed,) = infra.pipeline.run_stacks_apart(load_project(second), ["dev"])
    assert renamed.outputs["clusterName"] == "aks-renamed"


def test_no_program_reads_the_tools_settings(tmp_path):
    """previews_by_content leaves pyproject.toml out of what a program could read (a test that
    edits only [tool.infra] reuses the plans): a copy without it plans every stack, and the
    bootstrap, as the checkout does."""
    copy = copy_project(tmp_path / "copy")
    shutil.copytree(
        REPO_ROOT / "bootstrap", copy / "bootstrap", ignore=shutil.ignore_patterns("__pycache__")
    )
    assert not (copy / "pyproject.toml").exists()
    (bootstrap_stack,) = load_project(REPO_ROOT / "bootstrap").stacks()
    for folder, stacks in (("", list(STACKS)), ("bootstrap", [bootstrap_stack])):
        ours = forked_plans(load_project(REPO_ROOT / folder), stacks)
        theirs = forked_plans(load_project(copy / folder), stacks)
        for mine, copied in zip(ours, theirs, strict=True):
            assert _rooted(copied, copy) == _rooted(mine, REPO_ROOT), mine.stack


def _rooted(plan, root):
    """The plan as JSON, the project's folder and the checkout's (the virtual environment's
    sources in the SDK's source positions) both written <root>."""
    text = _as_json(plan).replace(json.dumps(str(root))[1:-1], "<root>")
    return text.replace(json.dumps(str(REPO_ROOT))[1:-1], "<root>")


CLUSTER = "azure-native:containerservice:ManagedCluster"


def test_the_shared_verdicts_are_the_packs_own_for_the_same_plan():
    """previews_by_content also keeps what the repository's pack said of a plan: asked again
    about the same plan, it answers what the pack process answers, a fresh copy each time."""
    import infra.policy.host
    from infra.policy.host import PolicyPackSpec, evaluate_policy_packs

    plan = real_plan("dev")
    packs = [PolicyPackSpec(REPO_ROOT / "policies")]  # its defaults: some verdicts on dev
    served = infra.policy.host.evaluate_policy_packs(packs, plan)
    assert served.violations
    assert served == evaluate_policy_packs(packs, plan)
    served.violations.clear()
    served_again = infra.policy.host.evaluate_policy_packs(packs, plan)
    assert served_again == evaluate_policy_packs(packs, plan)
    # Another plan, its own verdicts: without the cluster, none about it.
    plan.resources = [r for r in plan.resources if r.type != CLUSTER]
    other = infra.policy.host.evaluate_policy_packs(packs, plan)
    assert other == evaluate_policy_packs(packs, plan)
    assert len(other.violations) < len(served_again.violations)
