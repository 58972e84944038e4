"""The stack program with each environment's real configuration, under mocks."""

from __future__ import annotations

from typing import Any

import pytest
import yaml
from pulumi.runtime import rpc
from stack_harness import STACKS, harness, run_stack, unchanged_run

ACCOUNT = "azure-native:storage:StorageAccount"
FILE_SERVICE = "azure-native:storage:FileServiceProperties"
SHARE = "azure-native:storage:FileShare"
LOCK = "azure-native:authorization:ManagementLockByScope"
CLUSTER = "azure-native:containerservice:ManagedCluster"
PV = "kubernetes:core/v1:PersistentVolume"
PVC = "kubernetes:core/v1:PersistentVolumeClaim"
NAMESPACE = "kubernetes:core/v1:Namespace"
SECRET = "kubernetes:core/v1:Secret"
VAULT = "azure-native:recoveryservices:Vault"
BACKUP_POLICY = "azure-native:recoveryservices:ProtectionPolicy"
BACKUP_CONTAINER = "azure-native:recoveryservices:ProtectionContainer"
PROTECTED_ITEM = "azure:backup/protectedFileShare:ProtectedFileShare"
BACKUP_TYPES = (VAULT, BACKUP_POLICY, BACKUP_CONTAINER, PROTECTED_ITEM)
# The resource group is bootstrap's (tests/bootstrap): no stack declares it.
DATA_TYPES = (ACCOUNT, FILE_SERVICE, SHARE, NAMESPACE, PV, PVC, *BACKUP_TYPES)


def account_lock(result: Any) -> Any:
    account = result.one(ACCOUNT).inputs["accountName"]
    (lock,) = [r for r in result.by_type(LOCK) if r.inputs["scope"].endswith(f"/{account}")]
    return lock


def exports(result: Any) -> dict[str, Any]:
    return {name: result.resolve(value) for name, value in result.exports.items()}


def share_quotas(result: Any) -> dict[str, int]:
    return {r.inputs["shareName"]: r.inputs["shareQuota"] for r in result.by_type(SHARE)}


@pytest.mark.parametrize("stack", STACKS)
def test_outputs(deployed: dict[str, Any], stack: str) -> None:
    result = deployed[stack]
    values = exports(result)
    # Stacks that declare teams show each team's share of the GPU pool (test_stack_teams.py).
    teams = {"teams"} if stack in ("staging", "prod") else set()
    assert set(values) == {
        "kubeconfig",
        "resourceGroupName",
        "clusterName",
        "storageAccountName",
        "volumes",
        *teams,
    }
    assert result.is_secret(result.exports["kubeconfig"])
    assert not result.is_secret(result.exports["volumes"])
    assert values["resourceGroupName"] == f"rg-aks-rwx-training-{stack}"
    assert values["clusterName"] == f"aks-rwx-training-{stack}"
    kubeconfig = yaml.safe_load(values["kubeconfig"])
    assert kubeconfig["users"][0]["user"]["exec"]["args"][:3] == [
        "get-token",
        "--login",
        "azurecli",
    ]
    quotas = share_quotas(result)
    for name, volume in values["volumes"].items():
        performance = (
            {"iops", "burstIops", "throughputMiBps"}
            if volume["performance"].startswith("provisioned:")
            else {"maxIops", "maxThroughputMiBps"}
        )
        assert set(volume) == {
            "namespace",
            "pvcName",
            "pvName",
            "billingModel",
            "quotaGiB",
            "performance",
            *performance,
        }
        assert volume["pvcName"] == name
        assert volume["pvName"] == f"{volume['namespace']}-{name}"
        assert volume["quotaGiB"] == quotas[name]


@pytest.mark.parametrize("stack", STACKS)
def test_every_taggable_azure_resource_is_tagged(deployed: dict[str, Any], stack: str) -> None:
    result = deployed[stack]
    tagged = [r for r in result.registrations if r.type in (ACCOUNT, CLUSTER)]
    assert len(tagged) == 2
    for registration in tagged:
        tags = registration.inputs["tags"]
        assert tags["environment"] == stack, registration.name
        assert tags["owner"] and tags["cost-center"], registration.name
    agent_pools = [p.inputs for p in result.by_type("azure-native:containerservice:AgentPool")]
    for pool in [*result.one(CLUSTER).inputs["agentPoolProfiles"], *agent_pools]:
        assert pool["tags"]["environment"] == stack


