"""Known-good resources (inputs, for resource policies) and a known-good stack (outputs).

Everything here is compliant with every policy of the pack under the prod config; each
mutation in ``test_policy_mutations.py`` breaks exactly one thing.
"""

from __future__ import annotations

import copy
from typing import Any

from policy_harness import StackResource, secret, urn

# The SDK classes the engine reads the output shape from, imported as a program would.
from pulumi_azure_native import authorization, containerservice, storage  # noqa: F401

from infra.engine import fakes

SUB = "/subscriptions/00000000-0000-0000-0000-000000000000"
RG = "rg-train-prod"
ACCOUNT = "sttrainprod001"
ACCOUNT_ID = f"{SUB}/resourceGroups/{RG}/providers/Microsoft.Storage/storageAccounts/{ACCOUNT}"
SUBNET_ID = (
    f"{SUB}/resourceGroups/rg-net/providers/Microsoft.Network/virtualNetworks/vnet-train"
    "/subnets/aks-nodes"
)
TAGS = {"environment": "prod", "owner": "ml-platform", "cost-center": "cc-1234"}
SMB_MOUNT_OPTIONS = [
    "dir_mode=0777",
    "file_mode=0777",
    "uid=1000",
    "gid=1000",
    "mfsymlinks",
    "cache=strict",
    "nosharesock",
    "actimeo=30",
]

STORAGE_ACCOUNT_TYPE = "azure-native:storage:StorageAccount"
FILE_SERVICE_TYPE = "azure-native:storage:FileServiceProperties"
FILE_SHARE_TYPE = "azure-native:storage:FileShare"
LOCK_TYPE = "azure-native:authorization:ManagementLockByScope"
MANAGED_CLUSTER_TYPE = "azure-native:containerservice:ManagedCluster"
AGENT_POOL_TYPE = "azure-native:containerservice:AgentPool"
NAMESPACE_TYPE = "kubernetes:core/v1:Namespace"
SECRET_TYPE = "kubernetes:core/v1:Secret"
PV_TYPE = "kubernetes:core/v1:PersistentVolume"
PVC_TYPE = "kubernetes:core/v1:PersistentVolumeClaim"
STORAGE_CLASS_TYPE = "kubernetes:storage.k8s.io/v1:StorageClass"
JOB_TYPE = "kubernetes:batch/v1:Job"
CRONJOB_TYPE = "kubernetes:batch/v1:CronJob"
DEPLOYMENT_TYPE = "kubernetes:apps/v1:Deployment"
STATEFULSET_TYPE = "kubernetes:apps/v1:StatefulSet"
DAEMONSET_TYPE = "kubernetes:apps/v1:DaemonSet"
POD_TYPE = "kubernetes:core/v1:Pod"
VAULT_TYPE = "azure-native:recoveryservices:Vault"
PROTECTION_POLICY_TYPE = "azure-native:recoveryservices:ProtectionPolicy"
PROTECTION_CONTAINER_TYPE = "azure-native:recoveryservices:ProtectionContainer"
PROTECTED_SHARE_TYPE = "azure:backup/protectedFileShare:ProtectedFileShare"
VAULT_NAME = f"rsv-{ACCOUNT}"
VAULT_ID = f"{SUB}/resourceGroups/{RG}/providers/Microsoft.RecoveryServices/vaults/{VAULT_NAME}"
BACKUP_POLICY_ID = f"{VAULT_ID}/backupPolicies/azure-files-daily"
CONTAINER_NAME = f"StorageContainer;Storage;{RG};{ACCOUNT}"


def share_id(share: str, account: str = ACCOUNT) -> str:
    return (
        f"{SUB}/resourceGroups/{RG}/providers/Microsoft.Storage/storageAccounts/{account}"
        f"/fileServices/default/shares/{share}"
    )


# --- inputs (resource policies) ------------------------------------------------------------

