"""Teams on one GPU pool: Kueue, one queue, namespace, access group and quota per team.

Why upstream Kueue, not AKS's managed Kueue extension
(learn.microsoft.com/azure/aks/install-the-managed-kueue-extension-on-aks, read 2026-12-06):
the extension is a *preview*, "not meant for production use" and excluded from the AKS SLA,
and it ships whichever Kueue (and CRD schemas) the extension train carries, so the ClusterQueues
declared here could not be checked offline against a known schema. Upstream Kueue is installed
from its own Helm chart pinned by version, with the controller image pinned by digest; every
Kueue object below is a plain Kubernetes resource the policy pack sees and the tests validate
against the CRDs of that exact version (tests/fixtures/schemas/kueue/).

All-or-nothing admission: Kueue admits a Workload (a Job's pods, all of them) only when the
whole request fits the ClusterQueue's quota, and keeps the Job ``suspend: true`` until then, so
pods never exist for half a job. The quota is declared from the pool's maximum, so quota that
fits is capacity that can exist. What quota alone cannot promise is that the autoscaler
delivers the nodes (zonal capacity, a failed scale-up): ``waitForPodsReady`` covers that. A
Workload whose pods are not all Ready within :data:`PODS_READY_TIMEOUT` is evicted (its pods
deleted, its GPUs freed) and requeued, and ``blockAdmission`` admits the next workload only once
the previous one's pods are all Ready, so two jobs never each hold part of the pool while
waiting for the other. The alternative, the ProvisioningRequest admission check, asks the
cluster autoscaler to guarantee the nodes *before* admission; it needs the autoscaler's
ProvisioningRequest support, which AKS's managed autoscaler does not expose as a setting, so it
is not used here.

Access: the cluster runs Azure RBAC for Kubernetes (``aadProfile.enableAzureRBAC``,
components/cluster.py), so a team's Entra group gets the built-in "Azure Kubernetes Service
RBAC Writer" role on the scope ``<cluster id>/namespaces/<team>``
(learn.microsoft.com/azure/aks/manage-azure-rbac, "Create role assignments for users to access
the cluster"; a Kubernetes RoleBinding to the group's object id is the way without Azure RBAC)
and "Azure Kubernetes Service Cluster User Role" on the cluster to fetch its kubeconfig.
"""

from __future__ import annotations

import datetime
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

import pulumi
import pulumi_kubernetes as k8s
import yaml
from pulumi_azure_native import authorization

from components.cluster import GpuScheduling
from components.volume import COMMON_LABELS

# --- the pinned Kueue release -----------------------------------------------------------------
# Release v0.19.2, tagged 2026-08-20 (github.com/kubernetes-sigs/kueue, tag v0.19.2 = commit
# 8eab68778fc1b52affe165fdf5af29d1e9b4f3cb). Digests as promoted to registry.k8s.io
# (kubernetes/k8s.io PR #9856 "Kueue: Promote v0.19.2", registry.k8s.io/images/
# k8s-staging-kueue/images.yaml; the release issue kubernetes-sigs/kueue#14323 lists the same
# image digest). A test fails once KUEUE_READ is older than KUEUE_MAX_AGE: Kueue ships a minor
# release about every two months and patches only the latest ones, so the pin is re-read (and
# the vendored CRDs replaced) before it falls out of support.
KUEUE_VERSION = "0.19.2"
KUEUE_CHART = "oci://registry.k8s.io/kueue/charts/kueue"
KUEUE_CHART_DIGEST = "sha256:ab436c33ef6c6b9b9e95b633e618bca0e0e436d6581d3b27bd12fc8a8026ab34"
KUEUE_IMAGE_REPOSITORY = "registry.k8s.io/kueue/kueue"
KUEUE_IMAGE_DIGEST = "sha256:8a77be2df3d441d1a99b60eb1625c835b5f4feda5db02ece26818cf2a30c4d86"
KUEUE_READ = datetime.date(2026, 12, 6)
KUEUE_MAX_AGE = datetime.timedelta(days=120)
KUEUE_NAMESPACE = "kueue-system"

KUEUE_API_VERSION = "kueue.x-k8s.io/v1beta2"
QUEUE_NAME_LABEL = "kueue.x-k8s.io/queue-name"
# Every team namespace carries it: Kueue manages (holds suspended) Jobs there even without a
# queue label, and the policy pack knows a team namespace by it.
TEAM_LABEL = "aks-rwx-training/team"
COHORT = "gpu-pool"
GPU_FLAVOR = "gpu-pool"
GPU_RESOURCE = "nvidia.com/gpu"
# How long an admitted job's pods may take to be all Ready: a GPU node scale-up from zero
# (VM, node image, driver, a 22 GiB training image) takes minutes, not half an hour.
PODS_READY_TIMEOUT = "30m"

