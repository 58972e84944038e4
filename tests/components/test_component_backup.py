"""ShareBackup under the Pulumi mock runtime."""

from __future__ import annotations

import dataclasses
from typing import Any

import pytest
from component_harness import RunResult, run_pulumi

from components.backup import ShareBackup, ShareBackupArgs
from stacks.config import BackupConfig

COMPONENT = "aks-rwx-training:backup:ShareBackup"
VAULT = "azure-native:recoveryservices:Vault"
POLICY = "azure-native:recoveryservices:ProtectionPolicy"
CONTAINER = "azure-native:recoveryservices:ProtectionContainer"
ITEM = "azure:backup/protectedFileShare:ProtectedFileShare"
CLASSIC_PROVIDER = "pulumi:providers:azure"
LOCK = "azure-native:authorization:ManagementLockByScope"
ACCOUNT_ID = (
    "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg-test/providers/"
    "Microsoft.Storage/storageAccounts/sttraining01"
)


def make_args(**overrides: Any) -> ShareBackupArgs:
    """The args with ``overrides`` by field name; a field of the stack's ``backup`` object
    (stacks/config.py ``BackupConfig``, its defaults declared there) goes to ``backup``."""
    settings = {k: overrides.pop(k) for k in list(overrides) if k in BackupConfig.model_fields}
    base = ShareBackupArgs(
        resource_group_name="rg-test",
        location="westeurope",
        vault_name="rsv-sttraining01",
        storage_account_name="sttraining01",
        storage_account_id=ACCOUNT_ID,
        storage_resource_group_name="rg-test",
        shares={"datasets": "datasets", "checkpoints": "checkpoints"},
        backup=BackupConfig.model_validate({}).model_copy(update=settings),
        tags={"environment": "test"},
    )
    return dataclasses.replace(base, **overrides)


def deploy(**overrides: Any) -> RunResult:
    args = make_args(**overrides)
    result = run_pulumi(lambda: ShareBackup("backup", args))
    result.raise_error()
    return result


def test_children_are_named_by_role_and_parented() -> None:
    result = deploy()
    component = result.one(COMPONENT)
    children = [r for r in result.registrations if r.type != COMPONENT]
    assert sorted(r.name for r in children) == [
        "backup-classic-provider",
        "backup-container",
        "backup-item-checkpoints",
        "backup-item-datasets",
        "backup-lock",
        "backup-policy",
        "backup-vault",
    ]
    assert all(r.parent == component.urn for r in children)


def test_vault_keeps_deleted_backups_and_is_immutable_and_locked() -> None:
    result = deploy()
    vault = result.one(VAULT)
    assert vault.inputs["vaultName"] == "rsv-sttraining01"
    assert vault.inputs["sku"] == {"name": "Standard"}
    assert vault.inputs["properties"] == {
        "redundancySettings": {"standardTierStorageRedundancy": "GeoRedundant"},
        "securitySettings": {
            "softDeleteSettings": {
                "softDeleteState": "Enabled",
                "softDeleteRetentionPeriodInDays": 14,
            },
            "immutabilitySettings": {"state": "Unlocked"},
        },
    }
    assert vault.inputs["tags"] == {"environment": "test"}
    lock = result.one(LOCK)
    assert lock.inputs["level"] == "CanNotDelete"
    assert lock.inputs["scope"].endswith("/rsv-sttraining01")
    assert lock.inputs["lockName"] == "rsv-sttraining01-cannot-delete"
    # Never Azure Backup's own lock name: both locks live on side by side.
    assert lock.inputs["lockName"] != "AzureBackupProtectionLock"


def test_backup_data_is_protected_unless_told_otherwise() -> None:
    protected = deploy()
    for type_ in (VAULT, POLICY, CONTAINER, ITEM):
        for registration in protected.by_type(type_):
            assert registration.protect and registration.retain_on_delete, registration.name
    bare = deploy(protect=False, lock=False)
    assert not bare.by_type(LOCK)
    assert not any(r.protect or r.retain_on_delete for r in bare.registrations)


