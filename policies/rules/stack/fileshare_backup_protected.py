"""azure-native-storage-fileshare-backup-protected (stack policy)

Applies to: every ``azure-native:storage:FileShare`` in the stack that holds a volume (an
Azure Files CSI ``kubernetes:core/v1:PersistentVolume`` mounts it, matched as in
``kubernetes-core-persistentvolume-capacity-within-share-quota``), with the stack's
``azure:backup/protectedFileShare:ProtectedFileShare`` and
``azure-native:recoveryservices:ProtectionPolicy`` resources as context.

Enforces: such a share is covered by a protected item whose policy keeps daily backups for at
least ``minimumDailyRetentionDays``. Soft delete and locks guard the share against deletion;
only backups bring back files that a pod deleted or overwrote inside it.

A protected item covers a share when its ``sourceFileShareName`` was computed from the share
(engine property dependency) or equals the share's name, and its ``sourceStorageAccountId``
is the share's storage account (the account resource among its dependencies, or its id;
compared case-insensitively). Its policy is the ProtectionPolicy among its ``backupPolicyId``
dependencies, else the one whose ``id`` equals ``backupPolicyId``. The daily retention is
``properties.retentionPolicy.dailySchedule.retentionDuration.count`` (days).

An azure-native ``recoveryservices:ProtectedItem`` covers nothing: Azure Backup names a
protected share by an internal name, so an item declared as ``AzureFileShare;<share>`` is
created but never read back (404; components/backup.py cites the sources).

Missing: no covering item, an item without ``policyId``, a policy not in the stack (its
retention cannot be checked) or a policy without daily retention are violations.
Unknown: a share whose coverage, policy or retention cannot be decided is skipped.
"""

from __future__ import annotations

from typing import Any

from pulumi_policy import ReportViolation, Severity, StackValidationArgs, StackValidationPolicy

from .._azure import PROTECTED_SHARE_TYPE, PROTECTION_POLICY_TYPE
from .._config import schema, settings
from .._k8s import PV_TYPE, is_azure_files_pv
from .._props import MISSING, UNKNOWN, as_int, describe
from .._stack import (
    Res,
    account_for_share,
    file_shares,
    k8s_label,
    resources,
    share_label,
    share_name,
    share_of_pv,
    storage_accounts,
)

CONFIG_SCHEMA = schema(
    {
        "minimumDailyRetentionDays": {
            "type": "integer",
            "minimum": 1,
            "maximum": 200,
            "description": "Minimum number of days daily backups of a volume's share are kept.",
            "default": 7,
        }
    }
)
_SHARE = "sourceFileShareName"
_ACCOUNT = "sourceStorageAccountId"
_POLICY = "backupPolicyId"


def _same_id(a: Any, b: Any) -> Any:
    if a is UNKNOWN or b is UNKNOWN:
        return UNKNOWN
    if not isinstance(a, str) or not isinstance(b, str):
        return False
    return a.rstrip("/").lower() == b.rstrip("/").lower()


def _covers(item: Res, share: Res, accounts: list[Res]) -> Any:
    """Whether ``item`` protects ``share``: True, False or UNKNOWN."""
    if share.urn not in {r.urn for r in item.depends_on(_SHARE)}:
        name = item.get(_SHARE)
        wanted = share_name(share)
        if name is UNKNOWN or wanted is UNKNOWN:
            return UNKNOWN
        if not isinstance(name, str) or not isinstance(wanted, str):
            return False
        if name.lower() != wanted.lower():
            return False
    owner = account_for_share(share, accounts)
    if not isinstance(owner, Res):
        return UNKNOWN
    if owner.urn in {r.urn for r in item.depends_on(_ACCOUNT)}:
        return True
    return _same_id(item.get(_ACCOUNT), owner.get("id"))


def _policy_of(item: Res, policies: list[Res]) -> Any:
    """The item's ProtectionPolicy: a Res, None (not in the stack), MISSING or UNKNOWN."""
    dep_urns = {r.urn for r in item.depends_on(_POLICY)}
    by_dep = [p for p in policies if p.urn in dep_urns]
    if len(by_dep) == 1:
        return by_dep[0]
    policy_id = item.get(_POLICY)
    if not isinstance(policy_id, str):
        return policy_id
    undecided = False
    for policy in policies:
        same = _same_id(policy_id, policy.get("id"))
        if same is True:
            return policy
        undecided = undecided or same is UNKNOWN
    return UNKNOWN if undecided else None


