"""Deterministic stand-ins for what Azure and Kubernetes would answer during a preview.

The offline preview cannot know real provider results; these fakes answer the way the
providers do in shape (ARM ids, names, kubeconfigs, account keys) and in secrecy, so a
program behaves as it would against the engine. An azure-native resource's outputs are
read off the SDK's own resource class, so any type the program imports gets its provider's
output shape. Every fake secret is listed in FAKE_SECRETS so tests can prove none of them
is ever printed.
"""

from __future__ import annotations

import base64
import copy
import hashlib
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import pulumi
from pulumi import _types as pulumi_types

from infra.engine import arm
from infra.engine.model import UNKNOWN, Secret, Unknown

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


def _suffix(*parts: str, length: int = 8) -> str:
    return hashlib.sha256("/".join(parts).encode()).hexdigest()[:length]


def _plain(value: Any) -> Any:
    return value.value if isinstance(value, Secret) else value


_CLASSES: dict[str, type] = {}


def _resource_class(type_: str) -> type | None:
    """The SDK class registered with `type_` (`@pulumi.type_token`), among those imported.

    The program has imported the class before it registers a resource of that type, so
    the SDK's lazily imported modules need no importing here."""
    if type_ not in _CLASSES:
        pending: list[type] = [pulumi.CustomResource]
        while pending:
            cls = pending.pop()
            pending.extend(cls.__subclasses__())
            token = pulumi.get_type_token(cls)
            if token:
                _CLASSES.setdefault(token, cls)
    return _CLASSES.get(type_)


_DECLARED: dict[str, frozenset[str]] = {}


def declared_outputs(type_: str) -> frozenset[str] | None:
    """The output properties the SDK's resource class declares (its `@pulumi.getter`
    properties, by the names the engine uses), or None if no imported class has the type."""
    if type_ not in _DECLARED:
        cls = _resource_class(type_)
        if cls is None:
            return None
        _DECLARED[type_] = frozenset(pulumi_types.resource_pulumi_to_py_names(cls))
    return _DECLARED[type_]


def _name_parameter(inputs: dict[str, Any], declared: frozenset[str] | None) -> str | None:
    # For a type without a known REST path: the one `...Name` input that is not an output.
    candidates = [
        key
        for key in inputs
        if key.endswith("Name") and key != "resourceGroupName" and key not in (declared or ())
    ]
    return candidates[0] if len(candidates) == 1 else None


def _azure_outputs(type_: str, name: str, inputs: dict[str, Any]) -> tuple[str, dict[str, Any]]:
    """Outputs in azure-native's shape: the declared output properties, from the inputs of
    the same name, plus `name`, `id` and `type`; never a path parameter that is not also a
    declared output (a share's `accountName`, a lock's `scope`)."""
    declared = declared_outputs(type_)
    path = arm.arm_path(type_, _name_parameter(inputs, declared))
    parameters = arm.path_parameters(path)
    values: dict[str, Any] = {"subscriptionId": SUBSCRIPTION_ID}
    for parameter in parameters[1:] if parameters[0] == "subscriptionId" else parameters:
        values[parameter] = _plain(inputs.get(parameter))
    resource_name = values[parameters[-1]]
    if resource_name is None or resource_name == "":
        # azure-native auto-names from the logical name plus a random suffix.
        resource_name = values[parameters[-1]] = f"{name}{_suffix(type_, name)}"
    if any(isinstance(v, Unknown) for v in values.values()):
        arm_id: Any = UNKNOWN
    else:
        arm_id = path.format_map({k: str(v).strip("/") for k, v in values.items()})
        arm_id = "/" + arm_id.lstrip("/")
    if declared is None:
        outputs = {k: copy.deepcopy(v) for k, v in inputs.items() if k not in parameters}
    else:
        outputs = {k: copy.deepcopy(v) for k, v in inputs.items() if k in declared}
    outputs.update(name=resource_name, id=arm_id)
    if declared is None or "type" in declared:
        outputs["type"] = arm.arm_type(path)
    if declared is not None and "provisioningState" in declared:
        outputs["provisioningState"] = "Succeeded"
    outputs.update(_computed(type_, str(arm_id), resource_name, declared or frozenset()))
    identity = outputs.get("identity")
    if isinstance(identity, dict):
        outputs["identity"] = _identity(identity, str(arm_id))
    # An id the preview cannot know is sent empty, as the engine does for a resource it
    # has not created.
    return arm_id if isinstance(arm_id, str) else "", outputs


