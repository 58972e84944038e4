"""Bad configuration: one exact, one-line RunError naming the file and key; nothing registered."""

from __future__ import annotations

from typing import Any

import pulumi
import pytest
from stack_harness import PROJECT, Raw, run_stack

SUBNET = (
    "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg-network-prod/"
    "providers/Microsoft.Network/virtualNetworks/vnet-training-prod/subnets/snet-aks-nodes"
)

CASES: list[tuple[str, str, dict[str, Any], tuple[str, ...], str]] = [
    (
        "unknown-sku",
        "dev",
        {"storageSku": "Standard_XYZ"},
        (),
        "storageSku' must be one of Standard_LRS, Standard_ZRS, Premium_LRS, Premium_ZRS "
        "(got 'Standard_XYZ')",
    ),
    (
        "soft-delete-too-long",
        "dev",
        {"shareSoftDeleteDays": 400},
        (),
        "shareSoftDeleteDays' must be an integer between 1 and 365 (got 400)",
    ),
    (
        "soft-delete-not-a-number",
        "dev",
        {"shareSoftDeleteDays": Raw("two weeks")},
        (),
        "shareSoftDeleteDays' must be an integer between 1 and 365 (got 'two weeks')",
    ),
    (
        "typo-in-key",
        "dev",
        {"shareSoftDeleteDay": 7},
        (),
        "shareSoftDeleteDay' is not a known key; did you mean 'shareSoftDeleteDays'?",
    ),
    (
        "unknown-key-without-suggestion",
        "dev",
        {"zzz": "1"},
        (),
        "zzz' is not a known key; the known keys are documented in Pulumi.yaml",
    ),
    (
        "typo-in-nested-key",
        "dev",
        {"volumes": [{"name": "datasets", "quotaGB": 100}]},
        (),
        "volumes[0].quotaGB' is not a known key; did you mean 'quotaGiB'?",
    ),
    (
        "missing-required-key",
        "dev",
        {},
        ("storageAccountName",),
        "storageAccountName' is missing; it is required and must be 3-24 lowercase letters "
        "and digits (globally unique)",
    ),
    (
        "bad-account-name",
        "dev",
        {"storageAccountName": "St_Training"},
        (),
        "storageAccountName' must be 3-24 lowercase letters and digits (globally unique) "
        "(got 'St_Training')",
    ),
    (
        "bad-boolean",
        "dev",
        {"protectData": Raw("yes")},
        (),
        "protectData' must be true or false (got 'yes')",
    ),
    (
        "array-that-is-not-json",
        "dev",
        {"allowedIpRanges": Raw("203.0.113.7")},
        (),
        "allowedIpRanges' must be a list (got '203.0.113.7')",
    ),
    (
        "private-ip-in-storage-firewall",
        "dev",
        {"allowedIpRanges": ["203.0.113.7", "10.1.0.0/16"]},
        (),
        "allowedIpRanges[1]' must be a public IPv4 address or CIDR; the storage firewall "
        "ignores private RFC 1918 ranges, allow the subnet instead (got '10.1.0.0/16')",
    ),
    (
        "bad-subnet-id",
        "dev",
        {"nodeSubnetId": "snet-aks"},
        (),
        "nodeSubnetId' must be a subnet resource id '/subscriptions/<guid>/resourceGroups/<rg>/"
        "providers/Microsoft.Network/virtualNetworks/<vnet>/subnets/<subnet>' (got 'snet-aks')",
    ),
    (
        "unpinned-kubernetes",
        "dev",
        {"kubernetesVersion": "latest"},
        (),
        "kubernetesVersion' must be a pinned 'major.minor' or 'major.minor.patch' like '1.33' "
        "(got 'latest')",
    ),
    (
        "zones-as-numbers",
        "staging",
        {"availabilityZones": [1, 2]},
        (),
        "availabilityZones[0]' must be a list of '1', '2', '3' (empty for a regional "
        "deployment) (got 1)",
    ),
    (
        "nfs-on-standard",
        "dev",
        {"fileProtocol": "nfs"},
        (),
        "fileProtocol' is 'nfs', which needs a Premium_LRS or Premium_ZRS storageSku "
        "(got 'Standard_LRS'); use 'smb' or a Premium_* storageSku",
    ),
    (
        "nfs-with-smb-ownership",
        "prod",
        {
            "fileProtocol": "nfs",
            "volumes": [{"name": "datasets", "quotaGiB": 100, "uid": 1000}],
        },
        (),
        "volumes[0].uid' only applies to SMB volumes (fileProtocol is 'nfs'); remove it",
    ),
    (
        "throughput-on-standard",
        "dev",
        {"volumes": [{"name": "datasets", "throughputMiBps": 200}]},
        (),
        "volumes[0].throughputMiBps' cannot be provisioned on Standard_LRS (standard shares "
        "are pay-as-you-go, at most 300 MiB/s); give quotaGiB or use Premium_LRS/Premium_ZRS",
    ),
    (
        "throughput-beyond-largest-share",
        "prod",
        {"volumes": [{"name": "datasets", "throughputMiBps": 20000}]},
        (),
        "volumes[0].throughputMiBps' must be an integer between 1 and 10340 (got 20000); "
        "split the data over several volumes",
    ),
    (
        "quota-and-throughput",
        "prod",
        {"volumes": [{"name": "datasets", "quotaGiB": 100, "throughputMiBps": 200}]},
        (),
        "volumes[0]' must set exactly one of quotaGiB or throughputMiBps (got both)",
    ),
    (
        "neither-quota-nor-throughput",
        "prod",
        {"volumes": [{"name": "datasets"}]},
        (),
        "volumes[0]' must set exactly one of quotaGiB or throughputMiBps (got neither)",
    ),
    (
        "premium-quota-below-minimum",
        "prod",
        {"volumes": [{"name": "datasets", "quotaGiB": 50}]},
        (),
        "volumes[0].quotaGiB' must be an integer between 100 and 102400 for Premium_ZRS (got 50)",
    ),
    (
        "duplicate-volume-names",
        "dev",
        {
            "volumes": [
                {"name": "datasets", "quotaGiB": 10},
                {"name": "datasets", "createNamespace": False, "quotaGiB": 10},
            ]
        },
        (),
        "volumes[1].name' duplicates volumes[0].name ('datasets'); volume names must be unique",
    ),
    (
        "volume-name-not-dns-1123",
        "dev",
        {"volumes": [{"name": "Data_Sets", "quotaGiB": 10}]},
        (),
        "volumes[0].name' must be 3-63 lowercase letters, digits and single hyphens, starting "
        "and ending with a letter or digit (got 'Data_Sets')",
    ),
    (
        "namespace-created-twice",
        "dev",
        {
            "volumes": [
                {"name": "datasets", "quotaGiB": 10},
                {"name": "checkpoints", "quotaGiB": 10},
            ]
        },
        (),
        "volumes[1].createNamespace' is true but namespace 'training' is already created by "
        "volumes[0]; set createNamespace: false",
    ),
    (
        "unquoted-octal-mode",
        "dev",
        {"volumes": [{"name": "datasets", "quotaGiB": 10, "dirMode": 770}]},
        (),
        "volumes[0].dirMode' must be 4 octal digits like '0770' (quote it in YAML) (got 770)",
    ),
    (
        "gpu-min-above-max",
        "prod",
        {"gpuPool": {"enabled": True, "minCount": 9, "maxCount": 8}},
        (),
        "gpuPool.minCount' must not exceed gpuPool.maxCount (got 9 > 8); lower minCount or "
        "raise maxCount",
    ),
    (
        "gpu-negative-min",
        "prod",
        {"gpuPool": {"enabled": True, "minCount": -1}},
        (),
        "gpuPool.minCount' must be an integer between 0 and 1000 (got -1)",
    ),
    (
        "private-cluster-with-authorized-ranges",
        "dev",
        {"privateCluster": True},
        (),
        "authorizedIpRanges' only applies to a public API server but privateCluster is true; "
        "remove it or set privateCluster: false",
    ),
    (
        "public-cluster-open-to-the-internet",
        "dev",
        {"authorizedIpRanges": []},
        (),
        "privateCluster' is false and authorizedIpRanges is empty, which opens the API server "
        "to the internet; set privateCluster: true, list authorizedIpRanges, or opt out with "
        "allowUnrestrictedApiServer: true",
    ),
    (
        "local-accounts-disabled-without-entra",
        "prod",
        {"entraId": False},
        (),
        "disableLocalAccounts' is true but entraId is false, so nobody could sign in; set "
        "entraId: true or disableLocalAccounts: false",
    ),
    (
        "no-admin-group",
        "prod",
        {"adminGroupObjectIds": []},
        (),
        "adminGroupObjectIds' must list at least one Entra ID group object id when local "
        "accounts are disabled; add the cluster admins' group",
    ),
    (
        "environment-tag-set-by-hand",
        "prod",
        {"tags": {"owner": "a", "cost-center": "b", "environment": "production"}},
        (),
        "tags.environment' is set by the program from the stack name ('prod'); remove it",
    ),
    (
        "missing-owner-tag",
        "prod",
        {"tags": {"cost-center": "b"}},
        (),
        "tags' must contain a non-empty 'owner' tag; allowed: any extra tags too",
    ),
    (
        "bad-kubelogin-mode",
        "prod",
        {"kubeloginMode": "devicecode"},
        (),
        "kubeloginMode' must be one of azurecli, workloadidentity, spn, msi (got 'devicecode')",
    ),
    (
        "bad-user-assigned-identity",
        "prod",
        {"userAssignedIdentityId": SUBNET},
        (),
        "userAssignedIdentityId' must be empty (SystemAssigned) or a userAssignedIdentities "
        "resource id (got '/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/"
        "rg-networ...)",
    ),
    (
        "backup-bad-schedule-time",
        "prod",
        {"backup": {"scheduleTime": "25:00"}},
        (),
        "backup.scheduleTime' must be a 24-hour time 'HH:MM' like '02:00' (got '25:00')",
    ),
    (
        "backup-no-daily-retention",
        "prod",
        {"backup": {"dailyRetentionDays": 0}},
        (),
        "backup.dailyRetentionDays' must be an integer between 1 and 200 (got 0)",
    ),
    (
        "backup-bad-vault-redundancy",
        "staging",
        {"backup": {"vaultRedundancy": "GRS"}},
        (),
        "backup.vaultRedundancy' must be one of LocallyRedundant, ZoneRedundant, GeoRedundant "
        "(got 'GRS')",
    ),
    (
        "backup-typo",
        "prod",
        {"backup": {"enable": False}},
        (),
        "backup.enable' is not a known key; did you mean 'enabled'?",
    ),
    (
        "backup-too-many-snapshots",
        "prod",
        {"backup": {"dailyRetentionDays": 150, "weeklyRetentionWeeks": 52}},
        (),
        "backup' keeps up to 214 snapshots per share (dailyRetentionDays + weeklyRetentionWeeks "
        "+ monthlyRetentionMonths); Azure Files keeps at most 200: lower one of them",
    ),
    (
        "backup-of-nfs-shares",
        "prod",
        {"fileProtocol": "nfs"},
        (),
        "backup.enabled' is true but fileProtocol is 'nfs', which Azure Backup does not support; "
        "set backup.enabled: false or use 'smb'",
    ),
]


@pytest.mark.parametrize(
    ("stack", "overrides", "remove", "expected"),
    [case[1:] for case in CASES],
    ids=[case[0] for case in CASES],
)
def test_bad_config_is_one_exact_line_and_registers_nothing(
    stack: str, overrides: dict[str, Any], remove: tuple[str, ...], expected: str
) -> None:
    result = run_stack(stack, overrides, remove)
    assert isinstance(result.error, pulumi.RunError), result.error
    message = str(result.error)
    assert message == f"stacks/Pulumi.{stack}.yaml: config key '{PROJECT}:{expected}"
    assert "\n" not in message
    assert result.registrations == []


def test_unrestricted_api_server_is_an_explicit_opt_out() -> None:
    result = run_stack("dev", {"authorizedIpRanges": [], "allowUnrestrictedApiServer": True})
    result.raise_error()


def test_gpu_pool_null_means_no_gpu_pool() -> None:
    result = run_stack("prod", {"gpuPool": None})
    result.raise_error()
    cluster = result.one("azure-native:containerservice:ManagedCluster")
    assert len(cluster.inputs["agentPoolProfiles"]) == 1
