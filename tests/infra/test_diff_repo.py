"""What `infra diff` reports for changes a platform engineer makes to this repo's stacks."""

from __future__ import annotations

import json
from dataclasses import replace

import pytest

from infra.compare import diff_plans
from infra.engine.project import load_project, load_stack_config
from infra.engine.runtime import run_stack
from tests.conftest import REPO_ROOT, STACKS
from tests.reliability._support import real_plan

VOLUMES_KEY = "aks-rwx-training:volumes"
NAMESPACE_TYPE = "kubernetes:core/v1:Namespace"


@pytest.fixture(scope="module")
def project():
    return load_project(REPO_ROOT)


def _plan_with_volumes(project, stack, edit):
    config = load_stack_config(project, stack)
    volumes = json.loads(config.values[VOLUMES_KEY])
    edit(volumes)
    values = {**config.values, VOLUMES_KEY: json.dumps(volumes)}
    return run_stack(project, stack, replace(config, values=values))


def _changes(project, stack, edit):
    base = real_plan(stack)
    head = _plan_with_volumes(project, stack, edit)
    return {c.name: c for c in diff_plans(base, head).changes}


def test_growing_a_share_updates_share_and_pv_and_leaves_the_claim(project):
    def grow(volumes):
        volumes[0]["quotaGiB"] = 2048

    changes = _changes(project, "dev", grow)
    assert set(changes) == {"shared-storage-share-datasets", "volume-datasets-pv"}
    share, pv = changes["shared-storage-share-datasets"], changes["volume-datasets-pv"]
    assert (share.action, [(p.path, p.old, p.new) for p in share.changes]) == (
        "update",
        [("shareQuota", 1024, 2048)],
    )
    assert (pv.action, [(p.path, p.old, p.new) for p in pv.changes]) == (
        "update",
        [("spec.capacity.storage", "1024Gi", "2048Gi")],
    )
    assert not share.stateful_risk and not pv.stateful_risk


def test_renaming_a_volume_deletes_its_share_and_claim(project):
    def rename(volumes):
        volumes[1]["name"] = "ckpt"

    changes = _changes(project, "prod", rename)
    risky = {name for name, c in changes.items() if c.stateful_risk}
    assert {
        "shared-storage-share-checkpoints",
        "volume-checkpoints-pv",
        "volume-checkpoints-pvc",
    } <= risky
    assert changes["shared-storage-share-checkpoints"].action == "remove"


def _plan_with(project, stack, **changed):
    """The stack's plan with config keys replaced (values as the stack file would hold)."""
    config = load_stack_config(project, stack)
    values = dict(config.values)
    for key, value in changed.items():
        values[f"aks-rwx-training:{key}"] = value if isinstance(value, str) else json.dumps(value)
    return run_stack(project, stack, replace(config, values=values))


def _diff_with(project, stack, **changed):
    base = real_plan(stack)
    return diff_plans(base, _plan_with(project, stack, **changed))


@pytest.mark.parametrize("stack", STACKS)
def test_deleting_a_namespace_that_holds_claims_is_a_stateful_risk(project, stack):
    # Kubernetes deletes every PVC in a deleted namespace: moving the volumes to another
    # namespace deletes the one a volume created, and dropping the teams deletes theirs (a
    # team's namespace holds its volumes' claims and its read-only shared ones), and with
    # them the claims.
    config = load_stack_config(project, stack)
    volumes = json.loads(config.values[VOLUMES_KEY])
    for index, volume in enumerate(volumes):
        volume["namespace"] = "research"
        volume["createNamespace"] = index == 0
    diff = _diff_with(project, stack, volumes=volumes, teams={"members": []})
    by_name = {c.name: c for c in diff.changes}
    deleted = {
        c.name: c
        for c in diff.changes
        if c.type == NAMESPACE_TYPE and c.action in ("remove", "replace")
    }
    base_namespaces = {r.name for r in real_plan(stack).resources if r.type == NAMESPACE_TYPE}
    assert set(deleted) == base_namespaces, by_name.keys()
    risky = [c.urn for c in diff.stateful_risks]
    for namespace in deleted.values():
        assert namespace.stateful_risk, namespace.name
        assert namespace.urn in risky


def test_a_namespace_without_claims_is_not_a_stateful_risk():
    from infra.engine.model import Resource, StackPlan

    namespace = Resource(
        urn="urn:pulumi:s::p::kubernetes:core/v1:Namespace::tools",
        type="kubernetes:core/v1:Namespace",
        name="tools",
        custom=True,
        parent=None,
        provider=None,
        inputs={"metadata": {"name": "tools"}},
    )
    diff = diff_plans(StackPlan("p", "s", [namespace], {}), StackPlan("p", "s", [], {}))
    assert [(c.action, c.stateful_risk) for c in diff.changes] == [("remove", False)]