# Built-in roles (learn.microsoft.com/azure/role-based-access-control/built-in-roles/containers).
AKS_RBAC_WRITER_ROLE_ID = "a7ffa36f-339b-4b5c-8bdf-e2c188b2c0eb"
AKS_CLUSTER_USER_ROLE_ID = "4abbcc35-e782-43d8-92c5-2d3f1bd2253f"
_ROLE_ASSIGNMENT_NAMESPACE = uuid.UUID("6f1d2c0e-6a43-4d8e-9b0e-7c2f3f9a4e21")


class TeamSettings(Protocol):
    """One member of the stack's ``teams``, as stacks/config.py ``TeamConfig`` declares and
    validates it (a DNS-1123 name, an Entra group GUID, quotas that fit the GPU pool, limits
    within the quota): the program hands each member over whole.

    ``name`` is the team's namespace and its queues' name; ``entra_group_object_id`` the group
    whose members work in the namespace; ``gpus``, ``cpu`` and ``memory`` the nominal quota of
    its ClusterQueue on the GPU pool. ``borrowing_limit_gpus`` is how many GPUs it may borrow
    beyond ``gpus`` from the cohort's unused quota (``None``: any unused);
    ``lending_limit_gpus`` how many of its unused ``gpus`` others may borrow (``None``: all).
    """

    @property
    def name(self) -> str: ...
    @property
    def entra_group_object_id(self) -> str: ...
    @property
    def gpus(self) -> int: ...
    @property
    def cpu(self) -> str: ...
    @property
    def memory(self) -> str: ...
    @property
    def borrowing_limit_gpus(self) -> int | None: ...
    @property
    def lending_limit_gpus(self) -> int | None: ...


def queue_name(team: TeamSettings) -> str:
    """The team's LocalQueue (and ClusterQueue) name: the team's name."""
    return team.name


def max_gpus_of(team: TeamSettings, pool_gpus: int) -> int:
    """The most GPUs the team's jobs can ever hold: its quota plus what it may borrow, and
    never more than the pool."""
    borrow = pool_gpus if team.borrowing_limit_gpus is None else team.borrowing_limit_gpus
    return min(pool_gpus, team.gpus + borrow)


def kueue_manager_config() -> dict[str, Any]:
    """The controller's configuration (the chart's default, read at the pinned tag, with
    waitForPodsReady on and the integrations cut to what runs here)."""
    return {
        "apiVersion": "config.kueue.x-k8s.io/v1beta2",
        "kind": "Configuration",
        "health": {"healthProbeBindAddress": ":8081"},
        "metrics": {"bindAddress": ":8443"},
        "webhook": {"port": 9443},
        "leaderElection": {"leaderElect": True, "resourceName": "c1f6bfd2.kueue.x-k8s.io"},
        "waitForPodsReady": {
            "timeout": PODS_READY_TIMEOUT,
            "blockAdmission": True,
            # Evicted workloads go to the back of the queue, so one that cannot start does not
            # block the others forever.
            "requeuingStrategy": {"timestamp": "Eviction"},
        },
        # A Job in a team namespace without a queue label is held suspended, never run
        # around the quota (a kubectl submission that forgot the label).
        "manageJobsWithoutQueueName": True,
        "managedJobsNamespaceSelector": {
            "matchExpressions": [{"key": TEAM_LABEL, "operator": "Exists"}]
        },
        "integrations": {"frameworks": ["batch/job"]},
    }


def kueue_chart_values() -> dict[str, Any]:
    """Helm values: the image by digest, two replicas with a disruption budget (a webhook
    that is down blocks every Job creation), and the configuration above."""
    return {
        "controllerManager": {
            "manager": {
                "image": {
                    "repository": KUEUE_IMAGE_REPOSITORY,
                    # The chart renders "<repository>:<tag>"; a tag@digest pins the bytes.
                    "tag": f"v{KUEUE_VERSION}@{KUEUE_IMAGE_DIGEST}",
                }
            },
            "replicas": 2,
            "podDisruptionBudget": {"enabled": True, "minAvailable": 1},
        },
        "managerConfig": {"controllerManagerConfigYaml": yaml.safe_dump(kueue_manager_config())},
    }


