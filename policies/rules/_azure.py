"""Azure-native helpers shared by the policies: type tokens, labels, tag checks."""

from __future__ import annotations

from typing import Any, Final

from ._props import UNKNOWN, get

STORAGE_ACCOUNT_TYPE: Final = "azure-native:storage:StorageAccount"
FILE_SERVICE_TYPE: Final = "azure-native:storage:FileServiceProperties"
FILE_SHARE_TYPE: Final = "azure-native:storage:FileShare"
LOCK_BY_SCOPE_TYPE: Final = "azure-native:authorization:ManagementLockByScope"
MANAGED_CLUSTER_TYPE: Final = "azure-native:containerservice:ManagedCluster"
AGENT_POOL_TYPE: Final = "azure-native:containerservice:AgentPool"
VAULT_TYPE: Final = "azure-native:recoveryservices:Vault"
PROTECTION_POLICY_TYPE: Final = "azure-native:recoveryservices:ProtectionPolicy"
# A share's protected item, as the classic azure provider declares it (components/backup.py:
# azure-native cannot name it the way Azure Backup does).
PROTECTED_SHARE_TYPE: Final = "azure:backup/protectedFileShare:ProtectedFileShare"
PROTECTION_CONTAINER_TYPE: Final = "azure-native:recoveryservices:ProtectionContainer"
RESOURCE_GROUP_TYPE: Final = "azure-native:resources:ResourceGroup"

AZURE_POLICY: Final = "Azure Policy"
CHECKOV: Final = "Checkov"


def azure_policy_reference(definition_id: str) -> str:
    """The full resource id of a built-in Azure Policy definition."""
    return f"/providers/Microsoft.Authorization/policyDefinitions/{definition_id}"


def azure_policy_url(definition_id: str) -> str:
    return (
        "https://portal.azure.com/#view/Microsoft_Azure_Policy/PolicyDetailBlade/definitionId/"
        f"%2Fproviders%2FMicrosoft.Authorization%2FpolicyDefinitions%2F{definition_id}"
    )


def label(kind: str, props: dict[str, Any], name_key: str, fallback: str) -> str:
    """``Kind 'name'`` using the Azure name when known, else the Pulumi name.

    Resource policies see inputs, where the name is the path parameter ``name_key``; stack
    policies see outputs, where azure-native reports it as ``name`` and drops the path
    parameters."""
    for key in ("name", name_key):
        name = get(props, key)
        if isinstance(name, str) and name:
            return f"{kind} '{name}'"
    return f"{kind} '{fallback}'"


def missing_tags(tags: Any, required: list[str]) -> Any:
    """Required tag keys that are absent or blank; UNKNOWN if the whole tag map is unknown.

    A tag whose *value* is unknown (computed) counts as present.
    """
    if tags is UNKNOWN:
        return UNKNOWN
    present = tags if isinstance(tags, dict) else {}
    missing = []
    for key in required:
        value = present.get(key)
        if value is UNKNOWN:
            continue
        if not isinstance(value, str) or not value.strip():
            missing.append(key)
    return missing


def agent_pools(resource_type: str, props: dict[str, Any], fallback: str) -> Any:
    """``(label, pool_props, index)`` per node pool of a ManagedCluster or an AgentPool.

    A ManagedCluster's pools come from ``agentPoolProfiles`` (UNKNOWN if the list is unknown;
    unknown entries are skipped). A standalone ``AgentPool`` resource is one pool whose
    properties are top-level. ``index`` is the position in ``agentPoolProfiles`` (``None``
    for an AgentPool resource).
    """
    if resource_type == AGENT_POOL_TYPE:
        return [(label("AgentPool", props, "agentPoolName", fallback), props, None)]
    if resource_type != MANAGED_CLUSTER_TYPE:
        return []
    profiles = get(props, "agentPoolProfiles")
    if profiles is UNKNOWN:
        return UNKNOWN
    if not isinstance(profiles, list):
        return []
    cluster = label("ManagedCluster", props, "resourceName", fallback)
    pools = []
    for index, profile in enumerate(profiles):
        if not isinstance(profile, dict):
            continue
        name = profile.get("name")
        pool_name = name if isinstance(name, str) and name else f"#{index}"
        pools.append((f"{cluster} agent pool '{pool_name}'", profile, index))
    return pools


def pool_mode(pool: dict[str, Any], index: int | None) -> Any:
    """``System`` or ``User``; an unset mode is System for the first profile of a cluster
    (AKS needs one System pool and makes the first one System) and User otherwise."""
    mode = get(pool, "mode")
    if mode is UNKNOWN or isinstance(mode, str):
        return mode
    return "System" if index == 0 else "User"
