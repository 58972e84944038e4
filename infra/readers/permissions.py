"""What each delivery identity needs for a stack's plan, what a grant plan gives it, and the gap.

Needs, from a stack's offline plan:
- an azure-native resource: its ARM type's ``write``, ``read`` and ``delete`` (``read`` only
  for a read-only identity), at the resource's ARM id. The ARM type is read off that id,
  which the engine builds from its table of ARM paths; a type without one is reported;
- a function the program invokes: its ARM action (``INVOKE_ACTIONS``), for every identity;
- linked resources a write names, which ARM authorises too (``LINKED_ACTIONS``): subnets
  joined, a private endpoint's target, a DNS zone and VNet linked, a rule associated;
- a Kubernetes object: the AKS data action of its kind at the cluster's ARM id.

Grants, from the bootstrap's offline plan: each ``RoleAssignment`` (principal, scope, role)
and the ``RoleDefinition`` it names (actions, notActions, dataActions, notDataActions). An
action granted at a scope covers the same action at that scope and below it; ``*`` in a
granted action matches any characters, case-insensitively, as in Azure RBAC.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cache
from typing import Any

from infra.engine import arm as engine_arm
from infra.engine.model import Resource, Secret, StackPlan

DEPLOY = "deploy"  # pulumi up: creates, updates, deletes and reads
PLAN = "plan"  # pulumi preview --refresh: reads only
ACCESS = (DEPLOY, PLAN)

_CLUSTER_TYPE = "azure-native:containerservice:ManagedCluster"
_CLUSTER = engine_arm.arm_type(engine_arm.ARM_PATHS[_CLUSTER_TYPE])

# azure-native functions -> (ARM action, the ARM type of the resource it acts on). The scope
# is that resource's id, from the call's resourceGroupName and name argument.
# learn.microsoft.com/azure/role-based-access-control/permissions/storage and /containers.
INVOKE_ACTIONS: dict[str, tuple[str, str] | None] = {
    "azure-native:storage:listStorageAccountKeys": (
        "Microsoft.Storage/storageAccounts/listKeys/action",
        "Microsoft.Storage/storageAccounts/accountName",
    ),
    "azure-native:containerservice:listManagedClusterUserCredentials": (
        f"{_CLUSTER}/listClusterUserCredential/action",
        f"{_CLUSTER}/resourceName",
    ),
    # Reads the caller's own token: no ARM call, no permission.
    "azure-native:authorization:getClientConfig": None,
}

# Writing these types links other resources, which ARM authorises on those resources too
# (LinkedAuthorizationFailed otherwise): (input path to the linked ids, action on each). In an
# action, ``{type}`` is the linked resource's ARM type.
_JOIN_SUBNET = "Microsoft.Network/virtualNetworks/subnets/join/action"
LINKED_ACTIONS: dict[str, tuple[tuple[str, str], ...]] = {
    _CLUSTER_TYPE: (
        # learn.microsoft.com/azure/aks/concepts-identity, "Network Contributor ... subnets/join".
        ("agentPoolProfiles[].vnetSubnetID", _JOIN_SUBNET),
        # The Container Insights add-on naming a workspace: AKS checks its shared keys on a
        # cluster write (github.com/Azure/AKS/issues/499: "does not have permission to perform
        # action 'Microsoft.OperationalInsights/workspaces/sharedkeys/read' on the linked
        # scope"; whether it still does with useAADAuth is not documented). The operation:
        # learn.microsoft.com/azure/azure-monitor/logs/manage-access, Log Analytics Reader's
        # NotActions.
        (
            "addonProfiles.omsagent.config.logAnalyticsWorkspaceResourceID",
            "Microsoft.OperationalInsights/workspaces/sharedKeys/read",
        ),
    ),
    # A pool of its own joins the node subnet just as the cluster's pools do.
    "azure-native:containerservice:AgentPool": (("vnetSubnetID", _JOIN_SUBNET),),
    "azure-native:storage:StorageAccount": (
        # learn.microsoft.com/azure/storage/common/storage-network-security.
        (
            "networkRuleSet.virtualNetworkRules[].virtualNetworkResourceId",
            "Microsoft.Network/virtualNetworks/subnets/joinViaServiceEndpoint/action",
        ),
    ),
    "azure-native:network:PrivateEndpoint": (
        # learn.microsoft.com/azure/private-link/rbac-permissions: "subnets/join/action: Allow
        # a private endpoint to join a virtual network".
        ("subnet.id", _JOIN_SUBNET),
        # A connection in privateLinkServiceConnections (not the manual ones) is approved on
        # creation only if the caller may approve it on the target (learn.microsoft.com/azure/
        # private-link/manage-private-endpoint, "Automatic: ... RBAC permissions on the service
        # provider resource"); the action, e.g. for storage: learn.microsoft.com/azure/
        # role-based-access-control/permissions/storage, PrivateEndpointConnectionsApproval.
        (
            "privateLinkServiceConnections[].privateLinkServiceId",
            "{type}/privateEndpointConnectionsApproval/action",
        ),
    ),
    "azure-native:privatedns:VirtualNetworkLink": (
        # The built-in Private DNS Zone Contributor grants exactly this beside the zone
        # (learn.microsoft.com/azure/role-based-access-control/built-in-roles/networking).
        ("virtualNetwork.id", "Microsoft.Network/virtualNetworks/join/action"),
    ),
    "azure-native:network:PrivateDnsZoneGroup": (
        # The zone group writes the endpoint's A record into the zone (github.com/Azure/
        # Azure-Landing-Zones/issues/2942: privateDnsZoneGroups/write needs
        # "Microsoft.Network/privateDnsZones/join/action" on the zone).
        (
            "privateDnsZoneConfigs[].privateDnsZoneId",
            "Microsoft.Network/privateDnsZones/join/action",
        ),
    ),
    "azure-native:monitor:DataCollectionRuleAssociation": (
        # github.com/Azure/Azure-Landing-Zones/issues/2616: dataCollectionRuleAssociations/write
        # "does not have permission to perform action(s) 'Microsoft.Insights/
        # dataCollectionRules/read' on the linked scope(s)".
        ("dataCollectionRuleId", "Microsoft.Insights/dataCollectionRules/read"),
    ),
    # Registering the account with the vault, and protecting its shares: Backup Contributor
    # (the role learn.microsoft.com/azure/backup/backup-rbac-rs-vault names for the vault)
    # holds one storage action, storageAccounts/read; with acquireStorageAccountLock Azure
    # Backup puts its lock on the account, and Storage Account Backup Contributor, Azure
    # Backup's role on a storage account, grants locks/write and locks/delete for it
    # (learn.microsoft.com/azure/role-based-access-control/built-in-roles/storage).
    "azure-native:recoveryservices:ProtectionContainer": (
        ("properties.sourceResourceId", "{type}/read"),
        ("properties.sourceResourceId", "Microsoft.Authorization/locks/write"),
        ("properties.sourceResourceId", "Microsoft.Authorization/locks/delete"),
    ),
    "azure-native:recoveryservices:ProtectedItem": (
        ("properties.sourceResourceId", "{type}/read"),
    ),
}

# Resources of Pulumi's classic azure provider (azurerm underneath) the stacks declare, and
# what its create does besides the resource's own write/read/delete: ``(action, the ARM type
# of the ancestor of the resource's id it acts on)``. A share's protected item
# (components/backup.py): azurerm's create inquires the account's container (a POST polled
# through the container's operationResults), lists the vault's protectable and protected
# items to find the item Azure Backup named, and PUTs it there (hashicorp/
# terraform-provider-azurerm, internal/services/recoveryservices/
# backup_protected_file_share_resource.go). The action names: Backup Contributor and Backup
# Reader in learn.microsoft.com/azure/role-based-access-control/built-in-roles (read
# 2026-12-06).
_BACKUP_CONTAINERS = "Microsoft.RecoveryServices/vaults/backupFabrics/protectionContainers"
_BACKUP_VAULT = "Microsoft.RecoveryServices/vaults"
CLASSIC_ACTIONS: dict[str, tuple[tuple[str, str], ...]] = {
    "azure:backup/protectedFileShare:ProtectedFileShare": (
        (f"{_BACKUP_CONTAINERS}/inquire/action", _BACKUP_CONTAINERS),
        (f"{_BACKUP_CONTAINERS}/operationResults/read", _BACKUP_CONTAINERS),
        (f"{_BACKUP_VAULT}/backupProtectableItems/read", _BACKUP_VAULT),
        (f"{_BACKUP_VAULT}/backupProtectedItems/read", _BACKUP_VAULT),
    ),
}
# The same provider's links (as LINKED_ACTIONS): the share's storage account is read.
CLASSIC_LINKED_ACTIONS: dict[str, tuple[tuple[str, str], ...]] = {
    "azure:backup/protectedFileShare:ProtectedFileShare": (
        ("sourceStorageAccountId", "{type}/read"),
    ),
}

# Polling long-running operations. ARM answers an asynchronous PUT or DELETE (the REST API
# specs mark it ``x-ms-long-running-operation``) with ``Azure-AsyncOperation`` and
# ``Location`` headers, URLs the client GETs until the operation ends
# (learn.microsoft.com/azure/azure-resource-manager/management/async-operations); azure-native
# and azurerm both poll them. A GET is authorised like any other: ``<ARM type of the URL>/read``
# at the URL. Most resource providers answer with a subscription-level URL
# (``/subscriptions/{id}/providers/<namespace>/locations/{location}/operations...``) that no
# resource-group assignment could cover, and that identities with Contributor on a resource
# group poll on every storage account or cluster they create: ARM does not check it against
# the caller's role (nothing here can grant it; a live deploy confirms). Some nest the URL
# under the resource itself, inside the scope the identity is granted, so its role must hold
# the read: these are the REST paths of those GETs in the specs (github.com/Azure/
# azure-rest-api-specs, specification/recoveryservices: vaults.json GetOperationStatus,
# GetOperationResult; specification/recoveryservicesbackup: bms.json
# ProtectionPolicyOperationResults_Get, ProtectionPolicyOperationStatuses_Get,
# ProtectionContainerOperationResults_Get, ProtectedItemOperationResults_Get,
# ProtectedItemOperationStatuses_Get). The protected item's are the headers of
# github.com/pulumi/pulumi-azure-native/issues/1420; every one of these reads is in Azure's
# Backup Contributor role (5e467623-bb1f-42f4-a55d-6e525e11384b, learn.microsoft.com/azure/
# role-based-access-control/built-in-roles; read 2026-12-06).
_RS_VAULT = (
    "/subscriptions/{subscriptionId}/resourceGroups/{resourceGroupName}/providers/"
    "Microsoft.RecoveryServices/vaults/{vaultName}"
)
_RS_CONTAINER = f"{_RS_VAULT}/backupFabrics/{{fabricName}}/protectionContainers/{{containerName}}"
_RS_ITEM = f"{_RS_CONTAINER}/protectedItems/{{protectedItemName}}"
_RS_POLICY = f"{_RS_VAULT}/backupPolicies/{{policyName}}"
NESTED_OPERATION_PATHS: tuple[str, ...] = (
    f"{_RS_VAULT}/operationStatus/{{operationId}}",
    f"{_RS_VAULT}/operationResults/{{operationId}}",
    f"{_RS_POLICY}/operationResults/{{operationId}}",
    f"{_RS_POLICY}/operations/{{operationId}}",
    f"{_RS_CONTAINER}/operationResults/{{operationId}}",
    f"{_RS_ITEM}/operationResults/{{operationId}}",
    f"{_RS_ITEM}/operationsStatus/{{operationId}}",
)


def polling_reads(type_: str) -> tuple[str, ...]:
    """The reads that poll ``type_``'s asynchronous writes and deletes, when its resource
    provider nests them under the resource (``NESTED_OPERATION_PATHS``)."""
    return tuple(
        f"{engine_arm.arm_type(path)}/read"
        for path in NESTED_OPERATION_PATHS
        if engine_arm.arm_type(path.rsplit("/", 2)[0]).lower() == type_.lower()
    )


# Singleton service settings ARM can only read and set: their REST API has no DELETE (a
# storage account's file and blob services: learn.microsoft.com/rest/api/storagerp/
# file-services, /blob-services), so there is no delete action to grant.
NO_DELETE_TYPES = frozenset(
    {"azure-native:storage:FileServiceProperties", "azure-native:storage:BlobServiceProperties"}
)

_ROLE_ASSIGNMENT_TYPE = "azure-native:authorization:RoleAssignment"
_ROLE_ASSIGNMENT_ACTIONS = (
    "Microsoft.Authorization/roleAssignments/write",
    "Microsoft.Authorization/roleAssignments/delete",
)
# A role assignment condition that names the roles an action may assign, in the form of
# "Example: Constrain roles" (learn.microsoft.com/azure/role-based-access-control/
# delegate-role-assignments-examples): `!(ActionMatches{'<action>'}) ... OR (@Request[...
# roleAssignments:RoleDefinitionId] ForAnyOfAnyValues:GuidEquals {<guid>, ...})`.
_ROLE_CONDITION = re.compile(
    r"ActionMatches\{'([^']+)'\}\)\s*\)\s*OR\s*\(\s*@(?:Request|Resource)\["
    r"Microsoft\.Authorization/roleAssignments:RoleDefinitionId\]\s+"
    r"ForAnyOfAnyValues:GuidEquals\s*\{([^}]*)\}",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class Escalation:
    """An action that lets its holder take more than it was given: never accepted as excess
    for the plan identity (every pull request's live preview runs as it), nor, when
    ``deploy``, for a deploy identity."""

    action: str
    data: bool
    # What the holder could do: "the <access> identity must not <what>".
    what: str
    deploy: bool = False


# The names: learn.microsoft.com/azure/role-based-access-control/permissions/containers,
# /storage and /management-and-governance (read 2026-12-06).
ESCALATIONS: tuple[Escalation, ...] = (
    Escalation(
        "Microsoft.Storage/storageAccounts/listKeys/action",
        False,
        "read storage keys",
    ),
    Escalation(
        "Microsoft.Storage/storageAccounts/regenerateKey/action",
        False,
        "regenerate storage keys (and so read them)",
    ),
    Escalation(
        f"{_CLUSTER}/listClusterAdminCredential/action",
        False,
        "list the cluster's admin credential (cluster-admin, bypassing Azure RBAC)",
    ),
    Escalation(
        f"{_CLUSTER}/runCommand/action",
        False,
        "run commands in the cluster as cluster-admin",
    ),
    Escalation(
        f"{_CLUSTER}/users/impersonate/action",
        True,
        "impersonate Kubernetes users",
    ),
    Escalation(
        f"{_CLUSTER}/groups/impersonate/action",
        True,
        "impersonate Kubernetes groups",
    ),
    Escalation(
        f"{_CLUSTER}/serviceaccounts/impersonate/action",
        True,
        "impersonate Kubernetes service accounts",
    ),
    Escalation(
        f"{_CLUSTER}/pods/exec/action",
        True,
        "exec into pods (and read what they mount)",
    ),
    Escalation(
        "Microsoft.Authorization/roleDefinitions/write",
        False,
        "write role definitions (widen its own role)",
        deploy=True,
    ),
)
# ``*`` grants every action, these escalations included: a deploy identity holding it is
# reported through the role definition write it holds.

# Resources that are not calls to Azure or Kubernetes: providers and the stack itself.
_NO_ACTION_PREFIXES = ("pulumi:providers:", "pulumi:pulumi:")


@dataclass(frozen=True, order=True)
class Need:
    """One action an identity needs, at a scope, because of one resource (or invoke)."""

    action: str
    scope: str
    urn: str
    data: bool = False
    # For a role assignment's write and delete: the GUID of the role it assigns.
    assigns: str = ""

    def as_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "action": self.action,
            "scope": self.scope,
            "urn": self.urn,
            "data": self.data,
        }
        if self.assigns:
            out["assigns"] = self.assigns
        return out


@dataclass(frozen=True)
class Grant:
    """One role assignment's permissions, at its scope, as the bootstrap plan has them."""

    urn: str
    role: str
    scope: str
    actions: tuple[str, ...]
    not_actions: tuple[str, ...]
    data_actions: tuple[str, ...]
    not_data_actions: tuple[str, ...]
    condition: str = ""

    def covers(self, need: Need) -> bool:
        if not _within(need.scope, self.scope):
            return False
        allowed, denied = (
            (self.data_actions, self.not_data_actions)
            if need.data
            else (self.actions, self.not_actions)
        )
        if not any(_matches(p, need.action) for p in allowed) or any(
            _matches(p, need.action) for p in denied
        ):
            return False
        limited = self.assignable_roles().get(need.action.lower())
        return limited is None or need.assigns.lower() in limited

    def assignable_roles(self) -> dict[str, frozenset[str]]:
        """Role assignment action (lower case) -> the role GUIDs its condition allows."""
        return {
            action.lower(): frozenset(g.strip().lower() for g in guids.split(",") if g.strip())
            for action, guids in _ROLE_CONDITION.findall(self.condition)
        }

    def unlimited_role_assignment(self) -> list[str]:
        """Role assignment writes or deletes it grants with no condition naming the roles."""
        limited = self.assignable_roles()
        return [
            action
            for action in _ROLE_ASSIGNMENT_ACTIONS
            if any(_matches(p, action) for p in self.actions) and action.lower() not in limited
        ]

    def holds(self, action: str, data: bool = False) -> list[str]:
        """The granted patterns that give ``action`` (none if a not-action denies it)."""
        allowed, denied = (
            (self.data_actions, self.not_data_actions) if data else (self.actions, self.not_actions)
        )
        if any(_matches(p, action) for p in denied):
            return []
        return [p for p in allowed if _matches(p, action)]

    def writes(self) -> list[str]:
        """Granted actions that write or delete (or could, through a wildcard)."""
        return [
            a
            for a in (*self.actions, *self.data_actions)
            if a.rsplit("/", 1)[-1].lower() in {"write", "delete", "*"} or a == "*"
        ]

    def as_json(self) -> dict[str, Any]:
        return {
            "urn": self.urn,
            "role": self.role,
            "scope": self.scope,
            "actions": list(self.actions),
            "notActions": list(self.not_actions),
            "dataActions": list(self.data_actions),
            "notDataActions": list(self.not_data_actions),
            **({"condition": self.condition} if self.condition else {}),
        }


@dataclass
class IdentityReport:
    name: str
    access: str
    required: list[Need] = field(default_factory=list)
    granted: list[Grant] = field(default_factory=list)
    missing: list[Need] = field(default_factory=list)
    # The GitHub OIDC subjects of its federated credentials in the bootstrap plan.
    subjects: list[str] = field(default_factory=list)
    # Lines for what cannot be checked or must not be: unknown types, a plan identity's write.
    problems: list[str] = field(default_factory=list)

    @property
    def covered(self) -> bool:
        return not self.missing and not self.problems


@cache
def _pattern(granted: str) -> re.Pattern[str]:
    return re.compile(".*".join(map(re.escape, granted.split("*"))), re.IGNORECASE)


def _matches(granted: str, action: str) -> bool:
    return _pattern(granted).fullmatch(action) is not None


def _within(scope: str, granted_scope: str) -> bool:
    inner, outer = scope.lower().rstrip("/"), granted_scope.lower().rstrip("/")
    return inner == outer or inner.startswith(outer + "/")


def arm_type(resource_id: str) -> str | None:
    """The ARM resource type of a resource id (the namespace, then each type segment)."""
    parts = resource_id.strip("/").split("/")
    lowered = [p.lower() for p in parts]
    if "providers" not in lowered:
        if len(parts) == 4 and lowered[0] == "subscriptions" and lowered[2] == "resourcegroups":
            return "Microsoft.Resources/subscriptions/resourceGroups"
        return None
    at = len(lowered) - 1 - lowered[::-1].index("providers")
    namespace, rest = parts[at + 1 : at + 2], parts[at + 2 :]
    if not namespace or not rest or len(rest) % 2:
        return None
    return "/".join([namespace[0], *rest[0::2]])


def _plain(value: Any) -> Any:
    return value.value if isinstance(value, Secret) else value


def _values_at(value: Any, path: str) -> list[Any]:
    """The values at a dotted path; ``name[]`` steps into every item of a list."""
    values = [value]
    for step in path.split("."):
        many = step.endswith("[]")
        key = step.removesuffix("[]")
        found: list[Any] = []
        for item in values:
            child = _plain(item.get(key)) if isinstance(item, dict) else None
            if many and isinstance(child, list):
                found.extend(_plain(c) for c in child)
            elif not many and child is not None:
                found.append(child)
        values = found
    return values


# Kubernetes' own API groups: the unsuffixed legacy ones and `*.k8s.io`, a suffix a CRD may
# not take without the API reviewers' approval (the `api-approved.kubernetes.io` annotation).
_LEGACY_GROUPS = frozenset({"core", "apps", "batch", "autoscaling", "policy", "extensions"})
# AKS's authorization webhook checks any object of a group without data actions of its own
# (a custom resource) against this one resource, whatever its group and kind
# (github.com/Azure/guard, authz/providers/azure/rbac/checkaccessreqhelper.go,
# getCustomResourceOperationsMap; learn.microsoft.com/azure/aks/manage-azure-rbac).
CUSTOM_RESOURCES = "customresources"


def _kubernetes_resource(type_: str) -> str:
    """`kubernetes:apps/v1:DaemonSet` -> `apps/daemonsets`; the core group has no prefix; a
    custom resource (`kubernetes:azmonitoring.coreos.com/v1:PodMonitor`) -> `customresources`.

    The plural is Kubernetes' own guess from the kind (apimachinery's
    `UnsafeGuessKindToResource`), which holds for every built-in kind the stacks use."""
    group_version, kind = type_.split(":")[1:3]
    group = group_version.rsplit("/", 1)[0]
    if group not in _LEGACY_GROUPS and not group.endswith(".k8s.io"):
        return CUSTOM_RESOURCES
    lower = kind.lower()
    if lower.endswith("s"):
        plural = lower + "es"
    elif lower.endswith("y") and lower[-2:-1] not in "aeiou":
        plural = lower[:-1] + "ies"
    else:
        plural = lower + "s"
    return plural if group == "core" else f"{group}/{plural}"


def _verbs(access: str) -> tuple[str, ...]:
    return ("write", "read", "delete") if access == DEPLOY else ("read",)


def required(plan: StackPlan, access: str) -> tuple[list[Need], list[str]]:
    """What an identity with ``access`` needs to run ``plan``'s stack, and what it cannot
    know (a type or function without a known ARM action), one line each."""
    needs: set[Need] = set()
    unknown: list[str] = []
    clusters = [r for r in plan.resources if r.type == _CLUSTER_TYPE and r.id]
    for resource in plan.resources:
        if not resource.custom or resource.type.startswith(_NO_ACTION_PREFIXES):
            continue
        if resource.type.startswith("azure-native:"):
            unknown.extend(_azure_needs(resource, access, needs))
        elif resource.type in CLASSIC_ACTIONS:
            unknown.extend(_classic_needs(resource, access, needs))
        elif resource.type.startswith("kubernetes:"):
            if len(clusters) != 1:
                unknown.append(
                    f"{resource.urn}: {len(clusters)} AKS clusters in the stack; cannot tell "
                    "which one this Kubernetes object's data actions apply to"
                )
                continue
            kind = _kubernetes_resource(resource.type)
            for verb in _verbs(access):
                needs.add(
                    Need(f"{_CLUSTER}/{kind}/{verb}", str(clusters[0].id), resource.urn, True)
                )
        else:
            unknown.append(f"{resource.urn}: unknown type {resource.type}: no Azure action known")
    for invoke in plan.invokes:
        if invoke.token not in INVOKE_ACTIONS:
            unknown.append(f"invoke {invoke.token}: unknown function: no Azure action known")
            continue
        entry = INVOKE_ACTIONS[invoke.token]
        if entry is None:
            continue
        action, target = entry
        target_type, name_arg = target.rsplit("/", 1)
        namespace, *types = target_type.split("/")
        path = "/".join(f"{t}/{_plain(invoke.args.get(name_arg))}" for t in types)
        suffix = (
            f"/resourceGroups/{_plain(invoke.args.get('resourceGroupName'))}"
            f"/providers/{namespace}/{path}"
        ).lower()
        scopes = [str(r.id) for r in plan.resources if str(r.id).lower().endswith(suffix)]
        if len(scopes) != 1:
            unknown.append(
                f"invoke {invoke.token}: acts on {suffix.lstrip('/')}, which the stack does not "
                "create; its scope is unknown"
            )
            continue
        needs.add(Need(action, scopes[0], f"invoke {invoke.token}"))
    for need in list(needs):
        type_, _, verb = need.action.rpartition("/")
        if not need.data and verb in ("write", "delete"):
            needs.update(Need(read, need.scope, need.urn) for read in polling_reads(type_))
    return sorted(needs), unknown


def _azure_needs(resource: Resource, access: str, needs: set[Need]) -> list[str]:
    type_ = arm_type(resource.id or "")
    if type_ is None or resource.type not in engine_arm.ARM_PATHS:
        return [
            f"{resource.urn}: unknown type {resource.type}: no ARM type known "
            "(regenerate infra/engine/arm_types.json: scripts/gen_arm_types.py)"
        ]
    scope = str(resource.id)
    unknown: list[str] = []
    assigns = ""
    if resource.type == _ROLE_ASSIGNMENT_TYPE:
        assigns = str(_plain(resource.inputs.get("roleDefinitionId")) or "").rsplit("/", 1)[-1]
    for verb in _verbs(access):
        if not (verb == "delete" and resource.type in NO_DELETE_TYPES):
            needs.add(
                Need(
                    f"{type_}/{verb}",
                    scope,
                    resource.urn,
                    assigns=assigns if verb != "read" else "",
                )
            )
    if access == DEPLOY:
        for path, action in LINKED_ACTIONS.get(resource.type, ()):
            for linked in _values_at(resource.inputs, path):
                if not (isinstance(linked, str) and linked):
                    continue
                linked_type = arm_type(linked)
                if "{type}" in action and linked_type is None:
                    unknown.append(
                        f"{resource.urn}: {path} = {linked!r} is not an ARM id; cannot tell "
                        f"which {action} it needs"
                    )
                    continue
                needs.add(Need(action.format(type=linked_type), linked, resource.urn))
    return unknown


def ancestor(resource_id: str, type_: str) -> str | None:
    """The id, among ``resource_id`` and its parents, whose ARM type is ``type_``."""
    current = resource_id.rstrip("/")
    while current.count("/") >= 4:
        found = arm_type(current)
        if found is not None and found.lower() == type_.lower():
            return current
        current = current.rsplit("/", 2)[0]
    return None


def _classic_needs(resource: Resource, access: str, needs: set[Need]) -> list[str]:
    type_ = arm_type(resource.id or "")
    if type_ is None:
        return [f"{resource.urn}: id {resource.id!r} is not an ARM id; no ARM type known"]
    scope = str(resource.id)
    unknown: list[str] = []
    for verb in _verbs(access):
        needs.add(Need(f"{type_}/{verb}", scope, resource.urn))
    if access != DEPLOY:
        return unknown
    for action, owner_type in CLASSIC_ACTIONS[resource.type]:
        owner = ancestor(scope, owner_type)
        if owner is None:
            unknown.append(f"{resource.urn}: {scope} is not under a {owner_type}")
            continue
        needs.add(Need(action, owner, resource.urn))
    for path, action in CLASSIC_LINKED_ACTIONS.get(resource.type, ()):
        for linked in _values_at(resource.inputs, path):
            linked_type = arm_type(linked) if isinstance(linked, str) else None
            if linked_type is None:
                unknown.append(f"{resource.urn}: {path} = {linked!r} is not an ARM id")
                continue
            needs.add(Need(action.format(type=linked_type), linked, resource.urn))
    return unknown


def grants_by_principal(bootstrap: StackPlan) -> tuple[dict[str, list[Grant]], list[str]]:
    """Every role assignment of the bootstrap plan, by principal id; and the assignments
    whose role is not defined there (a built-in role would need its pinned actions)."""
    definitions = {
        str(r.id).lower(): r
        for r in bootstrap.resources
        if r.type == "azure-native:authorization:RoleDefinition" and r.id
    }
    grants: dict[str, list[Grant]] = {}
    unknown: list[str] = []
    for r in bootstrap.resources:
        if r.type != "azure-native:authorization:RoleAssignment":
            continue
        role_id = str(_plain(r.inputs.get("roleDefinitionId")))
        definition = definitions.get(role_id.lower())
        if definition is None:
            unknown.append(f"{r.urn}: role definition {role_id} is not defined by the bootstrap")
            continue
        permissions = [_plain(p) for p in _plain(definition.inputs.get("permissions")) or []]

        def collect(key: str, permissions: list[Any] = permissions) -> tuple[str, ...]:
            return tuple(a for p in permissions if isinstance(p, dict) for a in p.get(key) or [])

        grant = Grant(
            urn=r.urn,
            role=str(_plain(definition.inputs.get("roleName")) or definition.name),
            scope=str(_plain(r.inputs.get("scope"))),
            actions=collect("actions"),
            not_actions=collect("notActions"),
            data_actions=collect("dataActions"),
            not_data_actions=collect("notDataActions"),
            condition=str(_plain(r.inputs.get("condition")) or ""),
        )
        grants.setdefault(str(_plain(r.inputs.get("principalId"))), []).append(grant)
    return grants, unknown


def identity_principals(bootstrap: StackPlan, names: Iterable[str]) -> dict[str, str | None]:
    """The principal id of each named UserAssignedIdentity (by logical name) in the plan."""
    found = {
        r.name: _plain(r.outputs.get("principalId"))
        for r in bootstrap.resources
        if r.type == "azure-native:managedidentity:UserAssignedIdentity"
    }
    return {name: found.get(name) for name in names}


def identity_subjects(bootstrap: StackPlan, names: Iterable[str]) -> dict[str, list[str]]:
    """The federated credential subjects of each named UserAssignedIdentity in the plan."""
    identities = {
        r.name: (_plain(r.outputs.get("name")), _plain(r.inputs.get("resourceGroupName")))
        for r in bootstrap.resources
        if r.type == "azure-native:managedidentity:UserAssignedIdentity"
    }
    credentials = [
        r
        for r in bootstrap.resources
        if r.type == "azure-native:managedidentity:FederatedIdentityCredential"
    ]
    return {
        name: sorted(
            str(_plain(c.inputs.get("subject")))
            for c in credentials
            if name in identities
            and (_plain(c.inputs.get("resourceName")), _plain(c.inputs.get("resourceGroupName")))
            == identities[name]
        )
        for name in names
    }


@dataclass
class PrincipalReport:
    """A principal the bootstrap grants that is none of its managed identities: a group of
    people (``principalType`` Group), say the operators who run ``pulumi state``."""

    principal: str
    principal_type: str
    granted: list[Grant] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)


