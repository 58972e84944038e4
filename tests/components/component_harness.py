"""Run Pulumi code under the mock runtime and record every resource registration.

Each run happens in a fresh ``contextvars`` context with reset runtime settings, so tests are
independent of each other (and of pytest-xdist workers).
"""

from __future__ import annotations

import base64
import contextvars
import copy
import textwrap
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import pulumi
from pulumi.runtime import mocks as pulumi_mocks
from pulumi.runtime import rpc, settings
from pulumi.runtime.config import set_all_config
from pulumi.runtime.stack import run_pulumi_func
from pulumi.runtime.sync_await import _sync_await
from pulumi_policy.deserialize import SPECIAL_SECRET_SIG, SPECIAL_SIG_KEY

from infra.engine.fakes import (
    CLASSIC_PROTECTED_SHARE,
    ITEM_PREFIX,
    protected_share_id,
    protected_share_system_name,
)
from stacks.config import NetworkConfig

SUBSCRIPTION = "00000000-0000-0000-0000-000000000000"
TENANT = "11111111-2222-3333-4444-555555555555"
SERVER_ID = "6dae42f8-4368-4678-94ff-3960e28e3630"
AKS_CLI_CLIENT_ID = "80faf920-1908-4b52-b5ef-a8e7bedfc67a"
FAKE_STORAGE_KEY = "ZmFrZS1zdG9yYWdlLWtleS1mb3ItdGVzdHMtb25seQ=="
FAKE_STORAGE_KEY_2 = "c2Vjb25kLWZha2Utc3RvcmFnZS1rZXktZm9yLXRlc3Rz"
PRINCIPAL_ID = "99999999-8888-7777-6666-555555555555"
SUBNET_ID = (
    f"/subscriptions/{SUBSCRIPTION}/resourceGroups/rg-net/providers/Microsoft.Network/"
    "virtualNetworks/vnet-training/subnets/snet-aks"
)


def cluster_network(**overrides: Any) -> NetworkConfig:
    """The stack config's network settings: its defaults (declared once, in stacks/config.py)
    with ``overrides`` by field name, as TrainingCluster takes them."""
    return NetworkConfig.model_validate({}).model_copy(update=overrides)


ENTRA_KUBECONFIG = textwrap.dedent(
    f"""\
    apiVersion: v1
    clusters:
    - cluster:
        certificate-authority-data: LS0tLS1CRUdJTiBDRVJUSUZJQ0FURS0tLS0tCg==
        server: https://aks-test-abc123.hcp.westeurope.azmk8s.io:443
      name: aks-test
    contexts:
    - context:
        cluster: aks-test
        user: clusterUser_rg-test_aks-test
      name: aks-test
    current-context: aks-test
    kind: Config
    preferences: {{}}
    users:
    - name: clusterUser_rg-test_aks-test
      user:
        exec:
          apiVersion: client.authentication.k8s.io/v1beta1
          args:
          - get-token
          - --environment
          - AzurePublicCloud
          - --server-id
          - {SERVER_ID}
          - --client-id
          - {AKS_CLI_CLIENT_ID}
          - --tenant-id
          - {TENANT}
          - --login
          - devicecode
          command: kubelogin
          env: null
          installHint: install kubelogin
          provideClusterInfo: false
    """
)

CERT_KUBECONFIG = textwrap.dedent(
    """\
    apiVersion: v1
    clusters:
    - cluster:
        certificate-authority-data: LS0tLS1CRUdJTiBDRVJUSUZJQ0FURS0tLS0tCg==
        server: https://aks-test-abc123.hcp.westeurope.azmk8s.io:443
      name: aks-test
    contexts:
    - context:
        cluster: aks-test
        user: clusterUser_rg-test_aks-test
      name: aks-test
    current-context: aks-test
    kind: Config
    users:
    - name: clusterUser_rg-test_aks-test
      user:
        client-certificate-data: Y2VydA==
        client-key-data: a2V5
        token: local-account-token
    """
)

_AZURE_NAME_INPUTS = {
    "azure-native:resources:ResourceGroup": "resourceGroupName",
    "azure-native:storage:StorageAccount": "accountName",
    "azure-native:storage:FileServiceProperties": "fileServicesName",
    "azure-native:storage:FileShare": "shareName",
    "azure-native:containerservice:ManagedCluster": "resourceName",
    "azure-native:containerservice:AgentPool": "agentPoolName",
    "azure-native:authorization:ManagementLockByScope": "lockName",
    "azure-native:authorization:RoleAssignment": "roleAssignmentName",
    "azure-native:recoveryservices:Vault": "vaultName",
    "azure-native:recoveryservices:ProtectionPolicy": "policyName",
    "azure-native:recoveryservices:ProtectionContainer": "containerName",
    "azure-native:recoveryservices:ProtectedItem": "protectedItemName",
}


