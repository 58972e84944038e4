"""Run components under the engine's mock runtime (infra.engine.runtime.run_program) with
the test credentials, and read what they registered as the engine saw it.

The monitor, the recording and the provider answers are the engine's, shared with `infra
preview`; this module holds test data only (kubeconfigs, storage keys, ids) and the view
the tests assert on. Each run happens in a fresh runtime context, so tests are independent
of each other (and of pytest-xdist workers).
"""

from __future__ import annotations

import copy
import textwrap
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from pulumi.runtime import rpc
from pulumi_policy.deserialize import SPECIAL_SECRET_SIG, SPECIAL_SIG_KEY

from infra.engine.fakes import SUBSCRIPTION_ID, ProviderFakes, system_principal_id
from infra.engine.model import Resource
from infra.engine.runtime import ProgramRun, run_program
from infra.engine.values import unwrap
from infra.engine.wire import encode
from stacks.config import ClusterConfig, GpuPoolConfig, NetworkConfig

SUBSCRIPTION = SUBSCRIPTION_ID
TENANT = "11111111-2222-3333-4444-555555555555"
SERVER_ID = "6dae42f8-4368-4678-94ff-3960e28e3630"
AKS_CLI_CLIENT_ID = "80faf920-1908-4b52-b5ef-a8e7bedfc67a"
FAKE_STORAGE_KEY = "ZmFrZS1zdG9yYWdlLWtleS1mb3ItdGVzdHMtb25seQ=="
FAKE_STORAGE_KEY_2 = "c2Vjb25kLWZha2Utc3RvcmFnZS1rZXktZm9yLXRlc3Rz"
# The principal Azure gives the system-assigned identity of the cluster the component tests
# deploy (aks-test in rg-test).
PRINCIPAL_ID = system_principal_id(
    f"/subscriptions/{SUBSCRIPTION}/resourceGroups/rg-test/providers/"
    "Microsoft.ContainerService/managedClusters/aks-test"
)
SUBNET_ID = (
    f"/subscriptions/{SUBSCRIPTION}/resourceGroups/rg-net/providers/Microsoft.Network/"
    "virtualNetworks/vnet-training/subnets/snet-aks"
)


def cluster_network(**overrides: Any) -> NetworkConfig:
    """The stack config's network settings: its defaults (declared once, in stacks/config.py)
    with ``overrides`` by field name, as TrainingCluster takes them."""
    return NetworkConfig.model_validate({}).model_copy(update=overrides)


ADMIN_GROUP = "00000000-0000-0000-0000-00000000a001"


def cluster_settings(**overrides: Any) -> ClusterConfig:
    """The stack config's cluster settings: its defaults (declared once, in stacks/config.py)
    for a cluster named aks-test with one admin group, with ``overrides`` by field name, as
    TrainingCluster takes them."""
    settings = ClusterConfig.model_validate(
        {"clusterName": "aks-test", "adminGroupObjectIds": [ADMIN_GROUP]}
    )
    return settings.model_copy(update=overrides)


def gpu_pool(**overrides: Any) -> GpuPoolConfig:
    """An enabled ``gpuPool`` at the stack config's defaults, with ``overrides`` by field name."""
    return GpuPoolConfig.model_validate({"enabled": True}).model_copy(update=overrides)


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


def _user_kubeconfig(cluster: str, credential_format: str | None) -> str:
    # AKS answers an Entra ID cluster's exec-format request with a kubelogin user, any other
    # with the local account's certificate.
    return ENTRA_KUBECONFIG if credential_format == "exec" else CERT_KUBECONFIG


def _plain(value: Any) -> Any:
    return rpc.unwrap_rpc_secret(value) if rpc.is_rpc_secret(value) else value


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
    # The inputs as sent on the wire (the engine's record, re-encoded): a secret stays
    # wrapped in Pulumi's signature, an unknown is the unknown sentinel.
    inputs: dict[str, Any]

    def input_is_secret(self, key: str) -> bool:
        """Whether top-level input ``key`` was sent with Pulumi's secret signature."""
        if key not in self.inputs:
            return False
        value = self.inputs[key]
        try:
            return value[SPECIAL_SIG_KEY] == SPECIAL_SECRET_SIG
        except (KeyError, TypeError, ValueError):
            return False

    def plain(self, key: str) -> Any:
        """Input ``key`` with any secret wrapper removed."""
        return _plain(self.inputs.get(key))


def _registration(resource: Resource) -> Registration:
    return Registration(
        type=resource.type,
        name=resource.name,
        urn=resource.urn,
        parent=resource.parent or "",
        custom=resource.custom,
        protect=resource.protect,
        retain_on_delete=resource.retain_on_delete,
        delete_before_replace=resource.delete_before_replace,
        provider=resource.provider or "",
        dependencies=resource.dependencies,
        ignore_changes=resource.ignore_changes,
        inputs=encode(resource.inputs),
    )


class RunResult:
    """The engine's record of one run (infra.engine.runtime.ProgramRun), as the tests read it."""

    def __init__(self, run: ProgramRun) -> None:
        self.run = run
        self.registrations = [_registration(r) for r in run.resources.values()]
        self.value = run.value
        self.error = run.error
        self.calls = [(i.token, unwrap(i.args)) for i in run.invokes]
        self.exports = run.exports
        # What a read of each id would find.
        self.stored = run.fakes.stored

    def resolve(self, value: Any) -> Any:
        """The resolved value of an Output (or any input) produced by the run: a copy, so a
        test that changes it leaves the run (shared by stack_harness.unchanged_run) as it was."""
        return copy.deepcopy(self.run.resolve(value))

    def is_secret(self, value: Any) -> bool:
        return self.run.is_secret(value)

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
    """Run ``program`` under the engine's mock runtime with the test credentials; never
    raises (see ``error``)."""
    fakes = ProviderFakes(
        storage_keys=(FAKE_STORAGE_KEY, FAKE_STORAGE_KEY_2), user_kubeconfig=_user_kubeconfig
    )
    return RunResult(
        run_program(
            program, project=project, stack=stack, config=config, preview=preview, fakes=fakes
        )
    )
