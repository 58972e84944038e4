# ruff: noqa: E501 - expected messages stay on one line each so they can be grepped.
"""Cases of the stack policies in policies/rules/stack/ about PersistentVolumes and claims."""

from __future__ import annotations

from policy_fixtures import ACCOUNT, RG, SECRET_TYPE
from policy_harness import UNKNOWN, StackResource

from ._helpers import DISK_PV, SCase, add, chain, drop, no_deps, on, put, remove

ST_PVC_RWX = "kubernetes-core-persistentvolumeclaim-azurefiles-rwx"
ST_PVC_CLASS = "kubernetes-core-persistentvolumeclaim-storageclass-matches-volume"
ST_PVC_SIZE = "kubernetes-core-persistentvolumeclaim-request-within-volume-capacity"
ST_PV_QUOTA = "kubernetes-core-persistentvolume-capacity-within-share-quota"
ST_HANDLE = "kubernetes-core-persistentvolume-volumehandle-unique"
ST_SECRET = "kubernetes-core-persistentvolume-node-stage-secret-exists"

QUANTITY_HELP = (
    "expected a number with an optional suffix (Ki, Mi, Gi, Ti, Pi, Ei, n, u, m, k, M, G, T, "
    "P, E or an exponent such as e3)"
)
RWX_SUFFIX = "request 'ReadWriteMany' so pods on different nodes can mount it concurrently."
HANDLE = f"{RG}#{ACCOUNT}#datasets#pv-datasets"
SECRET_KEY = f"training/azure-files-{ACCOUNT}"


# The node-stage-secret policy checks any CSI volume's reference; the fixture's volumes hold
# none (no account key in Kubernetes), so its cases add one to each.
def WITH_REFS(stack: dict[str, StackResource]) -> None:
    for name in ("pv-datasets", "pv-checkpoints"):
        reference = {"name": f"azure-files-{ACCOUNT}", "namespace": "training"}
        stack[name].props["spec"]["csi"]["nodeStageSecretRef"] = reference


SECRET_MSG = (
    "PersistentVolume '{}' references node-stage secret '{}', which is not a Secret in this "
    "stack; create it in the stack or list '{}' in this policy's exemptSecrets setting."
)

CASES: list[SCase] = [
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
    SCase("secret-good", ST_SECRET, WITH_REFS),
    SCase(
        "secret-exempt",
        ST_SECRET,
        chain(WITH_REFS, remove("files-secret")),
        settings={"exemptSecrets": [SECRET_KEY]},
    ),
    SCase(
        "secret-no-ref",
        ST_SECRET,
        chain(WITH_REFS, on("pv-datasets", drop("spec.csi.nodeStageSecretRef"))),
    ),
    SCase(
        "secret-ref-unknown",
        ST_SECRET,
        chain(
            WITH_REFS,
            remove("files-secret"),
            on("pv-datasets", put("spec.csi.nodeStageSecretRef.name", UNKNOWN)),
            on("pv-checkpoints", put("spec.csi.nodeStageSecretRef", UNKNOWN)),
        ),
    ),
    SCase(
        "secret-default-namespace",
        ST_SECRET,
        chain(
            WITH_REFS,
            on("files-secret", drop("metadata.namespace")),
            on("pv-datasets", put("spec.csi.nodeStageSecretRef.namespace", "default")),
            on("pv-checkpoints", drop("spec.csi.nodeStageSecretRef")),
        ),
    ),
    SCase(
        "secret-some-secret-name-unknown",
        ST_SECRET,
        chain(
            WITH_REFS,
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
        chain(WITH_REFS, remove("files-secret")),
        (
            SECRET_MSG.format("pv-datasets", SECRET_KEY, SECRET_KEY),
            SECRET_MSG.format("pv-checkpoints", SECRET_KEY, SECRET_KEY),
        ),
    ),
    SCase(
        "secret-wrong-namespace",
        ST_SECRET,
        chain(
            WITH_REFS, on("pv-datasets", put("spec.csi.nodeStageSecretRef.namespace", "default"))
        ),
        (
            SECRET_MSG.format(
                "pv-datasets", f"default/azure-files-{ACCOUNT}", f"default/azure-files-{ACCOUNT}"
            ),
        ),
    ),
    SCase(
        "secret-ref-incomplete",
        ST_SECRET,
        chain(WITH_REFS, on("pv-datasets", drop("spec.csi.nodeStageSecretRef.namespace"))),
        (
            "PersistentVolume 'pv-datasets' has a nodeStageSecretRef without both name and namespace; Kubernetes requires both.",
        ),
    ),
]