@pytest.mark.parametrize("stack", STACKS)
def test_secure_baseline_in_every_stack(deployed: dict[str, Any], stack: str) -> None:
    result = deployed[stack]
    account = result.one(ACCOUNT).inputs
    assert account["enableHttpsTrafficOnly"] is True
    assert account["minimumTlsVersion"] == "TLS1_2"
    assert account["allowBlobPublicAccess"] is False
    assert account["networkRuleSet"]["defaultAction"] == "Deny"
    node_subnet = result.one(CLUSTER).inputs["agentPoolProfiles"][0]["vnetSubnetID"]
    subnets = [
        r["virtualNetworkResourceId"] for r in account["networkRuleSet"]["virtualNetworkRules"]
    ]
    assert subnets[0] == node_subnet
    cluster = result.one(CLUSTER).inputs
    assert cluster["identity"]["type"] == "SystemAssigned"
    assert cluster["enableRBAC"] is True
    assert cluster["aadProfile"]["managed"] is True
    assert cluster["disableLocalAccounts"] is True
    assert cluster["storageProfile"]["fileCSIDriver"] == {"enabled": True}
    assert cluster["kubernetesVersion"] == "1.36"
    for pv in result.by_type(PV):
        spec = pv.inputs["spec"]
        assert spec["storageClassName"] == ""
        assert spec["accessModes"] == ["ReadWriteMany"]
        assert spec["persistentVolumeReclaimPolicy"] == "Retain"
        assert spec["csi"]["driver"] == "file.csi.azure.com"
    for pvc in result.by_type(PVC):
        assert pvc.inputs["spec"]["storageClassName"] == ""
    # No Secret at all: the CSI driver lists the account key on the node (issue 21).
    assert not result.by_type(SECRET)


@pytest.mark.parametrize("stack", STACKS)
def test_stateful_resources_never_delete_before_replace(
    deployed: dict[str, Any], stack: str
) -> None:
    stateful = (ACCOUNT, FILE_SERVICE, SHARE, CLUSTER, NAMESPACE, PV, PVC)
    for registration in deployed[stack].registrations:
        if registration.type in stateful:
            assert not registration.delete_before_replace, registration.name


@pytest.mark.parametrize("stack", STACKS)
def test_no_secret_reaches_the_engine_in_plaintext(deployed: dict[str, Any], stack: str) -> None:
    result = deployed[stack]
    for registration in result.registrations:
        for key, value in registration.inputs.items():
            if rpc.is_rpc_secret(value):
                continue
            text = repr(value)
            assert harness.FAKE_STORAGE_KEY not in text, (registration.name, key)
            assert "kubelogin" not in text, (registration.name, key)


@pytest.mark.parametrize("stack", STACKS)
def test_children_are_named_after_their_component(deployed: dict[str, Any], stack: str) -> None:
    result = deployed[stack]
    by_urn = {r.urn: r for r in result.registrations}
    for registration in result.registrations:
        parent = by_urn.get(registration.parent)
        if parent is not None:
            assert registration.name.startswith(f"{parent.name}-"), registration.name


@pytest.mark.parametrize("stack", STACKS)
def test_kubernetes_objects_use_the_cluster_provider(deployed: dict[str, Any], stack: str) -> None:
    result = deployed[stack]
    provider = result.one("pulumi:providers:kubernetes")
    for registration in result.registrations:
        if registration.type.startswith("kubernetes:"):
            assert registration.provider.startswith(provider.urn + "::"), registration.name


def test_dev_is_small_cheap_and_unprotected(deployed: dict[str, Any]) -> None:
    result = deployed["dev"]
    account = result.one(ACCOUNT).inputs
    assert account["sku"] == {"name": "Standard_LRS"}
    assert account["kind"] == "StorageV2"
    assert account["largeFileSharesState"] == "Enabled"
    assert result.one(FILE_SERVICE).inputs["shareDeleteRetentionPolicy"]["days"] == 7
    assert not result.by_type(LOCK)
    assert not any(r.protect or r.retain_on_delete for r in result.registrations)
    assert not [r.name for r in result.registrations if r.type in BACKUP_TYPES]
    cluster = result.one(CLUSTER).inputs
    assert cluster["sku"]["tier"] == "Free"
    pools = cluster["agentPoolProfiles"]
    assert len(pools) == 1
    assert not result.by_type("azure-native:containerservice:AgentPool")  # no GPU pool
    assert pools[0]["vmSize"] == "Standard_D4ds_v5"
    assert pools[0]["count"] == 1
    assert cluster["apiServerAccessProfile"] == {
        "enablePrivateCluster": False,
        "authorizedIPRanges": ["203.0.113.0/24"],
    }
    volumes = exports(result)["volumes"]
    for volume in volumes.values():
        assert volume["billingModel"] == "pay-as-you-go-hdd"
        assert volume["performance"].startswith("ceiling: nothing is provisioned")
        assert (volume["maxIops"], volume["maxThroughputMiBps"]) == (20_000, 300)


