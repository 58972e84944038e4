"""Production hardening (issue 11): host encryption, ephemeral OS disks and an explicit pod limit
on every pool, Azure Monitor for the cluster, and storage reached only through a private
endpoint; dev opts out of what costs money."""

from __future__ import annotations

import json
from typing import Any

import pytest
from stack_harness import PROJECT, STACKS, config_error, run_stack

from azure_facts.vm_sizes import vm_size
from components.node_disks import TRAINING_IMAGE_GIB, os_disk_for
from stacks.policy_config import policy_config_path

CLUSTER = "azure-native:containerservice:ManagedCluster"
AGENT_POOL = "azure-native:containerservice:AgentPool"
EPHEMERAL_POLICY = "azure-native-containerservice-managedcluster-ephemeral-os-disk"
VM_SIZE_POLICY = "azure-native-containerservice-managedcluster-vm-size-allowed"
ACCOUNT = "azure-native:storage:StorageAccount"
WORKSPACE = "azure-native:operationalinsights:Workspace"
RULE = "azure-native:monitor:DataCollectionRule"
ASSOCIATION = "azure-native:monitor:DataCollectionRuleAssociation"
ENDPOINT = "azure-native:network:PrivateEndpoint"
ZONE = "azure-native:privatedns:PrivateZone"
LINK = "azure-native:privatedns:VirtualNetworkLink"
ZONE_GROUP = "azure-native:network:PrivateDnsZoneGroup"


def pools(result: Any) -> list[dict[str, Any]]:
    """The system pool (in the cluster) and every AgentPool."""
    return [
        *result.one(CLUSTER).inputs["agentPoolProfiles"],
        *(pool.inputs for pool in result.by_type(AGENT_POOL)),
    ]


@pytest.mark.parametrize("stack", STACKS)
def test_every_pool_encrypts_at_host_limits_pods_and_boots_from_a_disk_that_fits(
    deployed: dict[str, Any], stack: str
) -> None:
    for pool in pools(deployed[stack]):
        assert pool["enableEncryptionAtHost"] is True
        assert pool["maxPods"] == 110
        local = vm_size(pool["vmSize"])
        if pool["osDiskType"] == "Ephemeral":
            assert local is not None and local.local_disk_gib is not None
            assert pool["osDiskSizeGB"] <= local.local_disk_gib
        else:
            # Only a GPU pool whose local disk cannot hold the training images.
            assert pool.get("nodeTaints") == ["nvidia.com/gpu=present:NoSchedule"]


def test_the_a100_pool_gets_a_managed_disk_that_holds_the_training_images(
    deployed: dict[str, Any],
) -> None:
    # Its 64 GiB temp disk leaves 14 GiB for images; NVIDIA's PyTorch image needs 44.
    gpu = deployed["prod"].one(AGENT_POOL).inputs
    assert gpu["vmSize"] == "Standard_NC24ads_A100_v4"
    assert (gpu["osDiskType"], gpu["osDiskSizeGB"]) == ("Managed", 128)


@pytest.mark.parametrize("stack", STACKS)
def test_the_policy_exempts_exactly_the_gpu_sizes_that_need_a_managed_disk(stack: str) -> None:
    config = json.loads(policy_config_path(stack).read_text())
    allowed = config[VM_SIZE_POLICY]["allowedVmSizes"]
    needing = [
        size
        for size in allowed
        if (known := vm_size(size)) is not None
        and known.gpus > 0
        and os_disk_for(size, TRAINING_IMAGE_GIB).type == "Managed"
    ]
    assert config[EPHEMERAL_POLICY]["managedOsDiskVmSizes"] == needing


def test_a_size_without_a_known_local_disk_gets_a_managed_os_disk() -> None:
    result = run_stack("dev", {"systemVmSize": "Standard_E4s_v5"})
    result.raise_error()
    system = pools(result)[0]
    assert (system["osDiskType"], system["osDiskSizeGB"]) == ("Managed", 128)