STORAGE_ACCOUNT: dict[str, Any] = {
    "accountName": ACCOUNT,
    "resourceGroupName": RG,
    "location": "westeurope",
    "kind": "FileStorage",
    "sku": {"name": "Premium_ZRS"},
    "enableHttpsTrafficOnly": True,
    "minimumTlsVersion": "TLS1_2",
    "allowBlobPublicAccess": False,
    "allowCrossTenantReplication": False,
    "largeFileSharesState": "Enabled",
    "publicNetworkAccess": "Disabled",
    "networkRuleSet": {
        "defaultAction": "Deny",
        "bypass": "AzureServices",
        "virtualNetworkRules": [{"virtualNetworkResourceId": SUBNET_ID}],
        "ipRules": [{"iPAddressOrRange": "203.0.113.0/24"}],
    },
    "tags": dict(TAGS),
}

FILE_SERVICE: dict[str, Any] = {
    "accountName": ACCOUNT,
    "resourceGroupName": RG,
    "fileServicesName": "default",
    "shareDeleteRetentionPolicy": {"enabled": True, "days": 30},
}

FILE_SHARE: dict[str, Any] = {
    "accountName": ACCOUNT,
    "resourceGroupName": RG,
    "shareName": "datasets",
    "shareQuota": 1024,
    "enabledProtocols": "SMB",
    "accessTier": "Premium",
}

LOCK: dict[str, Any] = {
    "scope": ACCOUNT_ID,
    "level": "CanNotDelete",
    "lockName": f"{ACCOUNT}-no-delete",
    "notes": "Training data: delete only through Pulumi after removing this lock.",
}

# What components/cluster.py sets on every pool.
POOL_HARDENING: dict[str, Any] = {
    "enableEncryptionAtHost": True,
    "osDiskType": "Ephemeral",
    "osDiskSizeGB": 128,
    "maxPods": 110,
}
LOG_ANALYTICS_ID = (
    f"{SUB}/resourceGroups/{RG}/providers/Microsoft.OperationalInsights/workspaces/log-train-prod"
)

MANAGED_CLUSTER: dict[str, Any] = {
    "resourceGroupName": RG,
    "resourceName": "aks-train-prod",
    "location": "westeurope",
    "dnsPrefix": "aks-train-prod",
    "kubernetesVersion": "1.36",
    "identity": {"type": "SystemAssigned"},
    "enableRBAC": True,
    "aadProfile": {
        "managed": True,
        "enableAzureRBAC": True,
        "adminGroupObjectIDs": ["11111111-1111-1111-1111-111111111111"],
    },
    "disableLocalAccounts": True,
    "networkProfile": {"networkPlugin": "azure", "networkPolicy": "cilium"},
    "storageProfile": {"fileCSIDriver": {"enabled": True}},
    "autoUpgradeProfile": {"upgradeChannel": "patch"},
    "apiServerAccessProfile": {"enablePrivateCluster": True},
    "agentPoolProfiles": [
        {
            "name": "system",
            "mode": "System",
            "vmSize": "Standard_D4ds_v5",
            "enableAutoScaling": True,
            "count": 2,
            "minCount": 2,
            "maxCount": 4,
            "availabilityZones": ["1", "2", "3"],
            "nodeTaints": ["CriticalAddonsOnly=true:NoSchedule"],
            **POOL_HARDENING,
        },
        {
            "name": "gpu",
            "mode": "User",
            "vmSize": "Standard_NC24ads_A100_v4",
            "enableAutoScaling": True,
            "minCount": 0,
            "maxCount": 4,
            "nodeTaints": ["nvidia.com/gpu=present:NoSchedule"],
            "nodeLabels": {"workload": "training"},
            **POOL_HARDENING,
            "osDiskSizeGB": 64,
        },
    ],
    "addonProfiles": {
        "omsagent": {
            "enabled": True,
            "config": {"logAnalyticsWorkspaceResourceID": LOG_ANALYTICS_ID, "useAADAuth": "true"},
        }
    },
    "azureMonitorProfile": {"metrics": {"enabled": True}},
    "tags": dict(TAGS),
}