def _identity(identity: dict[str, Any], arm_id: str) -> dict[str, Any]:
    """ARM's managed identity shape: the identity Azure creates for the resource, and the
    user-assigned ones the request lists by id answered as a map of id to identity."""
    identity = dict(identity)
    if "SystemAssigned" in str(identity.get("type", "")):
        identity["principalId"] = system_principal_id(arm_id)
        identity["tenantId"] = TENANT_ID
    assigned = identity.get("userAssignedIdentities")
    if isinstance(assigned, list):
        identity["userAssignedIdentities"] = {
            str(i): {
                "clientId": f"{_suffix('client', str(i))}-0000-4000-8000-000000000000",
                "principalId": f"{_suffix('principal', str(i))}-0000-4000-8000-000000000000",
            }
            for i in assigned
        }
    return identity


def system_principal_id(arm_id: str) -> str:
    """The principal of the system-assigned identity Azure creates for the resource."""
    return f"{_suffix('principal', arm_id)}-0000-0000-0000-000000000000"


def _computed(
    type_: str, arm_id: str, resource_name: str, declared: frozenset[str]
) -> dict[str, Any]:
    """Output-only values Azure assigns that programs read: a user-assigned identity's
    client and principal ids, a key's URI."""
    out: dict[str, Any] = {}
    if {"clientId", "principalId", "tenantId"} <= declared:
        out["clientId"] = f"{_suffix('client', arm_id)}-0000-4000-8000-000000000000"
        out["principalId"] = f"{_suffix('principal', arm_id)}-0000-4000-8000-000000000000"
        out["tenantId"] = TENANT_ID
    if "identityProfile" in declared and type_ == "azure-native:containerservice:ManagedCluster":
        # The kubelet identity AKS creates in the node resource group for a cluster that does
        # not bring its own (learn.microsoft.com/azure/aks/use-managed-identity).
        out["identityProfile"] = {
            "kubeletidentity": {
                "clientId": f"{_suffix('kubelet-client', arm_id)}-0000-4000-8000-000000000000",
                "objectId": f"{_suffix('kubelet-principal', arm_id)}-0000-4000-8000-000000000000",
            }
        }
    if type_ == "azure-native:keyvault:Key":
        vault = arm_id.split("/vaults/", 1)[-1].split("/", 1)[0]
        out["keyUri"] = f"https://{vault}.vault.azure.net/keys/{resource_name}"
    return out


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


# Azure Backup addresses a protected Azure file share by an internal name, not the share's:
# `AzureFileShare;<system name>`, which only the vault's protectable items list tells
# (components/backup.py cites the sources). The stand-in is a hash of the account id and the
# share, so the same share always gets the same name and no share's name is ever it.
ITEM_PREFIX = "AzureFileShare;"
_BACKUP_CONTAINER = "StorageContainer;Storage;{group};{account}"
CLASSIC_PROTECTED_SHARE = "azure:backup/protectedFileShare:ProtectedFileShare"
_NATIVE_PROTECTED_ITEM = "azure-native:recoveryservices:ProtectedItem"


def protected_share_system_name(storage_account_id: str, share_name: str) -> str:
    """The name Azure Backup gives the protected item of ``share_name`` in that account."""
    return ITEM_PREFIX + _suffix(storage_account_id.lower(), share_name, length=32)


def protected_share_id(vault_id: str, storage_account_id: str, share_name: str) -> str:
    parts = storage_account_id.strip("/").split("/")
    container = _BACKUP_CONTAINER.format(group=parts[3], account=parts[-1])
    return (
        f"{vault_id}/backupFabrics/Azure/protectionContainers/{container}/protectedItems/"
        f"{protected_share_system_name(storage_account_id, share_name)}"
    )


