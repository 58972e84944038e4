"""Stateful data cannot be lost by a merge: what each environment protects, from its plan.

Per environment (the real stacks through `infra.engine.run_stack`):

* staging and prod: resource group, storage account, file service, shares, namespace, PVs and
  PVCs are `protect` + `retainOnDelete` (and never delete-before-replace); a `CanNotDelete`
  `ManagementLockByScope` is scoped to the account's id and depends on the account; share soft
  delete is on with the configured days; PVs reclaim `Retain` and PVCs bind statically.
* dev: the actual, deliberately unprotected behaviour, pinned in PROTECTION_TABLE.
* a merge that unprotects staging/prod (protectData, lockStorage off, soft delete 1 day) is
  stopped by the policy pack's mandatory policies; a merge that renames the account or drops a
  volume is flagged by `infra diff` as a stateful replacement/deletion.

PROTECTION_TABLE is what survives `pulumi destroy` per environment (docs/environments.md quotes it).
"""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import pytest
import yaml

from infra.compare import diff_plans
from infra.engine.model import Resource, StackPlan
from infra.policy.host import PolicyPackSpec, evaluate_policy_packs
from stacks.config import VolumeConfig
from tests.conftest import REPO_ROOT
from tests.reliability._support import (
    PROJECT,
    STACKS,
    copy_project,
    preview,
    project_defaults,
    real_plan,
    stack_file_config,
)

ACCOUNT = "azure-native:storage:StorageAccount"
FILE_SERVICE = "azure-native:storage:FileServiceProperties"
SHARE = "azure-native:storage:FileShare"
LOCK = "azure-native:authorization:ManagementLockByScope"
NAMESPACE = "kubernetes:core/v1:Namespace"
PV = "kubernetes:core/v1:PersistentVolume"
PVC = "kubernetes:core/v1:PersistentVolumeClaim"
# The resource group is bootstrap's, protected and kept in every environment (tests/bootstrap).
STATEFUL = (ACCOUNT, FILE_SERVICE, SHARE, NAMESPACE, PV, PVC)
# Azure Backup (backup.enabled, off in dev): the vault and what holds the recovery points.
BACKUP = (
    *(
        f"azure-native:recoveryservices:{kind}"
        for kind in ("Vault", "ProtectionPolicy", "ProtectionContainer")
    ),
    "azure:backup/protectedFileShare:ProtectedFileShare",
)
PROTECTED_ENVS = ("staging", "prod")

# What survives `pulumi destroy`, per environment, as the plans say:
# * "refused": protect - `pulumi destroy` stops with an error before deleting anything;
# * "kept": retainOnDelete - once unprotected, destroy drops it from the state but leaves it in
#   Azure/Kubernetes (the Kubernetes objects still go when the cluster they live in goes);
# * "deleted": neither.
# Types not listed (the cluster, its provider, role assignment, SMB Secrets, lock, components)
# are deleted in every environment.
PROTECTION_TABLE: dict[str, dict[str, str]] = {
    "dev": {t: "deleted" for t in STATEFUL},
    "staging": {t: "refused, then kept" for t in (*STATEFUL, *BACKUP)},
    "prod": {t: "refused, then kept" for t in (*STATEFUL, *BACKUP)},
}
LOCKED = {"dev": False, "staging": True, "prod": True}


def effective_config(stack: str) -> dict[str, Any]:
    """Pulumi.yaml defaults overlaid with the stack file (unqualified keys)."""
    merged = project_defaults()
    for key, value in stack_file_config(stack).items():
        merged[key.split(":", 1)[1] if key.startswith(f"{PROJECT}:") else key] = value
    return merged


def of_type(plan: StackPlan, type_: str) -> list[Resource]:
    return [r for r in plan.resources if r.type == type_]


def _fate(resource: Resource) -> str:
    if resource.protect and resource.retain_on_delete:
        return "refused, then kept"
    if resource.protect:
        return "refused, then deleted"
    return "kept" if resource.retain_on_delete else "deleted"


