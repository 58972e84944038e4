"""Production hardening in the components: the pools' OS disks, host encryption and pod
limit, the monitoring and private endpoint components."""

from __future__ import annotations

import pytest
from component_harness import gpu_pool, run_pulumi
from test_component_cluster import deploy

from azure_facts.vm_sizes import VM_SIZES
from components.monitoring import (
    MonitoringRuleAssociations,
    MonitoringRuleAssociationsArgs,
    MonitoringWorkspaces,
    MonitoringWorkspacesArgs,
)
from components.node_disks import (
    OS_DISK_SIZE_GB,
    TRAINING_IMAGE_GIB,
    OsDisk,
    image_storage_gib,
    os_disk_for,
    training_image_footprint_gib,
)
from components.private_endpoint import (
    StoragePrivateEndpoint,
    StoragePrivateEndpointArgs,
    vnet_of,
)
from stacks.config import MonitoringConfig

CLUSTER = "azure-native:containerservice:ManagedCluster"
AGENT_POOL = "azure-native:containerservice:AgentPool"
VNET = (
    "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg-net/providers/"
    "Microsoft.Network/virtualNetworks/vnet-training"
)
# The stack config's monitoring keys at their defaults (declared in stacks/config.py).
MONITORING = MonitoringConfig.model_validate({})


@pytest.mark.parametrize(
    ("vm_size", "expected"),
    [
        ("Standard_D4ds_v5", OsDisk("Ephemeral", OS_DISK_SIZE_GB)),
        ("standard_d8ds_v5", OsDisk("Ephemeral", OS_DISK_SIZE_GB)),
        ("Standard_NC24ads_A100_v4", OsDisk("Ephemeral", 64)),
    ],
)
def test_known_sizes_get_an_ephemeral_disk_that_fits(vm_size: str, expected: OsDisk) -> None:
    assert os_disk_for(vm_size) == expected


def test_an_unknown_size_gets_a_managed_disk_and_the_reason() -> None:
    disk = os_disk_for("Standard_E4s_v5")
    assert (disk.type, disk.size_gb) == ("Managed", OS_DISK_SIZE_GB)
    assert disk.managed_because == (
        "the local disk size of Standard_E4s_v5 is not in azure_facts/vm_sizes.py VM_SIZES"
    )


def test_an_nvme_only_size_gets_a_managed_disk_and_the_reason() -> None:
    disk = os_disk_for("Standard_NC40ads_H100_v5")
    assert (disk.type, disk.size_gb) == ("Managed", OS_DISK_SIZE_GB)
    assert disk.managed_because == (
        "Standard_NC40ads_H100_v5 has no cache or SCSI temp disk to hold an ephemeral OS disk"
    )


def test_image_storage_arithmetic() -> None:
    # 85 % below the kubelet's image GC threshold, less 40 GiB for the node and system images.
    assert image_storage_gib(64) == 14
    assert image_storage_gib(128) == 68
    assert image_storage_gib(256) == 177
    # One image per GPU, each unpacked and compressed: 2 x 22 GiB per GPU.
    assert training_image_footprint_gib(TRAINING_IMAGE_GIB, 1) == 44
    assert training_image_footprint_gib(TRAINING_IMAGE_GIB, 4) == 176


@pytest.mark.parametrize(
    ("vm_size", "expected"),
    [
        # 64 GiB temp disk leaves 14 GiB for images: a managed 128 GiB disk leaves 68 (>= 44).
        ("Standard_NC24ads_A100_v4", ("Managed", 128)),
        # 2 GPUs need 88 GiB: the 128 GiB temp disk leaves 68, a managed 256 GiB one 177.
        ("Standard_NC48ads_A100_v4", ("Managed", 256)),
        # 4 GPUs need 176 GiB: the 256 GiB temp disk leaves 177.
        ("Standard_NC96ads_A100_v4", ("Ephemeral", 256)),
        ("Standard_NC40ads_H100_v5", ("Managed", 128)),
    ],
)
def test_a_gpu_pool_disk_holds_the_training_images(vm_size: str, expected: tuple[str, int]) -> None:
    disk = os_disk_for(vm_size, TRAINING_IMAGE_GIB)
    assert (disk.type, disk.size_gb) == expected
    gpus = VM_SIZES[vm_size.lower()].gpus
    assert image_storage_gib(disk.size_gb) >= training_image_footprint_gib(TRAINING_IMAGE_GIB, gpus)