def azure_stored_id(type_: str, resource_id: str, inputs: dict[str, Any]) -> str:
    """The id at which Azure keeps what a create of ``type_`` made, and reads it back: the
    provider's ``resource_id``, except for an Azure file share's protected item, which Azure
    Backup keeps under its internal name whatever the request named it."""
    properties = _plain(inputs.get("properties"))
    if (
        type_ == _NATIVE_PROTECTED_ITEM
        and isinstance(properties, dict)
        and _plain(properties.get("protectedItemType")) == "AzureFileShareProtectedItem"
        and "/protectedItems/" in resource_id
    ):
        share = str(_plain(inputs.get("protectedItemName"))).removeprefix(ITEM_PREFIX)
        vault_id = resource_id.split("/backupFabrics/", 1)[0]
        return protected_share_id(vault_id, str(_plain(properties.get("sourceResourceId"))), share)
    return resource_id


def _classic_protected_share(name: str, inputs: dict[str, Any]) -> tuple[str, dict[str, Any]]:
    """azurerm's protected file share: it looks the item up among the vault's protectable
    items by the share's name, then keeps the id Azure Backup names it by."""
    values = [
        _plain(inputs.get(key))
        for key in ("resourceGroupName", "recoveryVaultName", "sourceStorageAccountId")
    ]
    share = _plain(inputs.get("sourceFileShareName"))
    outputs = copy.deepcopy(inputs)
    if any(isinstance(v, Unknown) or v is None for v in (*values, share)):
        return "", outputs
    group, vault, account_id = (str(v) for v in values)
    vault_id = (
        f"/subscriptions/{SUBSCRIPTION_ID}/resourceGroups/{group}/providers/"
        f"Microsoft.RecoveryServices/vaults/{vault}"
    )
    outputs["id"] = protected_share_id(vault_id, account_id, str(share))
    return outputs["id"], outputs


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
    if type_ == CLASSIC_PROTECTED_SHARE:
        return _classic_protected_share(name, inputs)
    return f"{name}-{_suffix(urn)}", copy.deepcopy(inputs)


def _user_kubeconfig(cluster: str, credential_format: str | None) -> str:
    return fake_kubeconfig(cluster)


@dataclass
class ProviderFakes:
    """The providers of one run: their answers, and what Azure keeps of each resource
    created, by the id a later read (a refresh) would find it at; a read of an id not in
    ``stored`` is a 404.

    Tests hand in their own credentials (storage keys, a kubeconfig per credential format)
    as data; the shapes stay the engine's."""

    storage_keys: tuple[str, str] = FAKE_STORAGE_KEYS
    user_kubeconfig: Callable[[str, str | None], str] = _user_kubeconfig
    stored: dict[str, dict[str, Any]] = field(default_factory=dict)

    def new_resource(
        self, type_: str, name: str, urn: str, inputs: dict[str, Any]
    ) -> tuple[str, dict[str, Any]]:
        resource_id, outputs = new_resource(type_, name, urn, inputs)
        if resource_id:
            self.stored[azure_stored_id(type_, resource_id, inputs)] = outputs
        return resource_id, outputs

    def call(self, token: str, args: dict[str, Any]) -> dict[str, Any]:
        """The result a provider function would return. Nothing in it is marked secret, so
        only the program's own `Output.secret` keeps credentials out of plans and logs."""
        if token == "azure-native:containerservice:listManagedClusterUserCredentials":
            cluster = str(_plain(args.get("resourceName")) or "cluster")
            text = self.user_kubeconfig(cluster, _plain(args.get("format")))
            kubeconfig = base64.b64encode(text.encode()).decode()
            return {"kubeconfigs": [{"name": "clusterUser", "value": kubeconfig}]}
        if token == "azure-native:storage:listStorageAccountKeys":
            return {
                "keys": [
                    {"keyName": f"key{n}", "permissions": "FULL", "value": key}
                    for n, key in enumerate(self.storage_keys, start=1)
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
