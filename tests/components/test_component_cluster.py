"""TrainingCluster under the Pulumi mock runtime."""

from __future__ import annotations

import dataclasses
from typing import Any

import yaml
from component_harness import (
    ADMIN_GROUP,
    CERT_KUBECONFIG,
    PRINCIPAL_ID,
    SERVER_ID,
    SUBNET_ID,
    SUBSCRIPTION,
    RunResult,
    cluster_network,
    cluster_settings,
    gpu_pool,
    run_pulumi,
)
from pulumi.runtime import rpc

from components.cluster import TrainingCluster, TrainingClusterArgs
from stacks.config import ClusterConfig, NetworkConfig

COMPONENT = "aks-rwx-training:cluster:TrainingCluster"
CLUSTER = "azure-native:containerservice:ManagedCluster"
AGENT_POOL = "azure-native:containerservice:AgentPool"
PROVIDER = "pulumi:providers:kubernetes"
ROLE = "azure-native:authorization:RoleAssignment"
IDENTITY_ID = (
    f"/subscriptions/{SUBSCRIPTION}/resourceGroups/rg-id/providers/"
    "Microsoft.ManagedIdentity/userAssignedIdentities/id-aks"
)
TAGS = {"environment": "test", "owner": "ml-platform", "cost-center": "ml-training"}


def make_args(**overrides: Any) -> TrainingClusterArgs:
    """The args with ``overrides`` by field name; a field of the cluster settings goes to
    ``cluster``, one of the network settings to ``network``."""
    network = {k: overrides.pop(k) for k in list(overrides) if k in NetworkConfig.model_fields}
    cluster = {k: overrides.pop(k) for k in list(overrides) if k in ClusterConfig.model_fields}
    base = TrainingClusterArgs(
        resource_group_name="rg-test",
        location="westeurope",
        node_subnet_id=SUBNET_ID,
        cluster=cluster_settings(**cluster),
        network=cluster_network(**network),
        tags=TAGS,
    )
    return dataclasses.replace(base, **overrides)


def deploy(**overrides: Any) -> RunResult:
    args = make_args(**overrides)
    result = run_pulumi(lambda: TrainingCluster("training", args))
    result.raise_error()
    return result


def test_children_are_named_by_role_and_parented() -> None:
    result = deploy()
    component = result.one(COMPONENT)
    children = [r for r in result.registrations if r.type != COMPONENT]
    assert sorted(r.name for r in children) == [
        "training-cluster",
        "training-provider",
        "training-subnet-network-contributor",
    ]
    assert all(r.parent == component.urn for r in children)


def test_secure_cluster_defaults() -> None:
    cluster = deploy().one(CLUSTER).inputs
    assert cluster["resourceName"] == "aks-test"
    assert cluster["dnsPrefix"] == "aks-test"
    assert cluster["kubernetesVersion"] == "1.36"
    assert cluster["identity"] == {"type": "SystemAssigned"}
    assert cluster["enableRBAC"] is True
    assert cluster["aadProfile"] == {
        "managed": True,
        "enableAzureRBAC": True,
        "adminGroupObjectIDs": [ADMIN_GROUP],
    }
    assert cluster["disableLocalAccounts"] is True
    assert cluster["autoUpgradeProfile"] == {
        "upgradeChannel": "patch",
        "nodeOSUpgradeChannel": "NodeImage",
    }
    network = cluster["networkProfile"]
    assert network["networkPlugin"] == "azure"
    assert network["networkPluginMode"] == "overlay"
    assert network["networkPolicy"] == "cilium"
    assert network["networkDataplane"] == "cilium"
    assert (network["podCidr"], network["serviceCidr"], network["dnsServiceIP"]) == (
        "10.244.0.0/16",
        "10.0.0.0/16",
        "10.0.0.10",
    )
    assert cluster["storageProfile"]["fileCSIDriver"] == {"enabled": True}
    assert cluster["apiServerAccessProfile"]["enablePrivateCluster"] is True
    assert "authorizedIPRanges" not in cluster["apiServerAccessProfile"]
    assert cluster["securityProfile"]["workloadIdentity"] == {"enabled": True}
    assert cluster["oidcIssuerProfile"] == {"enabled": True}
    assert cluster["sku"] == {"name": "Base", "tier": "Standard"}
    assert cluster["tags"] == TAGS
    assert cluster["nodeResourceGroup"] == "rg-test-aks-test-nodes"


