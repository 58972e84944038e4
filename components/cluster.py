"""TrainingCluster: the AKS cluster, its (secret) kubeconfig and a Kubernetes provider for it."""

from __future__ import annotations

import ipaddress
import re
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal, Protocol, TypedDict, cast

import pulumi
import pulumi_kubernetes as k8s
from pulumi_azure_native import authorization, containerservice

from components.kubeconfig import (
    KubeloginMode,
    decode_kubeconfig,
    rewrite_kubeconfig,
)
from components.node_disks import TRAINING_IMAGE_GIB, os_disk_for

UpgradeChannel = Literal["patch", "stable", "rapid", "node-image", "none"]
NodeOsUpgradeChannel = Literal["NodeImage", "SecurityPatch", "Unmanaged", "None"]
NetworkPolicy = Literal["azure", "calico", "cilium"]
SkuTier = Literal["Free", "Standard", "Premium"]

TaintEffect = Literal["NoSchedule", "PreferNoSchedule", "NoExecute"]

GPU_TAINT = "nvidia.com/gpu=present:NoSchedule"
GPU_LABELS: Mapping[str, str] = {"workload": "training", "accelerator": "nvidia"}

# Built-in "Network Contributor" role: AKS needs it on a bring-your-own node subnet.
NETWORK_CONTRIBUTOR_ROLE_ID = "4d97b98b-1d4f-4787-a291-c67834d212e7"
_ROLE_ASSIGNMENT_NAMESPACE = uuid.UUID("0b9e8a4f-6f0e-4d43-9a55-3a0c8f1f2d61")

# \A...\Z, never ^...$: `$` also matches before a trailing newline, which Azure rejects.
CLUSTER_NAME_RE = re.compile(r"\A[a-z0-9][a-z0-9-]{0,52}[a-z0-9]\Z")
POOL_NAME_RE = re.compile(r"\A[a-z][a-z0-9]{0,11}\Z")
K8S_VERSION_RE = re.compile(r"\A1\.\d{1,2}(\.\d{1,2})?\Z")
SUBNET_ID_RE = re.compile(
    r"\A/subscriptions/(?P<subscription>[0-9a-fA-F-]{36})/resourceGroups/[^/\s]+/providers/"
    r"Microsoft\.Network/virtualNetworks/[^/\s]+/subnets/[^/\s]+\Z",
    re.IGNORECASE,
)
IDENTITY_ID_RE = re.compile(
    r"\A/subscriptions/[0-9a-fA-F-]{36}/resourceGroups/[^/\s]+/providers/"
    r"Microsoft\.ManagedIdentity/userAssignedIdentities/[^/\s]+\Z",
    re.IGNORECASE,
)
GUID_RE = re.compile(r"\A[0-9a-fA-F]{8}-(?:[0-9a-fA-F]{4}-){3}[0-9a-fA-F]{12}\Z")
# Where a private API server's name resolves: AKS's own zone, none (public DNS only) or a
# zone the operator brings, named privatelink.<region>.azmk8s.io or, with a subzone of at
# most 32 characters, <subzone>.privatelink.<region>.azmk8s.io
# (learn.microsoft.com/azure/aks/private-clusters, "Configure a private DNS zone").
PRIVATE_DNS_ZONE_MODES = ("system", "none")
PRIVATE_DNS_ZONE_ID_RE = re.compile(
    r"\A/subscriptions/[0-9a-fA-F-]{36}/resourceGroups/[^/\s]+/providers/"
    r"Microsoft\.Network/privateDnsZones/(?:[a-z0-9-]{1,32}\.)?privatelink\."
    r"(?P<region>[a-z0-9]+)\.azmk8s\.io\Z",
    re.IGNORECASE,
)
# The service range, its DNS address and the pod range AKS would otherwise pick itself (the API's
# defaults), set explicitly so they can be checked against the node subnet.
DEFAULT_POD_CIDR = "10.244.0.0/16"
DEFAULT_SERVICE_CIDR = "10.0.0.0/16"
DEFAULT_DNS_SERVICE_IP = "10.0.0.10"
# Azure CNI overlay gives every node a /24 of podCidr and at most 250 pods; the range must hold a
# /24 for every node, temporary upgrade nodes included
# (https://learn.microsoft.com/azure/aks/azure-cni-overlay#pod-ip-address-space). A system pool
# needs room for at least 30 pods (https://learn.microsoft.com/azure/aks/use-system-pools).
OVERLAY_NODE_PREFIX = 24
MIN_MAX_PODS = 30
MAX_MAX_PODS = 250
# Kubernetes' tested limit per node (kubernetes.io/docs/setup/best-practices/cluster-large);
# training pods are few and large, so the system pool's add-ons are what fill a node.
DEFAULT_MAX_PODS = 110
# AKS upgrades a pool by adding one surge node at a time unless maxSurge says otherwise
# (https://learn.microsoft.com/azure/aks/upgrade-aks-node-pools-rolling).
UPGRADE_SURGE_NODES = 1

