"""What each delivery identity may do, per scope: explicit actions, no write or delete wildcard.

Identities: one ``plan`` identity (read only, every stack) and one ``deploy`` identity per
environment, each granted the ``deploy`` roles at its own environment's scopes only. One Entra
group, ``operators`` (people, not workflows), holds the state and key data roles and nothing
else: the state account refuses shared keys and the vault uses RBAC, so without them no person,
Owner included, could run ``pulumi state`` or initialise a stack.

`infra permissions` derives what every stack's program needs from its offline plan and fails
on any action missing here, or on any write or delete granted to the plan identity; so these
lists change together with the program, in the same pull request.

Scopes: ``resource-group`` is each environment's resource group (the stack's resources and,
through Azure RBAC for Kubernetes, the objects in its cluster); ``node-subnet`` the
environment's node subnet (in a network resource group the stacks do not own), ``node-vnet``
its virtual network;
``state-container`` the blob container of the state backend; ``secrets-key`` the key of the
secrets provider.
"""

from __future__ import annotations

from dataclasses import dataclass

from components.cluster import NETWORK_CONTRIBUTOR_ROLE_ID
from components.storage import KEY_READER_ROLE_ID
from components.teams import AKS_CLUSTER_USER_ROLE_ID, AKS_RBAC_WRITER_ROLE_ID
from infra.readers.permissions import polling_reads


@dataclass(frozen=True)
class RoleSpec:
    """A custom role: control-plane ``actions`` and data-plane ``data_actions``.

    ``assigns`` are the role definition GUIDs the role's ``roleAssignments/write`` and
    ``/delete`` may act on: each assignment of the role carries the condition
    :func:`assign_condition` builds from them, so the identity cannot grant itself or anyone
    else any other role (Owner, User Access Administrator) at that scope.
    """

    description: str
    actions: tuple[str, ...] = ()
    data_actions: tuple[str, ...] = ()
    assigns: tuple[str, ...] = ()


_ROLE_ASSIGNMENTS = "Microsoft.Authorization/roleAssignments"


def assign_condition(role_ids: tuple[str, ...]) -> str:
    """The ABAC condition that limits role assignment writes and deletes to ``role_ids``.

    The form of "Example: Constrain roles" in learn.microsoft.com/azure/role-based-access-
    control/delegate-role-assignments-examples: a write is checked on the requested role
    (``@Request``), a delete on the existing assignment's role (``@Resource``), so each
    needs its own expression (read 2026-12-06).
    """
    guids = ", ".join(role_ids)
    return " AND ".join(
        f"((!(ActionMatches{{'{_ROLE_ASSIGNMENTS}/{verb}'}})) OR "
        f"(@{source}[{_ROLE_ASSIGNMENTS}:RoleDefinitionId] ForAnyOfAnyValues:GuidEquals "
        f"{{{guids}}}))"
        for verb, source in (("write", "Request"), ("delete", "Resource"))
    )


_CRUD = ("read", "write", "delete")


def _each(prefix: str, verbs: tuple[str, ...] = _CRUD) -> tuple[str, ...]:
    return tuple(f"{prefix}/{verb}" for verb in verbs)


# The Kubernetes kinds the stacks create, as AKS data actions (`<apiGroup>/<resource>`, the
# core group without a prefix): learn.microsoft.com/azure/role-based-access-control/
# permissions/containers#microsoftcontainerservice
KUBERNETES_RESOURCES = (
    "namespaces",
    # Each team namespace's quota (components/teams.py).
    "resourcequotas",
    "configmaps",
    "services",
    "persistentvolumes",
    "persistentvolumeclaims",
    "apps/daemonsets",
    "batch/jobs",
    "networking.k8s.io/networkpolicies",
    # Every custom resource's one data action: the managed Prometheus PodMonitor of the GPU
    # metrics (components/gpu_metrics.py).
    "customresources",
)
_CLUSTER = "Microsoft.ContainerService/managedClusters"

