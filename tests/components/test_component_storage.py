"""SharedStorage under the Pulumi mock runtime."""

from __future__ import annotations

import dataclasses
from typing import Any

from component_harness import (
    FAKE_STORAGE_KEY,
    SUBNET_ID,
    RunResult,
    run_pulumi,
)
from pulumi.runtime import rpc

from azure_facts.files import BillingModel
from components.sizing import resolve_share
from components.storage import (
    KEY_READER_ACTIONS,
    KEY_READER_ROLE_ID,
    KubeletKeyAccess,
    KubeletKeyAccessArgs,
    SharedStorage,
    SharedStorageArgs,
    ShareSpec,
)
from stacks.config import StorageConfig

COMPONENT = "aks-rwx-training:storage:SharedStorage"
ACCOUNT = "azure-native:storage:StorageAccount"
FILE_SERVICE = "azure-native:storage:FileServiceProperties"
SHARE = "azure-native:storage:FileShare"
LOCK = "azure-native:authorization:ManagementLockByScope"
ACCOUNT_ID = (
    "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg-test/providers/"
    "Microsoft.Storage/storageAccounts/sttraining01"
)
TAGS = {"environment": "test", "owner": "ml-platform", "cost-center": "ml-training"}
SSD = BillingModel.PROVISIONED_V2_SSD


def spec(name: str, model: BillingModel = SSD, **declared: int) -> ShareSpec:
    """A share as stacks/config.py hands it over: resolved once from the volume's declaration."""
    return ShareSpec(name, resolve_share(model, **declared))