AGENT_POOL: dict[str, Any] = {
    "resourceGroupName": RG,
    "resourceName": "aks-train-prod",
    "agentPoolName": "cpu",
    "mode": "User",
    "vmSize": "Standard_D8ds_v5",
    "count": 3,
    "orchestratorVersion": "1.36.2",
    **POOL_HARDENING,
}

NAMESPACE: dict[str, Any] = {
    "apiVersion": "v1",
    "kind": "Namespace",
    "metadata": {"name": "training"},
}

SECRET: dict[str, Any] = {
    "apiVersion": "v1",
    "kind": "Secret",
    "metadata": {"name": f"azure-files-{ACCOUNT}", "namespace": "training"},
    "type": "Opaque",
    # Not a storage key: no Secret may hold one (kubernetes-core-persistentvolume-no-account-key).
    "stringData": {"token": secret("c2VjcmV0LXRva2Vu")},
}

PV: dict[str, Any] = {
    "apiVersion": "v1",
    "kind": "PersistentVolume",
    "metadata": {"name": "pv-datasets", "labels": {"share": "datasets"}},
    "spec": {
        "capacity": {"storage": "1Ti"},
        "accessModes": ["ReadWriteMany"],
        "persistentVolumeReclaimPolicy": "Retain",
        "storageClassName": "",
        "mountOptions": list(SMB_MOUNT_OPTIONS),
        "csi": {
            "driver": "file.csi.azure.com",
            "volumeHandle": f"{RG}#{ACCOUNT}#datasets#pv-datasets",
            "volumeAttributes": {
                "resourceGroup": RG,
                "storageAccount": ACCOUNT,
                "shareName": "datasets",
            },
        },
    },
}

PVC: dict[str, Any] = {
    "apiVersion": "v1",
    "kind": "PersistentVolumeClaim",
    "metadata": {"name": "datasets", "namespace": "training"},
    "spec": {
        "accessModes": ["ReadWriteMany"],
        "storageClassName": "",
        "volumeName": "pv-datasets",
        "resources": {"requests": {"storage": "1Ti"}},
    },
}

STORAGE_CLASS: dict[str, Any] = {
    "apiVersion": "storage.k8s.io/v1",
    "kind": "StorageClass",
    "metadata": {"name": "azurefile-premium-retain"},
    "provisioner": "file.csi.azure.com",
    "reclaimPolicy": "Retain",
    "allowVolumeExpansion": True,
    "parameters": {"skuName": "Premium_ZRS"},
    "mountOptions": list(SMB_MOUNT_OPTIONS),
}

PINNED_IMAGE = (
    "mcr.microsoft.com/azurelinux/base/core:3.0"
    "@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"
)

POD_SPEC: dict[str, Any] = {
    "restartPolicy": "Never",
    "initContainers": [{"name": "fetch", "image": PINNED_IMAGE}],
    "containers": [{"name": "train", "image": PINNED_IMAGE}],
}

JOB: dict[str, Any] = {
    "apiVersion": "batch/v1",
    "kind": "Job",
    "metadata": {"name": "train", "namespace": "training"},
    "spec": {"template": {"spec": POD_SPEC}},
}

CRONJOB: dict[str, Any] = {
    "apiVersion": "batch/v1",
    "kind": "CronJob",
    "metadata": {"name": "nightly", "namespace": "training"},
    "spec": {"schedule": "0 2 * * *", "jobTemplate": {"spec": {"template": {"spec": POD_SPEC}}}},
}

DEPLOYMENT: dict[str, Any] = {
    "apiVersion": "apps/v1",
    "kind": "Deployment",
    "metadata": {"name": "serve", "namespace": "training"},
    "spec": {"replicas": 2, "template": {"spec": POD_SPEC}},
}

