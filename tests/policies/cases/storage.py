# ruff: noqa: E501 - expected messages stay on one line each so they can be grepped.
"""Cases of the policies in policies/rules/storage/ (single Azure storage resources)."""

from __future__ import annotations

from policy_fixtures import ACCOUNT
from policy_harness import UNKNOWN

from ._helpers import SA, RCase, chain, drop, put

SA_TLS = "azure-native-storage-storageaccount-min-tls-12"
SA_BLOB = "azure-native-storage-storageaccount-blob-public-access-disabled"
SA_XTENANT = "azure-native-storage-storageaccount-cross-tenant-replication-disabled"
SA_NET = "azure-native-storage-storageaccount-network-default-deny"
SA_SKU = "azure-native-storage-storageaccount-replication-allowed"
SA_TAGS = "azure-native-storage-storageaccount-required-tags"
FS_SOFT_DELETE = "azure-native-storage-fileserviceproperties-share-soft-delete"
SHARE_QUOTA = "azure-native-storage-fileshare-quota-set"

ALL_TAGS = "environment, owner, cost-center"
NET_FIX = (
    "set it to 'Deny' and allow the AKS subnet through virtualNetworkRules or a private endpoint."
)
SOFT_DELETE = f"FileServiceProperties of account '{ACCOUNT}'"