def test_policy_schedules_daily_and_keeps_daily_weekly_monthly_points() -> None:
    policy = deploy(schedule_time="23:30", time_zone="W. Europe Standard Time").one(POLICY)
    assert policy.inputs["policyName"] == "azure-files-daily"
    assert policy.inputs["vaultName"] == "rsv-sttraining01"
    props = policy.inputs["properties"]
    assert props["backupManagementType"] == "AzureStorage"
    assert props["workLoadType"] == "AzureFileShare"
    assert props["timeZone"] == "W. Europe Standard Time"
    run_time = "2020-01-01T23:30:00Z"
    assert props["schedulePolicy"] == {
        "schedulePolicyType": "SimpleSchedulePolicy",
        "scheduleRunFrequency": "Daily",
        "scheduleRunTimes": [run_time],
    }
    assert props["retentionPolicy"] == {
        "retentionPolicyType": "LongTermRetentionPolicy",
        "dailySchedule": {
            "retentionTimes": [run_time],
            "retentionDuration": {"count": 30, "durationType": "Days"},
        },
        "weeklySchedule": {
            "daysOfTheWeek": ["Sunday"],
            "retentionTimes": [run_time],
            "retentionDuration": {"count": 12, "durationType": "Weeks"},
        },
        "monthlySchedule": {
            "retentionScheduleFormatType": "Weekly",
            "retentionScheduleWeekly": {"daysOfTheWeek": ["Sunday"], "weeksOfTheMonth": ["First"]},
            "retentionTimes": [run_time],
            "retentionDuration": {"count": 12, "durationType": "Months"},
        },
    }


def test_zero_weeks_or_months_keeps_no_such_points() -> None:
    policy = deploy(daily_retention_days=7, weekly_retention_weeks=0, monthly_retention_months=0)
    props = policy.one(POLICY).inputs["properties"]
    assert set(props["retentionPolicy"]) == {"retentionPolicyType", "dailySchedule"}


def test_the_account_is_registered_and_every_share_protected_under_the_policy() -> None:
    result = deploy()
    container = result.one(CONTAINER).inputs
    assert container["fabricName"] == "Azure"
    assert container["containerName"] == "StorageContainer;Storage;rg-test;sttraining01"
    assert container["properties"] == {
        "containerType": "StorageContainer",
        "backupManagementType": "AzureStorage",
        "sourceResourceId": ACCOUNT_ID,
        "acquireStorageAccountLock": "Acquire",
    }
    items = {r.inputs["sourceFileShareName"]: r for r in result.by_type(ITEM)}
    assert set(items) == {"datasets", "checkpoints"}
    (provider,) = result.by_type(CLASSIC_PROVIDER)
    # The deploy identity may not register resource providers; the bootstrap does.
    assert provider.inputs["resourceProviderRegistrations"] == "none"
    for item in items.values():
        assert item.inputs["recoveryVaultName"] == "rsv-sttraining01"
        assert item.inputs["sourceStorageAccountId"] == ACCOUNT_ID
        assert item.inputs["backupPolicyId"].endswith("/azure-files-daily")
        assert result.one(CONTAINER).urn in item.dependencies
        assert item.provider.startswith(provider.urn)


def test_every_protected_share_reads_back_where_azure_backup_keeps_it() -> None:
    """Azure Backup keeps a share's item under an internal name (the fake models it): the id
    the program ends up with must be one a refresh can read, not a 404 (pulumi-azure-native
    #1420)."""
    result = run_pulumi(lambda: ShareBackup("backup", make_args()))
    result.raise_error()
    backup = result.value
    for share in ("datasets", "checkpoints"):
        item_id = result.resolve(backup.items[share].id)
        assert item_id in result.stored, f"{share}: a read of {item_id} finds nothing"
        assert item_id.rsplit("/", 1)[1].startswith("AzureFileShare;")
        assert not item_id.endswith(f";{share}")


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        (
            {"vault_name": "1vault"},
            "vault name must be 2-50 letters, digits and '-', starting with a letter "
            "(got '1vault')",
        ),
    ],
)
def test_invalid_args_fail_before_any_resource(overrides: dict[str, Any], message: str) -> None:
    args = make_args(**overrides)
    result = run_pulumi(lambda: ShareBackup("backup", args))
    assert isinstance(result.error, ValueError)
    assert str(result.error) == message
    assert result.registrations == []