POD: dict[str, Any] = {
    "apiVersion": "v1",
    "kind": "Pod",
    "metadata": {"name": "debug", "namespace": "training"},
    "spec": POD_SPEC,
}

# Workloads mounting the shared claims, each a different program shape. They run as the
# volumes' uid/gid (SMB_MOUNT_OPTIONS); the GPU Job tolerates the GPU pool's taint and has a
# memory-backed /dev/shm.
RUN_AS_VOLUME_OWNER: dict[str, Any] = {"runAsNonRoot": True, "runAsUser": 1000, "runAsGroup": 1000}
GPU_TOLERATION: dict[str, Any] = {
    "key": "nvidia.com/gpu",
    "operator": "Equal",
    "value": "present",
    "effect": "NoSchedule",
}
DATASETS_VOLUME: dict[str, Any] = {
    "name": "datasets",
    "persistentVolumeClaim": {"claimName": "datasets", "readOnly": True},
}
CHECKPOINTS_VOLUME: dict[str, Any] = {
    "name": "checkpoints",
    "persistentVolumeClaim": {"claimName": "checkpoints"},
}
SHM_VOLUME: dict[str, Any] = {"name": "shm", "emptyDir": {"medium": "Memory", "sizeLimit": "8Gi"}}

GPU_JOB: dict[str, Any] = {
    "apiVersion": "batch/v1",
    "kind": "Job",
    "metadata": {"name": "train-gpu", "namespace": "training"},
    "spec": {
        "completionMode": "Indexed",
        "completions": 2,
        "parallelism": 2,
        "template": {
            "spec": {
                "restartPolicy": "Never",
                "securityContext": copy.deepcopy(RUN_AS_VOLUME_OWNER),
                "tolerations": [copy.deepcopy(GPU_TOLERATION)],
                "containers": [
                    {
                        "name": "train",
                        "image": PINNED_IMAGE,
                        "resources": {
                            "requests": {"cpu": "8", "memory": "32Gi"},
                            "limits": {"memory": "32Gi", "nvidia.com/gpu": 1},
                        },
                        "volumeMounts": [
                            {"name": "datasets", "mountPath": "/data", "readOnly": True},
                            {"name": "checkpoints", "mountPath": "/checkpoints"},
                            {"name": "shm", "mountPath": "/dev/shm"},
                        ],
                    }
                ],
                "volumes": [
                    copy.deepcopy(DATASETS_VOLUME),
                    copy.deepcopy(CHECKPOINTS_VOLUME),
                    copy.deepcopy(SHM_VOLUME),
                ],
            }
        },
    },
}

STATEFULSET: dict[str, Any] = {
    "apiVersion": "apps/v1",
    "kind": "StatefulSet",
    "metadata": {"name": "index", "namespace": "training"},
    "spec": {
        "replicas": 3,
        "serviceName": "index",
        "selector": {"matchLabels": {"app": "index"}},
        "template": {
            "metadata": {"labels": {"app": "index"}},
            "spec": {
                "securityContext": copy.deepcopy(RUN_AS_VOLUME_OWNER),
                "containers": [
                    {
                        "name": "index",
                        "image": PINNED_IMAGE,
                        "volumeMounts": [
                            {"name": "state", "mountPath": "/state"},
                            {"name": "datasets", "mountPath": "/data", "readOnly": True},
                        ],
                    }
                ],
                "volumes": [copy.deepcopy(DATASETS_VOLUME)],
            },
        },
        # One ReadWriteOnce claim per pod: never shared, so never a multi-pod problem.
        "volumeClaimTemplates": [
            {
                "metadata": {"name": "state"},
                "spec": {
                    "accessModes": ["ReadWriteOnce"],
                    "storageClassName": "managed-csi",
                    "resources": {"requests": {"storage": "10Gi"}},
                },
            }
        ],
    },
}

