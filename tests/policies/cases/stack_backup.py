# ruff: noqa: E501 - expected messages stay on one line each so they can be grepped.
"""Cases of the stack policy in policies/rules/stack/ about Azure Backup of the volume shares."""

from __future__ import annotations

from policy_fixtures import ACCOUNT_ID, BACKUP_POLICY_ID, PV_TYPE
from policy_harness import UNKNOWN, StackResource

from ._helpers import SCase, add, chain, drop, no_deps, on, put, remove

BACKED_UP = "azure-native-storage-fileshare-backup-protected"
DAILY = "properties.retentionPolicy.dailySchedule"
NOT_COVERED = "FileShare '{}' holds volume(s) {} but no Azure Backup protected item covers it; add an azure:backup/protectedFileShare:ProtectedFileShare for it under a ProtectionPolicy keeping daily backups for at least {} days."
SHORT = "FileShare '{}' is backed up under ProtectionPolicy 'azure-files-daily', which keeps daily backups for {}; at least {} days are required."
BY_VALUES = no_deps("backup-item-datasets", "backup-item-checkpoints")

CASES: list[SCase] = [
    SCase("backup-good", BACKED_UP),
    SCase("backup-good-prod-minimum", BACKED_UP, settings={"minimumDailyRetentionDays": 30}),
    SCase("backup-matched-by-values", BACKED_UP, BY_VALUES),
    SCase(
        "backup-share-without-volume-not-checked",
        BACKED_UP,
        remove("backup-item-checkpoints", "pv-checkpoints", "pvc-checkpoints"),
    ),
    SCase(
        "backup-item-name-unknown",
        BACKED_UP,
        chain(BY_VALUES, on("backup-item-checkpoints", put("sourceFileShareName", UNKNOWN))),
    ),
    SCase(
        "backup-retention-unknown",
        BACKED_UP,
        on("backup-policy", put(f"{DAILY}.retentionDuration.count", UNKNOWN)),
        settings={"minimumDailyRetentionDays": 30},
    ),
    SCase(
        "backup-missing-item",
        BACKED_UP,
        remove("backup-item-checkpoints"),
        (NOT_COVERED.format("checkpoints", "'pv-checkpoints'", 7),),
    ),
    SCase(
        "backup-no-backup-at-all",
        BACKED_UP,
        remove(
            "backup-item-datasets",
            "backup-item-checkpoints",
            "backup-policy",
            "backup-container",
            "backup-vault",
        ),
        (
            NOT_COVERED.format("datasets", "'pv-datasets'", 7),
            NOT_COVERED.format("checkpoints", "'pv-checkpoints'", 7),
        ),
    ),
    SCase(
        "backup-item-of-another-account",
        BACKED_UP,
        chain(
            BY_VALUES,
            on(
                "backup-item-checkpoints",
                put("sourceStorageAccountId", ACCOUNT_ID.replace("sttrainprod001", "stother")),
            ),
        ),
        (NOT_COVERED.format("checkpoints", "'pv-checkpoints'", 7),),
    ),
    SCase(
        "backup-second-volume-on-a-share",
        BACKED_UP,
        chain(
            remove("backup-item-checkpoints"),
            add(
                StackResource(
                    PV_TYPE,
                    "pv-checkpoints-2",
                    {
                        "metadata": {"name": "pv-checkpoints-2"},
                        "spec": {
                            "csi": {
                                "driver": "file.csi.azure.com",
                                "volumeHandle": "rg-train-prod#sttrainprod001#checkpoints#2",
                            }
                        },
                    },
                )
            ),
        ),
        (NOT_COVERED.format("checkpoints", "'pv-checkpoints', 'pv-checkpoints-2'", 7),),
    ),
    SCase(
        "backup-retention-too-short",
        BACKED_UP,
        None,
        (SHORT.format("datasets", "30 days", 60), SHORT.format("checkpoints", "30 days", 60)),
        settings={"minimumDailyRetentionDays": 60},
    ),
    SCase(
        "backup-retention-in-weeks",
        BACKED_UP,
        on("backup-policy", put(f"{DAILY}.retentionDuration.durationType", "Weeks")),
        (SHORT.format("datasets", "30 weeks", 7), SHORT.format("checkpoints", "30 weeks", 7)),
    ),
    SCase(
        "backup-no-daily-retention",
        BACKED_UP,
        on("backup-policy", drop(DAILY)),
        tuple(
            f"FileShare '{share}' is backed up under ProtectionPolicy 'azure-files-daily', which keeps no daily backups; add a daily retention of at least 7 days."
            for share in ("datasets", "checkpoints")
        ),
    ),
    SCase(
        "backup-policy-matched-by-id",
        BACKED_UP,
        chain(BY_VALUES, on("backup-policy", put(f"{DAILY}.retentionDuration.count", 3))),
        (SHORT.format("datasets", "3 days", 7), SHORT.format("checkpoints", "3 days", 7)),
    ),
    SCase(
        "backup-policy-not-in-stack",
        BACKED_UP,
        chain(BY_VALUES, remove("backup-policy")),
        tuple(
            f"FileShare '{share}' is backed up under a ProtectionPolicy that is not in this stack, so its retention cannot be checked; declare the policy here, keeping daily backups for at least 7 days."
            for share in ("datasets", "checkpoints")
        ),
    ),
    SCase(
        "backup-item-without-policy",
        BACKED_UP,
        chain(BY_VALUES, on("backup-item-datasets", drop("backupPolicyId"))),
        (
            "FileShare 'datasets' is backed up under a protected item without backupPolicyId, so no schedule backs it up; set it to a ProtectionPolicy keeping daily backups for at least 7 days.",
        ),
    ),
    SCase(
        "backup-policy-id-unknown",
        BACKED_UP,
        chain(BY_VALUES, on("backup-item-datasets", put("backupPolicyId", UNKNOWN))),
    ),
    SCase(
        # What azure-native can declare: created, but never read back (pulumi-azure-native
        # #1420), so it protects nothing the stack can keep.
        "backup-native-item-named-after-the-share",
        BACKED_UP,
        chain(
            remove("backup-item-checkpoints"),
            add(
                StackResource(
                    "azure-native:recoveryservices:ProtectedItem",
                    "backup-native-checkpoints",
                    {
                        "name": "AzureFileShare;checkpoints",
                        "properties": {
                            "protectedItemType": "AzureFileShareProtectedItem",
                            "sourceResourceId": ACCOUNT_ID,
                            "policyId": BACKUP_POLICY_ID,
                        },
                    },
                    property_dependencies={"protectedItemName": ["share-checkpoints"]},
                )
            ),
        ),
        (NOT_COVERED.format("checkpoints", "'pv-checkpoints'", 7),),
    ),
]
