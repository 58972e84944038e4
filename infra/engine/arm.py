"""Where azure-native resources live in Azure Resource Manager: their REST paths.

azure-native builds a resource's id by filling its REST API path with the resource's path
parameters (`resourceGroupName`, `accountName`, `scope`, ...), and its outputs carry the
ARM resource `type` that path spells. The SDK's Python classes do not carry the path, so
the common ones are listed here, each as the REST API's PUT path (learn.microsoft.com/rest/
api/<service>, "Create Or Update"), with its parameters named as the SDK names the inputs.
A type not listed gets the provider namespace's usual form (`arm_path`).
"""

from __future__ import annotations

import re
from typing import Final

_GROUP: Final = "/subscriptions/{subscriptionId}/resourceGroups/{resourceGroupName}"
_STORAGE: Final = f"{_GROUP}/providers/Microsoft.Storage/storageAccounts/{{accountName}}"
_CLUSTER: Final = f"{_GROUP}/providers/Microsoft.ContainerService/managedClusters/{{resourceName}}"
_VNET: Final = f"{_GROUP}/providers/Microsoft.Network/virtualNetworks/{{virtualNetworkName}}"
_ENDPOINT: Final = f"{_GROUP}/providers/Microsoft.Network/privateEndpoints/{{privateEndpointName}}"
_ZONE: Final = f"{_GROUP}/providers/Microsoft.Network/privateDnsZones/{{privateZoneName}}"
_VAULT: Final = f"{_GROUP}/providers/Microsoft.KeyVault/vaults/{{vaultName}}"
_BACKUP_VAULT: Final = f"{_GROUP}/providers/Microsoft.RecoveryServices/vaults/{{vaultName}}"
_BACKUP_CONTAINER: Final = (
    f"{_BACKUP_VAULT}/backupFabrics/{{fabricName}}/protectionContainers/{{containerName}}"
)
_IDENTITY: Final = (
    f"{_GROUP}/providers/Microsoft.ManagedIdentity/userAssignedIdentities/{{resourceName}}"
)