def _plain(value: Any) -> Any:
    return rpc.unwrap_rpc_secret(value) if rpc.is_rpc_secret(value) else value


class FakeAzure(pulumi_mocks.Mocks):
    """Deterministic provider answers for azure-native and kubernetes resources/invokes."""

    def __init__(self) -> None:
        self.calls: list[tuple[str, dict[str, Any]]] = []
        # What Azure keeps, by the id it answers a GET at: a later read (refresh) of a
        # resource id not in here is a 404.
        self.stored: dict[str, dict[str, Any]] = {}

    def new_resource(self, args: pulumi_mocks.MockResourceArgs) -> tuple[str, dict[str, Any]]:
        resource_id, state = self._created(args)
        self.stored[self._stored_id(args, resource_id)] = state
        return resource_id, state

    @staticmethod
    def _stored_id(args: pulumi_mocks.MockResourceArgs, resource_id: str) -> str:
        """Azure Backup keeps a protected file share under its internal name, whatever the
        PUT named it (components/backup.py)."""
        properties = args.inputs.get("properties") or {}
        if (
            args.typ == "azure-native:recoveryservices:ProtectedItem"
            and properties.get("protectedItemType") == "AzureFileShareProtectedItem"
        ):
            share = str(_plain(args.inputs["protectedItemName"])).removeprefix(ITEM_PREFIX)
            system_name = protected_share_system_name(properties["sourceResourceId"], share)
            return f"{resource_id.rsplit('/', 1)[0]}/{system_name}"
        return resource_id

    def _created(self, args: pulumi_mocks.MockResourceArgs) -> tuple[str, dict[str, Any]]:
        state = dict(args.inputs)
        if args.typ == CLASSIC_PROTECTED_SHARE:
            # azurerm looks the share's item up among the vault's protectable items and keeps
            # the id Azure Backup names it by.
            rg = _plain(state["resourceGroupName"])
            vault_id = (
                f"/subscriptions/{SUBSCRIPTION}/resourceGroups/{rg}/providers/"
                f"Microsoft.RecoveryServices/vaults/{_plain(state['recoveryVaultName'])}"
            )
            state["id"] = protected_share_id(
                vault_id,
                _plain(state["sourceStorageAccountId"]),
                _plain(state["sourceFileShareName"]),
            )
            return state["id"], state
        if args.typ.startswith("azure-native:"):
            name_key = _AZURE_NAME_INPUTS.get(args.typ)
            name = _plain(state.get(name_key)) if name_key else None
            name = name or args.name
            state.setdefault("name", name)
            rg = _plain(state.get("resourceGroupName")) or "rg"
            resource_id = (
                f"/subscriptions/{SUBSCRIPTION}/resourceGroups/{rg}/providers/"
                f"{args.typ.split(':')[1]}/{args.typ.split(':')[2]}/{name}"
            )
            if args.typ == "azure-native:containerservice:ManagedCluster":
                identity = dict(state.get("identity") or {})
                identity.update({"principalId": PRINCIPAL_ID, "tenantId": TENANT})
                # Inputs list the user-assigned identity ids; Azure answers with a map.
                identity["userAssignedIdentities"] = {
                    identity_id: {"principalId": PRINCIPAL_ID, "clientId": PRINCIPAL_ID}
                    for identity_id in identity.get("userAssignedIdentities") or []
                }
                state["identity"] = identity
                state["oidcIssuerProfile"] = {
                    "enabled": True,
                    "issuerUrl": "https://westeurope.oic.prod-aks.azure.com/tenant/cluster/",
                }
            if args.typ == "azure-native:resources:ResourceGroup":
                resource_id = f"/subscriptions/{SUBSCRIPTION}/resourceGroups/{name}"
            state.setdefault("id", resource_id)
            return resource_id, state
        if args.typ.startswith("pulumi:providers:"):
            return f"{args.name}-id", state
        metadata = state.get("metadata") or {}
        namespace = metadata.get("namespace")
        object_name = metadata.get("name") or args.name
        return (f"{namespace}/{object_name}" if namespace else object_name), state

    def call(self, args: pulumi_mocks.MockCallArgs) -> tuple[dict[str, Any], list[tuple[str, str]]]:
        self.calls.append((args.token, dict(args.args)))
        if args.token == "azure-native:containerservice:listManagedClusterUserCredentials":
            text = ENTRA_KUBECONFIG if args.args.get("format") == "exec" else CERT_KUBECONFIG
            value = base64.b64encode(text.encode()).decode()
            return {"kubeconfigs": [{"name": "clusterUser", "value": value}]}, []
        if args.token == "azure-native:storage:listStorageAccountKeys":
            return {
                "keys": [
                    {
                        "keyName": "key1",
                        "value": FAKE_STORAGE_KEY,
                        "permissions": "FULL",
                        "creationTime": "2025-01-01T00:00:00Z",
                    },
                    {
                        "keyName": "key2",
                        "value": FAKE_STORAGE_KEY_2,
                        "permissions": "FULL",
                        "creationTime": "2025-01-01T00:00:00Z",
                    },
                ]
            }, []
        return {}, []


