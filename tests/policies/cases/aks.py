# ruff: noqa: E501 - expected messages stay on one line each so they can be grepped.
"""Cases of the policies in policies/rules/aks/ (ManagedCluster and AgentPool)."""

from __future__ import annotations

from policy_fixtures import RG, SUB
from policy_harness import UNKNOWN, secret

from ._helpers import RCase, chain, drop, put

AKS_RBAC = "azure-native-containerservice-managedcluster-rbac-enabled"
AKS_MI = "azure-native-containerservice-managedcluster-managed-identity"
AKS_ENTRA = "azure-native-containerservice-managedcluster-entra-id-enabled"
AKS_LOCAL = "azure-native-containerservice-managedcluster-local-accounts-disabled"
AKS_NETPOL = "azure-native-containerservice-managedcluster-network-policy"
AKS_CSI = "azure-native-containerservice-managedcluster-file-csi-driver-enabled"
AKS_VERSION = "azure-native-containerservice-managedcluster-kubernetes-version-allowed"
AKS_SUPPORTED = "azure-native-containerservice-managedcluster-kubernetes-version-supported"
AKS_VM = "azure-native-containerservice-managedcluster-vm-size-allowed"
AKS_NODES = "azure-native-containerservice-managedcluster-node-count-limits"
AKS_API = "azure-native-containerservice-managedcluster-api-server-access-restricted"
AKS_TAGS = "azure-native-containerservice-managedcluster-required-tags"
AKS_HOST_ENC = "azure-native-containerservice-managedcluster-encryption-at-host"
AKS_EPHEMERAL = "azure-native-containerservice-managedcluster-ephemeral-os-disk"
AKS_MAX_PODS = "azure-native-containerservice-managedcluster-max-pods"
AKS_MONITOR = "azure-native-containerservice-managedcluster-azure-monitor"

MC = "ManagedCluster 'aks-train-prod'"
VM_SIZES = "Standard_D4ds_v5, Standard_D8ds_v5, Standard_NC24ads_A100_v4, Standard_NC40ads_H100_v5"
SP_MSG = (
    f"{MC} sets servicePrincipalProfile; remove it (or use clientId 'msi' without a secret) so "
    "the cluster authenticates with its managed identity."
)