TAINT_RE = re.compile(
    r"\A(?P<key>[^=:\s]+)=(?P<value>[^=:\s]*):(?P<effect>NoSchedule|PreferNoSchedule|NoExecute)\Z"
)


class Toleration(TypedDict):
    """One entry of a pod's ``spec.tolerations``, as the Kubernetes API spells it."""

    key: str
    operator: Literal["Equal"]
    value: str
    effect: TaintEffect


@dataclass(frozen=True)
class GpuScheduling:
    """How a pod lands on the GPU pool: tolerate its taint and select its labels.

    Built from the taint and labels :class:`TrainingCluster` puts on the pool (see
    :data:`GPU_SCHEDULING`), so every GPU workload (the device plugin, training Jobs) agrees with
    the pool by construction. ``tolerations`` and ``node_selector`` return fresh manifest
    fragments: a caller may change its copy without touching anyone else's.
    """

    taint_key: str
    taint_value: str
    taint_effect: TaintEffect
    labels: tuple[tuple[str, str], ...]

    @classmethod
    def for_pool(cls, taint: str, labels: Mapping[str, str]) -> GpuScheduling:
        """Parse a node-pool taint ``key=value:effect`` (the form AKS takes) and its labels."""
        match = TAINT_RE.match(taint)
        if match is None:
            raise ValueError(f"a node taint must look like 'key=value:Effect' (got {taint!r})")
        return cls(
            taint_key=match["key"],
            taint_value=match["value"],
            # TAINT_RE admits only the three effects Kubernetes knows.
            taint_effect=cast(TaintEffect, match["effect"]),
            labels=tuple(sorted(labels.items())),
        )

    @property
    def tolerations(self) -> list[Toleration]:
        # Equal, not Exists: tolerate exactly the pool's taint, not every value of its key.
        return [
            {
                "key": self.taint_key,
                "operator": "Equal",
                "value": self.taint_value,
                "effect": self.taint_effect,
            }
        ]

    @property
    def node_selector(self) -> dict[str, str]:
        return dict(self.labels)


GPU_SCHEDULING = GpuScheduling.for_pool(GPU_TAINT, GPU_LABELS)


@dataclass(frozen=True)
class SystemPoolSpec:
    """The system node pool (mode System): cluster add-ons and, without a GPU pool, workloads."""

    vm_size: str = "Standard_D4ds_v5"
    count: int = 3
    name: str = "system"


@dataclass(frozen=True)
class GpuPoolSpec:
    """Autoscaled GPU training pool (mode User), tainted so only GPU pods land on it.

    ``zones`` of ``None`` means the cluster's availability zones. ``image_gib`` is the unpacked
    size of the largest training image its nodes must hold; their OS disk is sized for it
    (:func:`components.node_disks.os_disk_for`).
    """

    vm_size: str = "Standard_NC24ads_A100_v4"
    min_count: int = 0
    max_count: int = 4
    zones: Sequence[str] | None = None
    name: str = "gpu"
    image_gib: int = TRAINING_IMAGE_GIB


@dataclass(frozen=True)
class EntraIdSpec:
    """Managed Entra ID integration with Azure RBAC for Kubernetes authorization.

    ``kubelogin_mode`` is how the deployment's Kubernetes provider obtains tokens
    (non-interactive: azurecli, workloadidentity, spn, msi).
    """

    admin_group_object_ids: Sequence[str] = ()
    kubelogin_mode: KubeloginMode = "azurecli"