DAEMONSET: dict[str, Any] = {
    "apiVersion": "apps/v1",
    "kind": "DaemonSet",
    "metadata": {"name": "cache-warmer", "namespace": "training"},
    "spec": {
        "selector": {"matchLabels": {"app": "cache-warmer"}},
        "template": {
            "metadata": {"labels": {"app": "cache-warmer"}},
            "spec": {
                "securityContext": copy.deepcopy(RUN_AS_VOLUME_OWNER),
                # A node agent: tolerates every taint, GPU pools included.
                "tolerations": [{"operator": "Exists"}],
                "containers": [
                    {
                        "name": "warm",
                        "image": PINNED_IMAGE,
                        "volumeMounts": [
                            {"name": "datasets", "mountPath": "/data", "readOnly": True}
                        ],
                    }
                ],
                "volumes": [copy.deepcopy(DATASETS_VOLUME)],
            },
        },
    },
}

VAULT: dict[str, Any] = {
    "resourceGroupName": RG,
    "vaultName": VAULT_NAME,
    "location": "westeurope",
    "sku": {"name": "Standard"},
    "properties": {
        "redundancySettings": {"standardTierStorageRedundancy": "GeoRedundant"},
        "securitySettings": {
            "softDeleteSettings": {
                "softDeleteState": "Enabled",
                "softDeleteRetentionPeriodInDays": 14,
            },
            "immutabilitySettings": {"state": "Unlocked"},
        },
    },
    "tags": dict(TAGS),
}

RUN_TIME = "2020-01-01T02:00:00Z"
BACKUP_POLICY_PROPERTIES: dict[str, Any] = {
    "backupManagementType": "AzureStorage",
    "workLoadType": "AzureFileShare",
    "timeZone": "UTC",
    "schedulePolicy": {
        "schedulePolicyType": "SimpleSchedulePolicy",
        "scheduleRunFrequency": "Daily",
        "scheduleRunTimes": [RUN_TIME],
    },
    "retentionPolicy": {
        "retentionPolicyType": "LongTermRetentionPolicy",
        "dailySchedule": {
            "retentionTimes": [RUN_TIME],
            "retentionDuration": {"count": 30, "durationType": "Days"},
        },
        "weeklySchedule": {
            "daysOfTheWeek": ["Sunday"],
            "retentionTimes": [RUN_TIME],
            "retentionDuration": {"count": 12, "durationType": "Weeks"},
        },
    },
}

RESOURCES: dict[str, tuple[str, dict[str, Any]]] = {
    "storage_account": (STORAGE_ACCOUNT_TYPE, STORAGE_ACCOUNT),
    "file_service": (FILE_SERVICE_TYPE, FILE_SERVICE),
    "file_share": (FILE_SHARE_TYPE, FILE_SHARE),
    "lock": (LOCK_TYPE, LOCK),
    "managed_cluster": (MANAGED_CLUSTER_TYPE, MANAGED_CLUSTER),
    "agent_pool": (AGENT_POOL_TYPE, AGENT_POOL),
    "namespace": (NAMESPACE_TYPE, NAMESPACE),
    "secret": (SECRET_TYPE, SECRET),
    "pv": (PV_TYPE, PV),
    "pvc": (PVC_TYPE, PVC),
    "storage_class": (STORAGE_CLASS_TYPE, STORAGE_CLASS),
    "job": (JOB_TYPE, JOB),
    "cronjob": (CRONJOB_TYPE, CRONJOB),
    "deployment": (DEPLOYMENT_TYPE, DEPLOYMENT),
    "pod": (POD_TYPE, POD),
    "gpu_job": (JOB_TYPE, GPU_JOB),
    "statefulset": (STATEFULSET_TYPE, STATEFULSET),
    "daemonset": (DAEMONSET_TYPE, DAEMONSET),
    "vault": (VAULT_TYPE, VAULT),
}
"""Known-good inputs by fixture key: (type token, inputs)."""


