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
# The pools' names (1-12 lowercase letters and digits, starting with a letter, as AKS takes them).
SYSTEM_POOL_NAME = "system"
GPU_POOL_NAME = "gpu"
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


class GpuPoolSettings(Protocol):
    """The stack's ``gpuPool`` object, as stacks/config.py ``GpuPoolConfig`` declares and
    validates it (a VM size with GPUs, ``min_count`` <= ``max_count``): an autoscaled pool (mode
    User), tainted so only GPU pods land on it, when ``enabled``. ``zones`` of ``None`` means
    the cluster's availability zones."""

    @property
    def enabled(self) -> bool: ...
    @property
    def vm_size(self) -> str: ...
    @property
    def min_count(self) -> int: ...
    @property
    def max_count(self) -> int: ...
    @property
    def zones(self) -> Sequence[str] | None: ...


class ClusterSettings(Protocol):
    """The cluster, its node pools and who signs in, as stacks/config.py ``ClusterConfig``
    declares and validates them (names, a pinned version, GUIDs and ids, counts, pods per node,
    and how they combine: local accounts off only with Entra ID and an admin group): the
    program hands that sub-model over whole.

    ``cluster_name`` is also the DNS prefix. ``entra_id`` turns on managed Entra ID with Azure
    RBAC; ``kubelogin_mode`` is how the deployment's Kubernetes provider then gets tokens
    (non-interactive). ``user_assigned_identity_id`` empty means a SystemAssigned control-plane
    identity, which ``assign_subnet_role`` grants Network Contributor on the node subnet.
    ``max_pods`` applies to every pool (the network's pod range must hold a /24 per node);
    ``encryption_at_host`` needs the subscription's EncryptionAtHost feature.
    """

    @property
    def cluster_name(self) -> str: ...
    @property
    def kubernetes_version(self) -> str: ...
    @property
    def upgrade_channel(self) -> UpgradeChannel: ...
    @property
    def node_os_upgrade_channel(self) -> NodeOsUpgradeChannel: ...
    @property
    def cluster_sku_tier(self) -> SkuTier: ...
    @property
    def system_vm_size(self) -> str: ...
    @property
    def system_node_count(self) -> int: ...
    @property
    def availability_zones(self) -> Sequence[str]: ...
    @property
    def gpu_pool(self) -> GpuPoolSettings | None: ...
    @property
    def entra_id(self) -> bool: ...
    @property
    def admin_group_object_ids(self) -> Sequence[str]: ...
    @property
    def disable_local_accounts(self) -> bool: ...
    @property
    def kubelogin_mode(self) -> KubeloginMode: ...
    @property
    def user_assigned_identity_id(self) -> str: ...
    @property
    def assign_subnet_role(self) -> bool: ...
    @property
    def max_pods(self) -> int: ...
    @property
    def encryption_at_host(self) -> bool: ...


@dataclass(frozen=True)
class TrainingClusterArgs:
    """Inputs of :class:`TrainingCluster`.

    Attributes:
        resource_group_name: Resource group of the cluster.
        location: Azure region.
        node_subnet_id: Bring-your-own subnet for the nodes (Azure CNI overlay).
        cluster: The cluster, its pools and sign-in (:class:`ClusterSettings`).
        network: Its address ranges and API server access (:class:`ClusterNetwork`).
        tags: Tags for the cluster and its node pools.
        container_insights_workspace_id: Log Analytics workspace the Container Insights add-on
            (omsagent, managed identity auth) sends logs to; ``None`` for no add-on.
        managed_prometheus: Turn on Azure Monitor managed Prometheus metrics (the data
            collection rule that routes them is :mod:`components.monitoring`'s).
    """

    resource_group_name: pulumi.Input[str]
    location: pulumi.Input[str]
    node_subnet_id: str
    cluster: ClusterSettings
    network: ClusterNetwork
    tags: Mapping[str, str] = field(default_factory=dict)
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


def _hardening(
    args: TrainingClusterArgs, pool: str, vm_size: str, image_gib: int | None = None
) -> dict[str, Any]:
    """What every pool sets alike: host encryption, an explicit pod limit and its OS disk."""
    disk = os_disk_for(vm_size, image_gib)
    if disk.managed_because is not None:
        pulumi.log.info(f"node pool {pool!r} gets a managed OS disk: {disk.managed_because}")
    return {
        "enable_encryption_at_host": args.cluster.encryption_at_host,
        "max_pods": args.cluster.max_pods,
        "os_disk_type": disk.type,
        "os_disk_size_gb": disk.size_gb,
    }


def _system_pool_profile(
    args: TrainingClusterArgs,
) -> containerservice.ManagedClusterAgentPoolProfileArgs:
    settings = args.cluster
    return containerservice.ManagedClusterAgentPoolProfileArgs(
        name=SYSTEM_POOL_NAME,
        mode="System",
        type="VirtualMachineScaleSets",
        os_type="Linux",
        vm_size=settings.system_vm_size,
        count=settings.system_node_count,
        availability_zones=list(settings.availability_zones) or None,
        vnet_subnet_id=args.node_subnet_id,
        orchestrator_version=settings.kubernetes_version,
        enable_node_public_ip=False,
        tags=dict(args.tags),
        **_hardening(args, SYSTEM_POOL_NAME, settings.system_vm_size),
    )