@dataclass
class Registration:
    """One RegisterResource request as the engine would see it."""

    type: str
    name: str
    urn: str
    parent: str
    custom: bool
    protect: bool
    retain_on_delete: bool
    delete_before_replace: bool
    provider: str
    dependencies: list[str]
    ignore_changes: list[str]
    inputs: dict[str, Any]  # deserialized; secrets stay wrapped (see is_secret)
    raw: Any  # the protobuf Struct

    def raw_is_secret(self, key: str) -> bool:
        """Whether top-level input ``key`` was sent with Pulumi's secret signature."""
        if key not in self.raw:
            return False
        value = self.raw[key]
        try:
            return value[SPECIAL_SIG_KEY] == SPECIAL_SECRET_SIG
        except (KeyError, TypeError, ValueError):
            return False

    def plain(self, key: str) -> Any:
        """Input ``key`` with any secret wrapper removed."""
        return _plain(self.inputs.get(key))


class RecordingMonitor(pulumi_mocks.MockMonitor):
    def __init__(self, mocks: pulumi_mocks.Mocks) -> None:
        super().__init__(mocks)
        self.registrations: list[Registration] = []

    def RegisterResource(self, request: Any) -> Any:
        if request.type != "pulumi:pulumi:Stack":
            self.registrations.append(
                Registration(
                    type=request.type,
                    name=request.name,
                    urn=self.make_urn(request.parent, request.type, request.name),
                    parent=request.parent,
                    custom=request.custom,
                    protect=bool(request.protect),
                    retain_on_delete=bool(request.retainOnDelete),
                    delete_before_replace=bool(request.deleteBeforeReplace),
                    provider=request.provider,
                    dependencies=list(request.dependencies),
                    ignore_changes=list(request.ignoreChanges),
                    inputs=rpc.deserialize_properties(request.object, keep_unknowns=True),
                    raw=request.object,
                )
            )
        return super().RegisterResource(request)


@dataclass
class RunResult:
    registrations: list[Registration]
    value: Any
    error: BaseException | None
    calls: list[tuple[str, dict[str, Any]]]
    exports: dict[str, Any]
    context: contextvars.Context = field(repr=False)
    # FakeAzure.stored: what a read of each id would find.
    stored: dict[str, dict[str, Any]] = field(default_factory=dict)

    def resolve(self, value: Any) -> Any:
        """The resolved value of an Output (or any input) produced by the run: a copy, so a
        test that changes it leaves the run (shared by stack_harness.unchanged_run) as it was."""
        return copy.deepcopy(
            self.context.run(lambda: _sync_await(pulumi.Output.from_input(value).future()))
        )

    def is_secret(self, value: Any) -> bool:
        return bool(
            self.context.run(lambda: _sync_await(pulumi.Output.from_input(value).is_secret()))
        )

    def by_type(self, type_: str) -> list[Registration]:
        return [r for r in self.registrations if r.type == type_]

    def one(self, type_: str) -> Registration:
        found = self.by_type(type_)
        assert len(found) == 1, f"expected one {type_}, got {[r.name for r in found]}"
        return found[0]

    def named(self, name: str) -> Registration:
        found = [r for r in self.registrations if r.name == name]
        assert len(found) == 1, f"expected one resource named {name!r}, got {len(found)}"
        return found[0]

    def raise_error(self) -> None:
        if self.error is not None:
            raise self.error


def run_pulumi(
    program: Callable[[], Any],
    *,
    project: str = "aks-rwx-training",
    stack: str = "test",
    config: dict[str, str] | None = None,
    preview: bool = False,
) -> RunResult:
    """Run ``program`` as a Pulumi program under mocks; never raises (see ``error``)."""
    context = contextvars.copy_context()

    def run() -> RunResult:
        settings.reset_options(project=project, stack=stack, preview=preview)
        set_all_config(dict(config or {}), [])
        mocks = FakeAzure()
        monitor = RecordingMonitor(mocks)
        pulumi_mocks.set_mocks(
            mocks, project=project, stack=stack, preview=preview, monitor=monitor
        )
        holder: dict[str, Any] = {}
        error: BaseException | None = None

        def body() -> None:
            holder["value"] = program()

        try:
            _sync_await(run_pulumi_func(body))
        except Exception as exc:  # the test inspects it
            error = exc
        root = settings.get_root_resource()
        exports = dict(getattr(root, "outputs", {}) or {})
        return RunResult(
            registrations=monitor.registrations,
            value=holder.get("value"),
            error=error,
            calls=mocks.calls,
            exports=exports,
            context=context,
            stored=mocks.stored,
        )

    return context.run(run)