def resource(key: str) -> tuple[str, dict[str, Any]]:
    resource_type, props = RESOURCES[key]
    return resource_type, copy.deepcopy(props)


# --- outputs (stack policies) --------------------------------------------------------------


def _azure_outputs(resource_type: str, name: str, inputs: dict[str, Any]) -> dict[str, Any]:
    """What the offline engine answers for an azure-native resource: the provider's output
    shape (declared outputs, ``name``, ``id``, ``type``; no path parameters)."""
    _, outputs = fakes.new_resource(resource_type, name, urn(resource_type, name), inputs)
    return outputs


def _share_outputs(share: str, quota: int) -> dict[str, Any]:
    return _azure_outputs(
        FILE_SHARE_TYPE, f"share-{share}", {**FILE_SHARE, "shareName": share, "shareQuota": quota}
    )


def _pv_outputs(share: str, capacity: str) -> dict[str, Any]:
    outputs = copy.deepcopy(PV)
    outputs["metadata"] = {"name": f"pv-{share}", "labels": {"share": share}}
    outputs["spec"]["capacity"]["storage"] = capacity
    outputs["spec"]["csi"]["volumeHandle"] = f"{RG}#{ACCOUNT}#{share}#pv-{share}"
    outputs["spec"]["csi"]["volumeAttributes"]["shareName"] = share
    outputs["status"] = {"phase": "Bound"}
    return outputs


def _pvc_outputs(share: str, request: str) -> dict[str, Any]:
    outputs = copy.deepcopy(PVC)
    outputs["metadata"] = {"name": share, "namespace": "training"}
    outputs["spec"]["volumeName"] = f"pv-{share}"
    outputs["spec"]["resources"]["requests"]["storage"] = request
    outputs["status"] = {"phase": "Bound", "accessModes": ["ReadWriteMany"]}
    return outputs


def good_stack() -> dict[str, StackResource]:
    """A compliant prod-like stack, by resource name (outputs as the engine reports them)."""
    resources = [
        StackResource(
            STORAGE_ACCOUNT_TYPE,
            "account",
            _azure_outputs(STORAGE_ACCOUNT_TYPE, "account", STORAGE_ACCOUNT),
            protect=True,
        ),
        StackResource(
            FILE_SERVICE_TYPE,
            "file-service",
            _azure_outputs(FILE_SERVICE_TYPE, "file-service", FILE_SERVICE),
            property_dependencies={"accountName": ["account"]},
        ),
        StackResource(
            FILE_SHARE_TYPE,
            "share-datasets",
            _share_outputs("datasets", 1024),
            protect=True,
            property_dependencies={"accountName": ["account"]},
        ),
        StackResource(
            FILE_SHARE_TYPE,
            "share-checkpoints",
            _share_outputs("checkpoints", 512),
            protect=True,
            property_dependencies={"accountName": ["account"]},
        ),
        StackResource(
            LOCK_TYPE,
            "account-lock",
            _azure_outputs(LOCK_TYPE, "account-lock", LOCK),
            property_dependencies={"scope": ["account"]},
        ),
        StackResource(NAMESPACE_TYPE, "training", copy.deepcopy(NAMESPACE)),
        StackResource(
            SECRET_TYPE,
            "files-secret",
            {**copy.deepcopy(SECRET), "stringData": None, "data": secret({"k": "v"})},
            property_dependencies={"metadata": ["training"]},
        ),
        StackResource(
            PV_TYPE,
            "pv-datasets",
            _pv_outputs("datasets", "1Ti"),
            property_dependencies={"spec": ["account", "share-datasets", "files-secret"]},
        ),
        StackResource(
            PV_TYPE,
            "pv-checkpoints",
            _pv_outputs("checkpoints", "512Gi"),
            property_dependencies={"spec": ["account", "share-checkpoints", "files-secret"]},
        ),
        StackResource(
            PVC_TYPE,
            "pvc-datasets",
            _pvc_outputs("datasets", "1Ti"),
            property_dependencies={"spec": ["pv-datasets"], "metadata": ["training"]},
        ),
        StackResource(
            PVC_TYPE,
            "pvc-checkpoints",
            _pvc_outputs("checkpoints", "500Gi"),
            property_dependencies={"spec": ["pv-checkpoints"], "metadata": ["training"]},
        ),
        StackResource(STORAGE_CLASS_TYPE, "sc-premium", copy.deepcopy(STORAGE_CLASS)),
        StackResource(
            PVC_TYPE,
            "pvc-scratch",
            {
                "apiVersion": "v1",
                "kind": "PersistentVolumeClaim",
                "metadata": {"name": "scratch", "namespace": "training"},
                "spec": {
                    "accessModes": ["ReadWriteMany"],
                    "storageClassName": "azurefile-premium-retain",
                    "resources": {"requests": {"storage": "100Gi"}},
                },
            },
            property_dependencies={"metadata": ["training"]},
        ),
        StackResource(
            MANAGED_CLUSTER_TYPE,
            "aks",
            _azure_outputs(MANAGED_CLUSTER_TYPE, "aks", MANAGED_CLUSTER),
        ),
        *private_endpoint(),
        *_workloads(),
        *_backup(),
    ]
    return {r.name: r for r in resources}