class ClusterNetwork(Protocol):
    """The cluster's network and API server access, as stacks/config.py ``NetworkConfig``
    declares and validates them (ranges disjoint and usable, the DNS address inside the
    service range, a public API server restricted or explicitly opted out, the private DNS
    zone matching the region and identity): the program hands that sub-model over whole.

    ``network_policy`` cilium also selects the Cilium dataplane; ``private_cluster_public_fqdn``
    and ``private_dns_zone`` apply to a private API server, ``authorized_ip_ranges`` to a
    public one.
    """

    @property
    def network_policy(self) -> NetworkPolicy: ...
    @property
    def pod_cidr(self) -> str: ...
    @property
    def service_cidr(self) -> str: ...
    @property
    def dns_service_ip(self) -> str: ...
    @property
    def private_cluster(self) -> bool: ...
    @property
    def private_cluster_public_fqdn(self) -> bool: ...
    @property
    def private_dns_zone(self) -> str: ...
    @property
    def authorized_ip_ranges(self) -> Sequence[str]: ...


@dataclass(frozen=True)
class TrainingClusterArgs:
    """Inputs of :class:`TrainingCluster`.

    Attributes:
        resource_group_name: Resource group of the cluster.
        location: Azure region.
        cluster_name: AKS resource name; also the DNS prefix (lowercase, <= 54 chars).
        kubernetes_version: Pinned ``major.minor`` (or ``major.minor.patch``).
        node_subnet_id: Bring-your-own subnet for the nodes (Azure CNI overlay).
        network: Its address ranges and API server access (:class:`ClusterNetwork`).
        system_pool: System pool settings.
        gpu_pool: Optional GPU pool; ``None`` for none.
        zones: Availability zones for the pools (``()`` for regional).
        upgrade_channel: AKS auto-upgrade channel.
        node_os_upgrade_channel: Node OS image upgrade channel.
        sku_tier: ``Free`` (no SLA), ``Standard`` (uptime SLA) or ``Premium``.
        entra_id: Entra ID settings, or ``None`` to use Kubernetes-local accounts.
        disable_local_accounts: Disable the static admin/client-cert credentials (needs Entra ID).
        user_assigned_identity_id: Control-plane identity; ``None`` for SystemAssigned.
        assign_subnet_role: Give the SystemAssigned identity Network Contributor on the subnet.
        tags: Tags for the cluster and its node pools.
        max_pods: Pods per node on every pool (30-250); pod_cidr must hold a /24 per node.
        encryption_at_host: Encrypt each node's temp disk, caches and OS disk data flows at
            the VM host (needs the subscription's EncryptionAtHost feature).
        container_insights_workspace_id: Log Analytics workspace the Container Insights add-on
            (omsagent, managed identity auth) sends logs to; ``None`` for no add-on.
        managed_prometheus: Turn on Azure Monitor managed Prometheus metrics (the data
            collection rule that routes them is :mod:`components.monitoring`'s).
    """

    resource_group_name: pulumi.Input[str]
    location: pulumi.Input[str]
    cluster_name: str
    kubernetes_version: str
    node_subnet_id: str
    network: ClusterNetwork
    system_pool: SystemPoolSpec = field(default_factory=SystemPoolSpec)
    gpu_pool: GpuPoolSpec | None = None
    zones: Sequence[str] = ("1", "2", "3")
    upgrade_channel: UpgradeChannel = "patch"
    node_os_upgrade_channel: NodeOsUpgradeChannel = "NodeImage"
    sku_tier: SkuTier = "Standard"
    entra_id: EntraIdSpec | None = field(default_factory=EntraIdSpec)
    disable_local_accounts: bool = True
    user_assigned_identity_id: str | None = None
    assign_subnet_role: bool = True
    tags: Mapping[str, str] = field(default_factory=dict)
    max_pods: int = DEFAULT_MAX_PODS
    encryption_at_host: bool = True
    container_insights_workspace_id: pulumi.Input[str] | None = None
    managed_prometheus: bool = False


def pod_cidr_node_capacity(pod_cidr: str) -> int:
    """How many nodes ``pod_cidr`` has a /24 for under Azure CNI overlay."""
    prefix = ipaddress.IPv4Network(pod_cidr).prefixlen
    return 2 ** (OVERLAY_NODE_PREFIX - prefix) if prefix <= OVERLAY_NODE_PREFIX else 0


def peak_node_count(pool_sizes: Sequence[int]) -> int:
    """Nodes the pools can reach at once: their largest sizes plus one upgrade surge node
    each."""
    return sum(pool_sizes) + UPGRADE_SURGE_NODES * len(pool_sizes)


