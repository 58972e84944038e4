"""azure-native-storage-storageaccount-share-soft-delete-configured (stack policy)

Applies to: every ``azure-native:storage:StorageAccount`` in the stack that has at least one
``azure-native:storage:FileShare`` in the stack, with the stack's
``azure-native:storage:FileServiceProperties`` resources as context.

Enforces: such an account has a FileServiceProperties resource in the stack. Share soft
delete is configured only there, and
``azure-native-storage-fileserviceproperties-share-soft-delete`` (which checks the retention
days against the environment's minimum) only runs when that resource exists; without it the
account keeps whatever Azure's default is, which is not guaranteed to meet the minimum.

A FileServiceProperties belongs to an account when its ``accountName`` was computed from the
account (engine property dependency), when its ``accountName`` equals the account name, or
when its ``id`` is ``.../storageAccounts/<account>/fileServices/<name>`` (names compared
case-insensitively). Shares are matched to accounts the same way.

Missing: an account with shares and no matching FileServiceProperties is a violation; an
account without shares in the stack is not checked (it serves no file data here).
Unknown: if no share is known to belong to the account but some share's account is unknown,
or the account has no matching FileServiceProperties but some FileServiceProperties'
account is unknown, the account is skipped.
"""

from __future__ import annotations

from pulumi_policy import ReportViolation, Severity, StackValidationArgs, StackValidationPolicy

from .._props import UNKNOWN
from .._stack import (
    account_for_file_service,
    account_for_share,
    account_label,
    file_services,
    file_shares,
    share_label,
    storage_accounts,
)


def _validate(args: StackValidationArgs, report_violation: ReportViolation) -> None:
    accounts = storage_accounts(args)
    shares = file_shares(args)
    services = file_services(args)
    share_owners = [account_for_share(share, accounts) for share in shares]
    service_owners = [account_for_file_service(service, accounts) for service in services]
    for account in accounts:
        own = [share for share, owner in zip(shares, share_owners, strict=True) if owner is account]
        if not own:
            continue
        if any(owner is account for owner in service_owners):
            continue
        if UNKNOWN in service_owners:
            continue
        names = ", ".join(repr(share_label(share)) for share in own)
        report_violation(
            f"StorageAccount '{account_label(account)}' has file share(s) {names} but no "
            "FileServiceProperties in this stack, so share soft delete is left to Azure's "
            "defaults; add an azure-native:storage:FileServiceProperties ('default') for the "
            "account with shareDeleteRetentionPolicy enabled.",
            account.urn,
        )


# No stack-file key can cause this verdict: the components always comply.
STACK_KEYS: tuple[str, ...] = ()

POLICY = StackValidationPolicy(
    name="azure-native-storage-storageaccount-share-soft-delete-configured",
    description=(
        "Storage accounts with file shares configure share soft delete through a "
        "FileServiceProperties resource."
    ),
    validate=_validate,
    severity=Severity.HIGH,
    remediation_steps=(
        "Create FileServiceProperties(account_name=account.name, file_services_name='default', "
        "share_delete_retention_policy={'enabled': True, 'days': <minimumDays or more>}) for "
        "every storage account that has file shares, in the same stack."
    ),
    url="https://learn.microsoft.com/azure/storage/files/storage-files-enable-soft-delete",
    tags=["azure", "storage", "azure-files", "data-protection"],
)