def test_the_a100_reason_names_the_arithmetic() -> None:
    assert os_disk_for("Standard_NC24ads_A100_v4", TRAINING_IMAGE_GIB).managed_because == (
        "the 64 GiB local disk of Standard_NC24ads_A100_v4 leaves 14 GiB for images, less than "
        "the 44 GiB that 1 training image(s) of 22 GiB need (components/node_disks.py)"
    )


def test_every_pool_is_hardened_alike() -> None:
    result = deploy(gpu_pool=gpu_pool(), max_pods=60)
    pools = [*result.one(CLUSTER).inputs["agentPoolProfiles"], result.one(AGENT_POOL).inputs]
    assert len(pools) == 2
    for pool in pools:
        assert pool["enableEncryptionAtHost"] is True
        assert pool["maxPods"] == 60
    system, gpu = pools
    assert (system["osDiskType"], system["osDiskSizeGB"]) == ("Ephemeral", OS_DISK_SIZE_GB)
    assert (gpu["osDiskType"], gpu["osDiskSizeGB"]) == ("Managed", 128)


def test_encryption_at_host_can_be_turned_off() -> None:
    result = deploy(encryption_at_host=False)
    (pool,) = result.one(CLUSTER).inputs["agentPoolProfiles"]
    assert pool["enableEncryptionAtHost"] is False


def test_monitoring_profiles_only_when_asked() -> None:
    plain = deploy().one(CLUSTER).inputs
    assert "addonProfiles" not in plain and "azureMonitorProfile" not in plain
    result_inputs = (
        deploy(
            container_insights_workspace_id="/subscriptions/x/workspaces/log",
            managed_prometheus=True,
        )
        .one(CLUSTER)
        .inputs
    )
    assert result_inputs["addonProfiles"]["omsagent"] == {
        "enabled": True,
        "config": {
            "logAnalyticsWorkspaceResourceID": "/subscriptions/x/workspaces/log",
            "useAADAuth": "true",
        },
    }
    assert result_inputs["azureMonitorProfile"] == {"metrics": {"enabled": True}}


def test_a_pod_range_with_exactly_enough_room_is_accepted() -> None:
    deploy(pod_cidr="10.244.0.0/22", system_node_count=3)


def test_monitoring_components_name_and_bind_their_rules() -> None:
    def program() -> None:
        workspaces = MonitoringWorkspaces(
            "monitoring",
            MonitoringWorkspacesArgs(
                resource_group_name="rg",
                location="westeurope",
                cluster_name="aks-test",
                monitoring=MONITORING,
            ),
        )
        MonitoringRuleAssociations(
            "monitoring-rules",
            MonitoringRuleAssociationsArgs(
                cluster_id="/subscriptions/x/managedClusters/aks-test",
                cluster_name="aks-test",
                workspaces=workspaces,
            ),
        )

    result = run_pulumi(program)
    result.raise_error()
    workspace = result.one("azure-native:operationalinsights:Workspace").inputs
    assert (workspace["workspaceName"], workspace["retentionInDays"]) == ("log-aks-test", 90)
    rules = {
        r.inputs["dataCollectionRuleName"]: r
        for r in result.by_type("azure-native:monitor:DataCollectionRule")
    }
    assert set(rules) == {"MSCI-aks-test", "MSProm-aks-test"}
    endpoint = result.one("azure-native:monitor:DataCollectionEndpoint")
    assert endpoint.urn in rules["MSProm-aks-test"].dependencies
    associations = result.by_type("azure-native:monitor:DataCollectionRuleAssociation")
    assert {a.inputs["resourceUri"] for a in associations} == {
        "/subscriptions/x/managedClusters/aks-test"
    }
    for association in associations:
        assert association.parent.endswith("::monitoring-rules")