# The group itself is the bootstrap's (bootstrap/__main__.py): the identities may read it,
# never write, move or delete it.
_GROUP_READ = "Microsoft.Resources/subscriptions/resourceGroups/read"
# Control-plane types of an environment's resource group, with what the program invokes.
_GROUP_TYPES = (
    "Microsoft.Storage/storageAccounts",
    "Microsoft.Storage/storageAccounts/fileServices/shares",
    "Microsoft.Authorization/locks",
    _CLUSTER,
    # Node pools other than the system pool (the GPU pool, components/cluster.py).
    f"{_CLUSTER}/agentPools",
    # Container Insights and managed Prometheus (components/monitoring.py).
    "Microsoft.OperationalInsights/workspaces",
    "Microsoft.Monitor/accounts",
    "Microsoft.Insights/dataCollectionEndpoints",
    "Microsoft.Insights/dataCollectionRules",
    "Microsoft.Insights/dataCollectionRuleAssociations",
    "Microsoft.AlertsManagement/prometheusRuleGroups",
    # The storage account's private endpoint (components/private_endpoint.py).
    "Microsoft.Network/privateEndpoints",
    "Microsoft.Network/privateEndpoints/privateDnsZoneGroups",
    "Microsoft.Network/privateDnsZones",
    "Microsoft.Network/privateDnsZones/virtualNetworkLinks",
    # Azure Files backup (components/backup.py).
    "Microsoft.RecoveryServices/vaults",
    "Microsoft.RecoveryServices/vaults/backupPolicies",
    "Microsoft.RecoveryServices/vaults/backupFabrics/protectionContainers",
    "Microsoft.RecoveryServices/vaults/backupFabrics/protectionContainers/protectedItems",
)
# Polling the group's types' asynchronous writes and deletes where Azure nests the operation
# under the resource (NESTED_OPERATION_PATHS in infra/readers/permissions.py, which cites the
# specs and Azure's Backup Contributor role): derived, never listed here.
_GROUP_POLLING = tuple(dict.fromkeys(a for t in _GROUP_TYPES for a in polling_reads(t)))
# What the classic provider's protected share does besides (CLASSIC_ACTIONS in
# infra/readers/permissions.py, which cites the sources): inquire the account's container and
# find the item Azure Backup named among the vault's protectable and protected items (the
# inquiry is polled through the container's operationResults: _GROUP_POLLING).
_BACKUP_LOOKUP = (
    "Microsoft.RecoveryServices/vaults/backupFabrics/protectionContainers/inquire/action",
    "Microsoft.RecoveryServices/vaults/backupProtectableItems/read",
    "Microsoft.RecoveryServices/vaults/backupProtectedItems/read",
)
# The account's file service settings: read and set, never deleted (no such operation).
_FILE_SERVICES = "Microsoft.Storage/storageAccounts/fileServices"
# No storage key: the program never lists one (the CSI driver does, with the kubelet
# identity), so no delivery identity holds listKeys.
_GROUP_INVOKES = (f"{_CLUSTER}/listClusterUserCredential/action",)
# What ARM checks on the group's resources that a deploy's writes link to (LINKED_ACTIONS in
# infra/readers/permissions.py, which cites the sources): the private endpoint approved on
# the account, the zone group writing into the zone, the Container Insights add-on's
# workspace (whose shared keys are unused: the workspace disables local auth).
_GROUP_LINKED = (
    "Microsoft.Storage/storageAccounts/privateEndpointConnectionsApproval/action",
    "Microsoft.Network/privateDnsZones/join/action",
    "Microsoft.OperationalInsights/workspaces/sharedKeys/read",
)
_SUBNET = "Microsoft.Network/virtualNetworks/subnets"
_BLOBS = "Microsoft.Storage/storageAccounts/blobServices/containers/blobs"
_KEYS = "Microsoft.KeyVault/vaults/keys"