@pytest.mark.parametrize("key", ["resourceGroupName", "location"])
def test_moving_the_stack_to_another_group_or_region_replaces_its_data(project, key):
    value = "rg-elsewhere" if key == "resourceGroupName" else "northeurope"
    diff = _diff_with(project, "prod", **{key: value})
    account = next(c for c in diff.changes if c.type == "azure-native:storage:StorageAccount")
    assert account.action == "replace"
    assert key in account.replace_reasons
    assert account.stateful_risk


def test_a_replaced_cluster_replaces_the_kubernetes_objects_behind_its_provider(project):
    diff = _diff_with(project, "prod", clusterName="aks-rwx-training-prod2")
    by_type: dict[str, list] = {}
    for c in diff.changes:
        by_type.setdefault(c.type, []).append(c)
    (cluster,) = by_type["azure-native:containerservice:ManagedCluster"]
    assert cluster.action == "replace"
    (provider,) = by_type["pulumi:providers:kubernetes"]
    assert provider.action == "replace"
    for kind in ("PersistentVolume", "PersistentVolumeClaim", "Namespace"):
        objects = by_type[f"kubernetes:core/v1:{kind}"]
        assert objects and all(c.action == "replace" for c in objects), kind
        assert all("[provider replaced]" in c.replace_reasons for c in objects), kind
    claims = by_type["kubernetes:core/v1:PersistentVolumeClaim"]
    assert all(c.stateful_risk for c in claims)


def test_a_config_change_no_resource_reads_still_shows(project):
    # smokeTest is read by `infra smoke` after the deploy, not by the program: the diff must
    # still show that what runs against the prod data changed.
    config = load_stack_config(project, "prod")
    smoke = json.loads(config.values.get("aks-rwx-training:smokeTest", "{}"))
    smoke["parallelism"] = 7
    diff = _diff_with(project, "prod", smokeTest=smoke)
    assert diff.changes == []
    assert [(c.path, c.new) for c in diff.config_changes] == [("smokeTest.parallelism", 7)]

    from infra.render.diff import render_diff_markdown, render_diff_text

    markdown = render_diff_markdown([diff])
    assert "1 config change(s)" in markdown.splitlines()[3]
    assert "| `smokeTest.parallelism` |" in markdown
    assert "No changes to desired state" not in markdown
    assert "config smokeTest.parallelism:" in render_diff_text([diff])


PV_TYPE = "kubernetes:core/v1:PersistentVolume"
PVC_TYPE = "kubernetes:core/v1:PersistentVolumeClaim"


@pytest.mark.parametrize("stack", STACKS)
def test_every_pv_is_reserved_for_its_claim(project, stack):
    plan = real_plan(stack)
    pvs = [r for r in plan.resources if r.type == PV_TYPE]
    claims = {
        (r.inputs["metadata"]["namespace"], r.inputs["metadata"]["name"]): r
        for r in plan.resources
        if r.type == PVC_TYPE
    }
    assert pvs and len(pvs) == len(claims)
    for pv in pvs:
        ref = pv.inputs["spec"]["claimRef"]
        claim = claims[(ref["namespace"], ref["name"])]
        assert claim.inputs["spec"]["volumeName"] == pv.inputs["metadata"]["name"]


@pytest.mark.parametrize("stack", STACKS)
def test_adding_claim_refs_to_existing_pvs_updates_them_in_place(project, stack):
    # claimRef is mutable: a deployed PV without it gets it as an update, never a replacement.
    head = real_plan(stack)
    base_resources = []
    for resource in head.resources:
        if resource.type == PV_TYPE:
            spec = {k: v for k, v in resource.inputs["spec"].items() if k != "claimRef"}
            resource = replace(resource, inputs={**resource.inputs, "spec": spec})
        base_resources.append(resource)
    diff = diff_plans(replace(head, resources=base_resources), head)
    assert diff.changes
    for change in diff.changes:
        assert change.type == PV_TYPE
        assert change.action == "update", change.replace_reasons
        assert sorted(p.path for p in change.changes) == [
            "spec.claimRef.name",
            "spec.claimRef.namespace",
        ]
        assert not change.stateful_risk


ACCOUNT_TYPE = "azure-native:storage:StorageAccount"


def _account(diff):
    return next(c for c in diff.changes if c.type == ACCOUNT_TYPE)