def other_principals(bootstrap: StackPlan) -> list[PrincipalReport]:
    """Every principal granted in the bootstrap plan that is no UserAssignedIdentity of it.

    Such a principal may hold data actions only (state blobs, the secrets key): a control-plane
    action would let people change Azure outside the reviewed pipeline, so each is a problem.
    """
    identities = {
        str(_plain(r.outputs.get("principalId")))
        for r in bootstrap.resources
        if r.type == "azure-native:managedidentity:UserAssignedIdentity"
    }
    types = {
        str(_plain(r.inputs.get("principalId"))): str(_plain(r.inputs.get("principalType")))
        for r in bootstrap.resources
        if r.type == _ROLE_ASSIGNMENT_TYPE
    }
    grants, _ = grants_by_principal(bootstrap)
    reports = []
    for principal, granted in sorted(grants.items()):
        if principal in identities:
            continue
        report = PrincipalReport(principal, types.get(principal, "unknown"), granted)
        report.problems.extend(
            f"{g.urn}: {action} at {g.scope}: a {report.principal_type} outside the delivery "
            "identities may hold data actions only (state, secrets key); Azure changes go "
            "through the deploy identities"
            for g in granted
            for action in g.actions
        )
        reports.append(report)
    return reports


def check(
    plan: StackPlan,
    bootstrap: StackPlan,
    identities: Mapping[str, str],
    environment_of: Mapping[str, str] | None = None,
) -> list[IdentityReport]:
    """Each identity (UserAssignedIdentity logical name -> access) against ``plan``.

    ``environment_of`` names the identities that serve one stack's GitHub environment alone:
    each federated subject of such an identity must be that environment's."""
    grants, unknown_roles = grants_by_principal(bootstrap)
    principals = identity_principals(bootstrap, identities)
    subjects = identity_subjects(bootstrap, identities)
    reports = []
    for name, access in identities.items():
        report = IdentityReport(name, access)
        principal = principals[name]
        if principal is None:
            report.problems.append(f"no UserAssignedIdentity {name!r} in the bootstrap plan")
        report.granted = grants.get(str(principal), [])
        report.subjects = subjects[name]
        environment = (environment_of or {}).get(name)
        if environment is not None:
            report.problems.extend(
                f"federated for {subject!r}: only the GitHub environment {environment!r} may "
                "log in as it"
                for subject in report.subjects
                if not subject.endswith(f":environment:{environment}")
            )
        report.required, unknown = required(plan, access)
        report.problems.extend(unknown)
        report.problems.extend(unknown_roles)
        report.missing = [
            n for n in report.required if not any(g.covers(n) for g in report.granted)
        ]
        if access == PLAN:
            report.problems.extend(
                f"{g.urn}: {action} at {g.scope}: the {PLAN} identity must not write or delete"
                for g in report.granted
                for action in g.writes()
            )
        report.problems.extend(escalation_lines(report))
        report.problems.extend(
            f"{g.urn}: {action} at {g.scope} with no condition naming the roles it may assign: "
            "it could assign any role, Owner included"
            for g in report.granted
            for action in g.unlimited_role_assignment()
        )
        reports.append(report)
    return reports


