# ruff: noqa: E501 - expected messages stay on one line each so they can be grepped.
"""Cases of the stack policies about Azure Files billing models (policies/rules/stack/).

The known-good stack is a provisioned v1 account (``Premium_ZRS``) with a 1024 GiB and a 512 GiB
share: 4024 and 3512 IOPS, 203 and 152 MiB/s ("Provisioned v1 provisioning detail",
https://learn.microsoft.com/azure/storage/files/understanding-billing). The v2 mutations turn
the account into ``PremiumV2_ZRS`` / ``StandardV2_ZRS``, whose recommendations for 1024 GiB are
4024 IOPS and 203 MiB/s (SSD) and 1205 IOPS and 81 MiB/s (HDD).
"""

from __future__ import annotations

from policy_fixtures import ACCOUNT
from policy_harness import UNKNOWN

from ._helpers import SCase, chain, drop, no_deps, on, put, remove

ST_TARGETS = "azure-native-storage-fileshare-meets-volume-targets"
ST_LIMITS = "azure-native-storage-fileshare-provisioned-within-model-limits"
ST_SKU = "azure-native-storage-storageaccount-sku-matches-share-model"
ST_NFS = "azure-native-storage-fileshare-nfs-model-allowed"

THROUGHPUT = "aks-rwx-training/throughput-target-mibps"
IOPS = "aks-rwx-training/iops-target"
V2_SSD = on("account", put("sku.name", "PremiumV2_ZRS"))
V2_HDD = on("account", put("sku.name", "StandardV2_ZRS"))
PAYG = on("account", put("sku.name", "Standard_ZRS"), put("kind", "StorageV2"))


def wants(**targets: str):
    """pv-datasets declares these targets (annotation -> value)."""
    keys = {"throughput": THROUGHPUT, "iops": IOPS}
    return on(
        "pv-datasets",
        *(put(f"metadata.annotations.{keys[k]}", v) for k, v in targets.items()),
    )


def datasets(**props):
    return on("share-datasets", *(put(k, v) for k, v in props.items()))


PV = "PersistentVolume 'pv-datasets'"