def _metadata(name: str, namespace: str | None = None) -> dict[str, Any]:
    meta: dict[str, Any] = {"name": name, "labels": dict(COMMON_LABELS)}
    if namespace is not None:
        meta["namespace"] = namespace
    return meta


def resource_flavor_manifest(scheduling: GpuScheduling) -> dict[str, Any]:
    """The GPU pool as a Kueue ResourceFlavor: its labels and taint from the cluster
    (``TrainingCluster.gpu_scheduling``), so admitted pods land on that pool only."""
    return {
        "apiVersion": KUEUE_API_VERSION,
        "kind": "ResourceFlavor",
        "metadata": _metadata(GPU_FLAVOR),
        "spec": {
            "nodeLabels": scheduling.node_selector,
            "nodeTaints": [
                {
                    "key": scheduling.taint_key,
                    "value": scheduling.taint_value,
                    "effect": scheduling.taint_effect,
                }
            ],
        },
    }


def cluster_queue_manifest(team: TeamSettings) -> dict[str, Any]:
    """The team's ClusterQueue in the cohort: nominal GPU, CPU and memory quota on the GPU
    flavor, GPU borrowing and lending limits."""
    gpu: dict[str, Any] = {"name": GPU_RESOURCE, "nominalQuota": team.gpus}
    if team.borrowing_limit_gpus is not None:
        gpu["borrowingLimit"] = team.borrowing_limit_gpus
    if team.lending_limit_gpus is not None:
        gpu["lendingLimit"] = team.lending_limit_gpus
    return {
        "apiVersion": KUEUE_API_VERSION,
        "kind": "ClusterQueue",
        "metadata": _metadata(queue_name(team)),
        "spec": {
            "cohortName": COHORT,
            # Only the team's own namespace submits to its queue.
            "namespaceSelector": {"matchLabels": {TEAM_LABEL: team.name}},
            # Strict FIFO: a big job at the head is not overtaken by smaller ones for ever.
            "queueingStrategy": "StrictFIFO",
            "resourceGroups": [
                {
                    "coveredResources": ["cpu", "memory", GPU_RESOURCE],
                    "flavors": [
                        {
                            "name": GPU_FLAVOR,
                            "resources": [
                                {"name": "cpu", "nominalQuota": team.cpu},
                                {"name": "memory", "nominalQuota": team.memory},
                                gpu,
                            ],
                        }
                    ],
                }
            ],
            # A team takes back lent GPUs by preempting borrowers, never its own jobs.
            "preemption": {
                "reclaimWithinCohort": "Any",
                "withinClusterQueue": "Never",
            },
        },
    }


def local_queue_manifest(team: TeamSettings) -> dict[str, Any]:
    """The LocalQueue jobs in the team's namespace name with ``kueue.x-k8s.io/queue-name``."""
    return {
        "apiVersion": KUEUE_API_VERSION,
        "kind": "LocalQueue",
        "metadata": _metadata(queue_name(team), team.name),
        "spec": {"clusterQueue": queue_name(team)},
    }


def resource_quota_manifest(team: TeamSettings, pool_gpus: int) -> dict[str, Any]:
    """The backstop: whatever slips past Kueue (a pod created directly), the namespace never
    requests more GPUs than the team's quota plus what it may borrow."""
    return {
        "apiVersion": "v1",
        "kind": "ResourceQuota",
        "metadata": _metadata("gpu-quota", team.name),
        "spec": {"hard": {f"requests.{GPU_RESOURCE}": str(max_gpus_of(team, pool_gpus))}},
    }


def namespace_manifest(team: TeamSettings) -> dict[str, Any]:
    return {
        "apiVersion": "v1",
        "kind": "Namespace",
        "metadata": {"name": team.name, "labels": {**COMMON_LABELS, TEAM_LABEL: team.name}},
    }


@dataclass(frozen=True)
class TeamQueuesArgs:
    """Inputs of :class:`TeamQueues`.

    Attributes:
        teams: The teams; their namespaces are created here.
        scheduling: The GPU pool's taint and labels (``TrainingCluster.gpu_scheduling``).
        pool_gpus: GPUs the pool can ever hold (maxCount x GPUs of the VM size).
        cluster_id: The AKS cluster's resource id (scope of the role assignments).
        provider: The cluster's Kubernetes provider.
        protect: ``protect`` + ``retain_on_delete`` on the team namespaces (they hold PVCs).
    """

    teams: Sequence[TeamSettings]
    scheduling: GpuScheduling
    pool_gpus: int
    cluster_id: pulumi.Input[str]
    provider: k8s.Provider
    protect: bool = True