def _policy_label(policy: Res) -> str:
    for key in ("policyName", "name"):
        value = policy.get(key)
        if isinstance(value, str):
            return value
    return policy.name


def _problem(item: Res, policies: list[Res], minimum: int) -> Any:
    """Why ``item``'s policy falls short (a message tail), None when it does not, or UNKNOWN."""
    policy = _policy_of(item, policies)
    if policy is UNKNOWN:
        return UNKNOWN
    if policy is MISSING:
        return (
            f"a protected item without {_POLICY}, so no schedule backs it up; set it to "
            f"a ProtectionPolicy keeping daily backups for at least {minimum} days"
        )
    if policy is None:
        return (
            "a ProtectionPolicy that is not in this stack, so its retention cannot be checked; "
            f"declare the policy here, keeping daily backups for at least {minimum} days"
        )
    schedule = policy.get("properties", "retentionPolicy", "dailySchedule", "retentionDuration")
    count = policy.get(
        "properties", "retentionPolicy", "dailySchedule", "retentionDuration", "count"
    )
    unit = policy.get(
        "properties", "retentionPolicy", "dailySchedule", "retentionDuration", "durationType"
    )
    if UNKNOWN in (schedule, count, unit):
        return UNKNOWN
    name = _policy_label(policy)
    if schedule is MISSING:
        return (
            f"ProtectionPolicy '{name}', which keeps no daily backups; add a daily retention of "
            f"at least {minimum} days"
        )
    days = as_int(count)
    if unit != "Days" or days is None or days < minimum:
        per = unit.lower() if isinstance(unit, str) else "(no durationType)"
        return (
            f"ProtectionPolicy '{name}', which keeps daily backups for {describe(count)} {per}; "
            f"at least {minimum} days are required"
        )
    return None


def _validate(args: StackValidationArgs, report_violation: ReportViolation) -> None:
    minimum = settings(args.get_config(), CONFIG_SCHEMA)["minimumDailyRetentionDays"]
    accounts = storage_accounts(args)
    shares = file_shares(args)
    items = resources(args, PROTECTED_SHARE_TYPE)
    policies = resources(args, PROTECTION_POLICY_TYPE)
    volumes: dict[str, tuple[Res, list[str]]] = {}
    for volume in resources(args, PV_TYPE):
        if is_azure_files_pv(volume.props) is not True:
            continue
        share = share_of_pv(volume, shares, accounts)
        if isinstance(share, Res):
            volumes.setdefault(share.urn, (share, []))[1].append(k8s_label(volume))
    for share, pv_names in volumes.values():
        subject = f"FileShare '{share_label(share)}'"
        coverage = [_covers(item, share, accounts) for item in items]
        covering = [item for item, covers in zip(items, coverage, strict=True) if covers is True]
        if not covering:
            if UNKNOWN in coverage:
                continue
            names = ", ".join(repr(name) for name in pv_names)
            report_violation(
                f"{subject} holds volume(s) {names} but no Azure Backup protected item covers "
                f"it; add an {PROTECTED_SHARE_TYPE} for it under a ProtectionPolicy keeping "
                f"daily backups for at least {minimum} days.",
                share.urn,
            )
            continue
        problems = [_problem(item, policies, minimum) for item in covering]
        if None in problems or UNKNOWN in problems:
            continue
        report_violation(f"{subject} is backed up under {problems[0]}.", share.urn)


# The stack-file keys whose values can cause this verdict (the fix line names them).
STACK_KEYS: tuple[str, ...] = ("backup.enabled", "backup.dailyRetentionDays")

POLICY = StackValidationPolicy(
    name="azure-native-storage-fileshare-backup-protected",
    description=(
        "Every file share holding a volume is backed up by Azure Backup with the required "
        "daily retention."
    ),
    validate=_validate,
    config_schema=CONFIG_SCHEMA,
    severity=Severity.HIGH,
    remediation_steps=(
        "Register the storage account with a Recovery Services vault (ProtectionContainer) and "
        "protect each share with the classic azure provider's backup.ProtectedFileShare (it "
        "finds the item's internal name; an azure-native ProtectedItem named "
        "'AzureFileShare;<share>' is never read back) under a ProtectionPolicy whose "
        "dailySchedule.retentionDuration is at least minimumDailyRetentionDays days; "
        "components/backup.py does all of it."
    ),
    url="https://learn.microsoft.com/azure/backup/azure-file-share-backup-overview",
    tags=["azure", "storage", "azure-files", "backup", "data-protection"],
)