def escalation_lines(report: IdentityReport) -> list[str]:
    """A grant holding an ESCALATIONS action the identity must never hold, one line each,
    whatever the accepted excess lists."""
    return [
        f"{g.urn}: {e.action} at {g.scope}"
        + (f" (through {', '.join(patterns)})" if patterns != [e.action] else "")
        + f": the {report.access} identity must not {e.what}"
        for g in report.granted
        for e in ESCALATIONS
        if report.access == PLAN or e.deploy
        for patterns in [g.holds(e.action, e.data)]
        if patterns
    ]


def excess_lines(
    report: IdentityReport, needs: Iterable[Need], accepted: Mapping[str, Mapping[str, str]]
) -> list[str]:
    """Every granted action no plan the identity serves needs, and that ``accepted``
    (access -> action -> reason) does not list; one line each.

    ``needs`` are those of every stack's plan for the identity's access: the bootstrap gives
    one role per access and scope kind to every environment, and the environments deploy
    different kinds on purpose (dev has no backup), so an action is needed when some
    environment needs it. Where it is granted is checked apart: a deploy identity holds
    nothing on another environment's scopes (``foreign_grants``), and every need must be
    covered at its own scope. A granted action is needed when it names (case aside) such an
    action; a wildcard names none of its own, so it is never needed: it grants whatever it
    matches, needed or not, and is kept only when listed with its reason."""
    needed = {(n.data, n.action.lower()) for n in needs}
    listed = {action.lower() for action in accepted.get(report.access, {})}
    lines = []
    for g in report.granted:
        for data, patterns in ((False, g.actions), (True, g.data_actions)):
            for pattern in patterns:
                if pattern.lower() in listed or (data, pattern.lower()) in needed:
                    continue
                lines.append(
                    f"{g.urn}: {pattern} at {g.scope}: excess: no stack's plan needs it for "
                    f"{report.access} (remove it, or accept it with its reason in "
                    "pyproject.toml [tool.infra.permissions] accepted-excess)"
                )
    return lines