CASES: list[RCase] = [
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
    # azure-native-containerservice-managedcluster-kubernetes-version-supported (1.36's end of
    # support: 2027-06-30; 1.34's: 2026-11-30; the calendar was read on 2026-12-06)
    RCase("supported-200-days", AKS_SUPPORTED, "managed_cluster", today="2026-12-12"),
    RCase("supported-agent-pool", AKS_SUPPORTED, "agent_pool", today="2026-12-12"),
    RCase(
        "supported-unknown",
        AKS_SUPPORTED,
        "managed_cluster",
        put("kubernetesVersion", UNKNOWN),
        today="2026-12-12",
    ),
    RCase(
        "supported-30-days",
        AKS_SUPPORTED,
        "managed_cluster",
        put("kubernetesVersion", "1.34.9"),
        (
            f"{MC} Kubernetes '1.34.9' reaches AKS end of support on 2026-11-30, 30 days from 2026-10-31; more than 60 days are required.",
        ),
        today="2026-10-31",
    ),
    RCase(
        "supported-61-days-setting",
        AKS_SUPPORTED,
        "managed_cluster",
        put("kubernetesVersion", "1.34"),
        (
            f"{MC} Kubernetes '1.34' reaches AKS end of support on 2026-11-30, 61 days from 2026-09-30; more than 90 days are required.",
        ),
        settings={"minimumRunwayDays": 90},
        today="2026-09-30",
    ),
    RCase(
        "supported-past-end",
        AKS_SUPPORTED,
        "managed_cluster",
        put("kubernetesVersion", "1.33"),
        (
            f"{MC} Kubernetes '1.33' reached AKS end of support on 2026-07-31, 128 days before 2026-12-06; AKS creates no cluster on it.",
        ),
        today="2026-12-06",
    ),
    RCase(
        "supported-pool-past-end",
        AKS_SUPPORTED,
        "managed_cluster",
        put("agentPoolProfiles.1.orchestratorVersion", "1.33.13"),
        (
            f"{MC} agent pool 'gpu' orchestratorVersion '1.33.13' reached AKS end of support on 2026-07-31, 128 days before 2026-12-06; AKS creates no cluster on it.",
        ),
        today="2026-12-06",
    ),
    RCase(
        "supported-not-announced",
        AKS_SUPPORTED,
        "managed_cluster",
        put("kubernetesVersion", "1.37"),
        (
            f"{MC} Kubernetes '1.37' has no GA announcement in AKS's release notes (the calendar plans GA in Oct 2026); AKS offers it as a preview at most.",
        ),
        today="2026-12-06",
    ),
    RCase(
        "supported-not-on-calendar",
        AKS_SUPPORTED,
        "managed_cluster",
        put("kubernetesVersion", "1.38"),
        (
            f"{MC} Kubernetes '1.38' is not on the AKS release calendar in policies/aks_versions.py (1.32, 1.33, 1.34, 1.35, 1.36, 1.37).",
        ),
        today="2026-12-06",
    ),
    RCase(
        "supported-calendar-stale",
        AKS_SUPPORTED,
        "managed_cluster",
        None,
        (
            f"{MC} Kubernetes '1.36' cannot be checked: the AKS release calendar in policies/aks_versions.py was read on 2026-12-06 (91 days ago, more than 90); re-read https://learn.microsoft.com/azure/aks/supported-kubernetes-versions and update it.",
        ),
        today="2027-03-07",
    ),
    # azure-native-containerservice-managedcluster-kubernetes-version-allowed
    RCase("version-good", AKS_VERSION, "managed_cluster"),
    RCase("version-patch", AKS_VERSION, "managed_cluster", put("kubernetesVersion", "1.36.2")),
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
        put("kubernetesVersion", "1.36.2"),
        settings={"allowedVersions": ["1.36.2"]},
    ),
    RCase(
        "version-old",
        AKS_VERSION,
        "managed_cluster",
        put("kubernetesVersion", "1.32"),
        (f"{MC} uses Kubernetes '1.32', which is not allowed; use one of: 1.36.",),
    ),
    RCase(
        "version-prefix-is-not-minor",
        AKS_VERSION,
        "managed_cluster",
        put("kubernetesVersion", "1.360"),
        (f"{MC} uses Kubernetes '1.360', which is not allowed; use one of: 1.36.",),
    ),
    RCase(
        "version-other-patch",
        AKS_VERSION,
        "managed_cluster",
        put("kubernetesVersion", "1.36.5"),
        (f"{MC} uses Kubernetes '1.36.5', which is not allowed; use one of: 1.36.2.",),
        settings={"allowedVersions": ["1.36.2"]},
    ),
    RCase(
        "version-missing",
        AKS_VERSION,
        "managed_cluster",
        drop("kubernetesVersion"),
        (f"{MC} does not pin kubernetesVersion; set one of: 1.36.",),
    ),
    RCase(
        "version-pool",
        AKS_VERSION,
        "managed_cluster",
        put("agentPoolProfiles.1.orchestratorVersion", "1.31.4"),
        (
            f"{MC} agent pool 'gpu' uses orchestratorVersion '1.31.4', which is not allowed; use one of: 1.36.",
        ),
    ),
    RCase(
        "version-agent-pool-bad",
        AKS_VERSION,
        "agent_pool",
        put("orchestratorVersion", "1.34.0"),
        (
            "AgentPool 'cpu' uses orchestratorVersion '1.34.0', which is not allowed; use one of: 1.36.",
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
    # azure-native-containerservice-managedcluster-encryption-at-host
    RCase("host-enc-good", AKS_HOST_ENC, "managed_cluster"),
    RCase("host-enc-agent-pool", AKS_HOST_ENC, "agent_pool"),
    RCase(
        "host-enc-unknown",
        AKS_HOST_ENC,
        "managed_cluster",
        put("agentPoolProfiles.1.enableEncryptionAtHost", UNKNOWN),
    ),
    RCase(
        "host-enc-missing",
        AKS_HOST_ENC,
        "managed_cluster",
        drop("agentPoolProfiles.1.enableEncryptionAtHost"),
        (
            f"{MC} agent pool 'gpu' does not set enableEncryptionAtHost; set it to true so temp disks, caches and their flows to storage are encrypted at the host.",
        ),
    ),
    RCase(
        "host-enc-false-agent-pool",
        AKS_HOST_ENC,
        "agent_pool",
        put("enableEncryptionAtHost", False),
        (
            "AgentPool 'cpu' has false for enableEncryptionAtHost; set it to true so temp disks, caches and their flows to storage are encrypted at the host.",
        ),
    ),
    # azure-native-containerservice-managedcluster-ephemeral-os-disk
    RCase("ephemeral-good", AKS_EPHEMERAL, "managed_cluster"),
    RCase(
        "ephemeral-pools-unknown",
        AKS_EPHEMERAL,
        "managed_cluster",
        put("agentPoolProfiles", UNKNOWN),
    ),
    RCase(
        "ephemeral-managed",
        AKS_EPHEMERAL,
        "managed_cluster",
        put("agentPoolProfiles.0.osDiskType", "Managed"),
        (
            f"{MC} agent pool 'system' has osDiskType 'Managed'; use 'Ephemeral' with an osDiskSizeGB that fits the VM size's cache or temp disk.",
        ),
    ),
    RCase(
        "ephemeral-managed-exempt-size",
        AKS_EPHEMERAL,
        "agent_pool",
        chain(put("osDiskType", "Managed"), put("vmSize", "Standard_NC24ads_A100_v4")),
        settings={"managedOsDiskVmSizes": ["standard_nc24ads_a100_v4"]},
    ),
    RCase(
        "ephemeral-managed-other-size",
        AKS_EPHEMERAL,
        "agent_pool",
        put("osDiskType", "Managed"),
        (
            "AgentPool 'cpu' has osDiskType 'Managed'; use 'Ephemeral' with an osDiskSizeGB that fits the VM size's cache or temp disk.",
        ),
        settings={"managedOsDiskVmSizes": ["Standard_NC24ads_A100_v4"]},
    ),
    RCase(
        "ephemeral-managed-exempt-size-in-cluster",
        AKS_EPHEMERAL,
        "managed_cluster",
        chain(
            put("agentPoolProfiles.0.osDiskType", "Managed"),
            put("agentPoolProfiles.0.vmSize", "Standard_NC24ads_A100_v4"),
        ),
        settings={"managedOsDiskVmSizes": ["Standard_NC24ads_A100_v4"]},
    ),
    RCase(
        "ephemeral-missing-exempt-size",
        AKS_EPHEMERAL,
        "agent_pool",
        chain(drop("osDiskType"), put("vmSize", "Standard_NC24ads_A100_v4")),
        (
            "AgentPool 'cpu' does not set osDiskType; use 'Ephemeral' with an osDiskSizeGB that fits the VM size's cache or temp disk.",
        ),
        settings={"managedOsDiskVmSizes": ["Standard_NC24ads_A100_v4"]},
    ),
    RCase(
        "ephemeral-missing-agent-pool",
        AKS_EPHEMERAL,
        "agent_pool",
        drop("osDiskType"),
        (
            "AgentPool 'cpu' does not set osDiskType; use 'Ephemeral' with an osDiskSizeGB that fits the VM size's cache or temp disk.",
        ),
    ),
    # azure-native-containerservice-managedcluster-max-pods
    RCase("max-pods-good", AKS_MAX_PODS, "managed_cluster"),
    RCase("max-pods-overlay-limit", AKS_MAX_PODS, "agent_pool", put("maxPods", 250)),
    RCase(
        "max-pods-unknown",
        AKS_MAX_PODS,
        "managed_cluster",
        put("agentPoolProfiles.0.maxPods", UNKNOWN),
    ),
    RCase(
        "max-pods-missing",
        AKS_MAX_PODS,
        "managed_cluster",
        drop("agentPoolProfiles.0.maxPods"),
        (f"{MC} agent pool 'system' does not set maxPods; set it explicitly, between 50 and 250.",),
    ),
    RCase(
        "max-pods-below-minimum",
        AKS_MAX_PODS,
        "agent_pool",
        put("maxPods", 30),
        ("AgentPool 'cpu' has maxPods 30; use a whole number between 50 and 250.",),
    ),
    RCase(
        "max-pods-below-stricter-setting",
        AKS_MAX_PODS,
        "managed_cluster",
        None,
        (
            f"{MC} agent pool 'system' has maxPods 110; use a whole number between 200 and 250.",
            f"{MC} agent pool 'gpu' has maxPods 110; use a whole number between 200 and 250.",
        ),
        settings={"minimumMaxPods": 200},
    ),
    RCase(
        "max-pods-above-overlay-limit",
        AKS_MAX_PODS,
        "managed_cluster",
        put("agentPoolProfiles.1.maxPods", 251),
        (f"{MC} agent pool 'gpu' has maxPods 251; use a whole number between 50 and 250.",),
    ),
    # azure-native-containerservice-managedcluster-azure-monitor
    RCase("monitor-good", AKS_MONITOR, "managed_cluster"),
    RCase(
        "monitor-camel-case-addon",
        AKS_MONITOR,
        "managed_cluster",
        chain(
            put(
                "addonProfiles.omsAgent",
                {"enabled": True, "config": {"logAnalyticsWorkspaceResourceID": "/x"}},
            ),
            drop("addonProfiles.omsagent"),
        ),
    ),
    RCase(
        "monitor-workspace-unknown",
        AKS_MONITOR,
        "managed_cluster",
        put("addonProfiles.omsagent.config.logAnalyticsWorkspaceResourceID", UNKNOWN),
    ),
    RCase(
        "monitor-no-addon",
        AKS_MONITOR,
        "managed_cluster",
        drop("addonProfiles"),
        (
            f"{MC} does not send Container Insights logs to a Log Analytics workspace (enable addonProfiles.omsagent with config.logAnalyticsWorkspaceResourceID).",
        ),
    ),
    RCase(
        "monitor-addon-disabled",
        AKS_MONITOR,
        "managed_cluster",
        put("addonProfiles.omsagent.enabled", False),
        (
            f"{MC} does not send Container Insights logs to a Log Analytics workspace (enable addonProfiles.omsagent with config.logAnalyticsWorkspaceResourceID).",
        ),
    ),
    RCase(
        "monitor-no-workspace",
        AKS_MONITOR,
        "managed_cluster",
        drop("addonProfiles.omsagent.config"),
        (
            f"{MC} does not send Container Insights logs to a Log Analytics workspace (enable addonProfiles.omsagent with config.logAnalyticsWorkspaceResourceID).",
        ),
    ),
    RCase(
        "monitor-none",
        AKS_MONITOR,
        "managed_cluster",
        chain(drop("addonProfiles"), drop("azureMonitorProfile")),
        (
            f"{MC} does not send Container Insights logs to a Log Analytics workspace (enable addonProfiles.omsagent with config.logAnalyticsWorkspaceResourceID) or metrics to Azure Monitor managed Prometheus (set azureMonitorProfile.metrics.enabled to true).",
        ),
    ),
    RCase(
        "monitor-no-metrics",
        AKS_MONITOR,
        "managed_cluster",
        drop("azureMonitorProfile"),
        (
            f"{MC} does not send metrics to Azure Monitor managed Prometheus (set azureMonitorProfile.metrics.enabled to true).",
        ),
    ),
]
