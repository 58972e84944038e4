"""ShareBackup: Azure Backup for the Azure Files shares that hold the RWX volumes.

Soft delete, ``protect`` and the account lock guard the share against being deleted; they do
nothing against a pod that deletes or overwrites files inside it. This component schedules
restorable copies: a Recovery Services vault, an Azure Files protection policy (daily schedule,
daily/weekly/monthly retention), the storage account registered with the vault (protection
container) and one protected item per share.

**How a share is protected.** Azure Backup does not address a protected file share by its
name: the item is ``AzureFileShare;<system name>``, an internal name only Azure Backup knows.
Declaring the item as ``AzureFileShare;<share>`` with azure-native's ``ProtectedItem`` is
accepted by the PUT (202), but azure-native then reads the item back at the id it built from
that name and gets 404 (github.com/pulumi/pulumi-azure-native/issues/1420; the same
``BMSUserErrorDataSourceObjectNotFound`` in hashicorp/terraform-provider-azurerm#9452, #9803).
terraform-provider-azurerm's ``azurerm_backup_protected_file_share``
(internal/services/recoveryservices/backup_protected_file_share_resource.go) does what the
portal does: it runs the container's ``inquire`` (a long-running POST, polled through the
container's ``operationResults``), lists the vault's ``backupProtectableItems`` filtered on
``backupManagementType eq 'AzureStorage'``, takes the item whose friendly name is the share's
and whose parent container is the account, then PUTs the item at *that* name and keeps its id.

azure-native 3.29 (the pinned SDK) cannot do the lookup: it has no function for the vault's
protectable items, and ``inquire`` is a POST, which azure-native does not model (it maps only
PUT-based resources: github.com/pulumi/pulumi-azure-native/issues/1075). So each share is a
``backup.ProtectedFileShare`` of Pulumi's classic ``azure`` provider (pulumi-azure, a bridge of
that azurerm resource), which the vault, policy and container of azure-native feed by id and
name. The classic provider logs in as azure-native does, from the workflows' environment:
azurerm's provider schema reads ``ARM_USE_OIDC``, ``ARM_CLIENT_ID``, ``ARM_TENANT_ID``,
``ARM_SUBSCRIPTION_ID`` and GitHub's ``ACTIONS_ID_TOKEN_REQUEST_URL``/``_TOKEN``
(hashicorp/terraform-provider-azurerm, internal/provider/provider.go). It is told not to
register resource providers: the deploy identity may not; the bootstrap registers them
(bootstrap/delivery/registrations.py).

**Snapshot tier, not vaulted.** Azure Files backup has two tiers
(https://learn.microsoft.com/azure/backup/azure-file-share-support-matrix):

- snapshot: share snapshots kept in the storage account, managed by the vault. It supports
  standard and premium (FileStorage) shares in every public region, restores a single file or
  folder (item-level) to the original location, and keeps daily points for up to 200 days;
- vault-standard: the data is copied into the vault. Premium shares are only in preview, a
  share may hold at most 10 TB and 10 million files, and a restore is a whole share to an
  alternate location only: no original-location restore and no file-level recovery.

prod's shares are premium, the datasets share is sized near the 10 TB ceiling, and the
commonest loss this guards against (a job deleting one checkpoint directory) needs a
file/directory restore in place, so every environment uses the snapshot tier. Its cost: the
snapshots live in the storage account, so they go with it if the account is deleted; the
account's ``CanNotDelete`` lock, ``protect`` and Azure Backup's own lock stand against that.
(The vault's storage redundancy is therefore not where snapshot-tier recovery points live; it
is still set per environment so vaulted points, should a policy move to that tier, are not
left to a default.) NFS shares are not supported by Azure Backup at all.

**Locks.** When it registers the account, Azure Backup places its own ``CanNotDelete`` lock,
``AzureBackupProtectionLock``, on the storage account
(https://learn.microsoft.com/azure/backup/backup-azure-files-faq). The program's account lock
has another name (``<account>-cannot-delete``, :mod:`components.storage`), so the two coexist;
this component also locks the vault. Azure Backup's lock is nobody's declared resource: an
environment that had backup on must stop protection and unregister the account before its
storage account can be deleted (docs/restore.md, "Tearing down").
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Literal, Protocol, get_args

import pulumi
from pulumi_azure import Provider as ClassicProvider
from pulumi_azure import backup as classic_backup
from pulumi_azure_native import authorization, recoveryservices

VaultRedundancy = Literal["LocallyRedundant", "ZoneRedundant", "GeoRedundant"]
VAULT_REDUNDANCIES: tuple[str, ...] = get_args(VaultRedundancy)
# Immutable vault (https://learn.microsoft.com/azure/backup/backup-azure-immutable-vault-concept):
# blocks operations that lose recovery points (reducing retention, stopping protection with
# delete). Unlocked can be turned off again; Locked cannot, ever: a deliberate opt-in.
Immutability = Literal["Disabled", "Unlocked", "Locked"]
IMMUTABILITY_STATES: tuple[str, ...] = get_args(Immutability)

# Snapshot-tier limits (support matrix above): daily points up to 200 days, weekly up to 200
# weeks, monthly up to 120 months, and at most 200 snapshots per share at any time. Summing the
# three counts over-estimates the snapshots (a Sunday point is daily and weekly at once), so a
# sum within 200 always fits.
MAX_DAILY_DAYS = 200
MAX_WEEKLY_WEEKS = 200
MAX_MONTHLY_MONTHS = 120
MAX_SNAPSHOTS_PER_SHARE = 200
# Enhanced soft delete keeps deleted backup data 14-180 days; 14 is Azure's default
# (https://learn.microsoft.com/azure/backup/backup-azure-enhanced-soft-delete-about).
VAULT_SOFT_DELETE_DAYS = 14
VAULT_NAME_RE = re.compile(r"\A[A-Za-z][A-Za-z0-9-]{1,49}\Z")
SCHEDULE_TIME_RE = re.compile(r"\A(?:[01]\d|2[0-3]):[0-5]\d\Z")
# Windows time zone ids, as the policy's timeZone takes them ("UTC", "W. Europe Standard Time").
TIME_ZONE_RE = re.compile(r"\A[A-Za-z][A-Za-z0-9 .+()-]{0,63}\Z")
# The weekly and monthly points are the Sunday (first Sunday of the month) daily backup.
RETENTION_DAY = recoveryservices.DayOfWeek.SUNDAY
POLICY_NAME = "azure-files-daily"
# Azure Files backup items live in the "Azure" fabric; the account's container is named
# "StorageContainer;Storage;<rg>;<account>"
# (https://learn.microsoft.com/azure/backup/backup-azure-file-share-rest-api); a share's item
# has a name only Azure Backup knows (module docstring).
FABRIC_NAME = "Azure"
# azurerm registers a set of resource providers when it starts unless told "none"
# (pulumi-azure 6.x Provider, resourceProviderRegistrations); the deploy identity is scoped to
# resource groups and may not, so registration is the bootstrap's.
CLASSIC_PROVIDER_REGISTRATIONS = "none"


@dataclass(frozen=True)
class BackupRetention:
    """How long scheduled recovery points are kept; 0 weeks/months keeps no such points."""

    daily_days: int
    weekly_weeks: int
    monthly_months: int


class BackupSettings(Protocol):
    """What the stack's ``backup`` object sets, as stacks/config.py ``BackupConfig`` declares and
    validates it (a 24-hour ``HH:MM`` time, a Windows time zone id, retention within the snapshot
    tier's limits, a known redundancy and immutability state): the program hands that sub-model
    over whole.

    ``schedule_time`` is the daily backup time in ``time_zone`` (no daylight-saving shift);
    ``immutability`` ``Locked`` can never be undone.
    """

    @property
    def schedule_time(self) -> str: ...
    @property
    def time_zone(self) -> str: ...
    @property
    def retention(self) -> BackupRetention: ...
    @property
    def vault_redundancy(self) -> VaultRedundancy: ...
    @property
    def immutability(self) -> Immutability: ...


@dataclass(frozen=True)
class ShareBackupArgs:
    """Inputs of :class:`ShareBackup`.

    Attributes:
        resource_group_name: Resource group of the vault (the account's, so it goes with it).
        location: Azure region; Azure Backup needs the vault in the account's region.
        vault_name: Recovery Services vault name (2-50 letters, digits, '-', starting with a
            letter).
        storage_account_name: The storage account holding the shares.
        storage_account_id: Its ARM id.
        storage_resource_group_name: The account's resource group (part of the container name).
        shares: share name (as in ``volumes``) -> the FileShare's Azure name.
        backup: Schedule, retention, vault redundancy and immutability
            (:class:`BackupSettings`).
        protect: Mark the vault ``protect`` + ``retain_on_delete``.
        lock: Add a ``CanNotDelete`` management lock on the vault.
        tags: Tags applied to the vault.
    """

    resource_group_name: pulumi.Input[str]
    location: pulumi.Input[str]
    vault_name: str
    storage_account_name: pulumi.Input[str]
    storage_account_id: pulumi.Input[str]
    storage_resource_group_name: pulumi.Input[str]
    shares: Mapping[str, pulumi.Input[str]]
    backup: BackupSettings
    protect: bool = True
    lock: bool = True
    tags: Mapping[str, str] = field(default_factory=dict)


def validate_share_backup_args(args: ShareBackupArgs) -> None:
    """Raise ``ValueError`` when the vault name, which the program derives from the storage
    account's, is one Azure refuses. The settings come from the validated stack config
    (stacks/config.py ``backup``), which checks them."""
    if not VAULT_NAME_RE.match(args.vault_name):
        raise ValueError(
            "vault name must be 2-50 letters, digits and '-', starting with a letter "
            f"(got {args.vault_name!r})"
        )


def _retention_policy(
    run_time: str, retention: BackupRetention
) -> recoveryservices.LongTermRetentionPolicyArgs:
    def duration(count: int, unit: str) -> recoveryservices.RetentionDurationArgs:
        return recoveryservices.RetentionDurationArgs(count=count, duration_type=unit)

    return recoveryservices.LongTermRetentionPolicyArgs(
        retention_policy_type="LongTermRetentionPolicy",
        daily_schedule=recoveryservices.DailyRetentionScheduleArgs(
            retention_times=[run_time], retention_duration=duration(retention.daily_days, "Days")
        ),
        weekly_schedule=recoveryservices.WeeklyRetentionScheduleArgs(
            days_of_the_week=[RETENTION_DAY],
            retention_times=[run_time],
            retention_duration=duration(retention.weekly_weeks, "Weeks"),
        )
        if retention.weekly_weeks
        else None,
        monthly_schedule=recoveryservices.MonthlyRetentionScheduleArgs(
            retention_schedule_format_type="Weekly",
            retention_schedule_weekly=recoveryservices.WeeklyRetentionFormatArgs(
                days_of_the_week=[RETENTION_DAY],
                weeks_of_the_month=[recoveryservices.WeekOfMonth.FIRST],
            ),
            retention_times=[run_time],
            retention_duration=duration(retention.monthly_months, "Months"),
        )
        if retention.monthly_months
        else None,
    )


class ShareBackup(pulumi.ComponentResource):
    """Recovery Services vault (+ lock), Azure Files policy, the account's protection
    container and one protected item per share.

    Outputs (attributes):
        vault: The ``recoveryservices.Vault``.
        vault_name: Its name (``pulumi.Output[str]``).
        policy: The ``recoveryservices.ProtectionPolicy``.
        container: The ``recoveryservices.ProtectionContainer`` (the registered account).
        items: ``share name -> classic_backup.ProtectedFileShare`` (its ``id`` is the item's
            id as Azure Backup names it).
        lock: The vault's ``CanNotDelete`` lock, or ``None``.
    """

    lock: authorization.ManagementLockByScope | None

    def __init__(
        self,
        name: str,
        args: ShareBackupArgs,
        opts: pulumi.ResourceOptions | None = None,
    ) -> None:
        validate_share_backup_args(args)
        super().__init__("aks-rwx-training:backup:ShareBackup", name, None, opts)
        data_opts = pulumi.ResourceOptions(
            parent=self, protect=args.protect, retain_on_delete=args.protect
        )

        self.vault = recoveryservices.Vault(
            f"{name}-vault",
            vault_name=args.vault_name,
            resource_group_name=args.resource_group_name,
            location=args.location,
            sku=recoveryservices.SkuArgs(name="Standard"),
            properties=recoveryservices.VaultPropertiesArgs(
                redundancy_settings=recoveryservices.VaultPropertiesRedundancySettingsArgs(
                    standard_tier_storage_redundancy=args.backup.vault_redundancy
                ),
                security_settings=recoveryservices.SecuritySettingsArgs(
                    soft_delete_settings=recoveryservices.SoftDeleteSettingsArgs(
                        soft_delete_state="Enabled",
                        soft_delete_retention_period_in_days=VAULT_SOFT_DELETE_DAYS,
                    ),
                    immutability_settings=recoveryservices.ImmutabilitySettingsArgs(
                        state=args.backup.immutability
                    ),
                ),
            ),
            tags=dict(args.tags),
            opts=data_opts,
        )
        self.vault_name: pulumi.Output[str] = self.vault.name

        self.lock = None
        if args.lock:
            self.lock = authorization.ManagementLockByScope(
                f"{name}-lock",
                scope=self.vault.id,
                level="CanNotDelete",
                lock_name=f"{args.vault_name}-cannot-delete",
                notes="Backups of the training data: remove lockStorage in the stack config "
                "(reviewed change) before deleting this vault.",
                opts=pulumi.ResourceOptions(parent=self),
            )

        # The policy's run time is a date-time whose time of day counts (the REST examples
        # above use an arbitrary date).
        run_time = f"2020-01-01T{args.backup.schedule_time}:00Z"
        self.policy = recoveryservices.ProtectionPolicy(
            f"{name}-policy",
            resource_group_name=args.resource_group_name,
            vault_name=self.vault.name,
            policy_name=POLICY_NAME,
            properties=recoveryservices.AzureFileShareProtectionPolicyArgs(
                backup_management_type="AzureStorage",
                work_load_type="AzureFileShare",
                time_zone=args.backup.time_zone,
                schedule_policy=recoveryservices.SimpleSchedulePolicyArgs(
                    schedule_policy_type="SimpleSchedulePolicy",
                    schedule_run_frequency="Daily",
                    schedule_run_times=[run_time],
                ),
                retention_policy=_retention_policy(run_time, args.backup.retention),
            ),
            opts=data_opts,
        )

        container_name = pulumi.Output.concat(
            "StorageContainer;Storage;",
            args.storage_resource_group_name,
            ";",
            args.storage_account_name,
        )
        self.container = recoveryservices.ProtectionContainer(
            f"{name}-container",
            resource_group_name=args.resource_group_name,
            vault_name=self.vault.name,
            fabric_name=FABRIC_NAME,
            container_name=container_name,
            properties=recoveryservices.AzureStorageContainerArgs(
                container_type="StorageContainer",
                backup_management_type="AzureStorage",
                source_resource_id=args.storage_account_id,
                # Azure Backup's AzureBackupProtectionLock on the account (module docstring).
                acquire_storage_account_lock="Acquire",
            ),
            opts=data_opts,
        )

        classic = ClassicProvider(
            f"{name}-classic-provider",
            resource_provider_registrations=CLASSIC_PROVIDER_REGISTRATIONS,
            opts=pulumi.ResourceOptions(parent=self),
        )
        self.items: dict[str, classic_backup.ProtectedFileShare] = {}
        for share, share_name in args.shares.items():
            self.items[share] = classic_backup.ProtectedFileShare(
                f"{name}-item-{share}",
                resource_group_name=args.resource_group_name,
                recovery_vault_name=self.vault.name,
                source_storage_account_id=args.storage_account_id,
                source_file_share_name=share_name,
                backup_policy_id=self.policy.id,
                opts=pulumi.ResourceOptions.merge(
                    data_opts,
                    pulumi.ResourceOptions(provider=classic, depends_on=[self.container]),
                ),
            )

        self.register_outputs(
            {
                "vaultName": self.vault_name,
                "policyId": self.policy.id,
                "protectedShares": sorted(self.items),
            }
        )
