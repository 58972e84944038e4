"""Bad configuration: one exact, one-line RunError naming the file and key; nothing registered."""

from __future__ import annotations

from typing import Any

import pytest
from stack_harness import PROJECT, Raw, config_error, run_stack

SUBNET = (
    "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg-network-prod/"
    "providers/Microsoft.Network/virtualNetworks/vnet-training-prod/subnets/snet-aks-nodes"
)

CASES: list[tuple[str, str, dict[str, Any], tuple[str, ...], str]] = [
    (
        "unknown-billing-model",
        "dev",
        {"fileBillingModel": "provisioned-v3"},
        (),
        "fileBillingModel' must be one of provisioned-v2-ssd, provisioned-v2-hdd, "
        "provisioned-v1-ssd, pay-as-you-go-hdd (got 'provisioned-v3')",
    ),
    (
        "unknown-redundancy",
        "dev",
        # Azure Files has no read access to the secondary (RA-GRS): not a choice here.
        {"storageRedundancy": "RAGRS"},
        (),
        "storageRedundancy' must be one of LRS, ZRS, GRS, GZRS (got 'RAGRS')",
    ),
    (
        "geo-zone-redundant-ssd-v2",
        "prod",
        {"storageRedundancy": "GZRS"},
        (),
        "storageRedundancy' is 'GZRS', which Azure Files offers on HDD only (fileBillingModel "
        "is 'provisioned-v2-ssd'); use LRS or ZRS, or an -hdd fileBillingModel",
    ),
    (
        "geo-redundant-ssd-v1",
        "prod",
        {"fileBillingModel": "provisioned-v1-ssd", "storageRedundancy": "GRS"},
        (),
        "storageRedundancy' is 'GRS', which Azure Files offers on HDD only (fileBillingModel "
        "is 'provisioned-v1-ssd'); use LRS or ZRS, or an -hdd fileBillingModel",
    ),
    (
        # westindia has SSD file shares, but not zone-redundant ones.
        "billing-model-not-offered-in-region",
        "prod",
        {"location": "westindia"},
        (),
        "fileBillingModel' is 'provisioned-v2-ssd', whose ZRS shares (PremiumV2_ZRS) are not "
        "offered in location 'westindia'; choose another model, storageRedundancy or location "
        "(the list is azure_facts/files.py)",
    ),
    (
        "zrs-hdd-in-a-region-without-zones",
        "staging",
        {
            "location": "northcentralus",
            "fileBillingModel": "pay-as-you-go-hdd",
            "storageRedundancy": "ZRS",
        },
        (),
        "fileBillingModel' is 'pay-as-you-go-hdd', whose ZRS shares (Standard_ZRS) are not "
        "offered in location 'northcentralus'; choose another model, storageRedundancy or "
        "location (the list is azure_facts/files.py)",
    ),
    (
        # Italy North has zones but no region pair to copy to.
        "gzrs-hdd-in-a-region-without-a-pair",
        "staging",
        {
            "location": "italynorth",
            "fileBillingModel": "pay-as-you-go-hdd",
            "storageRedundancy": "GZRS",
        },
        (),
        "fileBillingModel' is 'pay-as-you-go-hdd', whose GZRS shares (Standard_GZRS) are not "
        "offered in location 'italynorth'; choose another model, storageRedundancy or "
        "location (the list is azure_facts/files.py)",
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
        "kubernetesVersion' must be a pinned 'major.minor' or 'major.minor.patch' like '1.36' "
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
        "duplicate-zones",
        "staging",
        {"availabilityZones": ["1", "2", "1"]},
        (),
        "availabilityZones[2]' duplicates zone '1' (earlier in the list); list each zone once",
    ),
    (
        "duplicate-gpu-pool-zones",
        "prod",
        {"gpuPool": {"enabled": True, "zones": ["2", "2"]}},
        (),
        "gpuPool.zones[1]' duplicates zone '2' (earlier in the list); list each zone once",
    ),
    (
        "nfs-on-standard",
        "dev",
        {"fileProtocol": "nfs"},
        (),
        "fileProtocol' is 'nfs', which Azure Files offers on SSD only (fileBillingModel is "
        "'pay-as-you-go-hdd'); use 'smb' or an -ssd fileBillingModel",
    ),
    (
        "nfs-on-v2-hdd",
        "prod",
        {"fileProtocol": "nfs", "fileBillingModel": "provisioned-v2-hdd"},
        (),
        "fileProtocol' is 'nfs', which Azure Files offers on SSD only (fileBillingModel is "
        "'provisioned-v2-hdd'); use 'smb' or an -ssd fileBillingModel",
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
        "throughput-on-pay-as-you-go",
        "dev",
        {"volumes": [{"name": "datasets", "quotaGiB": 100, "throughputMiBps": 200}]},
        (),
        "volumes[0].throughputMiBps' cannot be provisioned for pay-as-you-go-hdd (at most 300 "
        "MiB/s, shared with the account); remove it, or use a provisioned model",
    ),
    (
        "iops-on-pay-as-you-go",
        "dev",
        {"volumes": [{"name": "datasets", "quotaGiB": 100, "iops": 5000}]},
        (),
        "volumes[0].iops' cannot be set for pay-as-you-go-hdd, where nothing is provisioned; "
        "remove it, or use a provisioned-v2 model",
    ),
    (
        "v2-without-size",
        "prod",
        {"volumes": [{"name": "datasets", "throughputMiBps": 800}]},
        (),
        "volumes[0].quotaGiB' is required for provisioned-v2-ssd: give the data's size in GiB "
        "(IOPS and throughput are provisioned separately)",
    ),
    (
        "v2-size-below-minimum",
        "prod",
        {"volumes": [{"name": "datasets", "quotaGiB": 31}]},
        (),
        "volumes[0].quotaGiB' must be an integer between 32 and 262144 GiB for "
        "provisioned-v2-ssd (got 31)",
    ),
    (
        "v2-throughput-above-maximum",
        "prod",
        {"volumes": [{"name": "datasets", "quotaGiB": 100, "throughputMiBps": 10341}]},
        (),
        "volumes[0].throughputMiBps' must be an integer between 100 and 10340 MiB/s for "
        "provisioned-v2-ssd (got 10341)",
    ),
    (
        "v2-hdd-iops-below-minimum",
        "prod",
        {
            "fileBillingModel": "provisioned-v2-hdd",
            "volumes": [{"name": "datasets", "quotaGiB": 100, "iops": 499}],
        },
        (),
        "volumes[0].iops' must be an integer between 500 and 50000 IOPS for "
        "provisioned-v2-hdd (got 499)",
    ),
    (
        "v2-account-throughput-exceeded",
        "prod",
        {
            "volumes": [
                {"name": "datasets", "quotaGiB": 100, "throughputMiBps": 8000},
                {
                    "name": "checkpoints",
                    "createNamespace": False,
                    "quotaGiB": 100,
                    "throughputMiBps": 3000,
                },
            ]
        },
        (),
        "volumes' provision 11000 MiB/s in total, more than the 10340 MiB/s one "
        "provisioned-v2-ssd account allows; lower the volumes' values or split them over "
        "several stacks (one storage account holds every volume)",
    ),
    (
        "v1-throughput-beyond-largest-share",
        "prod",
        {
            "fileBillingModel": "provisioned-v1-ssd",
            "volumes": [{"name": "datasets", "throughputMiBps": 20000}],
        },
        (),
        "volumes[0].throughputMiBps' must be an integer between 1 and 10340 MiB/s for "
        "provisioned-v1-ssd (got 20000); split the data over several volumes",
    ),
    (
        "v1-quota-and-throughput",
        "prod",
        {
            "fileBillingModel": "provisioned-v1-ssd",
            "volumes": [{"name": "datasets", "quotaGiB": 100, "throughputMiBps": 200}],
        },
        (),
        "volumes[0]' must set exactly one of quotaGiB or throughputMiBps for provisioned-v1-ssd "
        "(got both)",
    ),
    (
        "v1-neither-quota-nor-throughput",
        "prod",
        {"fileBillingModel": "provisioned-v1-ssd", "volumes": [{"name": "datasets"}]},
        (),
        "volumes[0]' must set exactly one of quotaGiB or throughputMiBps for provisioned-v1-ssd "
        "(got neither)",
    ),
    (
        "v1-iops",
        "prod",
        {
            "fileBillingModel": "provisioned-v1-ssd",
            "volumes": [{"name": "datasets", "quotaGiB": 100, "iops": 5000}],
        },
        (),
        "volumes[0].iops' cannot be set for provisioned-v1-ssd, where IOPS follow from "
        "quotaGiB; remove it, or use a provisioned-v2 model",
    ),
    (
        "v1-quota-below-minimum",
        "prod",
        {
            "fileBillingModel": "provisioned-v1-ssd",
            "volumes": [{"name": "datasets", "quotaGiB": 50}],
        },
        (),
        "volumes[0].quotaGiB' must be an integer between 100 and 102400 GiB for "
        "provisioned-v1-ssd (got 50)",
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
        # An abbreviation: tzdata knows it, Azure Backup's Windows ids do not.
        "backup-abbreviated-time-zone",
        "prod",
        {"backup": {"timeZone": "CET"}},
        (),
        "backup.timeZone' must be a Windows time zone id (CLDR windowsZones, as tzlocal ships "
        "it), such as 'UTC' (got 'CET')",
    ),
    (
        "backup-misspelt-time-zone",
        "prod",
        {"backup": {"timeZone": "W. Europe Time"}},
        (),
        "backup.timeZone' must be a Windows time zone id (CLDR windowsZones, as tzlocal ships "
        "it), did you mean 'W. Europe Standard Time'? (got 'W. Europe Time')",
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
    message = config_error(stack, overrides, remove)
    assert message == f"stacks/Pulumi.{stack}.yaml: config key '{PROJECT}:{expected}"


def test_unrestricted_api_server_is_an_explicit_opt_out() -> None:
    result = run_stack("dev", {"authorizedIpRanges": [], "allowUnrestrictedApiServer": True})
    result.raise_error()


@pytest.mark.parametrize("time_zone", ["UTC", "W. Europe Standard Time", "Pacific Standard Time"])
def test_windows_time_zone_ids_are_accepted(time_zone: str) -> None:
    run_stack("prod", {"backup": {"timeZone": time_zone}}).raise_error()


def test_gpu_pool_null_means_no_gpu_pool() -> None:
    # prod's teams need the pool (tests/stacks/test_stack_teams.py); without them it goes.
    result = run_stack("prod", {"gpuPool": None}, remove=["teams"])
    result.raise_error()
    cluster = result.one("azure-native:containerservice:ManagedCluster")
    assert len(cluster.inputs["agentPoolProfiles"]) == 1
