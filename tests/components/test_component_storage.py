"""SharedStorage under the Pulumi mock runtime."""

from __future__ import annotations

import dataclasses
from typing import Any

import pytest
from component_harness import (
    FAKE_STORAGE_KEY,
    FAKE_STORAGE_KEY_2,
    SUBNET_ID,
    RunResult,
    run_pulumi,
)
from pulumi.runtime import rpc

from components.storage import SharedStorage, SharedStorageArgs, ShareSpec

COMPONENT = "aks-rwx-training:storage:SharedStorage"
ACCOUNT = "azure-native:storage:StorageAccount"
FILE_SERVICE = "azure-native:storage:FileServiceProperties"
SHARE = "azure-native:storage:FileShare"
LOCK = "azure-native:authorization:ManagementLockByScope"
TAGS = {"environment": "test", "owner": "ml-platform", "cost-center": "ml-training"}


def make_args(**overrides: Any) -> SharedStorageArgs:
    base = SharedStorageArgs(
        resource_group_name="rg-test",
        location="westeurope",
        account_name="sttraining01",
        sku="Premium_ZRS",
        shares=[
            ShareSpec("datasets", throughput_mibps=800),
            ShareSpec("checkpoints", quota_gib=512),
        ],
        soft_delete_days=30,
        allowed_subnet_ids=[SUBNET_ID],
        allowed_ip_ranges=["203.0.113.7"],
        tags=TAGS,
    )
    return dataclasses.replace(base, **overrides)


def deploy(**overrides: Any) -> RunResult:
    args = make_args(**overrides)
    result = run_pulumi(lambda: SharedStorage("shared", args))
    result.raise_error()
    return result


def test_children_are_named_by_role_and_parented() -> None:
    result = deploy()
    component = result.one(COMPONENT)
    assert component.name == "shared"
    children = [r for r in result.registrations if r.type != COMPONENT]
    assert sorted(r.name for r in children) == [
        "shared-account",
        "shared-file-service",
        "shared-lock",
        "shared-share-checkpoints",
        "shared-share-datasets",
    ]
    assert all(r.parent == component.urn for r in children)


def test_premium_smb_account_has_secure_settings() -> None:
    account = deploy().one(ACCOUNT).inputs
    assert account["accountName"] == "sttraining01"
    assert account["kind"] == "FileStorage"
    assert account["sku"] == {"name": "Premium_ZRS"}
    assert account["enableHttpsTrafficOnly"] is True
    assert account["minimumTlsVersion"] == "TLS1_2"
    assert account["allowBlobPublicAccess"] is False
    assert account["allowCrossTenantReplication"] is False
    assert account["allowSharedKeyAccess"] is True  # the CSI driver's SMB secret needs the key
    assert "largeFileSharesState" not in account  # FileStorage accounts have it built in
    assert account["tags"] == TAGS
    rules = account["networkRuleSet"]
    assert rules["defaultAction"] == "Deny"
    assert rules["bypass"] == "AzureServices"
    assert rules["virtualNetworkRules"] == [
        {"virtualNetworkResourceId": SUBNET_ID, "action": "Allow"}
    ]
    assert rules["ipRules"] == [{"iPAddressOrRange": "203.0.113.7", "action": "Allow"}]


def test_standard_account_uses_storage_v2_with_large_file_shares() -> None:
    result = deploy(sku="Standard_LRS", shares=[ShareSpec("datasets", quota_gib=5)])
    account = result.one(ACCOUNT).inputs
    assert account["kind"] == "StorageV2"
    assert account["sku"] == {"name": "Standard_LRS"}
    assert account["largeFileSharesState"] == "Enabled"
    share = result.one(SHARE).inputs
    assert share["shareQuota"] == 5
    assert share["accessTier"] == "TransactionOptimized"
    perf = result.value.share_performance["datasets"]
    assert (perf.iops, perf.throughput_mibps, perf.guaranteed) == (20_000, 300, False)


def test_file_service_soft_delete_and_smb_hardening() -> None:
    service = deploy(soft_delete_days=21).one(FILE_SERVICE).inputs
    assert service["fileServicesName"] == "default"
    assert service["accountName"] == "sttraining01"
    assert service["shareDeleteRetentionPolicy"] == {"enabled": True, "days": 21}
    smb = service["protocolSettings"]["smb"]
    assert "SMB2.1" not in smb["versions"]
    assert "NTLMv2" in smb["authenticationMethods"]


