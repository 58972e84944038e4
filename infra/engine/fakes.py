"""Deterministic stand-ins for what Azure and Kubernetes would answer during a preview.

The offline preview cannot know real provider results; these fakes answer the way the
providers do in shape (ARM ids, names, kubeconfigs, account keys) and in secrecy, so a
program behaves as it would against the engine. Every fake secret is listed in
FAKE_SECRETS so tests can prove none of them is ever printed.
"""

from __future__ import annotations

import base64
import copy
import hashlib
from typing import Any

from infra.engine.model import Secret

SUBSCRIPTION_ID = "00000000-0000-0000-0000-000000000000"
TENANT_ID = "11111111-1111-1111-1111-111111111111"
FAKE_STORAGE_KEYS = (
    "FAKEstorageKEYoneOFFLINEaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa==",
    "FAKEstorageKEYtwoOFFLINEbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb==",
)
FAKE_KUBE_TOKEN = "FAKEkubeTOKENoffline0123456789"
FAKE_CLIENT_KEY = "FAKEclientKEYoffline0123456789"


def _kubeconfig(cluster: str, server: str) -> str:
    # Shape of an Entra ID cluster's user kubeconfig: an interactive kubelogin exec user.
    return f"""apiVersion: v1
kind: Config
clusters:
- name: {cluster}
  cluster:
    certificate-authority-data: RkFLRS1DQQ==
    server: {server}
contexts:
- name: {cluster}
  context:
    cluster: {cluster}
    user: clusterUser_{cluster}
current-context: {cluster}
users:
- name: clusterUser_{cluster}
  user:
    client-key-data: {FAKE_CLIENT_KEY}
    token: {FAKE_KUBE_TOKEN}
    exec:
      apiVersion: client.authentication.k8s.io/v1beta1
      command: kubelogin
      args:
      - get-token
      - --environment
      - AzurePublicCloud
      - --server-id
      - 6dae42f8-4368-4678-94ff-3960e28e3630
      - --client-id
      - 80faf920-1908-4b52-b5ef-a8e7bedfc67a
      - --tenant-id
      - {TENANT_ID}
      - --login
      - devicecode
      interactiveMode: IfAvailable
      provideClusterInfo: false
"""


def fake_kubeconfig(cluster: str = "cluster") -> str:
    return _kubeconfig(cluster, f"https://{cluster}.hcp.westeurope.azmk8s.io:443")


FAKE_KUBECONFIG_B64 = base64.b64encode(fake_kubeconfig().encode()).decode()
FAKE_SECRETS = (*FAKE_STORAGE_KEYS, FAKE_KUBE_TOKEN, FAKE_CLIENT_KEY)

# Which input names the resource by, and where it lives in ARM.
_AZURE_TYPES: dict[str, tuple[str, str]] = {
    "azure-native:resources:ResourceGroup": ("resourceGroupName", ""),
    "azure-native:storage:StorageAccount": ("accountName", "Microsoft.Storage/storageAccounts"),
    "azure-native:storage:FileServiceProperties": ("fileServicesName", "fileServices"),
    "azure-native:storage:FileShare": ("shareName", "fileServices/default/shares"),
    "azure-native:containerservice:ManagedCluster": (
        "resourceName",
        "Microsoft.ContainerService/managedClusters",
    ),
    "azure-native:containerservice:AgentPool": ("agentPoolName", "agentPools"),
    "azure-native:authorization:ManagementLockByScope": (
        "lockName",
        "providers/Microsoft.Authorization/locks",
    ),
    "azure-native:network:VirtualNetwork": (
        "virtualNetworkName",
        "Microsoft.Network/virtualNetworks",
    ),
    "azure-native:network:Subnet": ("subnetName", "subnets"),
    "azure-native:managedidentity:UserAssignedIdentity": (
        "resourceName",
        "Microsoft.ManagedIdentity/userAssignedIdentities",
    ),
    "azure-native:recoveryservices:Vault": ("vaultName", "Microsoft.RecoveryServices/vaults"),
    "azure-native:recoveryservices:ProtectionPolicy": ("policyName", "backupPolicies"),
    "azure-native:recoveryservices:ProtectionContainer": (
        "containerName",
        "protectionContainers",
    ),
    "azure-native:recoveryservices:ProtectedItem": ("protectedItemName", "protectedItems"),
}
# Backup resources live under their vault (and fabric/container) in ARM.
_VAULT_CHILDREN = (
    "azure-native:recoveryservices:ProtectionPolicy",
    "azure-native:recoveryservices:ProtectionContainer",
    "azure-native:recoveryservices:ProtectedItem",
)


def _suffix(*parts: str, length: int = 8) -> str:
    return hashlib.sha256("/".join(parts).encode()).hexdigest()[:length]


def _plain(value: Any) -> Any:
    return value.value if isinstance(value, Secret) else value


