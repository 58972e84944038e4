"""Values Azure would reject stop offline: tag limits, region names, whole-value patterns.

Every case runs the program with one setting changed and expects the one-line RunError that
names the stack file and the key; nothing is registered.
"""

from __future__ import annotations

from typing import Any

import pytest
from stack_harness import PROJECT, config_error, run_stack

SUBNET = (
    "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg-network-prod/"
    "providers/Microsoft.Network/virtualNetworks/vnet-training-prod/subnets/snet-aks-nodes"
)
IDENTITY = (
    "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg-id/providers/"
    "Microsoft.ManagedIdentity/userAssignedIdentities/id-aks"
)
GUID = "00000000-0000-0000-0000-00000000a003"
VOLUME = {"name": "datasets", "namespace": "training", "quotaGiB": 1024}


def _tags(count: int) -> dict[str, str]:
    tags = {"owner": "o", "cost-center": "c"}
    tags.update({f"t{i}": "v" for i in range(count - len(tags))})
    return tags


# (case id, overrides, config path the error names): each value carries a trailing newline,
# which a `$`-anchored pattern accepts.
TRAILING_NEWLINE_CASES: list[tuple[str, dict[str, Any], str]] = [
    ("resourceGroupName", {"resourceGroupName": "rg-training\n"}, "resourceGroupName"),
    ("storageAccountName", {"storageAccountName": "sttraining\n"}, "storageAccountName"),
    ("clusterName", {"clusterName": "aks-training\n"}, "clusterName"),
    ("nodeSubnetId", {"nodeSubnetId": SUBNET + "\n"}, "nodeSubnetId"),
    ("allowedSubnetIds", {"allowedSubnetIds": [SUBNET + "\n"]}, "allowedSubnetIds[0]"),
    ("kubernetesVersion", {"kubernetesVersion": "1.36\n"}, "kubernetesVersion"),
    ("systemVmSize", {"systemVmSize": "Standard_D4ds_v5\n"}, "systemVmSize"),
    ("adminGroupObjectIds", {"adminGroupObjectIds": [GUID + "\n"]}, "adminGroupObjectIds[0]"),
    (
        "userAssignedIdentityId",
        {"userAssignedIdentityId": IDENTITY + "\n"},
        "userAssignedIdentityId",
    ),
    ("location", {"location": "westeurope\n"}, "location"),
    ("volumes.name", {"volumes": [{**VOLUME, "name": "datasets\n"}]}, "volumes[0].name"),
    (
        "volumes.namespace",
        {"volumes": [{**VOLUME, "namespace": "training\n"}]},
        "volumes[0].namespace",
    ),
    ("volumes.dirMode", {"volumes": [{**VOLUME, "dirMode": "0770\n"}]}, "volumes[0].dirMode"),
    (
        "gpuPool.vmSize",
        {"gpuPool": {"enabled": True, "vmSize": "Standard_NC24ads_A100_v4\n", "maxCount": 2}},
        "gpuPool.vmSize",
    ),
]


@pytest.mark.parametrize(
    ("overrides", "path"),
    [case[1:] for case in TRAILING_NEWLINE_CASES],
    ids=[case[0] for case in TRAILING_NEWLINE_CASES],
)
def test_a_trailing_newline_is_not_a_valid_value(overrides: dict[str, Any], path: str) -> None:
    message = config_error("prod", overrides)
    assert message.startswith(f"stacks/Pulumi.prod.yaml: config key '{PROJECT}:{path}' must "), (
        message
    )


@pytest.mark.parametrize("location", ["mars", "europe", "WestEurope", "west europe", "false"])
def test_location_must_be_an_azure_region(location: str) -> None:
    message = config_error("dev", {"location": location})
    assert message == (
        f"stacks/Pulumi.dev.yaml: config key '{PROJECT}:location' must be a string region "
        f"name of the Azure public cloud like 'westeurope' (got {location!r}); the list is "
        "azure_facts/regions.py"
    )


@pytest.mark.parametrize("location", ["northeurope", "swedencentral", "eastus2", "westus3"])
def test_real_regions_preview(location: str) -> None:
    run_stack("dev", {"location": location}).raise_error()


def test_49_tags_plus_environment_is_the_azure_maximum() -> None:
    result = run_stack("dev", {"tags": _tags(49)})
    result.raise_error()
    account = result.one("azure-native:storage:StorageAccount")
    assert len(account.inputs["tags"]) == 50


def test_more_than_50_tags_per_resource_are_rejected() -> None:
    message = config_error("dev", {"tags": _tags(50)})
    assert message == (
        f"stacks/Pulumi.dev.yaml: config key '{PROJECT}:tags' must hold at most 49 tags: Azure "
        "allows 50 per resource and the program adds 'environment' (got 50)"
    )


def test_storage_account_tag_names_are_at_most_128_characters() -> None:
    run_stack("dev", {"tags": {**_tags(2), "k" * 128: "v"}}).raise_error()
    message = config_error("dev", {"tags": {**_tags(2), "k" * 129: "v"}})
    assert message.startswith(
        f"stacks/Pulumi.dev.yaml: config key '{PROJECT}:tags' tag names must be 1-128 "
        "characters (the storage account's limit)"
    ), message