def validate_training_cluster_args(args: TrainingClusterArgs) -> None:
    """Raise ``ValueError`` when the node pools' names clash or AKS would refuse them. Every
    other setting comes from the validated stack config (stacks/config.py), which checks
    names, versions, ids, counts, ranges and how they combine; the pool names are this
    component's own."""
    for pool_name in [args.system_pool.name] + ([args.gpu_pool.name] if args.gpu_pool else []):
        if not POOL_NAME_RE.match(pool_name):
            raise ValueError(
                f"node pool name must be 1-12 lowercase letters/digits starting with a letter "
                f"(got {pool_name!r})"
            )
    if args.gpu_pool is not None and args.gpu_pool.name == args.system_pool.name:
        raise ValueError(f"GPU pool and system pool share the name {args.gpu_pool.name!r}")


def _hardening(
    args: TrainingClusterArgs, pool: str, vm_size: str, image_gib: int | None = None
) -> dict[str, Any]:
    """What every pool sets alike: host encryption, an explicit pod limit and its OS disk."""
    disk = os_disk_for(vm_size, image_gib)
    if disk.managed_because is not None:
        pulumi.log.info(f"node pool {pool!r} gets a managed OS disk: {disk.managed_because}")
    return {
        "enable_encryption_at_host": args.encryption_at_host,
        "max_pods": args.max_pods,
        "os_disk_type": disk.type,
        "os_disk_size_gb": disk.size_gb,
    }


def _system_pool_profile(
    args: TrainingClusterArgs,
) -> containerservice.ManagedClusterAgentPoolProfileArgs:
    return containerservice.ManagedClusterAgentPoolProfileArgs(
        name=args.system_pool.name,
        mode="System",
        type="VirtualMachineScaleSets",
        os_type="Linux",
        vm_size=args.system_pool.vm_size,
        count=args.system_pool.count,
        availability_zones=list(args.zones) or None,
        vnet_subnet_id=args.node_subnet_id,
        orchestrator_version=args.kubernetes_version,
        enable_node_public_ip=False,
        tags=dict(args.tags),
        **_hardening(args, args.system_pool.name, args.system_pool.vm_size),
    )


def _subscription_of(subnet_id: str) -> str:
    match = SUBNET_ID_RE.match(subnet_id)
    if match is None:
        raise ValueError(f"node_subnet_id must be a subnet resource id (got {subnet_id!r})")
    return match.group("subscription")


def _kubeconfig_from_credentials(credentials: Any, entra_id: EntraIdSpec | None) -> str:
    kubeconfigs = credentials.kubeconfigs or []
    if not kubeconfigs:
        raise ValueError("AKS returned no user kubeconfig")
    text = decode_kubeconfig(kubeconfigs[0].value)
    if entra_id is not None:
        text = rewrite_kubeconfig(text, entra_id.kubelogin_mode)
    return text


