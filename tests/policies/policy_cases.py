# ruff: noqa: E501 - expected messages stay on one line each so they can be grepped.
"""The mutation table: one case per pass/failure mode of every policy, with exact messages.

Resource cases start from a known-good fixture (``policy_fixtures.RESOURCES``), apply one
mutation to its inputs and list the exact messages the policy must report (``()`` = must
pass). Stack cases do the same on ``policy_fixtures.good_stack()``. Settings default to the
policy's schema defaults.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from policy_fixtures import (
    ACCOUNT,
    ACCOUNT_ID,
    FILE_SHARE_TYPE,
    PV_TYPE,
    RG,
    SECRET_TYPE,
    STORAGE_ACCOUNT_TYPE,
    SUB,
    share_id,
)
from policy_harness import UNKNOWN, StackResource, secret

Mutation = Callable[[Any], None]

# --- mutation helpers ----------------------------------------------------------------------


def _walk(obj: Any, path: str) -> tuple[Any, str | int]:
    steps: list[str | int] = [int(p) if p.isdigit() else p for p in path.split(".")]
    for step in steps[:-1]:
        if isinstance(step, str) and isinstance(obj, dict) and step not in obj:
            obj[step] = {}
        obj = obj[step]
    return obj, steps[-1]


def put(path: str, value: Any) -> Mutation:
    """Set a (dotted, list indexes as numbers) path, creating objects on the way."""

    def mutate(props: Any) -> None:
        parent, last = _walk(props, path)
        parent[last] = value

    return mutate


def drop(path: str) -> Mutation:
    def mutate(props: Any) -> None:
        parent, last = _walk(props, path)
        del parent[last]

    return mutate


def chain(*mutations: Mutation) -> Mutation:
    def mutate(target: Any) -> None:
        for m in mutations:
            m(target)

    return mutate


def on(name: str, *mutations: Mutation) -> Mutation:
    """Apply property mutations to one resource of a stack fixture."""

    def mutate(stack: dict[str, StackResource]) -> None:
        for m in mutations:
            m(stack[name].props)

    return mutate


def remove(*names: str) -> Mutation:
    def mutate(stack: dict[str, StackResource]) -> None:
        for name in names:
            del stack[name]
        for r in stack.values():
            for prop in list(r.property_dependencies):
                r.property_dependencies[prop] = [
                    n for n in r.property_dependencies[prop] if n not in names
                ]

    return mutate


def no_deps(*names: str) -> Mutation:
    """Forget the property dependencies of resources (e.g. values wired as plain strings)."""

    def mutate(stack: dict[str, StackResource]) -> None:
        for name in names:
            stack[name].property_dependencies = {}

    return mutate


def add(resource: StackResource) -> Mutation:
    def mutate(stack: dict[str, StackResource]) -> None:
        stack[resource.name] = resource

    return mutate


# --- cases ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class RCase:
    id: str
    policy: str
    fixture: str
    mutate: Mutation | None = None
    expected: tuple[str, ...] = ()
    settings: dict[str, Any] | None = None
    protect: bool = True
    delete_before_replace: bool | None = None


@dataclass(frozen=True)
class SCase:
    id: str
    policy: str
    mutate: Mutation | None = None
    expected: tuple[str, ...] = ()
    settings: dict[str, Any] | None = field(default=None)


SA = f"StorageAccount '{ACCOUNT}'"
MC = "ManagedCluster 'aks-train-prod'"
ALL_TAGS = "environment, owner, cost-center"
VM_SIZES = "Standard_D4ds_v5, Standard_D8ds_v5, Standard_NC24ads_A100_v4, Standard_NC40ads_H100_v5"
QUANTITY_HELP = (
    "expected a number with an optional suffix (Ki, Mi, Gi, Ti, Pi, Ei, n, u, m, k, M, G, T, "
    "P, E or an exponent such as e3)"
)

# Policy names.
PV_RETAIN = "kubernetes-core-persistentvolume-reclaim-retain"
PV_CSI = "kubernetes-core-persistentvolume-azurefile-csi-driver"
PV_RWX = "kubernetes-core-persistentvolume-access-mode-rwx"
PV_MOUNT = "kubernetes-core-persistentvolume-smb-mount-options"
IMAGE = "kubernetes-core-podspec-image-allowed"
HUB_BUSYBOX = (
    "busybox:1.36.1@sha256:73aaf090f3d85aa34ee199857f03fa3a95c8ede2ffd4cc2cdb5b94e566b11662"
)
UNPINNED = (
    "is not pinned by digest (name@sha256:<64 hex>): a tag can be moved to other code after review"
)
PVC_EXPLICIT = "kubernetes-core-persistentvolumeclaim-storageclass-explicit"
SC_RETAIN = "kubernetes-storage-storageclass-reclaim-retain"
SA_TLS = "azure-native-storage-storageaccount-min-tls-12"
SA_BLOB = "azure-native-storage-storageaccount-blob-public-access-disabled"
SA_XTENANT = "azure-native-storage-storageaccount-cross-tenant-replication-disabled"
SA_NET = "azure-native-storage-storageaccount-network-default-deny"
SA_SKU = "azure-native-storage-storageaccount-replication-allowed"
SA_TAGS = "azure-native-storage-storageaccount-required-tags"
FS_SOFT_DELETE = "azure-native-storage-fileserviceproperties-share-soft-delete"
SHARE_QUOTA = "azure-native-storage-fileshare-quota-set"
AKS_RBAC = "azure-native-containerservice-managedcluster-rbac-enabled"
AKS_MI = "azure-native-containerservice-managedcluster-managed-identity"
AKS_ENTRA = "azure-native-containerservice-managedcluster-entra-id-enabled"
AKS_LOCAL = "azure-native-containerservice-managedcluster-local-accounts-disabled"
AKS_NETPOL = "azure-native-containerservice-managedcluster-network-policy"
AKS_CSI = "azure-native-containerservice-managedcluster-file-csi-driver-enabled"
AKS_VERSION = "azure-native-containerservice-managedcluster-kubernetes-version-allowed"
AKS_VM = "azure-native-containerservice-managedcluster-vm-size-allowed"
AKS_NODES = "azure-native-containerservice-managedcluster-node-count-limits"
AKS_API = "azure-native-containerservice-managedcluster-api-server-access-restricted"
AKS_TAGS = "azure-native-containerservice-managedcluster-required-tags"
OPT_PROTECT = "pulumi-resourceoptions-storage-protect"
OPT_DBR = "pulumi-resourceoptions-stateful-no-delete-before-replace"
ST_HTTPS = "azure-native-storage-storageaccount-https-only"
ST_QUOTA = "azure-native-storage-fileshare-quota-within-account-limits"
ST_LOCK = "azure-native-storage-storageaccount-delete-lock"
ST_SOFT_DELETE_SET = "azure-native-storage-storageaccount-share-soft-delete-configured"
ST_PVC_RWX = "kubernetes-core-persistentvolumeclaim-azurefiles-rwx"
ST_PVC_CLASS = "kubernetes-core-persistentvolumeclaim-storageclass-matches-volume"
ST_PVC_SIZE = "kubernetes-core-persistentvolumeclaim-request-within-volume-capacity"
ST_PV_QUOTA = "kubernetes-core-persistentvolume-capacity-within-share-quota"
ST_HANDLE = "kubernetes-core-persistentvolume-volumehandle-unique"
ST_SECRET = "kubernetes-core-persistentvolume-node-stage-secret-exists"

IN_TREE = chain(
    drop("spec.csi"),
    put("spec.azureFile", {"secretName": "azure-secret", "shareName": "datasets"}),
)
DISK_PV = chain(
    put("spec.csi.driver", "disk.csi.azure.com"),
    put("spec.csi.volumeAttributes", {"fsType": "ext4"}),
)
NFS_PV = put("spec.csi.volumeAttributes.protocol", "nfs")

RETAIN_MSG = (
    "PersistentVolume 'pv-datasets' has persistentVolumeReclaimPolicy {!r}; Azure Files volumes "
    "must use 'Retain' so releasing or deleting the claim never deletes the file share data."
)
MOUNT_MSG = (
    "PersistentVolume 'pv-datasets' is an SMB Azure Files volume without mount options {}; "
    "without them the share is mounted as root with mode 0755 and non-root training containers "
    "cannot write to it."
)
EXPLICIT_MSG = (
    "PersistentVolumeClaim '{}' binds {} through volumeName but does not set storageClassName; "
    "the default StorageClass would be injected and the claim would never bind. Set "
    "storageClassName to the volume's class ('' for a statically provisioned volume)."
)
SC_MSG = (
    "StorageClass 'azurefile-premium-retain' (provisioner {!r}) {}; Azure Files classes must use "
    "'Retain' so deleting a claim never deletes its file share."
)
NET_FIX = (
    "set it to 'Deny' and allow the AKS subnet through virtualNetworkRules or a private endpoint."
)
SOFT_DELETE = f"FileServiceProperties of account '{ACCOUNT}'"
SP_MSG = (
    f"{MC} sets servicePrincipalProfile; remove it (or use clientId 'msi' without a secret) so "
    "the cluster authenticates with its managed identity."
)
PROTECT_MSG = (
    "Resource 'res' ({}) is not protected; create it with ResourceOptions(protect=True) so it "
    "cannot be deleted by destroy or replacement."
)
DBR_MSG = (
    "Resource 'res' ({}) sets deleteBeforeReplace; a replacement would delete it, and the data it "
    "holds, before its successor exists. Remove the option."
)

RESOURCE_CASES: list[RCase] = [
    # kubernetes-core-persistentvolume-reclaim-retain
    RCase("retain-good", PV_RETAIN, "pv"),
    RCase(
        "retain-missing-defaults-to-retain",
        PV_RETAIN,
        "pv",
        drop("spec.persistentVolumeReclaimPolicy"),
    ),
    RCase("retain-unknown", PV_RETAIN, "pv", put("spec.persistentVolumeReclaimPolicy", UNKNOWN)),
    RCase(
        "retain-not-azure-files",
        PV_RETAIN,
        "pv",
        chain(DISK_PV, put("spec.persistentVolumeReclaimPolicy", "Delete")),
    ),
    RCase(
        "retain-driver-unknown",
        PV_RETAIN,
        "pv",
        chain(put("spec.csi.driver", UNKNOWN), put("spec.persistentVolumeReclaimPolicy", "Delete")),
    ),
    RCase(
        "retain-delete",
        PV_RETAIN,
        "pv",
        put("spec.persistentVolumeReclaimPolicy", "Delete"),
        (RETAIN_MSG.format("Delete"),),
    ),
    RCase(
        "retain-in-tree-recycle",
        PV_RETAIN,
        "pv",
        chain(IN_TREE, put("spec.persistentVolumeReclaimPolicy", "Recycle")),
        (RETAIN_MSG.format("Recycle"),),
    ),
    RCase(
        "retain-name-falls-back-to-pulumi-name",
        PV_RETAIN,
        "pv",
        chain(put("metadata.name", UNKNOWN), put("spec.persistentVolumeReclaimPolicy", "Delete")),
        (RETAIN_MSG.format("Delete").replace("'pv-datasets'", "'res'"),),
    ),
    # kubernetes-core-persistentvolume-azurefile-csi-driver
    RCase("csi-good", PV_CSI, "pv"),
    RCase("csi-other-driver-without-share", PV_CSI, "pv", DISK_PV),
    RCase("csi-driver-unknown", PV_CSI, "pv", put("spec.csi.driver", UNKNOWN)),
    RCase(
        "csi-in-tree",
        PV_CSI,
        "pv",
        IN_TREE,
        (
            "PersistentVolume 'pv-datasets' uses the in-tree azureFile volume source; use spec.csi with driver 'file.csi.azure.com' instead.",
        ),
    ),
    RCase(
        "csi-typo-driver",
        PV_CSI,
        "pv",
        put("spec.csi.driver", "file.csi.azure.net"),
        (
            "PersistentVolume 'pv-datasets' names an Azure file share in csi.volumeAttributes but uses driver 'file.csi.azure.net'; Azure Files volumes must use driver 'file.csi.azure.com'.",
        ),
    ),
    RCase(
        "csi-typo-driver-lowercase-attribute-key",
        PV_CSI,
        "pv",
        chain(
            put("spec.csi.driver", "blob.csi.azure.com"),
            put("spec.csi.volumeAttributes", {"sharename": "datasets"}),
        ),
        (
            "PersistentVolume 'pv-datasets' names an Azure file share in csi.volumeAttributes but uses driver 'blob.csi.azure.com'; Azure Files volumes must use driver 'file.csi.azure.com'.",
        ),
    ),
    # kubernetes-core-persistentvolume-access-mode-rwx
    RCase("rwx-good", PV_RWX, "pv"),
    RCase(
        "rwx-among-others",
        PV_RWX,
        "pv",
        put("spec.accessModes", ["ReadWriteOnce", "ReadWriteMany"]),
    ),
    RCase("rwx-list-unknown", PV_RWX, "pv", put("spec.accessModes", UNKNOWN)),
    RCase("rwx-element-unknown", PV_RWX, "pv", put("spec.accessModes", [UNKNOWN])),
    RCase(
        "rwx-not-azure-files",
        PV_RWX,
        "pv",
        chain(DISK_PV, put("spec.accessModes", ["ReadWriteOnce"])),
    ),
    RCase(
        "rwx-rwo",
        PV_RWX,
        "pv",
        put("spec.accessModes", ["ReadWriteOnce"]),
        (
            "PersistentVolume 'pv-datasets' has accessModes ['ReadWriteOnce']; Azure Files volumes must include 'ReadWriteMany'.",
        ),
    ),
    RCase(
        "rwx-in-tree-rox",
        PV_RWX,
        "pv",
        chain(IN_TREE, put("spec.accessModes", ["ReadOnlyMany"])),
        (
            "PersistentVolume 'pv-datasets' has accessModes ['ReadOnlyMany']; Azure Files volumes must include 'ReadWriteMany'.",
        ),
    ),
    RCase(
        "rwx-missing",
        PV_RWX,
        "pv",
        drop("spec.accessModes"),
        (
            "PersistentVolume 'pv-datasets' does not set accessModes; Azure Files volumes must include 'ReadWriteMany'.",
        ),
    ),
    # kubernetes-core-podspec-image-allowed
    RCase("image-job-good", IMAGE, "job"),
    RCase("image-cronjob-good", IMAGE, "cronjob"),
    RCase("image-deployment-good", IMAGE, "deployment"),
    RCase("image-pod-good", IMAGE, "pod"),
    RCase("image-not-a-workload", IMAGE, "pv"),
    RCase("image-unknown", IMAGE, "job", put("spec.template.spec.containers.0.image", UNKNOWN)),
    RCase(
        "image-job-tag-only",
        IMAGE,
        "job",
        put("spec.template.spec.containers.0.image", "mcr.microsoft.com/azurelinux/base/core:3.0"),
        (
            f"Job 'train' container 'train' image 'mcr.microsoft.com/azurelinux/base/core:3.0' {UNPINNED}.",
        ),
    ),
    RCase(
        "image-digest-then-tag",
        IMAGE,
        "job",
        put(
            "spec.template.spec.containers.0.image",
            "mcr.microsoft.com/x@sha256:" + "a" * 64 + ":latest",
        ),
        (
            f"Job 'train' container 'train' image 'mcr.microsoft.com/x@sha256:{'a' * 64}:latest' {UNPINNED}.",
        ),
    ),
    RCase(
        "image-init-container-other-registry",
        IMAGE,
        "job",
        put("spec.template.spec.initContainers.0.image", "evil.example/fetch@sha256:" + "b" * 64),
        (
            f"Job 'train' container 'fetch' image 'evil.example/fetch@sha256:{'b' * 64}' comes from 'evil.example/fetch', which is under none of the allowed registries (mcr.microsoft.com).",
        ),
    ),
    RCase(
        "image-prefix-is-not-a-boundary",
        IMAGE,
        "deployment",
        put(
            "spec.template.spec.containers.0.image",
            "mcr.microsoft.com.evil.example/x@sha256:" + "c" * 64,
        ),
        (
            f"Deployment 'serve' container 'train' image 'mcr.microsoft.com.evil.example/x@sha256:{'c' * 64}' comes from 'mcr.microsoft.com.evil.example/x', which is under none of the allowed registries (mcr.microsoft.com).",
        ),
    ),
    RCase(
        "image-cronjob-docker-hub",
        IMAGE,
        "cronjob",
        put("spec.jobTemplate.spec.template.spec.containers.0.image", HUB_BUSYBOX),
        (
            f"CronJob 'nightly' container 'train' image '{HUB_BUSYBOX}' comes from 'docker.io/library/busybox', which is under none of the allowed registries (mcr.microsoft.com).",
        ),
    ),
    RCase(
        "image-docker-hub-library-allowed",
        IMAGE,
        "pod",
        put("spec.containers.0.image", HUB_BUSYBOX),
        settings={
            "allowedRegistries": ["docker.io/library", "mcr.microsoft.com"],
            "requireDigest": True,
        },
    ),
    RCase(
        "image-docker-hub-user-not-library",
        IMAGE,
        "pod",
        put("spec.containers.0.image", "someone/busybox@sha256:" + "d" * 64),
        (
            f"Pod 'debug' container 'train' image 'someone/busybox@sha256:{'d' * 64}' comes from 'docker.io/someone/busybox', which is under none of the allowed registries (docker.io/library, mcr.microsoft.com).",
        ),
        settings={
            "allowedRegistries": ["docker.io/library", "mcr.microsoft.com"],
            "requireDigest": True,
        },
    ),
    RCase(
        "image-tag-allowed-when-digest-not-required",
        IMAGE,
        "pod",
        put("spec.containers.0.image", "mcr.microsoft.com/azurelinux/base/core:3.0"),
        settings={"allowedRegistries": ["mcr.microsoft.com"], "requireDigest": False},
    ),
    # kubernetes-core-persistentvolume-smb-mount-options (advisory)
    RCase("mount-good", PV_MOUNT, "pv"),
    RCase("mount-nfs-needs-none", PV_MOUNT, "pv", chain(NFS_PV, drop("spec.mountOptions"))),
    RCase(
        "mount-nfs-uppercase",
        PV_MOUNT,
        "pv",
        chain(put("spec.csi.volumeAttributes.protocol", "NFS"), drop("spec.mountOptions")),
    ),
    RCase("mount-not-azure-files", PV_MOUNT, "pv", chain(DISK_PV, drop("spec.mountOptions"))),
    RCase("mount-list-unknown", PV_MOUNT, "pv", put("spec.mountOptions", UNKNOWN)),
    RCase(
        "mount-element-unknown",
        PV_MOUNT,
        "pv",
        put("spec.mountOptions", ["uid=1000", "gid=1000", UNKNOWN]),
    ),
    RCase(
        "mount-custom-setting",
        PV_MOUNT,
        "pv",
        put("spec.mountOptions", ["mfsymlinks"]),
        settings={"requiredMountOptions": ["mfsymlinks"]},
    ),
    RCase(
        "mount-missing-modes",
        PV_MOUNT,
        "pv",
        put("spec.mountOptions", ["uid=1000", "gid=1000"]),
        (MOUNT_MSG.format("dir_mode, file_mode"),),
    ),
    RCase(
        "mount-none",
        PV_MOUNT,
        "pv",
        drop("spec.mountOptions"),
        (MOUNT_MSG.format("uid, gid, dir_mode, file_mode"),),
    ),
    RCase(
        "mount-in-tree-none",
        PV_MOUNT,
        "pv",
        chain(IN_TREE, drop("spec.mountOptions")),
        (MOUNT_MSG.format("uid, gid, dir_mode, file_mode"),),
    ),
    RCase(
        "mount-custom-setting-missing",
        PV_MOUNT,
        "pv",
        None,
        (MOUNT_MSG.format("noperm"),),
        settings={"requiredMountOptions": ["uid", "noperm", "actimeo"]},
    ),
    # kubernetes-core-persistentvolumeclaim-storageclass-explicit
    RCase("explicit-good", PVC_EXPLICIT, "pvc"),
    RCase(
        "explicit-dynamic-claim",
        PVC_EXPLICIT,
        "pvc",
        chain(drop("spec.volumeName"), drop("spec.storageClassName")),
    ),
    RCase(
        "explicit-empty-volume-name",
        PVC_EXPLICIT,
        "pvc",
        chain(put("spec.volumeName", ""), drop("spec.storageClassName")),
    ),
    RCase("explicit-class-unknown", PVC_EXPLICIT, "pvc", put("spec.storageClassName", UNKNOWN)),
    RCase(
        "explicit-other-class", PVC_EXPLICIT, "pvc", put("spec.storageClassName", "azurefile-csi")
    ),
    RCase(
        "explicit-missing",
        PVC_EXPLICIT,
        "pvc",
        drop("spec.storageClassName"),
        (EXPLICIT_MSG.format("training/datasets", "PersistentVolume 'pv-datasets'"),),
    ),
    RCase(
        "explicit-null",
        PVC_EXPLICIT,
        "pvc",
        put("spec.storageClassName", None),
        (EXPLICIT_MSG.format("training/datasets", "PersistentVolume 'pv-datasets'"),),
    ),
    RCase(
        "explicit-missing-volume-unknown-default-namespace",
        PVC_EXPLICIT,
        "pvc",
        chain(
            drop("spec.storageClassName"),
            put("spec.volumeName", UNKNOWN),
            drop("metadata.namespace"),
        ),
        (EXPLICIT_MSG.format("default/datasets", "a PersistentVolume"),),
    ),
    # kubernetes-storage-storageclass-reclaim-retain
    RCase("sc-good", SC_RETAIN, "storage_class"),
    RCase(
        "sc-not-azure-files",
        SC_RETAIN,
        "storage_class",
        chain(put("provisioner", "disk.csi.azure.com"), put("reclaimPolicy", "Delete")),
    ),
    RCase("sc-unknown", SC_RETAIN, "storage_class", put("reclaimPolicy", UNKNOWN)),
    RCase(
        "sc-provisioner-unknown",
        SC_RETAIN,
        "storage_class",
        chain(put("provisioner", UNKNOWN), put("reclaimPolicy", "Delete")),
    ),
    RCase(
        "sc-delete",
        SC_RETAIN,
        "storage_class",
        put("reclaimPolicy", "Delete"),
        (SC_MSG.format("file.csi.azure.com", "has reclaimPolicy 'Delete'"),),
    ),
    RCase(
        "sc-missing",
        SC_RETAIN,
        "storage_class",
        drop("reclaimPolicy"),
        (
            SC_MSG.format(
                "file.csi.azure.com", "does not set reclaimPolicy, so Kubernetes uses 'Delete'"
            ),
        ),
    ),
    RCase(
        "sc-in-tree-delete",
        SC_RETAIN,
        "storage_class",
        chain(put("provisioner", "kubernetes.io/azure-file"), put("reclaimPolicy", "Delete")),
        (SC_MSG.format("kubernetes.io/azure-file", "has reclaimPolicy 'Delete'"),),
    ),
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
    RCase("quota-maximum", SHARE_QUOTA, "file_share", put("shareQuota", 102400)),
    RCase(
        "quota-missing",
        SHARE_QUOTA,
        "file_share",
        drop("shareQuota"),
        ("FileShare 'datasets' does not set shareQuota; set an explicit quota in GiB (1-102400).",),
    ),
    RCase(
        "quota-zero",
        SHARE_QUOTA,
        "file_share",
        put("shareQuota", 0),
        (
            "FileShare 'datasets' has shareQuota 0; it must be a whole number of GiB between 1 and 102400.",
        ),
    ),
    RCase(
        "quota-too-big",
        SHARE_QUOTA,
        "file_share",
        put("shareQuota", 102401),
        (
            "FileShare 'datasets' has shareQuota 102401; it must be a whole number of GiB between 1 and 102400.",
        ),
    ),
    RCase(
        "quota-fraction",
        SHARE_QUOTA,
        "file_share",
        put("shareQuota", 1.5),
        (
            "FileShare 'datasets' has shareQuota 1.5; it must be a whole number of GiB between 1 and 102400.",
        ),
    ),
    RCase(
        "quota-string",
        SHARE_QUOTA,
        "file_share",
        put("shareQuota", "100"),
        (
            "FileShare 'datasets' has shareQuota '100'; it must be a whole number of GiB between 1 and 102400.",
        ),
    ),
    # azure-native-containerservice-managedcluster-rbac-enabled
    RCase("rbac-good", AKS_RBAC, "managed_cluster"),
    RCase("rbac-unknown", AKS_RBAC, "managed_cluster", put("enableRBAC", UNKNOWN)),
    RCase(
        "rbac-false",
        AKS_RBAC,
        "managed_cluster",
        put("enableRBAC", False),
        (f"{MC} has enableRBAC false; set enableRBAC to true.",),
    ),
    RCase(
        "rbac-missing",
        AKS_RBAC,
        "managed_cluster",
        drop("enableRBAC"),
        (f"{MC} does not set enableRBAC; set enableRBAC to true.",),
    ),
    # azure-native-containerservice-managedcluster-managed-identity
    RCase("mi-good", AKS_MI, "managed_cluster"),
    RCase(
        "mi-user-assigned",
        AKS_MI,
        "managed_cluster",
        put(
            "identity",
            {
                "type": "UserAssigned",
                "userAssignedIdentities": [
                    f"{SUB}/resourceGroups/{RG}/providers/Microsoft.ManagedIdentity/userAssignedIdentities/id-aks"
                ],
            },
        ),
    ),
    RCase(
        "mi-msi-profile",
        AKS_MI,
        "managed_cluster",
        put("servicePrincipalProfile", {"clientId": "msi"}),
    ),
    RCase("mi-type-unknown", AKS_MI, "managed_cluster", put("identity.type", UNKNOWN)),
    RCase(
        "mi-profile-client-unknown",
        AKS_MI,
        "managed_cluster",
        put("servicePrincipalProfile", {"clientId": UNKNOWN}),
    ),
    RCase(
        "mi-missing",
        AKS_MI,
        "managed_cluster",
        drop("identity"),
        (
            f"{MC} does not set identity; use a 'SystemAssigned' or 'UserAssigned' managed identity.",
        ),
    ),
    RCase(
        "mi-none",
        AKS_MI,
        "managed_cluster",
        put("identity.type", "None"),
        (f"{MC} has identity.type 'None'; use 'SystemAssigned' or 'UserAssigned'.",),
    ),
    RCase(
        "mi-user-assigned-empty",
        AKS_MI,
        "managed_cluster",
        put("identity", {"type": "UserAssigned"}),
        (f"{MC} has identity.type 'UserAssigned' but no userAssignedIdentities.",),
    ),
    RCase(
        "mi-service-principal",
        AKS_MI,
        "managed_cluster",
        put(
            "servicePrincipalProfile",
            {"clientId": "3f2504e0-4f89-11d3-9a0c-0305e82c3301", "secret": secret("s3cr3t")},
        ),
        (SP_MSG,),
    ),
    RCase(
        "mi-msi-with-secret",
        AKS_MI,
        "managed_cluster",
        put("servicePrincipalProfile", {"clientId": "msi", "secret": "x"}),
        (SP_MSG,),
    ),
    # azure-native-containerservice-managedcluster-entra-id-enabled
    RCase("entra-good", AKS_ENTRA, "managed_cluster"),
    RCase("entra-unknown", AKS_ENTRA, "managed_cluster", put("aadProfile", UNKNOWN)),
    RCase(
        "entra-missing",
        AKS_ENTRA,
        "managed_cluster",
        drop("aadProfile"),
        (
            f"{MC} does not enable managed Microsoft Entra ID integration; set aadProfile.managed to true.",
        ),
    ),
    RCase(
        "entra-false",
        AKS_ENTRA,
        "managed_cluster",
        put("aadProfile.managed", False),
        (
            f"{MC} does not enable managed Microsoft Entra ID integration; set aadProfile.managed to true.",
        ),
    ),
    # azure-native-containerservice-managedcluster-local-accounts-disabled
    RCase("local-good", AKS_LOCAL, "managed_cluster"),
    RCase("local-unknown", AKS_LOCAL, "managed_cluster", put("disableLocalAccounts", UNKNOWN)),
    RCase(
        "local-missing",
        AKS_LOCAL,
        "managed_cluster",
        drop("disableLocalAccounts"),
        (f"{MC} keeps local accounts enabled; set disableLocalAccounts to true.",),
    ),
    RCase(
        "local-false",
        AKS_LOCAL,
        "managed_cluster",
        put("disableLocalAccounts", False),
        (f"{MC} keeps local accounts enabled; set disableLocalAccounts to true.",),
    ),
    # azure-native-containerservice-managedcluster-network-policy
    RCase("netpol-good", AKS_NETPOL, "managed_cluster"),
    RCase(
        "netpol-calico",
        AKS_NETPOL,
        "managed_cluster",
        put("networkProfile.networkPolicy", "calico"),
    ),
    RCase("netpol-unknown", AKS_NETPOL, "managed_cluster", put("networkProfile", UNKNOWN)),
    RCase(
        "netpol-none",
        AKS_NETPOL,
        "managed_cluster",
        put("networkProfile.networkPolicy", "none"),
        (f"{MC} has networkProfile.networkPolicy 'none'; use 'azure', 'calico' or 'cilium'.",),
    ),
    RCase(
        "netpol-missing",
        AKS_NETPOL,
        "managed_cluster",
        drop("networkProfile.networkPolicy"),
        (f"{MC} does not set networkProfile.networkPolicy; use 'azure', 'calico' or 'cilium'.",),
    ),
    # azure-native-containerservice-managedcluster-file-csi-driver-enabled
    RCase("filecsi-good", AKS_CSI, "managed_cluster"),
    RCase("filecsi-default", AKS_CSI, "managed_cluster", drop("storageProfile")),
    RCase(
        "filecsi-unknown", AKS_CSI, "managed_cluster", put("storageProfile.fileCSIDriver", UNKNOWN)
    ),
    RCase(
        "filecsi-disabled",
        AKS_CSI,
        "managed_cluster",
        put("storageProfile.fileCSIDriver.enabled", False),
        (
            f"{MC} disables the Azure Files CSI driver; set storageProfile.fileCSIDriver.enabled to true (or leave it unset).",
        ),
    ),
    # azure-native-containerservice-managedcluster-kubernetes-version-allowed
    RCase("version-good", AKS_VERSION, "managed_cluster"),
    RCase("version-patch", AKS_VERSION, "managed_cluster", put("kubernetesVersion", "1.33.2")),
    RCase("version-unknown", AKS_VERSION, "managed_cluster", put("kubernetesVersion", UNKNOWN)),
    RCase(
        "version-pool-unknown",
        AKS_VERSION,
        "managed_cluster",
        put("agentPoolProfiles.1.orchestratorVersion", UNKNOWN),
    ),
    RCase("version-agent-pool", AKS_VERSION, "agent_pool"),
    RCase(
        "version-exact-patch-setting",
        AKS_VERSION,
        "managed_cluster",
        put("kubernetesVersion", "1.33.2"),
        settings={"allowedVersions": ["1.33.2"]},
    ),
    RCase(
        "version-old",
        AKS_VERSION,
        "managed_cluster",
        put("kubernetesVersion", "1.32"),
        (f"{MC} uses Kubernetes '1.32', which is not allowed; use one of: 1.33.",),
    ),
    RCase(
        "version-prefix-is-not-minor",
        AKS_VERSION,
        "managed_cluster",
        put("kubernetesVersion", "1.330"),
        (f"{MC} uses Kubernetes '1.330', which is not allowed; use one of: 1.33.",),
    ),
    RCase(
        "version-other-patch",
        AKS_VERSION,
        "managed_cluster",
        put("kubernetesVersion", "1.33.5"),
        (f"{MC} uses Kubernetes '1.33.5', which is not allowed; use one of: 1.33.2.",),
        settings={"allowedVersions": ["1.33.2"]},
    ),
    RCase(
        "version-missing",
        AKS_VERSION,
        "managed_cluster",
        drop("kubernetesVersion"),
        (f"{MC} does not pin kubernetesVersion; set one of: 1.33.",),
    ),
    RCase(
        "version-pool",
        AKS_VERSION,
        "managed_cluster",
        put("agentPoolProfiles.1.orchestratorVersion", "1.31.4"),
        (
            f"{MC} agent pool 'gpu' uses orchestratorVersion '1.31.4', which is not allowed; use one of: 1.33.",
        ),
    ),
    RCase(
        "version-agent-pool-bad",
        AKS_VERSION,
        "agent_pool",
        put("orchestratorVersion", "1.34.0"),
        (
            "AgentPool 'cpu' uses orchestratorVersion '1.34.0', which is not allowed; use one of: 1.33.",
        ),
    ),
    # azure-native-containerservice-managedcluster-vm-size-allowed
    RCase("vm-good", AKS_VM, "managed_cluster"),
    RCase(
        "vm-case-insensitive",
        AKS_VM,
        "managed_cluster",
        put("agentPoolProfiles.0.vmSize", "standard_d4ds_v5"),
    ),
    RCase("vm-unknown", AKS_VM, "managed_cluster", put("agentPoolProfiles.1.vmSize", UNKNOWN)),
    RCase("vm-pools-unknown", AKS_VM, "managed_cluster", put("agentPoolProfiles", UNKNOWN)),
    RCase("vm-agent-pool", AKS_VM, "agent_pool"),
    RCase(
        "vm-gpu-not-in-dev",
        AKS_VM,
        "managed_cluster",
        None,
        (
            f"{MC} agent pool 'gpu' uses vmSize 'Standard_NC24ads_A100_v4'; allowed sizes: Standard_D4ds_v5, Standard_D8ds_v5.",
        ),
        settings={"allowedVmSizes": ["Standard_D4ds_v5", "Standard_D8ds_v5"]},
    ),
    RCase(
        "vm-missing",
        AKS_VM,
        "managed_cluster",
        drop("agentPoolProfiles.0.vmSize"),
        (f"{MC} agent pool 'system' does not set vmSize; allowed sizes: {VM_SIZES}.",),
    ),
    RCase(
        "vm-agent-pool-bad",
        AKS_VM,
        "agent_pool",
        put("vmSize", "Standard_B2s"),
        (f"AgentPool 'cpu' uses vmSize 'Standard_B2s'; allowed sizes: {VM_SIZES}.",),
    ),
    # azure-native-containerservice-managedcluster-node-count-limits
    RCase("nodes-good", AKS_NODES, "managed_cluster"),
    RCase("nodes-agent-pool", AKS_NODES, "agent_pool"),
    RCase(
        "nodes-count-unknown",
        AKS_NODES,
        "managed_cluster",
        put("agentPoolProfiles.0.count", UNKNOWN),
    ),
    RCase(
        "nodes-bounds-unknown",
        AKS_NODES,
        "managed_cluster",
        put("agentPoolProfiles.1.maxCount", UNKNOWN),
    ),
    RCase("nodes-pools-unknown", AKS_NODES, "managed_cluster", put("agentPoolProfiles", UNKNOWN)),
    RCase(
        "nodes-system-min-zero",
        AKS_NODES,
        "managed_cluster",
        put("agentPoolProfiles.0.minCount", 0),
        (
            f"{MC} agent pool 'system' autoscales between 0 and 4 nodes; allowed for this System pool: 1-5 nodes.",
        ),
    ),
    RCase(
        "nodes-first-pool-defaults-to-system",
        AKS_NODES,
        "managed_cluster",
        chain(drop("agentPoolProfiles.0.mode"), put("agentPoolProfiles.0.maxCount", 6)),
        (
            f"{MC} agent pool 'system' autoscales between 2 and 6 nodes; allowed for this System pool: 1-5 nodes.",
        ),
    ),
    RCase(
        "nodes-user-max",
        AKS_NODES,
        "managed_cluster",
        put("agentPoolProfiles.1.maxCount", 12),
        (
            f"{MC} agent pool 'gpu' autoscales between 0 and 12 nodes; allowed for this User pool: 0-10 nodes.",
        ),
    ),
    RCase(
        "nodes-pool-override",
        AKS_NODES,
        "managed_cluster",
        None,
        (
            f"{MC} agent pool 'gpu' autoscales between 0 and 4 nodes; allowed for this User pool: 0-2 nodes.",
        ),
        settings={"pools": {"gpu": {"min": 0, "max": 2}}},
    ),
    RCase(
        "nodes-autoscaler-without-bounds",
        AKS_NODES,
        "managed_cluster",
        chain(drop("agentPoolProfiles.1.minCount"), drop("agentPoolProfiles.1.maxCount")),
        (
            f"{MC} agent pool 'gpu' enables the autoscaler without minCount and maxCount; allowed for this User pool: 0-10 nodes.",
        ),
    ),
    RCase(
        "nodes-min-above-max",
        AKS_NODES,
        "managed_cluster",
        chain(put("agentPoolProfiles.0.minCount", 5), put("agentPoolProfiles.0.maxCount", 3)),
        (f"{MC} agent pool 'system' has minCount 5 greater than maxCount 3.",),
    ),
    RCase(
        "nodes-count-outside-bounds",
        AKS_NODES,
        "managed_cluster",
        put("agentPoolProfiles.0.count", 5),
        (f"{MC} agent pool 'system' has count 5 outside its autoscaler bounds 2-4.",),
    ),
    RCase(
        "nodes-fixed-too-many",
        AKS_NODES,
        "managed_cluster",
        chain(
            put("agentPoolProfiles.1.enableAutoScaling", False),
            put("agentPoolProfiles.1.count", 12),
        ),
        (f"{MC} agent pool 'gpu' has 12 node(s); allowed for this User pool: 0-10 nodes.",),
    ),
    RCase(
        "nodes-fixed-default-count",
        AKS_NODES,
        "managed_cluster",
        chain(
            put("agentPoolProfiles.0.enableAutoScaling", False), drop("agentPoolProfiles.0.count")
        ),
        (f"{MC} agent pool 'system' has 1 node(s); allowed for this System pool: 2-5 nodes.",),
        settings={"systemPool": {"min": 2, "max": 5}},
    ),
    RCase(
        "nodes-agent-pool-too-many",
        AKS_NODES,
        "agent_pool",
        put("count", 11),
        ("AgentPool 'cpu' has 11 node(s); allowed for this User pool: 0-10 nodes.",),
    ),
    # azure-native-containerservice-managedcluster-api-server-access-restricted
    RCase("api-good-private", AKS_API, "managed_cluster"),
    RCase(
        "api-authorized-ranges",
        AKS_API,
        "managed_cluster",
        put("apiServerAccessProfile", {"authorizedIPRanges": ["203.0.113.0/24", UNKNOWN]}),
    ),
    RCase(
        "api-private-unknown",
        AKS_API,
        "managed_cluster",
        put("apiServerAccessProfile.enablePrivateCluster", UNKNOWN),
    ),
    RCase(
        "api-ranges-unknown",
        AKS_API,
        "managed_cluster",
        put("apiServerAccessProfile", {"authorizedIPRanges": UNKNOWN}),
    ),
    RCase(
        "api-open",
        AKS_API,
        "managed_cluster",
        drop("apiServerAccessProfile"),
        (
            f"{MC} exposes its API server to every address; set apiServerAccessProfile.enablePrivateCluster true or list apiServerAccessProfile.authorizedIPRanges.",
        ),
    ),
    RCase(
        "api-any-range",
        AKS_API,
        "managed_cluster",
        put(
            "apiServerAccessProfile",
            {"enablePrivateCluster": False, "authorizedIPRanges": ["203.0.113.0/24", "0.0.0.0/0"]},
        ),
        (
            f"{MC} lists 0.0.0.0/0 in apiServerAccessProfile.authorizedIPRanges, which admits every address; list only the networks that need the API server.",
        ),
    ),
    RCase(
        "api-private-required",
        AKS_API,
        "managed_cluster",
        put("apiServerAccessProfile", {"authorizedIPRanges": ["203.0.113.0/24"]}),
        (
            f"{MC} is not a private cluster; this environment requires apiServerAccessProfile.enablePrivateCluster true.",
        ),
        settings={"requirePrivateCluster": True},
    ),
    # azure-native-containerservice-managedcluster-required-tags
    RCase("akstags-good", AKS_TAGS, "managed_cluster"),
    RCase("akstags-unknown", AKS_TAGS, "managed_cluster", put("tags", UNKNOWN)),
    RCase(
        "akstags-missing",
        AKS_TAGS,
        "managed_cluster",
        drop("tags.cost-center"),
        (f"{MC} is missing required tags: cost-center.",),
    ),
    # pulumi-resourceoptions-storage-protect
    RCase("protect-account", OPT_PROTECT, "storage_account"),
    RCase("protect-share", OPT_PROTECT, "file_share"),
    RCase("protect-not-required-for-pv", OPT_PROTECT, "pv", protect=False),
    RCase(
        "protect-account-missing",
        OPT_PROTECT,
        "storage_account",
        protect=False,
        expected=(PROTECT_MSG.format(STORAGE_ACCOUNT_TYPE),),
    ),
    RCase(
        "protect-share-missing",
        OPT_PROTECT,
        "file_share",
        protect=False,
        expected=(PROTECT_MSG.format(FILE_SHARE_TYPE),),
    ),
    # pulumi-resourceoptions-stateful-no-delete-before-replace
    RCase("dbr-unset", OPT_DBR, "file_share"),
    RCase("dbr-false", OPT_DBR, "storage_account", delete_before_replace=False),
    RCase("dbr-stateless-namespace", OPT_DBR, "namespace", delete_before_replace=True),
    RCase("dbr-stateless-secret", OPT_DBR, "secret", delete_before_replace=True),
    RCase(
        "dbr-share",
        OPT_DBR,
        "file_share",
        delete_before_replace=True,
        expected=(DBR_MSG.format(FILE_SHARE_TYPE),),
    ),
    RCase("dbr-pv", OPT_DBR, "pv", delete_before_replace=True, expected=(DBR_MSG.format(PV_TYPE),)),
    RCase(
        "dbr-cluster",
        OPT_DBR,
        "managed_cluster",
        delete_before_replace=True,
        expected=(DBR_MSG.format("azure-native:containerservice:ManagedCluster"),),
    ),
]

# --- stack cases ---------------------------------------------------------------------------

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
RWX_SUFFIX = "request 'ReadWriteMany' so pods on different nodes can mount it concurrently."
HANDLE = f"{RG}#{ACCOUNT}#datasets#pv-datasets"
SECRET_KEY = f"training/azure-files-{ACCOUNT}"
SECRET_MSG = (
    "PersistentVolume '{}' references node-stage secret '{}', which is not a Secret in this "
    "stack; create it in the stack or list '{}' in this policy's exemptSecrets setting."
)
OTHER_ACCOUNT_ID = ACCOUNT_ID.replace(ACCOUNT, "stother")
NO_FILE_SERVICE = (
    "StorageAccount '{}' has file share(s) {} but no FileServiceProperties in this stack, so "
    "share soft delete is left to Azure's defaults; add an azure-native:storage:"
    "FileServiceProperties ('default') for the account with shareDeleteRetentionPolicy enabled."
)

STACK_CASES: list[SCase] = [
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
    # kubernetes-core-persistentvolumeclaim-azurefiles-rwx
    SCase("pvcrwx-good", ST_PVC_RWX),
    SCase(
        "pvcrwx-disk-class",
        ST_PVC_RWX,
        on(
            "pvc-scratch",
            put("spec.storageClassName", "managed-csi"),
            put("spec.accessModes", ["ReadWriteOnce"]),
        ),
    ),
    SCase(
        "pvcrwx-in-stack-class-wins-over-name",
        ST_PVC_RWX,
        chain(
            on("sc-premium", put("provisioner", "disk.csi.azure.com")),
            on("pvc-scratch", put("spec.accessModes", ["ReadWriteOnce"])),
        ),
    ),
    SCase(
        "pvcrwx-disk-volume",
        ST_PVC_RWX,
        chain(
            on("pv-datasets", DISK_PV),
            on("pvc-datasets", put("spec.accessModes", ["ReadWriteOnce"])),
        ),
    ),
    SCase("pvcrwx-modes-unknown", ST_PVC_RWX, on("pvc-datasets", put("spec.accessModes", UNKNOWN))),
    SCase(
        "pvcrwx-volume-unknown",
        ST_PVC_RWX,
        chain(
            no_deps("pvc-datasets"),
            on(
                "pvc-datasets",
                put("spec.volumeName", UNKNOWN),
                put("spec.accessModes", ["ReadWriteOnce"]),
            ),
        ),
    ),
    SCase(
        "pvcrwx-static",
        ST_PVC_RWX,
        on("pvc-datasets", put("spec.accessModes", ["ReadWriteOnce"])),
        (
            f"PersistentVolumeClaim 'training/datasets' is bound to Azure Files PersistentVolume 'pv-datasets' but requests accessModes ['ReadWriteOnce']; {RWX_SUFFIX}",
        ),
    ),
    SCase(
        "pvcrwx-volume-via-dependency",
        ST_PVC_RWX,
        on(
            "pvc-datasets",
            put("spec.volumeName", UNKNOWN),
            put("spec.accessModes", ["ReadWriteOnce"]),
        ),
        (
            f"PersistentVolumeClaim 'training/datasets' is bound to Azure Files PersistentVolume 'pv-datasets' but requests accessModes ['ReadWriteOnce']; {RWX_SUFFIX}",
        ),
    ),
    SCase(
        "pvcrwx-class-in-stack",
        ST_PVC_RWX,
        on("pvc-scratch", put("spec.accessModes", ["ReadWriteOnce"])),
        (
            f"PersistentVolumeClaim 'training/scratch' is using Azure Files StorageClass 'azurefile-premium-retain' but requests accessModes ['ReadWriteOnce']; {RWX_SUFFIX}",
        ),
    ),
    SCase(
        "pvcrwx-aks-builtin-class",
        ST_PVC_RWX,
        on(
            "pvc-scratch",
            put("spec.storageClassName", "azurefile-csi"),
            put("spec.accessModes", ["ReadWriteOnce"]),
        ),
        (
            f"PersistentVolumeClaim 'training/scratch' is using Azure Files StorageClass 'azurefile-csi' but requests accessModes ['ReadWriteOnce']; {RWX_SUFFIX}",
        ),
    ),
    SCase(
        "pvcrwx-configured-class",
        ST_PVC_RWX,
        on("pvc-scratch", put("spec.storageClassName", "shared-files"), drop("spec.accessModes")),
        (
            f"PersistentVolumeClaim 'training/scratch' is using Azure Files StorageClass 'shared-files' but does not set accessModes; {RWX_SUFFIX}",
        ),
        settings={"azureFilesStorageClasses": ["shared-files"]},
    ),
    # kubernetes-core-persistentvolumeclaim-storageclass-matches-volume
    SCase("class-good", ST_PVC_CLASS),
    SCase("class-pv-without-class", ST_PVC_CLASS, on("pv-datasets", drop("spec.storageClassName"))),
    SCase(
        "class-both-named",
        ST_PVC_CLASS,
        chain(
            on("pv-datasets", put("spec.storageClassName", "azurefile-static")),
            on("pvc-datasets", put("spec.storageClassName", "azurefile-static")),
        ),
    ),
    SCase(
        "class-volume-elsewhere",
        ST_PVC_CLASS,
        chain(
            no_deps("pvc-datasets"),
            on(
                "pvc-datasets",
                put("spec.volumeName", "pv-elsewhere"),
                drop("spec.storageClassName"),
            ),
        ),
    ),
    SCase("class-unknown", ST_PVC_CLASS, on("pvc-datasets", put("spec.storageClassName", UNKNOWN))),
    SCase(
        "class-mismatch",
        ST_PVC_CLASS,
        on("pvc-datasets", put("spec.storageClassName", "azurefile-csi")),
        (
            "PersistentVolumeClaim 'training/datasets' has storageClassName 'azurefile-csi' but binds PersistentVolume 'pv-datasets' (storageClassName ''); a claim only binds a volume of the same class. Set storageClassName to ''.",
        ),
    ),
    SCase(
        "class-missing",
        ST_PVC_CLASS,
        on("pvc-datasets", drop("spec.storageClassName")),
        (
            "PersistentVolumeClaim 'training/datasets' does not set storageClassName, so the default StorageClass would be injected and it would never bind PersistentVolume 'pv-datasets' (storageClassName ''); set storageClassName to ''.",
        ),
    ),
    SCase(
        "class-named-volume",
        ST_PVC_CLASS,
        on("pv-checkpoints", put("spec.storageClassName", "azurefile-static")),
        (
            "PersistentVolumeClaim 'training/checkpoints' has storageClassName '' but binds PersistentVolume 'pv-checkpoints' (storageClassName 'azurefile-static'); a claim only binds a volume of the same class. Set storageClassName to 'azurefile-static'.",
        ),
    ),
    # kubernetes-core-persistentvolumeclaim-request-within-volume-capacity
    SCase("size-good", ST_PVC_SIZE),
    SCase(
        "size-equal-other-unit",
        ST_PVC_SIZE,
        on("pvc-datasets", put("spec.resources.requests.storage", "1024Gi")),
    ),
    SCase(
        "size-unknown",
        ST_PVC_SIZE,
        on("pvc-checkpoints", put("spec.resources.requests.storage", UNKNOWN)),
    ),
    SCase(
        "size-dynamic-claim-ignored",
        ST_PVC_SIZE,
        on("pvc-scratch", put("spec.resources.requests.storage", "100Ti")),
    ),
    SCase(
        "size-too-big",
        ST_PVC_SIZE,
        on("pvc-checkpoints", put("spec.resources.requests.storage", "600Gi")),
        (
            "PersistentVolumeClaim 'training/checkpoints' requests '600Gi' but its PersistentVolume 'pv-checkpoints' provides only '512Gi'; a claim never binds a smaller volume.",
        ),
    ),
    SCase(
        "size-decimal-units",
        ST_PVC_SIZE,
        on("pvc-datasets", put("spec.resources.requests.storage", "1.1T")),
        (
            "PersistentVolumeClaim 'training/datasets' requests '1.1T' but its PersistentVolume 'pv-datasets' provides only '1Ti'; a claim never binds a smaller volume.",
        ),
    ),
    SCase(
        "size-unparsable-request",
        ST_PVC_SIZE,
        on("pvc-checkpoints", put("spec.resources.requests.storage", "10GB")),
        (
            f"PersistentVolumeClaim 'training/checkpoints' has an unparsable storage request: invalid Kubernetes quantity '10GB': {QUANTITY_HELP}.",
        ),
    ),
    SCase(
        "size-unparsable-capacity",
        ST_PVC_SIZE,
        on("pv-checkpoints", put("spec.capacity.storage", "half a tera")),
        (
            f"PersistentVolume 'pv-checkpoints' has an unparsable capacity: invalid Kubernetes quantity 'half a tera': {QUANTITY_HELP}.",
        ),
    ),
    # kubernetes-core-persistentvolume-capacity-within-share-quota
    SCase("pvquota-good", ST_PV_QUOTA),
    SCase(
        "pvquota-share-elsewhere",
        ST_PV_QUOTA,
        on(
            "pv-checkpoints",
            put("spec.csi.volumeAttributes.shareName", "elsewhere"),
            put("spec.capacity.storage", "5Ti"),
        ),
    ),
    SCase(
        "pvquota-quota-unknown",
        ST_PV_QUOTA,
        chain(
            on("share-checkpoints", put("shareQuota", UNKNOWN)),
            on("pv-checkpoints", put("spec.capacity.storage", "600Gi")),
        ),
    ),
    SCase(
        "pvquota-capacity-unknown",
        ST_PV_QUOTA,
        on("pv-checkpoints", put("spec.capacity.storage", UNKNOWN)),
    ),
    SCase(
        "pvquota-too-big",
        ST_PV_QUOTA,
        on("pv-checkpoints", put("spec.capacity.storage", "600Gi")),
        (
            f"PersistentVolume 'pv-checkpoints' has capacity '600Gi' but file share '{ACCOUNT}/checkpoints' has shareQuota 512 GiB; lower the capacity or raise the quota.",
        ),
    ),
    SCase(
        "pvquota-via-volume-handle",
        ST_PV_QUOTA,
        on(
            "pv-checkpoints",
            put("spec.csi.volumeAttributes", {"resourceGroup": RG}),
            put("spec.capacity.storage", "0.6Ti"),
        ),
        (
            f"PersistentVolume 'pv-checkpoints' has capacity '0.6Ti' but file share '{ACCOUNT}/checkpoints' has shareQuota 512 GiB; lower the capacity or raise the quota.",
        ),
    ),
    SCase(
        "pvquota-via-three-part-volume-handle",
        ST_PV_QUOTA,
        on(
            "pv-checkpoints",
            drop("spec.csi.volumeAttributes"),
            put("spec.csi.volumeHandle", f"{RG}#{ACCOUNT}#checkpoints"),
            put("spec.capacity.storage", "1Ti"),
        ),
        (
            f"PersistentVolume 'pv-checkpoints' has capacity '1Ti' but file share '{ACCOUNT}/checkpoints' has shareQuota 512 GiB; lower the capacity or raise the quota.",
        ),
    ),
    SCase(
        "pvquota-via-dependency",
        ST_PV_QUOTA,
        on(
            "pv-checkpoints",
            put("spec.csi.volumeAttributes.storageAccount", UNKNOWN),
            put("spec.csi.volumeHandle", UNKNOWN),
            put("spec.capacity.storage", "513Gi"),
        ),
        (
            f"PersistentVolume 'pv-checkpoints' has capacity '513Gi' but file share '{ACCOUNT}/checkpoints' has shareQuota 512 GiB; lower the capacity or raise the quota.",
        ),
    ),
    SCase(
        "pvquota-unparsable",
        ST_PV_QUOTA,
        on("pv-checkpoints", put("spec.capacity.storage", "lots")),
        (
            f"PersistentVolume 'pv-checkpoints' has an unparsable capacity: invalid Kubernetes quantity 'lots': {QUANTITY_HELP}.",
        ),
    ),
    # kubernetes-core-persistentvolume-volumehandle-unique
    SCase("handle-good", ST_HANDLE),
    SCase(
        "handle-other-driver",
        ST_HANDLE,
        on(
            "pv-checkpoints",
            put("spec.csi.volumeHandle", HANDLE),
            put("spec.csi.driver", "blob.csi.azure.com"),
        ),
    ),
    SCase("handle-unknown", ST_HANDLE, on("pv-checkpoints", put("spec.csi.volumeHandle", UNKNOWN))),
    SCase(
        "handle-duplicate",
        ST_HANDLE,
        on("pv-checkpoints", put("spec.csi.volumeHandle", HANDLE)),
        (
            f"PersistentVolumes 'pv-datasets', 'pv-checkpoints' share volumeHandle '{HANDLE}'; give every PersistentVolume a unique volumeHandle.",
        )
        * 2,
    ),
    # kubernetes-core-persistentvolume-node-stage-secret-exists
    SCase("secret-good", ST_SECRET),
    SCase(
        "secret-exempt", ST_SECRET, remove("files-secret"), settings={"exemptSecrets": [SECRET_KEY]}
    ),
    SCase("secret-no-ref", ST_SECRET, on("pv-datasets", drop("spec.csi.nodeStageSecretRef"))),
    SCase(
        "secret-ref-unknown",
        ST_SECRET,
        chain(
            remove("files-secret"),
            on("pv-datasets", put("spec.csi.nodeStageSecretRef.name", UNKNOWN)),
            on("pv-checkpoints", put("spec.csi.nodeStageSecretRef", UNKNOWN)),
        ),
    ),
    SCase(
        "secret-default-namespace",
        ST_SECRET,
        chain(
            on("files-secret", drop("metadata.namespace")),
            on("pv-datasets", put("spec.csi.nodeStageSecretRef.namespace", "default")),
            on("pv-checkpoints", drop("spec.csi.nodeStageSecretRef")),
        ),
    ),
    SCase(
        "secret-some-secret-name-unknown",
        ST_SECRET,
        chain(
            remove("files-secret"),
            add(
                StackResource(
                    SECRET_TYPE,
                    "generated",
                    {"metadata": {"name": UNKNOWN, "namespace": "training"}},
                )
            ),
        ),
    ),
    SCase(
        "secret-missing",
        ST_SECRET,
        remove("files-secret"),
        (
            SECRET_MSG.format("pv-datasets", SECRET_KEY, SECRET_KEY),
            SECRET_MSG.format("pv-checkpoints", SECRET_KEY, SECRET_KEY),
        ),
    ),
    SCase(
        "secret-wrong-namespace",
        ST_SECRET,
        on("pv-datasets", put("spec.csi.nodeStageSecretRef.namespace", "default")),
        (
            SECRET_MSG.format(
                "pv-datasets", f"default/azure-files-{ACCOUNT}", f"default/azure-files-{ACCOUNT}"
            ),
        ),
    ),
    SCase(
        "secret-ref-incomplete",
        ST_SECRET,
        on("pv-datasets", drop("spec.csi.nodeStageSecretRef.namespace")),
        (
            "PersistentVolume 'pv-datasets' has a nodeStageSecretRef without both name and namespace; Kubernetes requires both.",
        ),
    ),
]