def _subscription_of(subnet_id: str) -> str:
    match = SUBNET_ID_RE.match(subnet_id)
    if match is None:
        raise ValueError(f"node_subnet_id must be a subnet resource id (got {subnet_id!r})")
    return match.group("subscription")


def _kubeconfig_from_credentials(credentials: Any, kubelogin_mode: KubeloginMode | None) -> str:
    kubeconfigs = credentials.kubeconfigs or []
    if not kubeconfigs:
        raise ValueError("AKS returned no user kubeconfig")
    text = decode_kubeconfig(kubeconfigs[0].value)
    if kubelogin_mode is not None:
        text = rewrite_kubeconfig(text, kubelogin_mode)
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
        super().__init__("aks-rwx-training:cluster:TrainingCluster", name, None, opts)

        settings = args.cluster
        system_assigned = not settings.user_assigned_identity_id
        if system_assigned:
            identity = containerservice.ManagedClusterIdentityArgs(
                type=containerservice.ResourceIdentityType.SYSTEM_ASSIGNED
            )
        else:
            identity = containerservice.ManagedClusterIdentityArgs(
                type=containerservice.ResourceIdentityType.USER_ASSIGNED,
                user_assigned_identities=[settings.user_assigned_identity_id],
            )
        cilium = args.network.network_policy == "cilium"

        self.cluster = containerservice.ManagedCluster(
            f"{name}-cluster",
            resource_name_=settings.cluster_name,
            resource_group_name=args.resource_group_name,
            location=args.location,
            dns_prefix=settings.cluster_name,
            kubernetes_version=settings.kubernetes_version,
            sku=containerservice.ManagedClusterSKUArgs(name="Base", tier=settings.cluster_sku_tier),
            identity=identity,
            enable_rbac=True,
            aad_profile=containerservice.ManagedClusterAADProfileArgs(
                managed=True,
                enable_azure_rbac=True,
                admin_group_object_ids=list(settings.admin_group_object_ids),
            )
            if settings.entra_id
            else None,
            disable_local_accounts=settings.disable_local_accounts,
            auto_upgrade_profile=containerservice.ManagedClusterAutoUpgradeProfileArgs(
                upgrade_channel=settings.upgrade_channel,
                node_os_upgrade_channel=settings.node_os_upgrade_channel,
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
                lambda rg: f"{rg}-{settings.cluster_name}-nodes"[:80]
            ),
            tags=dict(args.tags),
            opts=pulumi.ResourceOptions(parent=self),
        )
        self.cluster_name: pulumi.Output[str] = self.cluster.name
        gpu = (
            settings.gpu_pool
            if settings.gpu_pool is not None and settings.gpu_pool.enabled
            else None
        )
        self.gpu_pool = self._gpu_agent_pool(name, args, gpu) if gpu is not None else None
        self.resource_group_name = args.resource_group_name
        self.gpu_scheduling = GPU_SCHEDULING if gpu is not None else None
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
        if system_assigned and settings.assign_subnet_role:
            subscription = _subscription_of(args.node_subnet_id)
            self.subnet_role_assignment = authorization.RoleAssignment(
                f"{name}-subnet-network-contributor",
                role_assignment_name=str(
                    uuid.uuid5(
                        _ROLE_ASSIGNMENT_NAMESPACE,
                        f"{settings.cluster_name}|{args.node_subnet_id.lower()}|network-contributor",
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
                description=f"AKS {settings.cluster_name} manages its node subnet",
                opts=pulumi.ResourceOptions(parent=self, delete_before_replace=True),
            )

        credentials = containerservice.list_managed_cluster_user_credentials_output(
            resource_group_name=args.resource_group_name,
            resource_name=self.cluster.name,
            format="exec" if settings.entra_id else None,
            opts=pulumi.InvokeOutputOptions(parent=self),
        )
        kubelogin_mode = settings.kubelogin_mode if settings.entra_id else None
        self.kubeconfig = pulumi.Output.secret(
            credentials.apply(lambda creds: _kubeconfig_from_credentials(creds, kubelogin_mode))
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
        self, name: str, args: TrainingClusterArgs, gpu: GpuPoolSettings
    ) -> containerservice.AgentPool:
        """The GPU pool through the agent pools API: adding it is a create, removing it a
        delete, and changing a property AKS cannot update in place (VM size, OS disk, maxPods)
        a replacement, each its own operation on this resource alone."""
        zones = list(gpu.zones) if gpu.zones is not None else list(args.cluster.availability_zones)
        return containerservice.AgentPool(
            f"{name}-{GPU_POOL_NAME}",
            agent_pool_name=GPU_POOL_NAME,
            resource_group_name=args.resource_group_name,
            # The name as declared (known at preview), ordered after the cluster explicitly.
            resource_name_=args.cluster.cluster_name,
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
            orchestrator_version=args.cluster.kubernetes_version,
            enable_node_public_ip=False,
            node_taints=[GPU_TAINT],
            node_labels=dict(GPU_LABELS),
            tags=dict(args.tags),
            **_hardening(args, GPU_POOL_NAME, gpu.vm_size, TRAINING_IMAGE_GIB),
            # The autoscaler owns the node count; do not reset it on every update.
            opts=pulumi.ResourceOptions(
                parent=self, depends_on=[self.cluster], ignore_changes=["count"]
            ),
        )