def test_managed_prometheus_gets_microsofts_recording_rule_groups() -> None:
    """The node, Kubernetes and UX recording-rule groups that Microsoft's onboarding template
    (Azure/prometheus-collector AddonArmTemplate/FullAzureMonitorMetricsProfile.json) creates,
    named, scoped and timed as it does; the default dashboards read their records."""

    def program() -> None:
        workspaces = MonitoringWorkspaces(
            "monitoring",
            MonitoringWorkspacesArgs(
                resource_group_name="rg",
                location="westeurope",
                cluster_name="aks-test",
                monitoring=MONITORING,
                tags={"owner": "me"},
            ),
        )
        MonitoringRuleAssociations(
            "monitoring-rules",
            MonitoringRuleAssociationsArgs(
                cluster_id="/subscriptions/x/managedClusters/aks-test",
                cluster_name="aks-test",
                workspaces=workspaces,
            ),
        )

    result = run_pulumi(program)
    result.raise_error()
    registered = {
        g.inputs["ruleGroupName"]: g
        for g in result.by_type("azure-native:alertsmanagement:PrometheusRuleGroup")
    }
    groups = {name: g.inputs for name, g in registered.items()}
    assert set(groups) == {
        "NodeRecordingRulesRuleGroup-aks-test",
        "KubernetesRecordingRulesRuleGroup-aks-test",
        "UXRecordingRulesRuleGroup - aks-test",
    }
    workspace = result.one("azure-native:monitor:AzureMonitorWorkspace")
    for name, group in groups.items():
        # Scoped to the Azure Monitor workspace (its id, known after create) and the cluster.
        assert workspace.urn in registered[name].dependencies
        assert len(group["scopes"]) == 2
        assert group["scopes"][1] == "/subscriptions/x/managedClusters/aks-test"
        assert (group["clusterName"], group["interval"], group["enabled"]) == (
            "aks-test",
            "PT1M",
            True,
        )
        assert (group["resourceGroupName"], group["location"]) == ("rg", "westeurope")
        assert group["tags"] == {"owner": "me"}
    records = {name: [rule["record"] for rule in group["rules"]] for name, group in groups.items()}
    assert len(records["NodeRecordingRulesRuleGroup-aks-test"]) == 11
    assert len(records["KubernetesRecordingRulesRuleGroup-aks-test"]) == 19
    assert len(records["UXRecordingRulesRuleGroup - aks-test"]) == 18
    assert "instance:node_cpu_utilisation:rate5m" in records["NodeRecordingRulesRuleGroup-aks-test"]
    assert "ux:pod_cpu_usage:sum_irate" in records["UXRecordingRulesRuleGroup - aks-test"]
    relabels = [
        rule["labels"]
        for rule in groups["KubernetesRecordingRulesRuleGroup-aks-test"]["rules"]
        if rule["record"] == "namespace_workload_pod:kube_pod_owner:relabel"
    ]
    assert relabels == [
        {"workload_type": w} for w in ("deployment", "daemonset", "statefulset", "job")
    ]


def test_private_endpoint_lands_in_the_subnet_and_links_its_vnet() -> None:
    subnet = f"{VNET}/subnets/snet-aks"
    assert vnet_of(subnet) == VNET
    args = StoragePrivateEndpointArgs(
        resource_group_name="rg",
        location="westeurope",
        account_name="sttest",
        account_id="/subscriptions/x/storageAccounts/sttest",
        subnet_id=subnet,
    )
    result = run_pulumi(lambda: StoragePrivateEndpoint("storage-private-endpoint", args))
    result.raise_error()
    endpoint = result.one("azure-native:network:PrivateEndpoint").inputs
    assert endpoint["subnet"] == {"id": subnet}
    assert endpoint["privateLinkServiceConnections"][0]["groupIds"] == ["file"]
    link = result.one("azure-native:privatedns:VirtualNetworkLink").inputs
    assert link["virtualNetwork"] == {"id": VNET}


def test_private_endpoint_needs_a_subnet_id() -> None:
    with pytest.raises(ValueError, match="subnet_id must be a subnet resource id"):
        vnet_of("snet-aks")