def _azure_outputs(type_: str, name: str, inputs: dict[str, Any]) -> tuple[str, dict[str, Any]]:
    name_key, arm_path = _AZURE_TYPES.get(type_, ("", ""))
    resource_name = _plain(inputs.get(name_key)) if name_key else None
    if not isinstance(resource_name, str) or not resource_name:
        # azure-native auto-names from the logical name plus a random suffix.
        resource_name = f"{name}{_suffix(type_, name)}"
    rg = _plain(inputs.get("resourceGroupName"))
    outputs = copy.deepcopy(inputs)
    outputs["name"] = resource_name
    if type_ == "azure-native:resources:ResourceGroup":
        arm_id = f"/subscriptions/{SUBSCRIPTION_ID}/resourceGroups/{resource_name}"
    elif type_ == "azure-native:authorization:ManagementLockByScope":
        arm_id = f"{_plain(inputs.get('scope'))}/{arm_path}/{resource_name}"
    elif type_ in (
        "azure-native:storage:FileServiceProperties",
        "azure-native:storage:FileShare",
    ):
        account = _plain(inputs.get("accountName"))
        arm_id = (
            f"/subscriptions/{SUBSCRIPTION_ID}/resourceGroups/{rg}/providers/"
            f"Microsoft.Storage/storageAccounts/{account}/{arm_path}/{resource_name}"
        )
    elif type_ in _VAULT_CHILDREN:
        vault = (
            f"/subscriptions/{SUBSCRIPTION_ID}/resourceGroups/{rg}/providers/"
            f"Microsoft.RecoveryServices/vaults/{_plain(inputs.get('vaultName'))}"
        )
        if type_ == "azure-native:recoveryservices:ProtectionPolicy":
            arm_id = f"{vault}/{arm_path}/{resource_name}"
        else:
            fabric = f"{vault}/backupFabrics/{_plain(inputs.get('fabricName'))}"
            container = _plain(inputs.get("containerName"))
            arm_id = (
                f"{fabric}/{arm_path}/{resource_name}"
                if type_ == "azure-native:recoveryservices:ProtectionContainer"
                else f"{fabric}/protectionContainers/{container}/{arm_path}/{resource_name}"
            )
    else:
        module = type_.split(":")[1]
        path = arm_path or f"Microsoft.{module.capitalize()}/{type_.split(':')[2].lower()}s"
        arm_id = (
            f"/subscriptions/{SUBSCRIPTION_ID}/resourceGroups/{rg}/providers/{path}/{resource_name}"
        )
    outputs["id"] = arm_id
    if type_ == "azure-native:storage:StorageAccount":
        outputs["primaryEndpoints"] = {"file": f"https://{resource_name}.file.core.windows.net/"}
        outputs["provisioningState"] = "Succeeded"
    elif type_ == "azure-native:containerservice:ManagedCluster":
        location = _plain(inputs.get("location")) or "westeurope"
        outputs["fqdn"] = f"{resource_name}-{_suffix(arm_id)}.hcp.{location}.azmk8s.io"
        outputs["nodeResourceGroup"] = f"MC_{rg}_{resource_name}_{location}"
        outputs["provisioningState"] = "Succeeded"
        identity = outputs.get("identity")
        if isinstance(identity, dict):
            identity["principalId"] = (
                f"{_suffix('principal', arm_id, length=8)}-0000-0000-0000-000000000000"
            )
            identity["tenantId"] = TENANT_ID
    return arm_id, outputs


def _kubernetes_outputs(
    type_: str, name: str, inputs: dict[str, Any]
) -> tuple[str, dict[str, Any]]:
    outputs = copy.deepcopy(inputs)
    metadata = outputs.setdefault("metadata", {})
    if isinstance(metadata, dict):
        if not metadata.get("name"):
            # pulumi-kubernetes auto-names from the logical name plus a random suffix.
            metadata["name"] = f"{name}-{_suffix(type_, name, length=8)}"
        namespace = metadata.get("namespace")
        resource_id = f"{namespace}/{metadata['name']}" if namespace else str(metadata["name"])
    else:
        resource_id = name
    if type_ == "kubernetes:core/v1:PersistentVolumeClaim":
        outputs["status"] = {"phase": "Pending"}
    return resource_id, outputs


def new_resource(
    type_: str, name: str, urn: str, inputs: dict[str, Any]
) -> tuple[str, dict[str, Any]]:
    """The id and output properties a provider would return for a new resource."""
    if type_.startswith("pulumi:providers:"):
        return f"{_suffix(urn, length=8)}-0000-4000-8000-000000000000", copy.deepcopy(inputs)
    if type_.startswith("azure-native:"):
        return _azure_outputs(type_, name, inputs)
    if type_.startswith("kubernetes:"):
        return _kubernetes_outputs(type_, name, inputs)
    return f"{name}-{_suffix(urn)}", copy.deepcopy(inputs)


def call(token: str, args: dict[str, Any]) -> dict[str, Any]:
    """The result a provider function would return. Nothing in it is marked secret, so
    only the program's own `Output.secret` keeps credentials out of plans and logs."""
    if token == "azure-native:containerservice:listManagedClusterUserCredentials":
        cluster = str(_plain(args.get("resourceName")) or "cluster")
        kubeconfig = base64.b64encode(fake_kubeconfig(cluster).encode()).decode()
        return {"kubeconfigs": [{"name": "clusterUser", "value": kubeconfig}]}
    if token == "azure-native:storage:listStorageAccountKeys":
        return {
            "keys": [
                {"keyName": "key1", "permissions": "FULL", "value": FAKE_STORAGE_KEYS[0]},
                {"keyName": "key2", "permissions": "FULL", "value": FAKE_STORAGE_KEYS[1]},
            ]
        }
    if token == "azure-native:authorization:getClientConfig":
        return {
            "clientId": "22222222-2222-2222-2222-222222222222",
            "objectId": "33333333-3333-3333-3333-333333333333",
            "subscriptionId": SUBSCRIPTION_ID,
            "tenantId": TENANT_ID,
        }
    return {}
