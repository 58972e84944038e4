"""Cases of the policies in policies/rules/options/ (Pulumi resource options)."""

from __future__ import annotations

from policy_fixtures import FILE_SHARE_TYPE, PV_TYPE, STORAGE_ACCOUNT_TYPE

from ._helpers import RCase

OPT_PROTECT = "pulumi-resourceoptions-storage-protect"
OPT_DBR = "pulumi-resourceoptions-stateful-no-delete-before-replace"

PROTECT_MSG = (
    "Resource 'res' ({}) is not protected; create it with ResourceOptions(protect=True) so it "
    "cannot be deleted by destroy or replacement."
)
DBR_MSG = (
    "Resource 'res' ({}) sets deleteBeforeReplace; a replacement would delete it, and the data it "
    "holds, before its successor exists. Remove the option."
)

CASES: list[RCase] = [
    # pulumi-resourceoptions-storage-protect
    RCase("protect-account", OPT_PROTECT, "storage_account"),
    RCase("protect-share", OPT_PROTECT, "file_share"),
    RCase("protect-not-required-for-pv", OPT_PROTECT, "pv", protect=False),
    RCase(
        "protect-account-missing",
        OPT_PROTECT,
        "storage_account",
        protect=False,
        expected=(PROTECT_MSG.format(STORAGE_ACCOUNT_TYPE),),
    ),
    RCase(
        "protect-share-missing",
        OPT_PROTECT,
        "file_share",
        protect=False,
        expected=(PROTECT_MSG.format(FILE_SHARE_TYPE),),
    ),
    # pulumi-resourceoptions-stateful-no-delete-before-replace
    RCase("dbr-unset", OPT_DBR, "file_share"),
    RCase("dbr-false", OPT_DBR, "storage_account", delete_before_replace=False),
    RCase("dbr-stateless-namespace", OPT_DBR, "namespace", delete_before_replace=True),
    RCase("dbr-stateless-secret", OPT_DBR, "secret", delete_before_replace=True),
    RCase(
        "dbr-share",
        OPT_DBR,
        "file_share",
        delete_before_replace=True,
        expected=(DBR_MSG.format(FILE_SHARE_TYPE),),
    ),
    RCase("dbr-pv", OPT_DBR, "pv", delete_before_replace=True, expected=(DBR_MSG.format(PV_TYPE),)),
    RCase(
        "dbr-cluster",
        OPT_DBR,
        "managed_cluster",
        delete_before_replace=True,
        expected=(DBR_MSG.format("azure-native:containerservice:ManagedCluster"),),
    ),
    RCase(
        "dbr-backup-vault",
        OPT_DBR,
        "vault",
        delete_before_replace=True,
        expected=(DBR_MSG.format("azure-native:recoveryservices:Vault"),),
    ),
]