def test_system_pool_only_without_gpu() -> None:
    result = deploy()
    pools = result.one(CLUSTER).inputs["agentPoolProfiles"]
    assert len(pools) == 1
    system = pools[0]
    assert system["name"] == "system"
    assert system["mode"] == "System"
    assert system["vmSize"] == "Standard_D4ds_v5"
    assert system["count"] == 3
    assert system["availabilityZones"] == ["1", "2", "3"]
    assert system["vnetSubnetID"] == SUBNET_ID
    assert system["tags"] == TAGS
    assert result.one(CLUSTER).ignore_changes == []


def test_gpu_pool_is_its_own_agent_pool_tainted_labelled_and_scaling_from_zero() -> None:
    result = deploy(gpu_pool=gpu_pool(vm_size="Standard_NC24ads_A100_v4", max_count=8))
    cluster = result.one(CLUSTER)
    # AKS takes agentPoolProfiles at creation only: the cluster declares the system pool alone.
    assert [pool["name"] for pool in cluster.inputs["agentPoolProfiles"]] == ["system"]
    assert cluster.ignore_changes == []
    pool = result.one(AGENT_POOL)
    assert pool.name == "training-gpu"
    assert pool.parent == result.one(COMPONENT).urn
    gpu = pool.inputs
    assert gpu["agentPoolName"] == "gpu"
    assert gpu["resourceName"] == "aks-test"
    assert gpu["resourceGroupName"] == "rg-test"
    assert gpu["mode"] == "User"
    assert gpu["vmSize"] == "Standard_NC24ads_A100_v4"
    assert gpu["nodeTaints"] == ["nvidia.com/gpu=present:NoSchedule"]
    assert gpu["nodeLabels"] == {"workload": "training", "accelerator": "nvidia"}
    assert gpu["enableAutoScaling"] is True
    assert gpu["minCount"] == 0
    assert gpu["maxCount"] == 8
    assert gpu["availabilityZones"] == ["1", "2", "3"]
    assert gpu["vnetSubnetID"] == SUBNET_ID
    assert gpu["orchestratorVersion"] == cluster.inputs["kubernetesVersion"]
    assert gpu["enableNodePublicIP"] is False
    assert gpu["tags"] == TAGS
    # The autoscaler owns the GPU node count.
    assert pool.ignore_changes == ["count"]


def test_no_agent_pool_without_gpu() -> None:
    assert deploy().by_type(AGENT_POOL) == []
    disabled = deploy(gpu_pool=gpu_pool(enabled=False))
    assert disabled.by_type(AGENT_POOL) == []
    assert disabled.value.gpu_scheduling is None


def test_gpu_pool_zones_override_and_regional_cluster() -> None:
    result = deploy(availability_zones=[], gpu_pool=gpu_pool(zones=["2"]))
    (system,) = result.one(CLUSTER).inputs["agentPoolProfiles"]
    assert "availabilityZones" not in system
    assert result.one(AGENT_POOL).inputs["availabilityZones"] == ["2"]


def test_subnet_role_for_the_system_assigned_identity() -> None:
    result = deploy()
    role = result.one(ROLE)
    assert role.inputs["scope"] == SUBNET_ID
    assert role.inputs["roleDefinitionId"] == (
        f"/subscriptions/{SUBSCRIPTION}/providers/Microsoft.Authorization/roleDefinitions/"
        "4d97b98b-1d4f-4787-a291-c67834d212e7"
    )
    assert role.inputs["principalId"] == PRINCIPAL_ID
    assert role.inputs["principalType"] == "ServicePrincipal"
    assert role.delete_before_replace
    # Deterministic name: the same inputs give the same assignment on every run.
    assert deploy().one(ROLE).inputs["roleAssignmentName"] == role.inputs["roleAssignmentName"]