ARM_PATHS: Final[dict[str, str]] = {
    "azure-native:resources:ResourceGroup": _GROUP,
    "azure-native:storage:StorageAccount": _STORAGE,
    "azure-native:storage:FileServiceProperties": f"{_STORAGE}/fileServices/{{fileServicesName}}",
    "azure-native:storage:FileShare": f"{_STORAGE}/fileServices/default/shares/{{shareName}}",
    "azure-native:storage:BlobServiceProperties": f"{_STORAGE}/blobServices/{{blobServicesName}}",
    "azure-native:storage:BlobContainer": f"{_STORAGE}/blobServices/default/containers/"
    "{containerName}",
    "azure-native:authorization:ManagementLockByScope": (
        "{scope}/providers/Microsoft.Authorization/locks/{lockName}"
    ),
    "azure-native:authorization:RoleAssignment": (
        "{scope}/providers/Microsoft.Authorization/roleAssignments/{roleAssignmentName}"
    ),
    "azure-native:authorization:RoleDefinition": (
        "{scope}/providers/Microsoft.Authorization/roleDefinitions/{roleDefinitionId}"
    ),
    "azure-native:keyvault:Vault": _VAULT,
    "azure-native:keyvault:Key": f"{_VAULT}/keys/{{keyName}}",
    "azure-native:containerservice:ManagedCluster": _CLUSTER,
    "azure-native:containerservice:AgentPool": f"{_CLUSTER}/agentPools/{{agentPoolName}}",
    "azure-native:containerservice:MaintenanceConfiguration": (
        f"{_CLUSTER}/maintenanceConfigurations/{{configName}}"
    ),
    "azure-native:network:VirtualNetwork": _VNET,
    "azure-native:network:Subnet": f"{_VNET}/subnets/{{subnetName}}",
    "azure-native:network:NetworkSecurityGroup": (
        f"{_GROUP}/providers/Microsoft.Network/networkSecurityGroups/{{networkSecurityGroupName}}"
    ),
    "azure-native:network:PrivateEndpoint": _ENDPOINT,
    "azure-native:network:PrivateDnsZoneGroup": (
        f"{_ENDPOINT}/privateDnsZoneGroups/{{privateDnsZoneGroupName}}"
    ),
    "azure-native:privatedns:PrivateZone": _ZONE,
    "azure-native:privatedns:VirtualNetworkLink": (
        f"{_ZONE}/virtualNetworkLinks/{{virtualNetworkLinkName}}"
    ),
    "azure-native:recoveryservices:Vault": _BACKUP_VAULT,
    "azure-native:recoveryservices:ProtectionPolicy": (
        f"{_BACKUP_VAULT}/backupPolicies/{{policyName}}"
    ),
    "azure-native:recoveryservices:ProtectionContainer": _BACKUP_CONTAINER,
    "azure-native:recoveryservices:ProtectedItem": (
        f"{_BACKUP_CONTAINER}/protectedItems/{{protectedItemName}}"
    ),
    "azure-native:managedidentity:UserAssignedIdentity": _IDENTITY,
    "azure-native:managedidentity:FederatedIdentityCredential": (
        f"{_IDENTITY}/federatedIdentityCredentials/{{federatedIdentityCredentialResourceName}}"
    ),
    "azure-native:operationalinsights:Workspace": (
        f"{_GROUP}/providers/Microsoft.OperationalInsights/workspaces/{{workspaceName}}"
    ),
    "azure-native:monitor:AzureMonitorWorkspace": (
        f"{_GROUP}/providers/Microsoft.Monitor/accounts/{{azureMonitorWorkspaceName}}"
    ),
    "azure-native:monitor:DataCollectionEndpoint": (
        f"{_GROUP}/providers/Microsoft.Insights/dataCollectionEndpoints/"
        "{dataCollectionEndpointName}"
    ),
    "azure-native:monitor:DataCollectionRule": (
        f"{_GROUP}/providers/Microsoft.Insights/dataCollectionRules/{{dataCollectionRuleName}}"
    ),
    "azure-native:monitor:DataCollectionRuleAssociation": (
        "{resourceUri}/providers/Microsoft.Insights/dataCollectionRuleAssociations/"
        "{associationName}"
    ),
    "azure-native:alertsmanagement:PrometheusRuleGroup": (
        f"{_GROUP}/providers/Microsoft.AlertsManagement/prometheusRuleGroups/{{ruleGroupName}}"
    ),
}

PATH_PARAMETER: Final = re.compile(r"\{(\w+)\}")
PROVIDERS_SEGMENT: Final = "/providers/"


def path_parameters(path: str) -> list[str]:
    """The parameters of a REST path, in order; the last one names the resource."""
    return PATH_PARAMETER.findall(path)


def arm_path(type_token: str, name_parameter: str | None) -> str:
    """The REST path of an azure-native type: listed, else the namespace's usual form
    (`.../providers/Microsoft.<Module>/<types>/{name}` in a resource group)."""
    if type_token in ARM_PATHS:
        return ARM_PATHS[type_token]
    _, module, kind = type_token.split(":", 2)
    collection = f"{kind[:1].lower()}{kind[1:]}s"
    return f"{_GROUP}/providers/Microsoft.{module.capitalize()}/{collection}/{{{name_parameter}}}"


def arm_type(path: str) -> str:
    """The ARM resource type a REST path spells: the namespace and every collection after
    the last `/providers/` (`Microsoft.Storage/storageAccounts/fileServices/shares`)."""
    if PROVIDERS_SEGMENT not in path:
        return "Microsoft.Resources/resourceGroups"
    namespace, *rest = path.rsplit(PROVIDERS_SEGMENT, 1)[1].split("/")
    return "/".join([namespace, *rest[0::2]])


def arm_name(path: str) -> str:
    """The name an ARM template gives the resource at a REST path: its segments after the
    provider namespace, without the collection names (`{accountName}/default/{shareName}`)."""
    if PROVIDERS_SEGMENT not in path:
        return path.rsplit("/", 1)[1]
    _, *rest = path.rsplit(PROVIDERS_SEGMENT, 1)[1].split("/")
    return "/".join(rest[1::2])


def scope_parameter(path: str) -> str | None:
    """The parameter naming the resource an extension resource (a lock, a role assignment,
    a rule association) is attached to: the path's first segment, when it is one."""
    first = path.split("/", 1)[0]
    return first[1:-1] if first.startswith("{") else None
