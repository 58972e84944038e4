"""The one place every policy of the pack is registered.

Each rule module under ``policies/rules/<group>/`` defines exactly one module-level
``POLICY``; add new modules here (``tests/policies`` fails if a module is left out or
registered twice).
"""

from __future__ import annotations

from pulumi_policy import Policy

from policies.rules.aks import (
    managedcluster_api_server_access_restricted,
    managedcluster_entra_id_enabled,
    managedcluster_file_csi_driver_enabled,
    managedcluster_kubernetes_version_allowed,
    managedcluster_local_accounts_disabled,
    managedcluster_managed_identity,
    managedcluster_network_policy,
    managedcluster_node_count_limits,
    managedcluster_rbac_enabled,
    managedcluster_required_tags,
    managedcluster_vm_size_allowed,
)
from policies.rules.kubernetes import (
    persistentvolume_access_mode_rwx,
    persistentvolume_azurefile_csi_driver,
    persistentvolume_reclaim_retain,
    persistentvolume_smb_mount_options,
    persistentvolumeclaim_storageclass_explicit,
    storageclass_reclaim_retain,
    podspec_image_allowed,
)
from policies.rules.options import stateful_no_delete_before_replace, storage_protect
from policies.rules.stack import (
    fileshare_quota_within_account_limits,
    persistentvolume_capacity_within_share_quota,
    persistentvolume_node_stage_secret_exists,
    persistentvolume_volumehandle_unique,
    persistentvolumeclaim_azurefiles_rwx,
    persistentvolumeclaim_request_within_volume_capacity,
    persistentvolumeclaim_storageclass_matches_volume,
    storageaccount_delete_lock,
    storageaccount_https_only,
    storageaccount_share_soft_delete_configured,
)
from policies.rules.storage import (
    fileserviceproperties_share_soft_delete,
    fileshare_quota_set,
    storageaccount_blob_public_access,
    storageaccount_cross_tenant_replication,
    storageaccount_min_tls,
    storageaccount_network_default_deny,
    storageaccount_replication_allowed,
    storageaccount_required_tags,
)

ALL_POLICIES: list[Policy] = [
    # Kubernetes objects
    persistentvolume_reclaim_retain.POLICY,
    persistentvolume_azurefile_csi_driver.POLICY,
    persistentvolume_access_mode_rwx.POLICY,
    persistentvolume_smb_mount_options.POLICY,
    persistentvolumeclaim_storageclass_explicit.POLICY,
    storageclass_reclaim_retain.POLICY,
    podspec_image_allowed.POLICY,
    # Azure storage
    storageaccount_min_tls.POLICY,
    storageaccount_blob_public_access.POLICY,
    storageaccount_cross_tenant_replication.POLICY,
    storageaccount_network_default_deny.POLICY,
    storageaccount_replication_allowed.POLICY,
    storageaccount_required_tags.POLICY,
    fileserviceproperties_share_soft_delete.POLICY,
    fileshare_quota_set.POLICY,
    # AKS
    managedcluster_rbac_enabled.POLICY,
    managedcluster_managed_identity.POLICY,
    managedcluster_entra_id_enabled.POLICY,
    managedcluster_local_accounts_disabled.POLICY,
    managedcluster_network_policy.POLICY,
    managedcluster_file_csi_driver_enabled.POLICY,
    managedcluster_kubernetes_version_allowed.POLICY,
    managedcluster_vm_size_allowed.POLICY,
    managedcluster_node_count_limits.POLICY,
    managedcluster_api_server_access_restricted.POLICY,
    managedcluster_required_tags.POLICY,
    # Resource options
    storage_protect.POLICY,
    stateful_no_delete_before_replace.POLICY,
    # Stack (cross-resource) rules
    storageaccount_https_only.POLICY,
    fileshare_quota_within_account_limits.POLICY,
    storageaccount_delete_lock.POLICY,
    storageaccount_share_soft_delete_configured.POLICY,
    persistentvolumeclaim_azurefiles_rwx.POLICY,
    persistentvolumeclaim_storageclass_matches_volume.POLICY,
    persistentvolumeclaim_request_within_volume_capacity.POLICY,
    persistentvolume_capacity_within_share_quota.POLICY,
    persistentvolume_volumehandle_unique.POLICY,
    persistentvolume_node_stage_secret_exists.POLICY,
]