def test_user_assigned_identity() -> None:
    result = deploy(user_assigned_identity_id=IDENTITY_ID)
    assert result.one(CLUSTER).inputs["identity"] == {
        "type": "UserAssigned",
        "userAssignedIdentities": [IDENTITY_ID],
    }
    assert not result.by_type(ROLE)


def test_kubeconfig_is_secret_and_non_interactive() -> None:
    result = deploy(kubelogin_mode="spn")
    component: TrainingCluster = result.value
    assert result.is_secret(component.kubeconfig)
    kubeconfig = yaml.safe_load(result.resolve(component.kubeconfig))
    exec_config = kubeconfig["users"][0]["user"]["exec"]
    assert exec_config["args"][:5] == ["get-token", "--login", "spn", "--server-id", SERVER_ID]
    assert exec_config["interactiveMode"] == "Never"
    assert (
        "azure-native:containerservice:listManagedClusterUserCredentials",
        {"resourceGroupName": "rg-test", "resourceName": "aks-test", "format": "exec"},
    ) in result.calls


def test_provider_gets_the_kubeconfig_only_as_a_secret() -> None:
    result = deploy()
    provider = result.one(PROVIDER)
    assert provider.name == "training-provider"
    assert provider.input_is_secret("kubeconfig")
    assert rpc.is_rpc_secret(provider.inputs["kubeconfig"])
    assert "--login" in provider.plain("kubeconfig")
    for registration in result.registrations:
        for key, value in registration.inputs.items():
            if not rpc.is_rpc_secret(value):
                assert "kubelogin" not in repr(value), (registration.name, key)


def test_without_entra_id_the_local_kubeconfig_is_kept_secret() -> None:
    result = deploy(entra_id=False, disable_local_accounts=False)
    cluster = result.one(CLUSTER).inputs
    assert "aadProfile" not in cluster
    assert cluster["disableLocalAccounts"] is False
    component: TrainingCluster = result.value
    assert result.is_secret(component.kubeconfig)
    assert result.resolve(component.kubeconfig) == CERT_KUBECONFIG
    call = next(c for c in result.calls if c[0].endswith("listManagedClusterUserCredentials"))
    assert "format" not in call[1]


def test_public_api_server_with_authorized_ranges() -> None:
    result = deploy(private_cluster=False, authorized_ip_ranges=["203.0.113.0/24"])
    profile = result.one(CLUSTER).inputs["apiServerAccessProfile"]
    assert profile == {"enablePrivateCluster": False, "authorizedIPRanges": ["203.0.113.0/24"]}


def test_unrestricted_api_server_needs_the_explicit_opt_out() -> None:
    result = deploy(private_cluster=False, allow_unrestricted_api_server=True)
    assert result.one(CLUSTER).inputs["apiServerAccessProfile"] == {"enablePrivateCluster": False}


def test_custom_network_ranges_reach_the_network_profile() -> None:
    network = (
        deploy(
            node_subnet_cidr="10.0.0.0/16",
            pod_cidr="192.168.0.0/16",
            service_cidr="172.16.0.0/16",
            dns_service_ip="172.16.0.10",
        )
        .one(CLUSTER)
        .inputs["networkProfile"]
    )
    assert (network["podCidr"], network["serviceCidr"], network["dnsServiceIP"]) == (
        "192.168.0.0/16",
        "172.16.0.0/16",
        "172.16.0.10",
    )


def test_calico_keeps_the_azure_dataplane() -> None:
    network = deploy(network_policy="calico").one(CLUSTER).inputs["networkProfile"]
    assert (network["networkPolicy"], network["networkDataplane"]) == ("calico", "azure")