def environment_scopes(plan: StackPlan) -> set[str]:
    """A stack's own scopes: the resource group of each Azure resource it creates, and every
    other ARM id its deploy acts on (its node subnet, the VNet a zone links to, the resource
    an extension resource of it is on)."""
    own = {
        str(r.id).lower()
        for r in plan.resources
        if r.type.startswith("azure-native:") and r.custom and r.id
    }
    scopes = set()
    for need in required(plan, DEPLOY)[0]:
        scope = need.scope
        if scope.lower() in own and scope.lower().count("/providers/") > 1:
            # An extension resource (a role assignment, a lock): the resource it is on.
            scope = scope[: scope.lower().rindex("/providers/")]
        parts = scope.strip("/").split("/")
        if scope.lower() in own and len(parts) >= 4 and parts[2].lower() == "resourcegroups":
            scopes.add("/" + "/".join(parts[:4]))
        else:
            scopes.add(scope)
    return scopes


def foreign_grants(stack: str, report: IdentityReport, others: Mapping[str, set[str]]) -> list[str]:
    """Grants of ``stack``'s own identity at, above or below another stack's scopes."""
    lines = []
    for grant in report.granted:
        for other, scopes in sorted(others.items()):
            reached = sorted(
                s
                for s in scopes
                if other != stack and (_within(s, grant.scope) or _within(grant.scope, s))
            )
            if reached:
                lines.append(
                    f"{grant.urn}: granted at {grant.scope}, which reaches {other}'s "
                    f"{reached[0]}: {stack}'s identity must hold nothing on {other}"
                )
    return lines


def missing_lines(stack: str, reports: Sequence[IdentityReport]) -> list[str]:
    """One line per missing action (stack, identity, URN, action, scope) and per problem."""
    lines = [
        f"{stack}: {r.name}: {n.urn}: missing {n.action} at {n.scope}"
        for r in reports
        for n in r.missing
    ]
    lines += [f"{stack}: {r.name}: {problem}" for r in reports for problem in r.problems]
    return lines