ROLES: dict[str, dict[str, RoleSpec]] = {
    "deploy": {
        "resource-group": RoleSpec(
            "pulumi up of one environment: its Azure resources and its cluster's objects",
            actions=(
                _GROUP_READ,
                *(a for t in _GROUP_TYPES for a in _each(t)),
                *_each(_FILE_SERVICES, ("read", "write")),
                *_GROUP_INVOKES,
                *_GROUP_LINKED,
                *_BACKUP_LOOKUP,
                *_GROUP_POLLING,
                *_each(_ROLE_ASSIGNMENTS),
            ),
            data_actions=tuple(
                a for kind in KUBERNETES_RESOURCES for a in _each(f"{_CLUSTER}/{kind}")
            ),
            # The kubelet identity's listKeys on the storage account (components/storage.py);
            # each team's Entra group: RBAC Writer on its namespace and Cluster User Role on
            # the cluster, both scopes inside the group (components/teams.py; role ids from
            # learn.microsoft.com/azure/role-based-access-control/built-in-roles/containers).
            assigns=(KEY_READER_ROLE_ID, AKS_RBAC_WRITER_ROLE_ID, AKS_CLUSTER_USER_ROLE_ID),
        ),
        "node-subnet": RoleSpec(
            "pulumi up: the cluster's nodes and the storage firewall join the node subnet, "
            "and the cluster identity is granted it",
            actions=(
                f"{_SUBNET}/read",
                f"{_SUBNET}/join/action",
                f"{_SUBNET}/joinViaServiceEndpoint/action",
                *_each(_ROLE_ASSIGNMENTS),
            ),
            # The cluster identity's Network Contributor on the subnet (components/cluster.py).
            assigns=(NETWORK_CONTRIBUTOR_ROLE_ID,),
        ),
        "node-vnet": RoleSpec(
            "pulumi up: the storage private endpoint's DNS zone is linked to the node VNet",
            actions=("Microsoft.Network/virtualNetworks/join/action",),
        ),
        "state-container": RoleSpec(
            "pulumi up: read, write and lock the stacks' state",
            data_actions=_each(_BLOBS),
        ),
        "secrets-key": RoleSpec(
            "pulumi up: encrypt and decrypt the stacks' secrets",
            data_actions=(f"{_KEYS}/read", f"{_KEYS}/encrypt/action", f"{_KEYS}/decrypt/action"),
        ),
    },
    # People: `pulumi stack init` and `pulumi state ...` (the runbooks' unprotect, break-glass
    # edits of a stuck lock or a bad checkpoint), with their own Entra login. No control-plane
    # action: Azure changes still go through the deploy identities.
    "operators": {
        "state-container": RoleSpec(
            "pulumi state and stack init by a person: read, write and unlock the stacks' state",
            data_actions=_each(_BLOBS),
        ),
        "secrets-key": RoleSpec(
            "pulumi stack init and state edits by a person: encrypt, decrypt the stacks' secrets",
            data_actions=(f"{_KEYS}/read", f"{_KEYS}/encrypt/action", f"{_KEYS}/decrypt/action"),
        ),
    },
    "plan": {
        "resource-group": RoleSpec(
            "pulumi preview --refresh of one environment (PR preview, drift): read only",
            actions=(
                _GROUP_READ,
                *(f"{t}/read" for t in (*_GROUP_TYPES, _FILE_SERVICES, _ROLE_ASSIGNMENTS)),
                *_GROUP_INVOKES,
            ),
            data_actions=tuple(f"{_CLUSTER}/{kind}/read" for kind in KUBERNETES_RESOURCES),
        ),
        "node-subnet": RoleSpec(
            "pulumi preview --refresh: read the subnet and the cluster identity's assignment",
            actions=(f"{_SUBNET}/read", f"{_ROLE_ASSIGNMENTS}/read"),
        ),
        "state-container": RoleSpec(
            "pulumi preview: read the stacks' state (a preview takes no lock)",
            data_actions=(f"{_BLOBS}/read",),
        ),
        "secrets-key": RoleSpec(
            "pulumi preview: decrypt the stacks' secrets",
            data_actions=(f"{_KEYS}/read", f"{_KEYS}/encrypt/action", f"{_KEYS}/decrypt/action"),
        ),
    },
}