PRIVATE_ENDPOINT_TYPE = "azure-native:network:PrivateEndpoint"
ZONE_GROUP_TYPE = "azure-native:network:PrivateDnsZoneGroup"
PRIVATE_ZONE_TYPE = "azure-native:privatedns:PrivateZone"
FILE_ZONE = "privatelink.file.core.windows.net"
FILE_ZONE_ID = f"{SUB}/resourceGroups/{RG}/providers/Microsoft.Network/privateDnsZones/{FILE_ZONE}"
ENDPOINT_ID = f"{SUB}/resourceGroups/{RG}/providers/Microsoft.Network/privateEndpoints/pe-file"


def private_endpoint() -> list[StackResource]:
    """The account's file private endpoint, its DNS zone and the zone group (outputs), as
    components/private_endpoint.py builds them."""
    return [
        StackResource(
            PRIVATE_ZONE_TYPE,
            "file-zone",
            {"name": FILE_ZONE, "id": FILE_ZONE_ID, "location": "global"},
        ),
        StackResource(
            PRIVATE_ENDPOINT_TYPE,
            "file-endpoint",
            {
                "name": "pe-file",
                "id": ENDPOINT_ID,
                "subnet": {"id": SUBNET_ID},
                "privateLinkServiceConnections": [
                    {
                        "name": f"{ACCOUNT}-file",
                        "privateLinkServiceId": ACCOUNT_ID,
                        "groupIds": ["file"],
                    }
                ],
            },
            property_dependencies={"privateLinkServiceConnections": ["account"]},
        ),
        StackResource(
            ZONE_GROUP_TYPE,
            "file-dns",
            {
                "name": "default",
                "id": f"{ENDPOINT_ID}/privateDnsZoneGroups/default",
                "privateDnsZoneConfigs": [
                    {"name": "privatelink-file", "privateDnsZoneId": FILE_ZONE_ID}
                ],
            },
            property_dependencies={
                "privateEndpointName": ["file-endpoint"],
                "privateDnsZoneConfigs": ["file-zone"],
            },
        ),
    ]


