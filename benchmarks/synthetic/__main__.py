"""`count` resources: Azure file shares and the static PVs that mount them.

`azureShare` is the fraction of azure-native FileShares (the rest are Kubernetes PVs):
azure-native attaches one type alias per API version to each resource, and the Python
SDK builds an Output chain per alias, so the mix decides the cost per resource.
"""

import pulumi
import pulumi_kubernetes as k8s
from pulumi_azure_native import storage

config = pulumi.Config()
count = config.require_int("count")
shares = round(count * config.require_float("azureShare"))
for i in range(shares):
    storage.FileShare(
        f"share-{i}",
        account_name="stsynthetic",
        resource_group_name="rg-synthetic",
        share_name=f"share-{i}",
        share_quota=100,
    )
for i in range(count - shares):
    k8s.core.v1.PersistentVolume(
        f"pv-{i}",
        metadata={"name": f"pv-{i}"},
        spec={
            "capacity": {"storage": "100Gi"},
            "accessModes": ["ReadWriteMany"],
            "persistentVolumeReclaimPolicy": "Retain",
            "storageClassName": "",
            "mountOptions": ["dir_mode=0770", "file_mode=0770", "uid=1000", "gid=1000"],
            "csi": {
                "driver": "file.csi.azure.com",
                "volumeHandle": f"rg-synthetic#stsynthetic#share-{i}",
                "volumeAttributes": {
                    "resourceGroup": "rg-synthetic",
                    "storageAccount": "stsynthetic",
                    "shareName": f"share-{i}",
                },
            },
        },
    )
