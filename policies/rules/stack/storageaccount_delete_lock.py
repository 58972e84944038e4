"""azure-native-storage-storageaccount-delete-lock (stack policy)

Applies to: every ``azure-native:storage:StorageAccount`` in the stack, with the stack's
``azure-native:authorization:ManagementLockByScope`` resources as context.

Enforces: each storage account has a ``CanNotDelete`` management lock scoped to it, so the
account cannot be deleted outside Pulumi either (portal, CLI, a deleted resource group).
A ``ReadOnly`` lock does not count: it also blocks listing the account keys, which breaks
SMB mounts.

A lock belongs to an account when its ``scope`` was computed from the account (engine
property dependency), when its ``scope`` equals the account ``id``, or when its ``id`` is
``<account id>/providers/Microsoft.Authorization/locks/<name>`` (ids compared
case-insensitively).

Enable it per environment through the config file (staging/prod ``mandatory``; dev may
disable it). Locks created outside the stack are invisible here.

Missing: an account without a matching lock is a violation.
Unknown: if an account has no matching lock but some lock's scope/level (or the account
id) is unknown, the account is skipped.
"""

from __future__ import annotations

from typing import Any

from pulumi_policy import ReportViolation, Severity, StackValidationArgs, StackValidationPolicy

from .._azure import LOCK_BY_SCOPE_TYPE
from .._props import UNKNOWN, describe
from .._stack import Res, account_label, resources, storage_accounts

_LOCK_SEGMENT = "/providers/microsoft.authorization/locks/"


def _belongs(lock: Res, account: Res) -> Any:
    if account.urn in {r.urn for r in lock.depends_on("scope")}:
        return True
    account_id = account.get("id")
    scope = lock.get("scope")
    lock_id = lock.get("id")
    if isinstance(account_id, str):
        if isinstance(scope, str) and scope.rstrip("/").lower() == account_id.rstrip("/").lower():
            return True
        if isinstance(lock_id, str) and lock_id.lower().startswith(
            account_id.rstrip("/").lower() + _LOCK_SEGMENT
        ):
            return True
    if account_id is UNKNOWN or (scope is UNKNOWN and not isinstance(lock_id, str)):
        return UNKNOWN
    return False


def _validate(args: StackValidationArgs, report_violation: ReportViolation) -> None:
    locks = resources(args, LOCK_BY_SCOPE_TYPE)
    for account in storage_accounts(args):
        levels = []
        undecided = False
        for lock in locks:
            belongs = _belongs(lock, account)
            if belongs is UNKNOWN:
                undecided = True
            elif belongs:
                levels.append(lock.get("level"))
        if "CanNotDelete" in levels:
            continue
        if undecided or UNKNOWN in levels:
            continue
        name = account_label(account)
        if levels:
            shown = ", ".join(describe(level) for level in levels)
            report_violation(
                f"StorageAccount '{name}' is locked only with level {shown}; add a "
                "'CanNotDelete' lock (a 'ReadOnly' lock also blocks listing the account keys, "
                "which breaks SMB mounts).",
                account.urn,
            )
        else:
            report_violation(
                f"StorageAccount '{name}' has no CanNotDelete management lock; add an "
                "azure-native:authorization:ManagementLockByScope with scope set to the "
                "account's id and level 'CanNotDelete'.",
                account.urn,
            )


# The stack-file keys whose values can cause this verdict (the fix line names them).
STACK_KEYS: tuple[str, ...] = ("lockStorage",)

POLICY = StackValidationPolicy(
    name="azure-native-storage-storageaccount-delete-lock",
    description="Every storage account has a CanNotDelete management lock.",
    validate=_validate,
    severity=Severity.HIGH,
    remediation_steps=(
        "Create ManagementLockByScope(scope=account.id, level='CanNotDelete', notes=...) for "
        "the account in the same stack."
    ),
    url="https://learn.microsoft.com/azure/azure-resource-manager/management/lock-resources",
    tags=["azure", "storage", "data-protection"],
)