def _backup() -> list[StackResource]:
    """A vault backing up both volume shares under one daily policy (components/backup.py)."""
    vault = copy.deepcopy(VAULT)
    del vault["resourceGroupName"], vault["vaultName"]
    vault.update({"name": VAULT_NAME, "id": VAULT_ID})
    items = [
        StackResource(
            PROTECTED_SHARE_TYPE,
            f"backup-item-{share}",
            {
                # The id as Azure Backup names the item (an internal name, not the share's).
                "id": f"{VAULT_ID}/backupFabrics/Azure/protectionContainers/{CONTAINER_NAME}"
                f"/protectedItems/AzureFileShare;{system_name}",
                "resourceGroupName": RG,
                "recoveryVaultName": VAULT_NAME,
                "sourceFileShareName": share,
                "sourceStorageAccountId": ACCOUNT_ID,
                "backupPolicyId": BACKUP_POLICY_ID,
            },
            protect=True,
            property_dependencies={
                "sourceFileShareName": [f"share-{share}"],
                "sourceStorageAccountId": ["account"],
                "backupPolicyId": ["backup-policy"],
                "recoveryVaultName": ["backup-vault"],
            },
        )
        for share, system_name in (
            ("datasets", "5f1c0e2a9b7d4c3e8a6f0b1d2c3e4f5a"),
            ("checkpoints", "9a8b7c6d5e4f3a2b1c0d9e8f7a6b5c4d"),
        )
    ]
    return [
        StackResource(VAULT_TYPE, "backup-vault", vault, protect=True),
        StackResource(
            PROTECTION_POLICY_TYPE,
            "backup-policy",
            {
                "name": "azure-files-daily",
                "id": BACKUP_POLICY_ID,
                "properties": copy.deepcopy(BACKUP_POLICY_PROPERTIES),
            },
            protect=True,
            property_dependencies={"vaultName": ["backup-vault"]},
        ),
        StackResource(
            PROTECTION_CONTAINER_TYPE,
            "backup-container",
            {
                "name": CONTAINER_NAME,
                "properties": {
                    "containerType": "StorageContainer",
                    "backupManagementType": "AzureStorage",
                    "sourceResourceId": ACCOUNT_ID,
                    "acquireStorageAccountLock": "Acquire",
                },
            },
            protect=True,
            property_dependencies={"vaultName": ["backup-vault"], "properties": ["account"]},
        ),
        *items,
    ]


def _workloads() -> list[StackResource]:
    """One workload of every shape, all mounting the stack's shared claims correctly."""
    cronjob = copy.deepcopy(CRONJOB)
    cronjob["spec"]["jobTemplate"]["spec"]["parallelism"] = 2
    cron_pod = cronjob["spec"]["jobTemplate"]["spec"]["template"]["spec"]
    cron_pod["securityContext"] = copy.deepcopy(RUN_AS_VOLUME_OWNER)
    cron_pod["containers"][0]["volumeMounts"] = [{"name": "checkpoints", "mountPath": "/ckpt"}]
    cron_pod["volumes"] = [copy.deepcopy(CHECKPOINTS_VOLUME)]
    deployment = copy.deepcopy(DEPLOYMENT)
    serve_pod = deployment["spec"]["template"]["spec"]
    # The group from the pod, the user from the container: both count.
    serve_pod["securityContext"] = {"runAsGroup": 1000}
    serve_pod["containers"][0]["securityContext"] = {"runAsUser": 1000}
    serve_pod["containers"][0]["volumeMounts"] = [{"name": "scratch", "mountPath": "/scratch"}]
    serve_pod["volumes"] = [{"name": "scratch", "persistentVolumeClaim": {"claimName": "scratch"}}]
    in_training = {"metadata": ["training"]}
    return [
        StackResource(
            JOB_TYPE, "job-train-gpu", copy.deepcopy(GPU_JOB), property_dependencies=in_training
        ),
        StackResource(CRONJOB_TYPE, "cronjob-nightly", cronjob, property_dependencies=in_training),
        StackResource(
            DEPLOYMENT_TYPE, "deployment-serve", deployment, property_dependencies=in_training
        ),
        StackResource(
            STATEFULSET_TYPE,
            "statefulset-index",
            copy.deepcopy(STATEFULSET),
            property_dependencies=in_training,
        ),
        StackResource(
            DAEMONSET_TYPE,
            "daemonset-cache-warmer",
            copy.deepcopy(DAEMONSET),
            property_dependencies=in_training,
        ),
    ]