CASES: list[RCase] = [
    # azure-native-storage-storageaccount-min-tls-12
    RCase("tls-good", SA_TLS, "storage_account"),
    RCase("tls-unknown", SA_TLS, "storage_account", put("minimumTlsVersion", UNKNOWN)),
    RCase(
        "tls-1-0",
        SA_TLS,
        "storage_account",
        put("minimumTlsVersion", "TLS1_0"),
        (f"{SA} has minimumTlsVersion 'TLS1_0'; set it to 'TLS1_2'.",),
    ),
    RCase(
        "tls-missing",
        SA_TLS,
        "storage_account",
        drop("minimumTlsVersion"),
        (f"{SA} does not set minimumTlsVersion (Azure then accepts TLS 1.0); set it to 'TLS1_2'.",),
    ),
    RCase(
        "tls-label-falls-back-to-pulumi-name",
        SA_TLS,
        "storage_account",
        chain(put("accountName", UNKNOWN), put("minimumTlsVersion", "TLS1_1")),
        ("StorageAccount 'res' has minimumTlsVersion 'TLS1_1'; set it to 'TLS1_2'.",),
    ),
    # azure-native-storage-storageaccount-blob-public-access-disabled
    RCase("blob-good", SA_BLOB, "storage_account"),
    RCase("blob-missing-defaults-false", SA_BLOB, "storage_account", drop("allowBlobPublicAccess")),
    RCase("blob-unknown", SA_BLOB, "storage_account", put("allowBlobPublicAccess", UNKNOWN)),
    RCase(
        "blob-true",
        SA_BLOB,
        "storage_account",
        put("allowBlobPublicAccess", True),
        (f"{SA} sets allowBlobPublicAccess to true; set it to false.",),
    ),
    # azure-native-storage-storageaccount-cross-tenant-replication-disabled
    RCase("xtenant-good", SA_XTENANT, "storage_account"),
    RCase(
        "xtenant-missing-defaults-false",
        SA_XTENANT,
        "storage_account",
        drop("allowCrossTenantReplication"),
    ),
    RCase(
        "xtenant-unknown",
        SA_XTENANT,
        "storage_account",
        put("allowCrossTenantReplication", UNKNOWN),
    ),
    RCase(
        "xtenant-true",
        SA_XTENANT,
        "storage_account",
        put("allowCrossTenantReplication", True),
        (f"{SA} sets allowCrossTenantReplication to true; set it to false.",),
    ),
    # azure-native-storage-storageaccount-network-default-deny
    RCase("net-good", SA_NET, "storage_account"),
    RCase("net-unknown", SA_NET, "storage_account", put("networkRuleSet", UNKNOWN)),
    RCase(
        "net-allow",
        SA_NET,
        "storage_account",
        put("networkRuleSet.defaultAction", "Allow"),
        (f"{SA} has networkRuleSet.defaultAction 'Allow'; {NET_FIX}",),
    ),
    RCase(
        "net-missing",
        SA_NET,
        "storage_account",
        drop("networkRuleSet"),
        (f"{SA} does not set networkRuleSet.defaultAction (Azure then uses 'Allow'); {NET_FIX}",),
    ),
    # azure-native-storage-storageaccount-replication-allowed
    RCase("sku-good", SA_SKU, "storage_account"),
    RCase("sku-case-insensitive", SA_SKU, "storage_account", put("sku.name", "premium_zrs")),
    RCase("sku-unknown", SA_SKU, "storage_account", put("sku.name", UNKNOWN)),
    RCase(
        "sku-dev-allows-lrs",
        SA_SKU,
        "storage_account",
        put("sku.name", "Standard_LRS"),
        settings={"allowedSkus": ["Standard_LRS", "Standard_ZRS"]},
    ),
    RCase(
        "sku-lrs",
        SA_SKU,
        "storage_account",
        put("sku.name", "Standard_LRS"),
        (
            f"{SA} uses sku 'Standard_LRS', which is not allowed; allowed SKUs: Premium_LRS, Premium_ZRS, Standard_ZRS.",
        ),
    ),
    RCase(
        "sku-missing",
        SA_SKU,
        "storage_account",
        drop("sku"),
        (f"{SA} does not set sku.name; allowed SKUs: Premium_LRS, Premium_ZRS, Standard_ZRS.",),
    ),
    # azure-native-storage-storageaccount-required-tags
    RCase("satags-good", SA_TAGS, "storage_account"),
    RCase("satags-unknown-map", SA_TAGS, "storage_account", put("tags", UNKNOWN)),
    RCase("satags-unknown-value", SA_TAGS, "storage_account", put("tags.owner", UNKNOWN)),
    RCase(
        "satags-setting",
        SA_TAGS,
        "storage_account",
        put("tags", {"environment": "dev"}),
        settings={"requiredTags": ["environment"]},
    ),
    RCase(
        "satags-missing-two",
        SA_TAGS,
        "storage_account",
        put("tags", {"environment": "prod"}),
        (f"{SA} is missing required tags: owner, cost-center.",),
    ),
    RCase(
        "satags-blank",
        SA_TAGS,
        "storage_account",
        put("tags.owner", "  "),
        (f"{SA} is missing required tags: owner.",),
    ),
    RCase(
        "satags-none",
        SA_TAGS,
        "storage_account",
        drop("tags"),
        (f"{SA} is missing required tags: {ALL_TAGS}.",),
    ),
    # azure-native-storage-fileserviceproperties-share-soft-delete
    RCase("softdel-good", FS_SOFT_DELETE, "file_service"),
    RCase("softdel-exact-minimum", FS_SOFT_DELETE, "file_service", settings={"minimumDays": 30}),
    RCase(
        "softdel-unknown",
        FS_SOFT_DELETE,
        "file_service",
        put("shareDeleteRetentionPolicy", UNKNOWN),
    ),
    RCase(
        "softdel-days-unknown",
        FS_SOFT_DELETE,
        "file_service",
        put("shareDeleteRetentionPolicy.days", UNKNOWN),
    ),
    RCase(
        "softdel-too-short",
        FS_SOFT_DELETE,
        "file_service",
        put("shareDeleteRetentionPolicy.days", 14),
        (f"{SOFT_DELETE} retains deleted shares for 14 days; at least 30 are required.",),
        settings={"minimumDays": 30},
    ),
    RCase(
        "softdel-missing",
        FS_SOFT_DELETE,
        "file_service",
        drop("shareDeleteRetentionPolicy"),
        (
            f"{SOFT_DELETE} does not set shareDeleteRetentionPolicy; enable share soft delete with at least 7 days.",
        ),
    ),
    RCase(
        "softdel-disabled",
        FS_SOFT_DELETE,
        "file_service",
        put("shareDeleteRetentionPolicy.enabled", False),
        (
            f"{SOFT_DELETE} has shareDeleteRetentionPolicy.enabled false; enable share soft delete with at least 7 days.",
        ),
    ),
    RCase(
        "softdel-enabled-missing",
        FS_SOFT_DELETE,
        "file_service",
        drop("shareDeleteRetentionPolicy.enabled"),
        (
            f"{SOFT_DELETE} has shareDeleteRetentionPolicy.enabled <not set>; enable share soft delete with at least 7 days.",
        ),
    ),
    RCase(
        "softdel-days-missing",
        FS_SOFT_DELETE,
        "file_service",
        drop("shareDeleteRetentionPolicy.days"),
        (f"{SOFT_DELETE} enables share soft delete without setting days; set at least 7.",),
    ),
    RCase(
        "softdel-account-unknown",
        FS_SOFT_DELETE,
        "file_service",
        chain(put("accountName", UNKNOWN), put("shareDeleteRetentionPolicy.days", 1)),
        (
            "FileServiceProperties 'res' retains deleted shares for 1 days; at least 7 are required.",
        ),
    ),
    # azure-native-storage-fileshare-quota-set
    RCase("quota-good", SHARE_QUOTA, "file_share"),
    RCase("quota-unknown", SHARE_QUOTA, "file_share", put("shareQuota", UNKNOWN)),
    RCase("quota-maximum", SHARE_QUOTA, "file_share", put("shareQuota", 262144)),
    RCase(
        "quota-missing",
        SHARE_QUOTA,
        "file_share",
        drop("shareQuota"),
        ("FileShare 'datasets' does not set shareQuota; set an explicit quota in GiB (1-262144).",),
    ),
    RCase(
        "quota-zero",
        SHARE_QUOTA,
        "file_share",
        put("shareQuota", 0),
        (
            "FileShare 'datasets' has shareQuota 0; it must be a whole number of GiB between 1 and 262144.",
        ),
    ),
    RCase(
        "quota-too-big",
        SHARE_QUOTA,
        "file_share",
        put("shareQuota", 262145),
        (
            "FileShare 'datasets' has shareQuota 262145; it must be a whole number of GiB between 1 and 262144.",
        ),
    ),
    RCase(
        "quota-fraction",
        SHARE_QUOTA,
        "file_share",
        put("shareQuota", 1.5),
        (
            "FileShare 'datasets' has shareQuota 1.5; it must be a whole number of GiB between 1 and 262144.",
        ),
    ),
    RCase(
        "quota-string",
        SHARE_QUOTA,
        "file_share",
        put("shareQuota", "100"),
        (
            "FileShare 'datasets' has shareQuota '100'; it must be a whole number of GiB between 1 and 262144.",
        ),
    ),
    # azure-native-storage-storageaccount-public-network-access-disabled
    RCase(
        "public-access-good",
        "azure-native-storage-storageaccount-public-network-access-disabled",
        "storage_account",
    ),
    RCase(
        "public-access-unknown",
        "azure-native-storage-storageaccount-public-network-access-disabled",
        "storage_account",
        put("publicNetworkAccess", UNKNOWN),
    ),
    RCase(
        "public-access-enabled",
        "azure-native-storage-storageaccount-public-network-access-disabled",
        "storage_account",
        put("publicNetworkAccess", "Enabled"),
        (
            "StorageAccount 'sttrainprod001' has publicNetworkAccess 'Enabled'; set it to 'Disabled' and reach the account through a private endpoint.",
        ),
    ),
    RCase(
        "public-access-missing",
        "azure-native-storage-storageaccount-public-network-access-disabled",
        "storage_account",
        drop("publicNetworkAccess"),
        (
            "StorageAccount 'sttrainprod001' does not set publicNetworkAccess; set it to 'Disabled' and reach the account through a private endpoint.",
        ),
    ),
]
