# ruff: noqa: E501 - expected messages stay on one line each so they can be grepped.
"""Cases of the policies in policies/rules/kubernetes/ (single Kubernetes resources)."""

from __future__ import annotations

from policy_fixtures import ACCOUNT
from policy_harness import UNKNOWN

from ._helpers import DISK_PV, RCase, chain, drop, put

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
NO_KEY = "kubernetes-core-persistentvolume-no-account-key"
NO_KEY_PV_MSG = (
    "PersistentVolume 'pv-datasets' mounts its Azure file share with the storage account key "
    "from a Secret ({}); remove the reference: the CSI driver lists the key itself with the "
    "kubelet identity, and a key in a Secret gives anyone who can read it every share of the "
    "account."
)
NO_KEY_SECRET_MSG = (
    "Secret 'azure-files-{}' holds a storage account key ({}.azurestorageaccountkey); no account "
    "key may be kept in Kubernetes or in Pulumi state."
)

IN_TREE = chain(
    drop("spec.csi"),
    put("spec.azureFile", {"secretName": "azure-secret", "shareName": "datasets"}),
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

CASES: list[RCase] = [
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
    # kubernetes-core-persistentvolume-no-account-key
    RCase("no-key-pv-good", NO_KEY, "pv"),
    RCase("no-key-secret-good", NO_KEY, "secret"),
    RCase(
        "no-key-other-driver-with-secret",
        NO_KEY,
        "pv",
        chain(DISK_PV, put("spec.csi.nodeStageSecretRef", {"name": "s", "namespace": "n"})),
    ),
    RCase(
        "no-key-driver-unknown",
        NO_KEY,
        "pv",
        chain(
            put("spec.csi.driver", UNKNOWN),
            put("spec.csi.nodeStageSecretRef", {"name": "s", "namespace": "n"}),
        ),
    ),
    RCase("no-key-secret-payload-unknown", NO_KEY, "secret", put("stringData", UNKNOWN)),
    RCase(
        "no-key-node-stage-secret",
        NO_KEY,
        "pv",
        put("spec.csi.nodeStageSecretRef", {"name": "azure-secret", "namespace": "training"}),
        (NO_KEY_PV_MSG.format("nodeStageSecretRef 'azure-secret'"),),
    ),
    RCase(
        "no-key-volume-attribute-secret",
        NO_KEY,
        "pv",
        put("spec.csi.volumeAttributes.secretName", "azure-secret"),
        (NO_KEY_PV_MSG.format("volumeAttributes.secretName 'azure-secret'"),),
    ),
    RCase(
        "no-key-in-tree-secret",
        NO_KEY,
        "pv",
        IN_TREE,
        (NO_KEY_PV_MSG.format("azureFile.secretName 'azure-secret'"),),
    ),
    RCase(
        "no-key-secret-string-data",
        NO_KEY,
        "secret",
        put("stringData", {"azurestorageaccountname": "acct", "azurestorageaccountkey": "k"}),
        (NO_KEY_SECRET_MSG.format(ACCOUNT, "stringData"),),
    ),
    RCase(
        "no-key-secret-data-any-case",
        NO_KEY,
        "secret",
        chain(drop("stringData"), put("data", {"AzureStorageAccountKey": "aw=="})),
        (NO_KEY_SECRET_MSG.format(ACCOUNT, "data"),),
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
]