def test_staging_rehearses_prod_protected_and_locked(deployed: dict[str, Any]) -> None:
    result = deployed["staging"]
    # prod's kinds (tests/stacks/test_stack_kinds.py compares every one), smaller.
    assert result.one(ACCOUNT).inputs["sku"] == {"name": "PremiumV2_ZRS"}
    gpu = result.one("azure-native:containerservice:AgentPool").inputs
    assert (gpu["vmSize"], gpu["minCount"], gpu["maxCount"]) == ("Standard_NC24ads_A100_v4", 0, 2)
    assert result.one(FILE_SERVICE).inputs["shareDeleteRetentionPolicy"]["days"] == 14
    assert account_lock(result).inputs["level"] == "CanNotDelete"
    for type_ in DATA_TYPES:
        for registration in result.by_type(type_):
            assert registration.protect and registration.retain_on_delete, registration.name
    assert result.one(CLUSTER).inputs["agentPoolProfiles"][0]["availabilityZones"] == [
        "1",
        "2",
        "3",
    ]


def test_prod_is_provisioned_v2_private_protected_with_gpus(deployed: dict[str, Any]) -> None:
    result = deployed["prod"]
    account = result.one(ACCOUNT).inputs
    assert account["sku"] == {"name": "PremiumV2_ZRS"}
    assert account["kind"] == "FileStorage"
    assert result.one(FILE_SERVICE).inputs["shareDeleteRetentionPolicy"] == {
        "enabled": True,
        "days": 30,
    }
    lock = account_lock(result)
    assert lock.inputs["level"] == "CanNotDelete"
    assert lock.inputs["scope"].endswith("/staksrwxtrainprodv2")
    for type_ in DATA_TYPES:
        for registration in result.by_type(type_):
            assert registration.protect and registration.retain_on_delete, registration.name

    cluster = result.one(CLUSTER)
    assert cluster.inputs["apiServerAccessProfile"]["enablePrivateCluster"] is True
    assert cluster.inputs["sku"]["tier"] == "Standard"
    (system,) = cluster.inputs["agentPoolProfiles"]
    gpu = result.one("azure-native:containerservice:AgentPool").inputs
    assert system["availabilityZones"] == ["1", "2", "3"]
    assert gpu["vmSize"] == "Standard_NC24ads_A100_v4"
    assert (gpu["minCount"], gpu["maxCount"]) == (0, 8)
    assert gpu["nodeTaints"] == ["nvidia.com/gpu=present:NoSchedule"]
    assert gpu["nodeLabels"] == {"workload": "training", "accelerator": "nvidia"}
    assert gpu["availabilityZones"] == ["1", "2", "3"]
    assert result.one("azure-native:containerservice:AgentPool").ignore_changes == ["count"]

    volumes = exports(result)["volumes"]
    datasets, checkpoints = volumes["datasets"], volumes["checkpoints"]
    # 16 trainers x 50 MiB/s from a share sized to the data, not the 6984 GiB of v1.
    assert datasets["billingModel"] == checkpoints["billingModel"] == "provisioned-v2-ssd"
    assert datasets["throughputMiBps"] == 16 * 50
    assert datasets["quotaGiB"] == 2048
    assert datasets["iops"] == 3000 + 2048  # Azure's recommendation for the size
    assert checkpoints["quotaGiB"] == 4096
    assert (checkpoints["iops"], checkpoints["throughputMiBps"]) == (7096, 510)
    assert share_quotas(result) == {"datasets": 2048, "checkpoints": 4096, "eval-results": 256}
    shares = {s.inputs["shareName"]: s.inputs for s in result.by_type(SHARE)}
    assert shares["datasets"]["provisionedBandwidthMibps"] == 800
    assert shares["datasets"]["provisionedIops"] == 5048
    # The evaluation team's read-only copy of the datasets has the share's size too.
    assert sorted(pv.inputs["spec"]["capacity"]["storage"] for pv in result.by_type(PV)) == [
        "2048Gi",
        "2048Gi",
        "256Gi",
        "4096Gi",
    ]
    pv = next(
        pv for pv in result.by_type(PV) if pv.inputs["metadata"]["name"] == "training-datasets"
    )
    assert pv.inputs["metadata"]["annotations"]["aks-rwx-training/throughput-target-mibps"] == "800"