CASES: list[SCase] = [
    # azure-native-storage-fileshare-meets-volume-targets
    SCase("targets-good", ST_TARGETS),
    SCase("targets-v1-met", ST_TARGETS, wants(throughput="203", iops="4024")),
    SCase(
        "targets-v1-throughput-missed",
        ST_TARGETS,
        wants(throughput="204"),
        (
            f"FileShare 'datasets' provides 203 MiB/s, below the 204 MiB/s that {PV} declares ({THROUGHPUT}): provisioned-v1-ssd gives 203 from its 1024 GiB quota; raise shareQuota, or move to provisioned v2.",
        ),
    ),
    SCase(
        "targets-v1-iops-missed",
        ST_TARGETS,
        wants(iops="4025"),
        (
            f"FileShare 'datasets' provides 4024 IOPS, below the 4025 IOPS that {PV} declares ({IOPS}): provisioned-v1-ssd gives 4024 from its 1024 GiB quota; raise shareQuota, or move to provisioned v2.",
        ),
    ),
    SCase(
        "targets-v2-provisioned-met",
        ST_TARGETS,
        chain(V2_SSD, datasets(provisionedBandwidthMibps=800), wants(throughput="800")),
    ),
    SCase(
        "targets-v2-provisioned-missed",
        ST_TARGETS,
        chain(V2_SSD, datasets(provisionedBandwidthMibps=500), wants(throughput="800")),
        (
            f"FileShare 'datasets' provides 500 MiB/s, below the 800 MiB/s that {PV} declares ({THROUGHPUT}): provisioned-v2-ssd gives 500 as its provisionedBandwidthMibps; raise it.",
        ),
    ),
    SCase(
        "targets-v2-recommendation-met",
        ST_TARGETS,
        chain(V2_HDD, wants(throughput="81", iops="1205")),
    ),
    SCase(
        "targets-v2-recommendation-missed",
        ST_TARGETS,
        chain(V2_HDD, wants(iops="1206")),
        (
            f"FileShare 'datasets' provides 1205 IOPS, below the 1206 IOPS that {PV} declares ({IOPS}): provisioned-v2-hdd gives 1205 with provisionedIops unset (Azure's recommendation for 1024 GiB); set provisionedIops.",
        ),
    ),
    SCase(
        "targets-pay-as-you-go",
        ST_TARGETS,
        chain(PAYG, wants(throughput="60")),
        (
            f"FileShare 'datasets' is pay-as-you-go (StorageAccount '{ACCOUNT}', sku 'Standard_ZRS'): nothing is provisioned, so it cannot guarantee the 60 MiB/s that {PV} declares ({THROUGHPUT}); use a provisioned billing model.",
        ),
    ),
    SCase(
        "targets-not-a-number",
        ST_TARGETS,
        wants(throughput="fast"),
        (
            f"{PV} annotates {THROUGHPUT}='fast', which is not a whole number of MiB/s; set it to the MiB/s the volume needs.",
        ),
    ),
    SCase("targets-annotation-unknown", ST_TARGETS, wants(throughput=UNKNOWN)),
    SCase(
        "targets-provisioned-unknown",
        ST_TARGETS,
        chain(V2_SSD, datasets(provisionedBandwidthMibps=UNKNOWN), wants(throughput="800")),
    ),
    SCase(
        "targets-sku-unknown",
        ST_TARGETS,
        chain(on("account", put("sku.name", UNKNOWN)), wants(throughput="9999")),
    ),
    SCase(
        "targets-share-not-in-stack",
        ST_TARGETS,
        chain(remove("share-datasets"), wants(throughput="9999")),
    ),
    SCase(
        "targets-matched-by-volume-handle",
        ST_TARGETS,
        chain(no_deps("pv-datasets", "share-datasets"), wants(throughput="204")),
        (
            f"FileShare 'datasets' provides 203 MiB/s, below the 204 MiB/s that {PV} declares ({THROUGHPUT}): provisioned-v1-ssd gives 203 from its 1024 GiB quota; raise shareQuota, or move to provisioned v2.",
        ),
    ),
    # azure-native-storage-fileshare-provisioned-within-model-limits
    SCase("v2limits-good", ST_LIMITS),
    SCase("v2limits-v1-account-skipped", ST_LIMITS, datasets(provisionedIops=1)),
    SCase(
        "v2limits-on-the-edges",
        ST_LIMITS,
        chain(
            V2_SSD,
            datasets(provisionedIops=3000, provisionedBandwidthMibps=10240),
            on(
                "share-checkpoints",
                put("provisionedIops", 99400),
                put("provisionedBandwidthMibps", 100),
            ),
        ),
    ),
    SCase(
        "v2limits-ssd-iops-below",
        ST_LIMITS,
        chain(V2_SSD, datasets(provisionedIops=2999)),
        (
            f"FileShare 'datasets' sets provisionedIops 2999, outside the 3000-102400 IOPS a provisioned-v2-ssd share takes (PremiumV2_ZRS account '{ACCOUNT}').",
        ),
    ),
    SCase(
        "v2limits-hdd-throughput-above",
        ST_LIMITS,
        chain(V2_HDD, datasets(provisionedBandwidthMibps=5121)),
        (
            f"FileShare 'datasets' sets provisionedBandwidthMibps 5121, outside the 60-5120 MiB/s a provisioned-v2-hdd share takes (StandardV2_ZRS account '{ACCOUNT}').",
            # 5121 + the checkpoints share's recommended 71 MiB/s
            f"StorageAccount '{ACCOUNT}' (StandardV2_ZRS) provisions 5192 MiB/s over its shares, more than the 5120 MiB/s one provisioned-v2-hdd account allows; lower the shares' values or split them over several accounts.",
        ),
    ),
    SCase(
        "v2limits-not-a-number",
        ST_LIMITS,
        chain(V2_SSD, datasets(provisionedIops="lots")),
        (
            f"FileShare 'datasets' sets provisionedIops 'lots', outside the 3000-102400 IOPS a provisioned-v2-ssd share takes (PremiumV2_ZRS account '{ACCOUNT}').",
        ),
    ),
    SCase(
        "v2limits-account-iops",
        ST_LIMITS,
        # 99,401 + the checkpoints share's recommended 3,512 IOPS: each within, together over.
        chain(V2_SSD, datasets(provisionedIops=99401)),
        (
            f"StorageAccount '{ACCOUNT}' (PremiumV2_ZRS) provisions 102913 IOPS over its shares, more than the 102400 IOPS one provisioned-v2-ssd account allows; lower the shares' values or split them over several accounts.",
        ),
    ),
    SCase(
        "v2limits-unknown-skips-the-totals",
        ST_LIMITS,
        chain(
            V2_SSD,
            datasets(provisionedIops=99401),
            on("share-checkpoints", put("provisionedIops", UNKNOWN)),
        ),
    ),
    # azure-native-storage-storageaccount-sku-matches-share-model
    SCase("skumodel-good", ST_SKU),
    SCase("skumodel-v2-shares-good", ST_SKU, chain(V2_SSD, datasets(provisionedIops=5000))),
    SCase("skumodel-payg-good", ST_SKU, chain(PAYG, datasets(accessTier="TransactionOptimized"))),
    SCase(
        "skumodel-v2-on-storage-v2",
        ST_SKU,
        chain(V2_HDD, on("account", put("kind", "StorageV2"))),
        (
            f"StorageAccount '{ACCOUNT}' (StandardV2_ZRS, provisioned-v2-hdd) is of kind 'StorageV2', but StandardV2_ZRS needs kind 'FileStorage'.",
        ),
    ),
    SCase(
        "skumodel-payg-on-file-storage",
        ST_SKU,
        on("account", put("sku.name", "Standard_LRS")),
        (
            f"StorageAccount '{ACCOUNT}' (Standard_LRS, pay-as-you-go-hdd) is of kind 'FileStorage', but Standard_LRS needs kind 'StorageV2'.",
        ),
    ),
    SCase(
        "skumodel-v2-values-on-v1",
        ST_SKU,
        datasets(provisionedIops=5000, provisionedBandwidthMibps=300),
        (
            f"FileShare 'datasets' of StorageAccount '{ACCOUNT}' (Premium_ZRS, provisioned-v1-ssd) sets provisionedIops and provisionedBandwidthMibps, which only provisioned v2 shares take; remove them, or use a PremiumV2_*/StandardV2_* account.",
        ),
    ),
    SCase(
        "skumodel-payg-tier-on-v2",
        ST_SKU,
        chain(V2_SSD, datasets(accessTier="Hot")),
        (
            f"FileShare 'datasets' of StorageAccount '{ACCOUNT}' (PremiumV2_ZRS, provisioned-v2-ssd) uses access tier 'Hot', which only pay-as-you-go (Standard_*) shares have; remove accessTier.",
        ),
    ),
    SCase(
        "skumodel-unknown",
        ST_SKU,
        chain(on("account", put("sku.name", UNKNOWN)), datasets(provisionedIops=5000)),
    ),
    SCase("skumodel-kind-missing", ST_SKU, chain(V2_SSD, on("account", drop("kind")))),
    SCase(
        "skumodel-share-owner-unknown",
        ST_SKU,
        chain(datasets(provisionedIops=5000), no_deps("share-datasets"), datasets(id=UNKNOWN)),
    ),
    # azure-native-storage-fileshare-nfs-model-allowed
    SCase("nfs-model-good", ST_NFS, datasets(enabledProtocols="NFS")),
    SCase("nfs-model-v2-ssd", ST_NFS, chain(V2_SSD, datasets(enabledProtocols="NFS"))),
    SCase("nfs-model-smb-on-hdd", ST_NFS, V2_HDD),
    SCase(
        "nfs-model-v2-hdd",
        ST_NFS,
        chain(V2_HDD, datasets(enabledProtocols="NFS")),
        (
            f"FileShare 'datasets' is NFS, but StorageAccount '{ACCOUNT}' (StandardV2_ZRS) is provisioned-v2-hdd: Azure Files offers NFS on SSD only; use a PremiumV2_* or Premium_* account, or SMB.",
        ),
    ),
    SCase(
        "nfs-model-pay-as-you-go",
        ST_NFS,
        chain(PAYG, datasets(enabledProtocols="NFS")),
        (
            f"FileShare 'datasets' is NFS, but StorageAccount '{ACCOUNT}' (Standard_ZRS) is pay-as-you-go-hdd: Azure Files offers NFS on SSD only; use a PremiumV2_* or Premium_* account, or SMB.",
        ),
    ),
    SCase(
        "nfs-model-sku-unknown",
        ST_NFS,
        chain(PAYG, on("account", put("sku.name", UNKNOWN)), datasets(enabledProtocols="NFS")),
    ),
    SCase(
        "nfs-model-account-not-in-stack",
        ST_NFS,
        chain(remove("account"), datasets(enabledProtocols="NFS")),
    ),
]