def _expected_fates(stack: str) -> dict[str, str]:
    """The table's row for the environments the docs describe; for one added later, what its
    settings ask for: protectData protects and retains the data, backup adds its items."""
    if stack in PROTECTION_TABLE:
        return PROTECTION_TABLE[stack]
    config = effective_config(stack)
    kinds = (*STATEFUL, *BACKUP) if config["backup"]["enabled"] else STATEFUL
    return dict.fromkeys(kinds, "refused, then kept" if config["protectData"] else "deleted")


@pytest.mark.parametrize("stack", STACKS)
def test_what_survives_destroy(stack: str) -> None:
    plan = real_plan(stack)
    fates: dict[str, set[str]] = {}
    for resource in plan.resources:
        if resource.type in (*STATEFUL, *BACKUP):
            fates.setdefault(resource.type, set()).add(_fate(resource))
    assert fates == {t: {fate} for t, fate in _expected_fates(stack).items()}
    others = [
        r
        for r in plan.resources
        if r.type not in (*STATEFUL, *BACKUP) and (r.protect or r.retain_on_delete)
    ]
    assert others == [], [r.urn for r in others]
    locked = LOCKED[stack] if stack in LOCKED else effective_config(stack)["lockStorage"]
    assert bool(of_type(plan, LOCK)) is locked


@pytest.mark.parametrize("stack", PROTECTED_ENVS)
def test_staging_and_prod_protect_every_stateful_resource(stack: str) -> None:
    config = effective_config(stack)
    assert config["protectData"] is True and config["lockStorage"] is True
    plan = real_plan(stack)
    for type_ in STATEFUL:
        resources = of_type(plan, type_)
        assert resources, f"{stack} has no {type_}"
        for r in resources:
            assert r.protect and r.retain_on_delete, f"{r.urn} is not protect + retainOnDelete"
            assert not r.delete_before_replace, f"{r.urn} would be deleted before its replacement"
    shares = {r.inputs["shareName"] for r in of_type(plan, SHARE)}
    assert shares == {v["name"] for v in config["volumes"]}


@pytest.mark.parametrize("stack", PROTECTED_ENVS)
def test_storage_account_has_a_cannot_delete_lock(stack: str) -> None:
    plan = real_plan(stack)
    (account,) = of_type(plan, ACCOUNT)
    # The backup vault has its own lock; the account's is the one scoped to the account.
    (lock,) = [r for r in of_type(plan, LOCK) if account.urn in r.dependencies]
    assert lock.inputs["level"] == "CanNotDelete"
    assert account.urn in lock.dependencies
    assert account.urn in lock.property_dependencies.get("scope", [])
    assert lock.inputs["scope"] == account.id == account.outputs["id"]
    assert lock.inputs["scope"].endswith(
        f"/providers/Microsoft.Storage/storageAccounts/{account.inputs['accountName']}"
    )


@pytest.mark.parametrize("stack", STACKS)
def test_share_soft_delete_days_are_the_configured_ones(stack: str) -> None:
    days = effective_config(stack)["shareSoftDeleteDays"]
    (service,) = of_type(real_plan(stack), FILE_SERVICE)
    assert service.inputs["shareDeleteRetentionPolicy"] == {"enabled": True, "days": days}
    assert service.inputs["fileServicesName"] == "default"


