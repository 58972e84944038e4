"""Pulumi components for AKS training clusters sharing Azure Files RWX volumes.

* :class:`SharedStorage` (``storage.py``): storage account, file service, shares, lock.
* :class:`StoragePrivateEndpoint` (``private_endpoint.py``): the account's file private
  endpoint, its private DNS zone, VNet link and zone group.
* :class:`ShareBackup` (``backup.py``): Recovery Services vault, Azure Files backup policy,
  the account's protection container and one protected item per share.
* :class:`TrainingCluster` (``cluster.py``): AKS cluster, secret kubeconfig, k8s provider.
* :class:`MonitoringWorkspaces` and :class:`MonitoringRuleAssociations` (``monitoring.py``):
  Azure Monitor for the cluster (Container Insights logs, managed Prometheus metrics).
* :class:`NvidiaDevicePlugin` (``gpu.py``): NVIDIA device plugin DaemonSet on the GPU pool.
* :class:`DcgmExporter` (``gpu_metrics.py``): NVIDIA DCGM exporter DaemonSet on the GPU pool,
  its managed Prometheus PodMonitor and NetworkPolicy.
* :class:`RwxVolume` (``volume.py``): namespace, SMB secret, static CSI PV and its PVC.
* ``smoke.py``: the manifest of the Indexed Job proving a RWX volume is shared, which
  ``infra smoke`` applies after a deploy (the stack does not own it).
* :class:`TrainingJob` (``training.py``): distributed PyTorch training, an Indexed Job with a
  headless Service for torchrun's rendezvous; ``training_example/`` holds an example script.
* ``sizing.py``, ``kubeconfig.py`` and ``node_disks.py``: pure helpers (a volume's share
  under its billing model, kubelogin rewrite, ephemeral OS disk per VM size); the Azure Files
  facts they apply are ``azure_facts/files.py``'s.

Only the ``pulumi_azure_native`` submodules in use are imported (the package is large).
"""

from azure_facts.files import BillingModel
from components.backup import BackupRetention, ShareBackup, ShareBackupArgs
from components.cluster import (
    GPU_SCHEDULING,
    GpuScheduling,
    TrainingCluster,
    TrainingClusterArgs,
)
from components.gpu import NvidiaDevicePlugin, NvidiaDevicePluginArgs, device_plugin_manifest
from components.kubeconfig import KUBELOGIN_MODES, KubeconfigError, rewrite_kubeconfig
from components.sizing import (
    SharePerformance,
    SizingError,
    quota_for_throughput,
    resolve_share,
)
from components.smoke import RwxSmokeTestArgs, smoke_job_manifest
from components.storage import (
    KubeletKeyAccess,
    KubeletKeyAccessArgs,
    SharedStorage,
    SharedStorageArgs,
    ShareSpec,
)
from components.training import (
    TrainingJob,
    TrainingJobArgs,
    TrainingMount,
    training_job_manifest,
    training_scripts_manifest,
    training_service_manifest,
)
from components.volume import RwxVolume, RwxVolumeArgs

__all__ = [
    "GPU_SCHEDULING",
    "KUBELOGIN_MODES",
    "BackupRetention",
    "BillingModel",
    "GpuScheduling",
    "KubeconfigError",
    "KubeletKeyAccess",
    "KubeletKeyAccessArgs",
    "NvidiaDevicePlugin",
    "NvidiaDevicePluginArgs",
    "RwxSmokeTestArgs",
    "RwxVolume",
    "RwxVolumeArgs",
    "ShareBackup",
    "ShareBackupArgs",
    "SharePerformance",
    "ShareSpec",
    "SharedStorage",
    "SharedStorageArgs",
    "SizingError",
    "TrainingCluster",
    "TrainingClusterArgs",
    "TrainingJob",
    "TrainingJobArgs",
    "TrainingMount",
    "device_plugin_manifest",
    "quota_for_throughput",
    "resolve_share",
    "rewrite_kubeconfig",
    "smoke_job_manifest",
    "training_job_manifest",
    "training_scripts_manifest",
    "training_service_manifest",
]