def test_shares_quota_from_throughput_target_and_quota() -> None:
    result = deploy()
    shares = {r.inputs["shareName"]: r.inputs for r in result.by_type(SHARE)}
    assert shares["datasets"]["shareQuota"] == 6984  # smallest quota giving >= 800 MiB/s
    assert shares["checkpoints"]["shareQuota"] == 512
    for share in shares.values():
        assert share["enabledProtocols"] == "SMB"
        assert "rootSquash" not in share
        assert share["accountName"] == "sttraining01"
        assert share["resourceGroupName"] == "rg-test"
    perf = result.value.share_performance
    assert perf["datasets"].throughput_mibps >= 800
    assert perf["checkpoints"].iops == 3512


def test_protected_data_is_protected_and_retained() -> None:
    result = deploy(protect=True)
    for type_ in (ACCOUNT, FILE_SERVICE, SHARE):
        for registration in result.by_type(type_):
            assert registration.protect, registration.name
            assert registration.retain_on_delete, registration.name


def test_unprotected_and_unlocked() -> None:
    result = deploy(protect=False, lock=False)
    assert not result.by_type(LOCK)
    assert result.value.lock is None
    assert not any(r.protect or r.retain_on_delete for r in result.registrations)


def test_lock_targets_the_account() -> None:
    result = deploy(lock=True)
    lock = result.one(LOCK).inputs
    account = result.one(ACCOUNT)
    assert lock["level"] == "CanNotDelete"
    assert lock["lockName"] == "sttraining01-cannot-delete"
    assert lock["scope"].endswith("/storage/StorageAccount/sttraining01")
    assert account.urn in result.one(LOCK).dependencies


def test_account_key_is_a_secret_from_list_keys() -> None:
    result = deploy()
    key = result.value.account_key
    assert result.is_secret(key)
    assert result.resolve(key) == FAKE_STORAGE_KEY
    assert (
        "azure-native:storage:listStorageAccountKeys",
        {
            "resourceGroupName": "rg-test",
            "accountName": "sttraining01",
        },
    ) in result.calls


def test_volumes_mount_with_the_configured_key_for_rotation() -> None:
    result = deploy(account_key="key2")
    key = result.value.account_key
    assert result.is_secret(key)
    assert result.resolve(key) == FAKE_STORAGE_KEY_2


def test_nfs_account_and_shares() -> None:
    result = deploy(protocol="nfs")
    account = result.one(ACCOUNT).inputs
    assert account["enableHttpsTrafficOnly"] is False  # NFS has no in-transit encryption
    assert account["kind"] == "FileStorage"
    assert account["networkRuleSet"]["defaultAction"] == "Deny"
    for share in result.by_type(SHARE):
        assert share.inputs["enabledProtocols"] == "NFS"
        assert share.inputs["rootSquash"] == "RootSquash"
    assert "protocolSettings" not in result.one(FILE_SERVICE).inputs
    assert result.value.account_key is None
    assert not [c for c in result.calls if c[0].endswith("listStorageAccountKeys")]


def test_no_plaintext_key_in_any_input() -> None:
    for registration in deploy().registrations:
        for key, value in registration.inputs.items():
            if rpc.is_rpc_secret(value):
                continue
            assert FAKE_STORAGE_KEY not in repr(value), (registration.name, key)


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        (
            {"protocol": "nfs", "sku": "Standard_ZRS", "shares": [ShareSpec("d", quota_gib=5)]},
            "NFS shares need a Premium_\\* SKU",
        ),
        ({"protocol": "nfs", "allowed_subnet_ids": []}, "at least one allowed subnet"),
        ({"allowed_subnet_ids": [], "allowed_ip_ranges": []}, "denies by default"),
        ({"account_name": "St-Training"}, "3-24 lowercase letters and digits"),
        ({"soft_delete_days": 0}, "between 1 and 365"),
        ({"soft_delete_days": 366}, "between 1 and 365"),
        ({"sku": "Standard_GRS"}, "sku must be one of"),
        ({"shares": []}, "at least one share"),
        ({"shares": [ShareSpec("datasets", quota_gib=100)] * 2}, "used twice"),
        ({"shares": [ShareSpec("Data_Sets", quota_gib=100)]}, "share name must be"),
        ({"shares": [ShareSpec("datasets", quota_gib=99)]}, "between 100 and 102400"),
        (
            {"sku": "Standard_LRS", "shares": [ShareSpec("datasets", throughput_mibps=100)]},
            "only be provisioned on premium shares",
        ),
        ({"shares": [ShareSpec("datasets")]}, "exactly one"),
    ],
)
def test_invalid_args_fail_before_anything_is_registered(
    overrides: dict[str, Any], message: str
) -> None:
    args = make_args(**overrides)
    result = run_pulumi(lambda: SharedStorage("shared", args))
    assert isinstance(result.error, ValueError)
    assert result.registrations == []
    with pytest.raises(ValueError, match=message):
        result.raise_error()