def _role_definition(role_id: str) -> Callable[[str], str]:
    """The built-in role's definition id in the cluster's subscription."""

    def of(cluster_id: str) -> str:
        subscription = cluster_id.split("/")[2]
        return (
            f"/subscriptions/{subscription}/providers/Microsoft.Authorization/roleDefinitions/"
            f"{role_id}"
        )

    return of


def _assignment_name(what: str) -> Callable[[str], str]:
    """A role assignment's name (a GUID), stable for its scope, principal and role."""

    def of(scope: str) -> str:
        return str(uuid.uuid5(_ROLE_ASSIGNMENT_NAMESPACE, f"{scope.lower()}|{what}"))

    return of


class TeamQueues(pulumi.ComponentResource):
    """Kueue (pinned Helm release), the GPU ResourceFlavor and, per team, its namespace,
    ClusterQueue, LocalQueue, ResourceQuota and Azure role assignments.

    Outputs (attributes):
        kueue: The Helm release (``<name>-kueue``).
        namespaces: Team name -> Namespace resource.
        local_queues: Team name -> LocalQueue resource.
    """

    def __init__(
        self, name: str, args: TeamQueuesArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        super().__init__("aks-rwx-training:teams:TeamQueues", name, None, opts)
        provider = args.provider

        def k8s_opts(*depends_on: pulumi.Resource, protect: bool = False) -> pulumi.ResourceOptions:
            return pulumi.ResourceOptions(
                parent=self,
                provider=provider,
                depends_on=list(depends_on),
                protect=protect,
                retain_on_delete=protect,
            )

        self.kueue = k8s.helm.v3.Release(
            f"{name}-kueue",
            name="kueue",
            chart=KUEUE_CHART,
            version=KUEUE_VERSION,
            namespace=KUEUE_NAMESPACE,
            create_namespace=True,
            values=kueue_chart_values(),
            # A failed install rolls back rather than leaving half a controller; the release
            # waits for its resources, so the CRDs are served before the queues below.
            atomic=True,
            opts=k8s_opts(),
        )

        def custom(resource: str, manifest: dict[str, Any], *deps: pulumi.Resource) -> Any:
            return k8s.apiextensions.CustomResource(
                resource,
                api_version=manifest["apiVersion"],
                kind=manifest["kind"],
                metadata=manifest["metadata"],
                spec=manifest["spec"],
                opts=k8s_opts(self.kueue, *deps),
            )

        flavor = custom(f"{name}-flavor", resource_flavor_manifest(args.scheduling))
        self.namespaces: dict[str, k8s.core.v1.Namespace] = {}
        self.local_queues: dict[str, Any] = {}
        for team in args.teams:
            ns = namespace_manifest(team)
            namespace = k8s.core.v1.Namespace(
                f"{name}-{team.name}-namespace",
                metadata=ns["metadata"],
                opts=k8s_opts(protect=args.protect),
            )
            self.namespaces[team.name] = namespace
            cluster_queue = custom(
                f"{name}-{team.name}-cluster-queue", cluster_queue_manifest(team), flavor
            )
            self.local_queues[team.name] = custom(
                f"{name}-{team.name}-local-queue",
                local_queue_manifest(team),
                namespace,
                cluster_queue,
            )
            quota = resource_quota_manifest(team, args.pool_gpus)
            k8s.core.v1.ResourceQuota(
                f"{name}-{team.name}-resource-quota",
                metadata=quota["metadata"],
                spec=quota["spec"],
                opts=k8s_opts(namespace),
            )
            cluster_id = pulumi.Output.from_input(args.cluster_id)
            for role, role_id, scope in (
                (
                    "namespace-writer",
                    AKS_RBAC_WRITER_ROLE_ID,
                    pulumi.Output.concat(cluster_id, "/namespaces/", team.name),
                ),
                ("cluster-user", AKS_CLUSTER_USER_ROLE_ID, cluster_id),
            ):
                authorization.RoleAssignment(
                    f"{name}-{team.name}-{role}",
                    role_assignment_name=scope.apply(
                        _assignment_name(f"{team.entra_group_object_id}|{role}")
                    ),
                    scope=scope,
                    role_definition_id=cluster_id.apply(_role_definition(role_id)),
                    principal_id=team.entra_group_object_id,
                    principal_type="Group",
                    description=f"team {team.name}: {role}",
                    opts=pulumi.ResourceOptions(parent=self, depends_on=[namespace]),
                )

        self.register_outputs(
            {
                "kueueVersion": KUEUE_VERSION,
                "teams": {team.name: queue_name(team) for team in args.teams},
            }
        )
