# ruff: noqa: E501 - expected messages stay on one line each so they can be grepped.
"""Cases of the stack policies in policies/rules/stack/ about storage accounts and file shares."""

from __future__ import annotations

from policy_fixtures import ACCOUNT, ACCOUNT_ID, FILE_SHARE_TYPE, STORAGE_ACCOUNT_TYPE, share_id
from policy_harness import UNKNOWN, StackResource

from ._helpers import SA, SCase, add, chain, drop, no_deps, on, put, remove

ST_HTTPS = "azure-native-storage-storageaccount-https-only"
ST_QUOTA = "azure-native-storage-fileshare-quota-within-account-limits"
ST_LOCK = "azure-native-storage-storageaccount-delete-lock"
ST_SOFT_DELETE_SET = "azure-native-storage-storageaccount-share-soft-delete-configured"
ST_PRIVATE = "azure-native-storage-storageaccount-private-endpoint"
NO_ENDPOINT = (
    f"{SA} has no private endpoint for its file service; add an azure-native:network:"
    "PrivateEndpoint in the node subnet whose privateLinkServiceConnections name the account "
    "with groupIds ['file']."
)
NO_ZONE_GROUP = (
    f"{SA} has a file private endpoint without a DNS zone group in "
    "privatelink.file.core.windows.net; add an azure-native:network:PrivateDnsZoneGroup for the "
    "endpoint with that private DNS zone, linked to the node VNet."
)

HTTPS_SUFFIX = "only NFS-only accounts are exempt (NFS 4.1 has no in-transit encryption). Set enableHttpsTrafficOnly to true."
NFS_SHARES = chain(
    on("share-datasets", put("enabledProtocols", "NFS")),
    on("share-checkpoints", put("enabledProtocols", "NFS")),
)
HTTP_ON = on("account", put("enableHttpsTrafficOnly", False))
NO_LOCK = (
    f"{SA} has no CanNotDelete management lock; add an azure-native:authorization:"
    "ManagementLockByScope with scope set to the account's id and level 'CanNotDelete'."
)
OTHER_ACCOUNT_ID = ACCOUNT_ID.replace(ACCOUNT, "stother")
NO_FILE_SERVICE = (
    "StorageAccount '{}' has file share(s) {} but no FileServiceProperties in this stack, so "
    "share soft delete is left to Azure's defaults; add an azure-native:storage:"
    "FileServiceProperties ('default') for the account with shareDeleteRetentionPolicy enabled."
)