class TrainingCluster(pulumi.ComponentResource):
    """AKS cluster for training, with its user kubeconfig and a Kubernetes provider.

    Outputs (attributes):
        cluster: The ``containerservice.ManagedCluster``.
        cluster_name: Its name (``pulumi.Output[str]``).
        resource_group_name: The resource group (as given).
        kubeconfig: User kubeconfig (rewritten for non-interactive kubelogin under Entra ID),
            always a secret Output.
        provider: ``pulumi_kubernetes.Provider`` using that kubeconfig.
        oidc_issuer_url: The cluster's OIDC issuer (for workload identity federation).
        kubelet_principal_id: Object id of the nodes' kubelet identity.
        subnet_role_assignment: Network Contributor assignment on the node subnet, or ``None``.
        gpu_pool: The GPU pool's ``containerservice.AgentPool`` (``<name>-gpu``), or ``None``.
        gpu_scheduling: How pods reach the GPU pool (:data:`GPU_SCHEDULING`), or ``None``
            without a GPU pool.
    """

    kubeconfig: pulumi.Output[str]
    subnet_role_assignment: authorization.RoleAssignment | None
    gpu_pool: containerservice.AgentPool | None
    gpu_scheduling: GpuScheduling | None

    def __init__(
        self,
        name: str,
        args: TrainingClusterArgs,
        opts: pulumi.ResourceOptions | None = None,
    ) -> None:
        validate_training_cluster_args(args)
        super().__init__("aks-rwx-training:cluster:TrainingCluster", name, None, opts)

        system_assigned = args.user_assigned_identity_id is None
        if args.user_assigned_identity_id is None:
            identity = containerservice.ManagedClusterIdentityArgs(
                type=containerservice.ResourceIdentityType.SYSTEM_ASSIGNED
            )
        else:
            identity = containerservice.ManagedClusterIdentityArgs(
                type=containerservice.ResourceIdentityType.USER_ASSIGNED,
                user_assigned_identities=[args.user_assigned_identity_id],
            )
        cilium = args.network.network_policy == "cilium"

        self.cluster = containerservice.ManagedCluster(
            f"{name}-cluster",
            resource_name_=args.cluster_name,
            resource_group_name=args.resource_group_name,
            location=args.location,
            dns_prefix=args.cluster_name,
            kubernetes_version=args.kubernetes_version,
            sku=containerservice.ManagedClusterSKUArgs(name="Base", tier=args.sku_tier),
            identity=identity,
            enable_rbac=True,
            aad_profile=containerservice.ManagedClusterAADProfileArgs(
                managed=True,
                enable_azure_rbac=True,
                admin_group_object_ids=list(args.entra_id.admin_group_object_ids),
            )
            if args.entra_id is not None
            else None,
            disable_local_accounts=args.disable_local_accounts,
            auto_upgrade_profile=containerservice.ManagedClusterAutoUpgradeProfileArgs(
                upgrade_channel=args.upgrade_channel,
                node_os_upgrade_channel=args.node_os_upgrade_channel,
            ),
            network_profile=containerservice.ContainerServiceNetworkProfileArgs(
                network_plugin="azure",
                network_plugin_mode="overlay",
                network_policy=args.network.network_policy,
                network_dataplane="cilium" if cilium else "azure",
                load_balancer_sku="standard",
                pod_cidr=args.network.pod_cidr,
                service_cidr=args.network.service_cidr,
                dns_service_ip=args.network.dns_service_ip,
            ),
            storage_profile=containerservice.ManagedClusterStorageProfileArgs(
                file_csi_driver=containerservice.ManagedClusterStorageProfileFileCSIDriverArgs(
                    enabled=True
                ),
                disk_csi_driver=containerservice.ManagedClusterStorageProfileDiskCSIDriverArgs(
                    enabled=True
                ),
            ),
            oidc_issuer_profile=containerservice.ManagedClusterOIDCIssuerProfileArgs(enabled=True),
            security_profile=containerservice.ManagedClusterSecurityProfileArgs(
                workload_identity=containerservice.ManagedClusterSecurityProfileWorkloadIdentityArgs(
                    enabled=True
                )
            ),
            api_server_access_profile=containerservice.ManagedClusterAPIServerAccessProfileArgs(
                enable_private_cluster=True,
                enable_private_cluster_public_fqdn=args.network.private_cluster_public_fqdn,
                private_dns_zone=args.network.private_dns_zone,
            )
            if args.network.private_cluster
            else containerservice.ManagedClusterAPIServerAccessProfileArgs(
                enable_private_cluster=False,
                authorized_ip_ranges=list(args.network.authorized_ip_ranges) or None,
            ),
            # Only the system pool: AKS takes agentPoolProfiles at creation and refuses a pool
            # added through the cluster later ("A new agent pool was introduced. Adding agent
            # pools to an existing cluster is not allowed through managed cluster operations",
            # github.com/pulumi/pulumi-azure-native/issues/579); every other pool is an
            # AgentPool below. No ignore_changes on agentPoolProfiles: AKS leaves pools that a
            # cluster PUT omits alone (the maintainers' tests in #579), and ignoring the list
            # would drop later system-pool changes silently, or re-send a deleted pool from
            # state and fail the same way (pulumi-azure-native#2719).
            agent_pool_profiles=[_system_pool_profile(args)],
            addon_profiles={
                # The key Azure and scanners (Checkov CKV_AZURE_4) look for; useAADAuth makes
                # the agent send with the cluster's managed identity through the data
                # collection rule of components/monitoring.py, not the workspace key
                # (https://learn.microsoft.com/azure/azure-monitor/containers/kubernetes-monitoring-enable).
                "omsagent": containerservice.ManagedClusterAddonProfileArgs(
                    enabled=True,
                    config={
                        "logAnalyticsWorkspaceResourceID": args.container_insights_workspace_id,
                        "useAADAuth": "true",
                    },
                )
            }
            if args.container_insights_workspace_id is not None
            else None,
            azure_monitor_profile=containerservice.ManagedClusterAzureMonitorProfileArgs(
                metrics=containerservice.ManagedClusterAzureMonitorProfileMetricsArgs(enabled=True)
            )
            if args.managed_prometheus
            else None,
            node_resource_group=pulumi.Output.from_input(args.resource_group_name).apply(
                lambda rg: f"{rg}-{args.cluster_name}-nodes"[:80]
            ),
            tags=dict(args.tags),
            opts=pulumi.ResourceOptions(parent=self),
        )
        self.cluster_name: pulumi.Output[str] = self.cluster.name
        self.gpu_pool = (
            self._gpu_agent_pool(name, args, args.gpu_pool) if args.gpu_pool is not None else None
        )
        self.resource_group_name = args.resource_group_name
        self.gpu_scheduling = GPU_SCHEDULING if args.gpu_pool is not None else None
        # The identity AKS creates for the nodes (<cluster>-agentpool): the one the Azure Files
        # CSI driver lists storage keys with (components/storage.py, KubeletKeyAccess).
        self.kubelet_principal_id: pulumi.Output[str] = self.cluster.identity_profile.apply(
            lambda profiles: (
                profiles["kubeletidentity"].object_id or ""
                if profiles and "kubeletidentity" in profiles
                else ""
            )
        )
        self.oidc_issuer_url: pulumi.Output[str | None] = self.cluster.oidc_issuer_profile.apply(
            lambda profile: profile.issuer_url if profile else None
        )

        self.subnet_role_assignment = None
        if system_assigned and args.assign_subnet_role:
            subscription = _subscription_of(args.node_subnet_id)
            self.subnet_role_assignment = authorization.RoleAssignment(
                f"{name}-subnet-network-contributor",
                role_assignment_name=str(
                    uuid.uuid5(
                        _ROLE_ASSIGNMENT_NAMESPACE,
                        f"{args.cluster_name}|{args.node_subnet_id.lower()}|network-contributor",
                    )
                ),
                scope=args.node_subnet_id,
                role_definition_id=(
                    f"/subscriptions/{subscription}/providers/Microsoft.Authorization/"
                    f"roleDefinitions/{NETWORK_CONTRIBUTOR_ROLE_ID}"
                ),
                principal_id=self.cluster.identity.apply(
                    lambda ident: ident.principal_id if ident else ""
                ),
                principal_type="ServicePrincipal",
                description=f"AKS {args.cluster_name} manages its node subnet",
                opts=pulumi.ResourceOptions(parent=self, delete_before_replace=True),
            )

        credentials = containerservice.list_managed_cluster_user_credentials_output(
            resource_group_name=args.resource_group_name,
            resource_name=self.cluster.name,
            format="exec" if args.entra_id is not None else None,
            opts=pulumi.InvokeOutputOptions(parent=self),
        )
        entra_id = args.entra_id
        self.kubeconfig = pulumi.Output.secret(
            credentials.apply(lambda creds: _kubeconfig_from_credentials(creds, entra_id))
        )

        self.provider = k8s.Provider(
            f"{name}-provider",
            kubeconfig=self.kubeconfig,
            opts=pulumi.ResourceOptions(parent=self),
        )

        self.register_outputs(
            {
                "clusterName": self.cluster_name,
                "kubeconfig": self.kubeconfig,
                "oidcIssuerUrl": self.oidc_issuer_url,
            }
        )

    def _gpu_agent_pool(
        self, name: str, args: TrainingClusterArgs, gpu: GpuPoolSpec
    ) -> containerservice.AgentPool:
        """The GPU pool through the agent pools API: adding it is a create, removing it a
        delete, and changing a property AKS cannot update in place (VM size, OS disk, maxPods)
        a replacement, each its own operation on this resource alone."""
        zones = list(gpu.zones) if gpu.zones is not None else list(args.zones)
        return containerservice.AgentPool(
            f"{name}-{gpu.name}",
            agent_pool_name=gpu.name,
            resource_group_name=args.resource_group_name,
            # The name as declared (known at preview), ordered after the cluster explicitly.
            resource_name_=args.cluster_name,
            mode="User",
            type="VirtualMachineScaleSets",
            os_type="Linux",
            vm_size=gpu.vm_size,
            enable_auto_scaling=True,
            min_count=gpu.min_count,
            max_count=gpu.max_count,
            count=gpu.min_count,
            availability_zones=zones or None,
            vnet_subnet_id=args.node_subnet_id,
            orchestrator_version=args.kubernetes_version,
            enable_node_public_ip=False,
            node_taints=[GPU_TAINT],
            node_labels=dict(GPU_LABELS),
            tags=dict(args.tags),
            **_hardening(args, gpu.name, gpu.vm_size, gpu.image_gib),
            # The autoscaler owns the node count; do not reset it on every update.
            opts=pulumi.ResourceOptions(
                parent=self, depends_on=[self.cluster], ignore_changes=["count"]
            ),
        )