def make_args(**overrides: Any) -> SharedStorageArgs:
    """The args with ``overrides`` by field name; a field of the stack's storage keys
    (stacks/config.py ``StorageConfig``, its defaults declared there) goes to ``storage``."""
    settings = {k: overrides.pop(k) for k in list(overrides) if k in StorageConfig.model_fields}
    storage = StorageConfig.model_validate(
        {
            "storageAccountName": "sttraining01",
            "allowedIpRanges": ["203.0.113.7"],
            "storagePrivateEndpoint": False,
        }
    )
    base = SharedStorageArgs(
        resource_group_name="rg-test",
        location="westeurope",
        storage=storage.model_copy(update=settings),
        shares=[
            spec("datasets", quota_gib=2048, throughput_mibps=800),
            spec("checkpoints", quota_gib=512),
        ],
        allowed_subnet_ids=[SUBNET_ID],
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


def test_provisioned_v2_smb_account_has_secure_settings() -> None:
    account = deploy().one(ACCOUNT).inputs
    assert account["accountName"] == "sttraining01"
    assert account["kind"] == "FileStorage"
    assert account["sku"] == {"name": "PremiumV2_ZRS"}
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
    result = deploy(
        file_billing_model=BillingModel.PAY_AS_YOU_GO_HDD,
        storage_redundancy="LRS",
        shares=[spec("datasets", BillingModel.PAY_AS_YOU_GO_HDD, quota_gib=5)],
    )
    account = result.one(ACCOUNT).inputs
    assert account["kind"] == "StorageV2"
    assert account["sku"] == {"name": "Standard_LRS"}
    assert account["largeFileSharesState"] == "Enabled"
    share = result.one(SHARE).inputs
    assert share["shareQuota"] == 5
    assert share["accessTier"] == "TransactionOptimized"
    assert "provisionedIops" not in share and "provisionedBandwidthMibps" not in share


def test_provisioned_v2_hdd_account_is_file_storage() -> None:
    result = deploy(
        file_billing_model=BillingModel.PROVISIONED_V2_HDD,
        storage_redundancy="LRS",
        shares=[spec("datasets", BillingModel.PROVISIONED_V2_HDD, quota_gib=1024)],
    )
    account = result.one(ACCOUNT).inputs
    assert (account["kind"], account["sku"]) == ("FileStorage", {"name": "StandardV2_LRS"})
    share = result.one(SHARE).inputs
    # Azure's recommendation for 1024 GiB on HDD: 1000 + 0.2 * GiB IOPS, 60 + 0.02 * GiB MiB/s.
    assert (share["provisionedIops"], share["provisionedBandwidthMibps"]) == (1205, 81)
    assert "accessTier" not in share


def test_provisioned_v1_sizes_the_quota_for_the_throughput() -> None:
    result = deploy(
        file_billing_model=BillingModel.PROVISIONED_V1_SSD,
        shares=[spec("datasets", BillingModel.PROVISIONED_V1_SSD, throughput_mibps=800)],
    )
    assert result.one(ACCOUNT).inputs["sku"] == {"name": "Premium_ZRS"}
    share = result.one(SHARE).inputs
    assert share["shareQuota"] == 6984  # smallest quota giving >= 800 MiB/s
    assert "provisionedIops" not in share and "provisionedBandwidthMibps" not in share


def test_file_service_soft_delete_and_smb_hardening() -> None:
    service = deploy(share_soft_delete_days=21).one(FILE_SERVICE).inputs
    assert service["fileServicesName"] == "default"
    assert service["accountName"] == "sttraining01"
    assert service["shareDeleteRetentionPolicy"] == {"enabled": True, "days": 21}
    smb = service["protocolSettings"]["smb"]
    assert "SMB2.1" not in smb["versions"]
    assert "NTLMv2" in smb["authenticationMethods"]


def test_v2_shares_provision_the_targets_or_the_recommendation() -> None:
    result = deploy()
    shares = {r.inputs["shareName"]: r.inputs for r in result.by_type(SHARE)}
    assert shares["datasets"]["shareQuota"] == 2048
    assert shares["datasets"]["provisionedBandwidthMibps"] == 800  # the declared target
    assert shares["datasets"]["provisionedIops"] == 5048  # 3000 + 1 * GiB
    assert shares["checkpoints"]["shareQuota"] == 512
    assert shares["checkpoints"]["provisionedBandwidthMibps"] == 152  # 100 + ceil(0.1 * GiB)
    for share in shares.values():
        assert share["enabledProtocols"] == "SMB"
        assert "rootSquash" not in share
        assert share["accountName"] == "sttraining01"
        assert share["resourceGroupName"] == "rg-test"
        assert "accessTier" not in share
    assert shares["checkpoints"]["provisionedIops"] == 3512  # 3000 + 1 * GiB


def test_protected_data_is_protected_and_retained() -> None:
    result = deploy(protect=True)
    for type_ in (ACCOUNT, FILE_SERVICE, SHARE):
        for registration in result.by_type(type_):
            assert registration.protect, registration.name
            assert registration.retain_on_delete, registration.name


def test_unprotected_and_unlocked() -> None:
    result = deploy(protect=False, lock_storage=False)
    assert not result.by_type(LOCK)
    assert result.value.lock is None
    assert not any(r.protect or r.retain_on_delete for r in result.registrations)


def test_lock_targets_the_account() -> None:
    result = deploy(lock_storage=True)
    lock = result.one(LOCK).inputs
    account = result.one(ACCOUNT)
    assert lock["level"] == "CanNotDelete"
    assert lock["lockName"] == "sttraining01-cannot-delete"
    assert lock["scope"].endswith("/providers/Microsoft.Storage/storageAccounts/sttraining01")
    assert account.urn in result.one(LOCK).dependencies


def test_the_program_never_lists_the_account_keys() -> None:
    # Issue 21: the deploy and plan identities needed listKeys because the program read the
    # key; the CSI driver now lists it on the node with the kubelet identity.
    for result in (deploy(), deploy(file_protocol="nfs")):
        assert not [c for c in result.calls if c[0].endswith("listStorageAccountKeys")]
        assert not hasattr(result.value, "account_key")


def test_nfs_account_and_shares() -> None:
    result = deploy(file_protocol="nfs")
    account = result.one(ACCOUNT).inputs
    assert account["enableHttpsTrafficOnly"] is False  # NFS has no in-transit encryption
    assert account["kind"] == "FileStorage"
    assert account["networkRuleSet"]["defaultAction"] == "Deny"
    for share in result.by_type(SHARE):
        assert share.inputs["enabledProtocols"] == "NFS"
        assert share.inputs["rootSquash"] == "RootSquash"
    assert "protocolSettings" not in result.one(FILE_SERVICE).inputs


def test_no_plaintext_key_in_any_input() -> None:
    for registration in deploy().registrations:
        for key, value in registration.inputs.items():
            if rpc.is_rpc_secret(value):
                continue
            assert FAKE_STORAGE_KEY not in repr(value), (registration.name, key)


def test_the_kubelet_may_list_keys_on_the_account_alone() -> None:
    def program() -> KubeletKeyAccess:
        return KubeletKeyAccess(
            "key-access",
            KubeletKeyAccessArgs(
                account_id=ACCOUNT_ID,
                account_name="sttraining01",
                cluster_name="aks-training",
                kubelet_principal_id="11111111-2222-3333-4444-555555555555",
            ),
        )

    result = run_pulumi(program)
    result.raise_error()
    assignment = result.one("azure-native:authorization:RoleAssignment")
    assert assignment.inputs["scope"] == ACCOUNT_ID
    assert assignment.inputs["principalId"] == "11111111-2222-3333-4444-555555555555"
    assert assignment.inputs["roleDefinitionId"] == (
        "/subscriptions/00000000-0000-0000-0000-000000000000/providers/"
        f"Microsoft.Authorization/roleDefinitions/{KEY_READER_ROLE_ID}"
    )
    assert KEY_READER_ACTIONS == ("Microsoft.Storage/storageAccounts/listKeys/action",)