CASES: list[SCase] = [
    # azure-native-storage-storageaccount-https-only
    SCase("https-good", ST_HTTPS),
    SCase("https-default", ST_HTTPS, on("account", drop("enableHttpsTrafficOnly"))),
    SCase("https-unknown", ST_HTTPS, on("account", put("enableHttpsTrafficOnly", UNKNOWN))),
    SCase("https-nfs-only-exempt", ST_HTTPS, chain(HTTP_ON, NFS_SHARES)),
    SCase(
        "https-nfs-only-matched-by-share-id",
        ST_HTTPS,
        chain(HTTP_ON, NFS_SHARES, no_deps("share-datasets", "share-checkpoints")),
    ),
    SCase(
        "https-nfs-only-matched-by-inputs",
        ST_HTTPS,
        chain(
            HTTP_ON,
            NFS_SHARES,
            no_deps("share-datasets", "share-checkpoints"),
            on("share-datasets", put("id", UNKNOWN), put("__inputs", {"accountName": ACCOUNT})),
            on("share-checkpoints", drop("id"), put("__inputs", {"accountName": ACCOUNT})),
        ),
    ),
    SCase(
        "https-protocol-unknown",
        ST_HTTPS,
        chain(HTTP_ON, NFS_SHARES, on("share-checkpoints", put("enabledProtocols", UNKNOWN))),
    ),
    SCase(
        "https-share-owner-unknown",
        ST_HTTPS,
        chain(HTTP_ON, no_deps("share-checkpoints"), on("share-checkpoints", put("id", UNKNOWN))),
    ),
    SCase(
        "https-smb",
        ST_HTTPS,
        HTTP_ON,
        (
            f"{SA} sets enableHttpsTrafficOnly to false but serves SMB share(s) 'datasets', 'checkpoints'; {HTTPS_SUFFIX}",
        ),
    ),
    SCase(
        "https-mixed",
        ST_HTTPS,
        chain(
            HTTP_ON,
            on("share-datasets", put("enabledProtocols", "NFS")),
            on("share-checkpoints", drop("enabledProtocols")),
        ),
        (
            f"{SA} sets enableHttpsTrafficOnly to false but serves SMB share(s) 'checkpoints'; {HTTPS_SUFFIX}",
        ),
    ),
    SCase(
        "https-no-shares",
        ST_HTTPS,
        chain(HTTP_ON, remove("share-datasets", "share-checkpoints")),
        (
            f"{SA} sets enableHttpsTrafficOnly to false but has no file shares in this stack; only accounts whose shares are all NFS are exempt (NFS 4.1 has no in-transit encryption). Set enableHttpsTrafficOnly to true.",
        ),
    ),
    SCase(
        "https-other-account-nfs-does-not-exempt",
        ST_HTTPS,
        chain(
            HTTP_ON,
            no_deps("share-datasets", "share-checkpoints"),
            on(
                "share-datasets",
                put("id", share_id("datasets", "stother")),
                put("enabledProtocols", "NFS"),
            ),
        ),
        (
            f"{SA} sets enableHttpsTrafficOnly to false but serves SMB share(s) 'checkpoints'; {HTTPS_SUFFIX}",
        ),
    ),
    # azure-native-storage-fileshare-quota-within-account-limits
    SCase("limits-good", ST_QUOTA),
    SCase(
        "limits-standard-small",
        ST_QUOTA,
        chain(
            on("account", put("kind", "StorageV2"), drop("largeFileSharesState")),
            on("share-checkpoints", put("shareQuota", 50)),
        ),
    ),
    SCase(
        "limits-standard-lfs",
        ST_QUOTA,
        chain(
            on("account", put("kind", "StorageV2")), on("share-datasets", put("shareQuota", 10240))
        ),
    ),
    SCase(
        "limits-standard-5tib",
        ST_QUOTA,
        chain(
            on("account", put("kind", "StorageV2"), drop("largeFileSharesState")),
            on("share-datasets", put("shareQuota", 5120)),
        ),
    ),
    SCase(
        "limits-kind-unknown",
        ST_QUOTA,
        chain(on("account", put("kind", UNKNOWN)), on("share-checkpoints", put("shareQuota", 50))),
    ),
    SCase(
        "limits-account-not-in-stack",
        ST_QUOTA,
        chain(remove("account"), on("share-checkpoints", put("shareQuota", 50))),
    ),
    SCase(
        "limits-premium-minimum",
        ST_QUOTA,
        on("share-checkpoints", put("shareQuota", 50)),
        (
            f"FileShare 'checkpoints' has shareQuota 50 GiB, which is below the 100 GiB minimum of premium (FileStorage) account '{ACCOUNT}'.",
        ),
    ),
    SCase(
        "limits-premium-maximum",
        ST_QUOTA,
        on("share-checkpoints", put("shareQuota", 102401)),
        (
            f"FileShare 'checkpoints' has shareQuota 102401 GiB, which is above the 102400 GiB maximum of account '{ACCOUNT}'.",
        ),
    ),
    SCase(
        "limits-standard-without-lfs",
        ST_QUOTA,
        chain(
            on("account", put("kind", "StorageV2"), put("largeFileSharesState", "Disabled")),
            on("share-datasets", put("shareQuota", 10240)),
        ),
        (
            f"FileShare 'datasets' has shareQuota 10240 GiB, which is above the 5120 GiB maximum of StorageV2 account '{ACCOUNT}'; set largeFileSharesState to 'Enabled' on the account or lower the quota.",
        ),
    ),
    SCase(
        "limits-standard-lfs-maximum",
        ST_QUOTA,
        chain(
            on("account", put("kind", "StorageV2")), on("share-datasets", put("shareQuota", 200000))
        ),
        (
            f"FileShare 'datasets' has shareQuota 200000 GiB, which is above the 102400 GiB maximum of StorageV2 account '{ACCOUNT}'.",
        ),
    ),
    SCase(
        "limits-matched-by-share-id",
        ST_QUOTA,
        chain(no_deps("share-checkpoints"), on("share-checkpoints", put("shareQuota", 99))),
        (
            f"FileShare 'checkpoints' has shareQuota 99 GiB, which is below the 100 GiB minimum of premium (FileStorage) account '{ACCOUNT}'.",
        ),
    ),
    SCase(
        "limits-v2-small-share",
        ST_QUOTA,
        chain(
            on("account", put("sku.name", "PremiumV2_ZRS")),
            on("share-checkpoints", put("shareQuota", 32)),
            on("share-datasets", put("shareQuota", 262144)),
        ),
    ),
    SCase(
        "limits-v2-below-minimum",
        ST_QUOTA,
        chain(
            on("account", put("sku.name", "StandardV2_LRS")),
            on("share-checkpoints", put("shareQuota", 31)),
        ),
        (
            f"FileShare 'checkpoints' has shareQuota 31 GiB, which is outside the 32-262144 GiB of a provisioned-v2-hdd share (account '{ACCOUNT}').",
        ),
    ),
    SCase(
        "limits-v2-above-maximum",
        ST_QUOTA,
        chain(
            on("account", put("sku.name", "PremiumV2_LRS")),
            on("share-datasets", put("shareQuota", 262145)),
        ),
        (
            f"FileShare 'datasets' has shareQuota 262145 GiB, which is outside the 32-262144 GiB of a provisioned-v2-ssd share (account '{ACCOUNT}').",
        ),
    ),
    SCase(
        "limits-sku-unknown",
        ST_QUOTA,
        chain(
            on("account", put("sku.name", UNKNOWN)), on("share-checkpoints", put("shareQuota", 50))
        ),
    ),
    # azure-native-storage-storageaccount-delete-lock
    SCase("lock-good", ST_LOCK),
    SCase("lock-matched-by-id", ST_LOCK, no_deps("account-lock")),
    SCase(
        "lock-matched-by-scope",
        ST_LOCK,
        chain(
            no_deps("account-lock"),
            on("account-lock", drop("id"), put("scope", ACCOUNT_ID.upper())),
        ),
    ),
    SCase(
        "lock-preview-unknown",
        ST_LOCK,
        chain(
            no_deps("account-lock"),
            on("account-lock", put("id", UNKNOWN)),
            on("account", put("id", UNKNOWN)),
        ),
    ),
    SCase("lock-level-unknown", ST_LOCK, on("account-lock", put("level", UNKNOWN))),
    SCase("lock-missing", ST_LOCK, remove("account-lock"), (NO_LOCK,)),
    SCase(
        "lock-other-account",
        ST_LOCK,
        chain(
            no_deps("account-lock"),
            on(
                "account-lock",
                put("id", f"{OTHER_ACCOUNT_ID}/providers/Microsoft.Authorization/locks/x"),
            ),
        ),
        (NO_LOCK,),
    ),
    SCase(
        "lock-read-only",
        ST_LOCK,
        on("account-lock", put("level", "ReadOnly")),
        (
            f"{SA} is locked only with level 'ReadOnly'; add a 'CanNotDelete' lock (a 'ReadOnly' lock also blocks listing the account keys, which breaks SMB mounts).",
        ),
    ),
    # azure-native-storage-storageaccount-share-soft-delete-configured
    SCase("sdset-good", ST_SOFT_DELETE_SET),
    SCase("sdset-matched-by-id", ST_SOFT_DELETE_SET, no_deps("file-service")),
    SCase(
        "sdset-matched-by-inputs",
        ST_SOFT_DELETE_SET,
        chain(
            no_deps("file-service"),
            on(
                "file-service",
                put("id", UNKNOWN),
                put("__inputs", {"accountName": ACCOUNT.upper()}),
            ),
        ),
    ),
    SCase(
        "sdset-no-shares",
        ST_SOFT_DELETE_SET,
        remove("file-service", "share-datasets", "share-checkpoints"),
    ),
    SCase(
        "sdset-preview-unknown",
        ST_SOFT_DELETE_SET,
        chain(no_deps("file-service"), on("file-service", put("id", UNKNOWN))),
    ),
    SCase(
        "sdset-share-owner-unknown",
        ST_SOFT_DELETE_SET,
        chain(
            remove("file-service"),
            no_deps("share-datasets", "share-checkpoints"),
            on("share-datasets", put("id", UNKNOWN)),
            on("share-checkpoints", put("id", UNKNOWN)),
        ),
    ),
    SCase(
        "sdset-missing",
        ST_SOFT_DELETE_SET,
        remove("file-service"),
        (NO_FILE_SERVICE.format(ACCOUNT, "'datasets', 'checkpoints'"),),
    ),
    SCase(
        "sdset-other-account",
        ST_SOFT_DELETE_SET,
        chain(
            no_deps("file-service"),
            on("file-service", put("id", f"{OTHER_ACCOUNT_ID}/fileServices/default")),
        ),
        (NO_FILE_SERVICE.format(ACCOUNT, "'datasets', 'checkpoints'"),),
    ),
    SCase(
        "sdset-second-account-without-service",
        ST_SOFT_DELETE_SET,
        chain(
            add(
                StackResource(
                    STORAGE_ACCOUNT_TYPE, "other", {"name": "stother", "kind": "FileStorage"}
                )
            ),
            add(
                StackResource(
                    FILE_SHARE_TYPE,
                    "share-other",
                    {"name": "scratch", "id": share_id("scratch", "stother"), "shareQuota": 100},
                    property_dependencies={"accountName": ["other"]},
                )
            ),
        ),
        (NO_FILE_SERVICE.format("stother", "'scratch'"),),
    ),
    # azure-native-storage-storageaccount-private-endpoint
    SCase("private-good", ST_PRIVATE),
    SCase(
        "private-matched-by-ids",
        ST_PRIVATE,
        no_deps("file-endpoint", "file-dns"),
    ),
    SCase(
        "private-account-id-unknown-matched-by-dependency",
        ST_PRIVATE,
        on("account", put("id", UNKNOWN)),
    ),
    SCase(
        "private-endpoint-target-unknown",
        ST_PRIVATE,
        chain(
            no_deps("file-endpoint"),
            on(
                "file-endpoint",
                put("privateLinkServiceConnections.0.privateLinkServiceId", UNKNOWN),
            ),
        ),
    ),
    SCase("private-no-endpoint", ST_PRIVATE, remove("file-endpoint", "file-dns"), (NO_ENDPOINT,)),
    SCase(
        "private-endpoint-for-blob",
        ST_PRIVATE,
        on("file-endpoint", put("privateLinkServiceConnections.0.groupIds", ["blob"])),
        (NO_ENDPOINT,),
    ),
    SCase(
        "private-endpoint-for-another-account",
        ST_PRIVATE,
        chain(
            no_deps("file-endpoint"),
            on(
                "file-endpoint",
                put("privateLinkServiceConnections.0.privateLinkServiceId", OTHER_ACCOUNT_ID),
            ),
        ),
        (NO_ENDPOINT,),
    ),
    SCase("private-no-zone-group", ST_PRIVATE, remove("file-dns"), (NO_ZONE_GROUP,)),
    SCase(
        "private-zone-group-in-another-zone",
        ST_PRIVATE,
        chain(
            no_deps("file-dns"),
            on(
                "file-dns",
                put(
                    "privateDnsZoneConfigs.0.privateDnsZoneId",
                    "/subscriptions/x/providers/Microsoft.Network/privateDnsZones/privatelink.blob.core.windows.net",
                ),
            ),
        ),
        (NO_ZONE_GROUP,),
    ),
]