def test_one_namespace_for_volumes_that_share_it(deployed: dict[str, Any]) -> None:
    result = deployed["prod"]
    namespaces = {n.inputs["metadata"]["name"]: n.urn for n in result.by_type(NAMESPACE)}
    # prod's team namespaces, created by the teams (stacks/Pulumi.prod.yaml).
    assert sorted(namespaces) == ["evaluation", "training"]
    for pvc in result.by_type(PVC):
        assert namespaces[pvc.inputs["metadata"]["namespace"]] in pvc.dependencies


def test_nfs_variant_of_prod() -> None:
    # Azure Backup has no NFS support: an NFS stack turns backup off.
    result = run_stack("prod", {"fileProtocol": "nfs", "backup": {"enabled": False}})
    result.raise_error()
    account = result.one(ACCOUNT).inputs
    assert account["enableHttpsTrafficOnly"] is False
    assert {s.inputs["enabledProtocols"] for s in result.by_type(SHARE)} == {"NFS"}
    assert not result.by_type(SECRET)
    # NFS needs no key, so the kubelet gets no right to list one.
    assert not [r for r in result.registrations if r.name == "kubelet-key-access-key-reader"]
    for pv in result.by_type(PV):
        assert pv.inputs["spec"]["csi"]["volumeAttributes"]["protocol"] == "nfs"
        assert "nodeStageSecretRef" not in pv.inputs["spec"]["csi"]


def test_preview_mode_runs() -> None:
    result = run_stack("prod", preview=True)
    result.raise_error()
    assert result.by_type(CLUSTER)


def test_other_namespaces_in_config_are_ignored() -> None:
    result = run_stack("dev", {"azure-native:location": "westeurope"})
    result.raise_error()


@pytest.mark.parametrize("stack", ["staging", "prod"])
def test_staging_and_prod_back_up_every_volume_share(deployed: dict[str, Any], stack: str) -> None:
    result = deployed[stack]
    vault = result.one(VAULT)
    assert vault.inputs["vaultName"] == f"rsv-{result.one(ACCOUNT).inputs['accountName']}"
    security = vault.inputs["properties"]["securitySettings"]
    assert security["softDeleteSettings"]["softDeleteState"] == "Enabled"
    assert security["immutabilitySettings"] == {"state": "Unlocked"}
    redundancy = vault.inputs["properties"]["redundancySettings"]
    assert redundancy["standardTierStorageRedundancy"] == "GeoRedundant"
    vault_name = vault.inputs["vaultName"]
    vault_locks = [r for r in result.by_type(LOCK) if r.inputs["scope"].endswith(f"/{vault_name}")]
    assert [lock.inputs["level"] for lock in vault_locks] == ["CanNotDelete"]
    policy = result.one(BACKUP_POLICY).inputs["properties"]
    assert policy["schedulePolicy"]["scheduleRunTimes"] == ["2020-01-01T02:00:00Z"]
    retention = policy["retentionPolicy"]
    assert retention["dailySchedule"]["retentionDuration"] == {"count": 30, "durationType": "Days"}
    assert retention["weeklySchedule"]["retentionDuration"] == {
        "count": 12,
        "durationType": "Weeks",
    }
    assert retention["monthlySchedule"]["retentionDuration"] == {
        "count": 12,
        "durationType": "Months",
    }
    account_name = result.one(ACCOUNT).inputs["accountName"]
    container = result.one(BACKUP_CONTAINER).inputs
    assert container["containerName"] == (
        f"StorageContainer;Storage;rg-aks-rwx-training-{stack};{account_name}"
    )
    assert container["properties"]["sourceResourceId"].endswith(f"/{account_name}")
    assert container["properties"]["acquireStorageAccountLock"] == "Acquire"
    items = {r.inputs["sourceFileShareName"] for r in result.by_type(PROTECTED_ITEM)}
    assert items == set(exports(result)["volumes"])
    for item in result.by_type(PROTECTED_ITEM):
        assert item.inputs["sourceStorageAccountId"].endswith(f"/{account_name}")


def test_a_test_that_changes_its_shared_run_leaves_the_next_ones_unchanged() -> None:
    """unchanged_run runs each stack once per process and hands out copies: what one test
    changes in its result (registrations, calls, Azure's store, exports, resolved values)
    must not reach the next test."""
    result = unchanged_run("prod")
    account = result.one(ACCOUNT)
    account.inputs["minimumTlsVersion"] = "TLS1_0"
    volumes = result.resolve(result.exports["volumes"])
    volumes.clear()
    result.exports.clear()
    result.calls.clear()
    result.stored.clear()
    result.registrations.clear()

    again = unchanged_run("prod")
    assert again.one(ACCOUNT).inputs["minimumTlsVersion"] == "TLS1_2"
    assert again.calls and again.stored
    assert again.resolve(again.exports["volumes"])