@pytest.mark.parametrize(
    ("stack", "settings", "sku"),
    [
        # prod's v2 SSD account back to provisioned v1: both FileStorage, only the SKU moves.
        ("prod", {"fileBillingModel": "provisioned-v1-ssd"}, ("PremiumV2_ZRS", "Premium_ZRS")),
        # staging's v2 SSD account to pay-as-you-go HDD: the kind changes too.
        (
            "staging",
            {"fileBillingModel": "pay-as-you-go-hdd"},
            ("PremiumV2_ZRS", "Standard_ZRS"),
        ),
    ],
)
def test_changing_the_billing_model_replaces_the_account(project, stack, settings, sku):
    volumes = json.loads(load_stack_config(project, stack).values[VOLUMES_KEY])
    for volume in volumes:  # v1 takes no throughput target next to a quota
        if "quotaGiB" in volume:
            volume.pop("throughputMiBps", None)
    diff = _diff_with(project, stack, **settings, volumes=volumes)
    account = _account(diff)
    assert account.action == "replace"
    assert "sku.name" in account.replace_reasons
    assert [(p.old, p.new) for p in account.changes if p.path == "sku.name"] == [sku]
    assert account.stateful_risk


def test_changing_only_the_redundancy_converts_the_account_in_place(project):
    diff = _diff_with(project, "prod", storageRedundancy="LRS")
    account = _account(diff)
    assert account.action == "update"
    assert [(p.path, p.old, p.new) for p in account.changes] == [
        ("sku.name", "PremiumV2_ZRS", "PremiumV2_LRS")
    ]
    assert not account.stateful_risk


def test_adding_geo_redundancy_to_a_zone_redundant_account_updates_it_in_place(project):
    # An HDD account going from ZRS to GZRS: Azure adds the geo copy by a SKU update.
    hdd = "pay-as-you-go-hdd"
    base = _plan_with(project, "staging", fileBillingModel=hdd, storageRedundancy="ZRS")
    head = _plan_with(project, "staging", fileBillingModel=hdd, storageRedundancy="GZRS")
    account = _account(diff_plans(base, head))
    assert account.action == "update"
    assert [(p.path, p.old, p.new) for p in account.changes] == [
        ("sku.name", "Standard_ZRS", "Standard_GZRS")
    ]
    assert not account.stateful_risk


def test_turning_backup_off_deletes_the_backups(project):
    diff = _diff_with(project, "prod", backup={"enabled": False})
    risky = {c.name for c in diff.stateful_risks}
    volumes = json.loads(load_stack_config(project, "prod").values[VOLUMES_KEY])
    assert risky == {
        "share-backup-vault",
        "share-backup-policy",
        "share-backup-container",
        # One protected item per share.
        *(f"share-backup-item-{volume['name']}" for volume in volumes),
        # Issue 26: the vault's lock goes with it.
        "share-backup-lock",
    }
    assert {c.action for c in diff.stateful_risks} == {"remove"}


def test_shorter_daily_retention_is_a_stateful_risk_and_longer_is_not(project):
    shorter = _diff_with(project, "prod", backup={"dailyRetentionDays": 7})
    (policy,) = shorter.stateful_risks
    assert (policy.name, policy.action, policy.shortened_retention) == (
        "share-backup-policy",
        "update",
        ["properties.retentionPolicy.dailySchedule.retentionDuration"],
    )
    longer = _diff_with(project, "prod", backup={"dailyRetentionDays": 60})
    assert [c.name for c in longer.changes] == ["share-backup-policy"]
    assert longer.stateful_risks == []


def _diff_effective(project, stack, **changed):
    from infra.repo.effective_config import effective_config

    base = run_stack(project, stack, load_stack_config(project, stack))
    head = _plan_with(project, stack, **changed)
    return diff_plans(base, head, lambda plan: effective_config(project.root, plan))


def test_a_config_object_setting_one_field_changes_only_that_field(project):
    # Pulumi.yaml's default `backup` object is replaced by the stack file's, but the fields
    # it leaves out keep their defaults: the diff shows the one field, not `enabled` -> (none).
    diff = _diff_effective(project, "prod", backup={"dailyRetentionDays": 7})
    assert [(c.path, c.old, c.new) for c in diff.config_changes] == [
        ("backup.dailyRetentionDays", 30, 7)
    ]


def test_an_explicit_value_moving_to_the_same_default_is_no_change(project):
    diff = _diff_effective(project, "prod", backup={}, lockStorage="true")
    assert diff.config_changes == []