@pytest.mark.parametrize("stack", STACKS)
def test_volumes_retain_and_bind_statically(stack: str) -> None:
    plan = real_plan(stack)
    pvs = {r.inputs["metadata"]["name"]: r for r in of_type(plan, PV)}
    pvcs = of_type(plan, PVC)
    # A claim per volume in its namespace, and a read-only one in each team's namespace per
    # volume the team shares (teams.members[].sharedVolumes), each on a PV of its own.
    config = effective_config(stack)
    default_namespace = VolumeConfig.model_fields["namespace"].default
    claims = {(v.get("namespace", default_namespace), v["name"]) for v in config["volumes"]}
    claims |= {
        (team["name"], shared)
        for team in config["teams"]["members"]
        for shared in team.get("sharedVolumes", [])
    }
    assert pvs and len(pvs) == len(pvcs) == len(claims)
    assert {(c.inputs["metadata"]["namespace"], c.inputs["metadata"]["name"]) for c in pvcs} == (
        claims
    )
    for pv in pvs.values():
        assert pv.inputs["spec"]["persistentVolumeReclaimPolicy"] == "Retain", pv.urn
    for pvc in pvcs:
        spec = pvc.inputs["spec"]
        assert spec["storageClassName"] == "", "a storage class could provision (and delete)"
        assert spec["volumeName"] in pvs, pvc.urn


def test_dev_keeps_nothing_but_retains_volumes_in_kubernetes() -> None:
    """dev, as configured: no protect/retainOnDelete, no lock, 7-day share soft delete, PVs
    still reclaim Retain (a deleted claim never deletes a share)."""
    config = effective_config("dev")
    assert config["protectData"] is False and config["lockStorage"] is False
    plan = real_plan("dev")
    assert [r.urn for r in plan.resources if r.protect or r.retain_on_delete] == []
    assert of_type(plan, LOCK) == []
    (service,) = of_type(plan, FILE_SERVICE)
    assert service.inputs["shareDeleteRetentionPolicy"]["days"] == config["shareSoftDeleteDays"]


# --------------------------------------------------------------------------------------------
# Merges that would lose data


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return copy_project(tmp_path_factory.mktemp("data-protection") / "project")


def _variant(project: Path, stack: str, name: str, changes: dict[str, Any]) -> StackPlan:
    doc = {"config": copy.deepcopy(stack_file_config(stack))}
    for key, value in changes.items():
        doc["config"][f"{PROJECT}:{key}"] = value
    path = project / "stacks" / f"Pulumi.{name}.yaml"
    path.write_text(yaml.safe_dump(doc))
    try:
        return preview(project, name)
    finally:
        path.unlink()


UNPROTECTING_MERGE = {"protectData": False, "lockStorage": False, "shareSoftDeleteDays": 1}
BLOCKING_POLICIES = {
    "pulumi-resourceoptions-storage-protect",
    "azure-native-storage-storageaccount-delete-lock",
    "azure-native-storage-fileserviceproperties-share-soft-delete",
}


@pytest.mark.parametrize("stack", PROTECTED_ENVS)
def test_a_merge_that_unprotects_the_data_is_blocked_by_policy(project: Path, stack: str) -> None:
    plan = _variant(project, stack, stack, UNPROTECTING_MERGE)
    pack = REPO_ROOT / "policies"
    violations = evaluate_policy_packs(
        [PolicyPackSpec(pack, pack / "config" / f"{stack}.json")], plan
    ).violations
    mandatory = {v.policy for v in violations if v.enforcement_level == "mandatory"}
    assert mandatory >= BLOCKING_POLICIES, sorted(mandatory)


@pytest.mark.parametrize("stack", PROTECTED_ENVS)
def test_a_merge_that_renames_or_drops_storage_is_flagged(project: Path, stack: str) -> None:
    head = real_plan(stack)
    renamed = _variant(project, stack, stack, {"storageAccountName": f"stnew{stack}"})
    risks = {(c.type, c.action) for c in diff_plans(head, renamed).stateful_risks}
    assert {(ACCOUNT, "replace"), (SHARE, "replace"), (PV, "replace")} <= risks, risks

    volumes = effective_config(stack)["volumes"]
    dropped = _variant(project, stack, stack, {"volumes": volumes[:1]})
    risks = {(c.type, c.action, c.name) for c in diff_plans(head, dropped).stateful_risks}
    gone = volumes[1]["name"]
    assert {t for t, action, name in risks if action == "remove" and gone in name} >= {
        SHARE,
        PV,
        PVC,
    }, risks
