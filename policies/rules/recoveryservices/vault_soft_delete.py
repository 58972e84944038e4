"""azure-native-recoveryservices-vault-soft-delete

Applies to: ``azure-native:recoveryservices:Vault``.

Enforces: ``properties.securitySettings.softDeleteSettings.softDeleteState`` is ``Enabled`` or
``AlwaysON``, so backup data deleted from the vault (stop protection with delete, a deleted
protected item) stays recoverable for the soft-delete retention instead of being purged at once.

Missing: an unset state is a violation - it must be stated, not left to the API's default.
Unknown: skipped.
"""

from __future__ import annotations

from pulumi_policy import (
    ReportViolation,
    ResourceValidationArgs,
    ResourceValidationPolicy,
    Severity,
)

from .._azure import VAULT_TYPE, label
from .._props import MISSING, UNKNOWN, describe, get, plain

SOFT_DELETE_ON = ("Enabled", "AlwaysON")
_FIX = (
    "set properties.securitySettings.softDeleteSettings.softDeleteState to 'Enabled' or "
    "'AlwaysON' so deleted backups stay recoverable"
)


def _validate(args: ResourceValidationArgs, report_violation: ReportViolation) -> None:
    if args.resource_type != VAULT_TYPE:
        return
    props = plain(args.props)
    state = get(props, "properties", "securitySettings", "softDeleteSettings", "softDeleteState")
    if state is UNKNOWN or state in SOFT_DELETE_ON:
        return
    vault = label("Vault", props, "vaultName", args.name)
    if state is MISSING:
        report_violation(f"{vault} does not set its soft delete state; {_FIX}.", None)
    else:
        report_violation(f"{vault} has soft delete {describe(state)}; {_FIX}.", None)


# No stack-file key can cause this verdict: the components always comply.
STACK_KEYS: tuple[str, ...] = ()

POLICY = ResourceValidationPolicy(
    name="azure-native-recoveryservices-vault-soft-delete",
    description="Recovery Services vaults keep deleted backup data (soft delete on).",
    validate=_validate,
    severity=Severity.HIGH,
    remediation_steps=(
        "Set properties.securitySettings.softDeleteSettings={'softDeleteState': 'Enabled', "
        "'softDeleteRetentionPeriodInDays': 14} (or 'AlwaysON', which cannot be turned off) on "
        "the Vault."
    ),
    url="https://learn.microsoft.com/azure/backup/backup-azure-enhanced-soft-delete-about",
    tags=["azure", "backup", "data-protection"],
)