BAD: list[tuple[str, str, dict[str, Any], str, str]] = [
    (
        "pod-range-too-small-for-the-pools",
        "prod",
        {"podCidr": "10.244.0.0/21"},
        "stacks/Pulumi.prod.yaml",
        "podCidr' holds a /24 for 8 nodes (Azure CNI overlay gives each node one) but the pools "
        "can reach 13 (systemNodeCount 3 + gpuPool.maxCount 8 + 1 upgrade surge node per pool) "
        "(got '10.244.0.0/21'); choose a larger range or fewer nodes",
    ),
    (
        "pod-range-smaller-than-a-node",
        "dev",
        {"podCidr": "10.244.0.0/25"},
        "stacks/Pulumi.dev.yaml",
        "podCidr' holds a /24 for 0 nodes (Azure CNI overlay gives each node one) but the pools "
        "can reach 2 (systemNodeCount 1 + 1 upgrade surge node per pool) (got '10.244.0.0/25'); "
        "choose a larger range or fewer nodes",
    ),
    (
        "max-pods-above-overlay-limit",
        "dev",
        {"maxPods": 251},
        "stacks/Pulumi.dev.yaml",
        "maxPods' must be an integer between 30 and 250 (got 251)",
    ),
    (
        "retention-below-minimum",
        "staging",
        {"logRetentionDays": 7},
        "stacks/Pulumi.staging.yaml",
        "logRetentionDays' must be an integer between 30 and 730 (got 7)",
    ),
    (
        "ip-rule-with-private-endpoint",
        "prod",
        {"allowedIpRanges": ["203.0.113.0/24"]},
        "stacks/Pulumi.prod.yaml",
        "allowedIpRanges' only applies to the storage account's public endpoint, which "
        "storagePrivateEndpoint: true disables; remove it, or set storagePrivateEndpoint: false "
        "to keep the public endpoint behind the firewall",
    ),
]


@pytest.mark.parametrize(
    ("stack", "overrides", "where", "expected"),
    [case[1:] for case in BAD],
    ids=[case[0] for case in BAD],
)
def test_bad_hardening_settings_are_one_exact_line_and_register_nothing(
    stack: str, overrides: dict[str, Any], where: str, expected: str
) -> None:
    assert config_error(stack, overrides) == f"{where}: config key '{PROJECT}:{expected}"


@pytest.mark.parametrize(("stack", "retention"), [("staging", 30), ("prod", 90)])
def test_staging_and_prod_send_logs_and_metrics_to_azure_monitor(
    deployed: dict[str, Any], stack: str, retention: int
) -> None:
    result = deployed[stack]
    workspace = result.one(WORKSPACE)
    assert workspace.inputs["retentionInDays"] == retention
    assert workspace.inputs["features"]["disableLocalAuth"] is True
    cluster = result.one(CLUSTER)
    oms = cluster.inputs["addonProfiles"]["omsagent"]
    assert oms["enabled"] is True
    assert oms["config"]["useAADAuth"] == "true"
    assert oms["config"]["logAnalyticsWorkspaceResourceID"]
    assert workspace.urn in cluster.dependencies
    assert cluster.inputs["azureMonitorProfile"]["metrics"]["enabled"] is True
    streams = {r.inputs["dataFlows"][0]["streams"][0] for r in result.by_type(RULE)}
    assert streams == {"Microsoft-ContainerInsights-Group-Default", "Microsoft-PrometheusMetrics"}
    associations = result.by_type(ASSOCIATION)
    assert {a.inputs["associationName"] for a in associations} == {
        "ContainerInsightsExtension",
        f"MSProm-aks-rwx-training-{stack}",
    }
    assert all(cluster.urn in a.dependencies for a in associations)


def test_dev_opts_out_of_monitoring_and_the_private_endpoint(deployed: dict[str, Any]) -> None:
    result = deployed["dev"]
    for type_ in (WORKSPACE, RULE, ASSOCIATION, ENDPOINT, ZONE, LINK, ZONE_GROUP):
        assert result.by_type(type_) == [], type_
    cluster = result.one(CLUSTER).inputs
    assert "addonProfiles" not in cluster and "azureMonitorProfile" not in cluster
    assert result.one(ACCOUNT).inputs["publicNetworkAccess"] == "Enabled"


@pytest.mark.parametrize("stack", ["staging", "prod"])
def test_staging_and_prod_storage_is_reached_only_through_a_private_endpoint(
    deployed: dict[str, Any], stack: str
) -> None:
    result = deployed[stack]
    subnet = result.one(CLUSTER).inputs["agentPoolProfiles"][0]["vnetSubnetID"]
    assert result.one(ACCOUNT).inputs["publicNetworkAccess"] == "Disabled"
    endpoint = result.one(ENDPOINT)
    assert endpoint.inputs["subnet"]["id"] == subnet
    (connection,) = endpoint.inputs["privateLinkServiceConnections"]
    assert connection["groupIds"] == ["file"]
    assert result.one(ACCOUNT).urn in endpoint.dependencies
    assert result.one(ZONE).inputs["privateZoneName"] == "privatelink.file.core.windows.net"
    link = result.one(LINK)
    assert link.inputs["virtualNetwork"]["id"] == subnet.rsplit("/subnets/", 1)[0]
    assert link.inputs["registrationEnabled"] is False
    group = result.one(ZONE_GROUP)
    assert result.one(ZONE).urn in group.dependencies
    assert endpoint.urn in group.dependencies
