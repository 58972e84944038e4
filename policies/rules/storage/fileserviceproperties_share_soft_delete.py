"""azure-native-storage-fileserviceproperties-share-soft-delete

Applies to: ``azure-native:storage:FileServiceProperties``.

Enforces: ``shareDeleteRetentionPolicy.enabled`` is ``true`` and ``days`` is at least the
``minimumDays`` setting, so a deleted share (and its training data) can be restored.

Missing: no ``shareDeleteRetentionPolicy``, no ``enabled`` or, when enabled, no ``days`` are
violations - the retention must be stated, not left to the portal/API defaults.
Unknown: skipped.
"""

from __future__ import annotations

from pulumi_policy import (
    ReportViolation,
    ResourceValidationArgs,
    ResourceValidationPolicy,
    Severity,
)

from .._azure import FILE_SERVICE_TYPE
from .._config import schema, settings
from .._props import MISSING, UNKNOWN, as_int, describe, get, plain

CONFIG_SCHEMA = schema(
    {
        "minimumDays": {
            "type": "integer",
            "minimum": 1,
            "maximum": 365,
            "description": "Minimum number of days deleted file shares are retained.",
            "default": 7,
        }
    }
)


def _validate(args: ResourceValidationArgs, report_violation: ReportViolation) -> None:
    if args.resource_type != FILE_SERVICE_TYPE:
        return
    props = plain(args.props)
    minimum = settings(args.get_config(), CONFIG_SCHEMA)["minimumDays"]
    policy = get(props, "shareDeleteRetentionPolicy")
    enabled = get(props, "shareDeleteRetentionPolicy", "enabled")
    days = get(props, "shareDeleteRetentionPolicy", "days")
    if UNKNOWN in (policy, enabled):
        return
    account = get(props, "accountName")
    subject = (
        f"FileServiceProperties of account '{account}'"
        if isinstance(account, str)
        else f"FileServiceProperties '{args.name}'"
    )
    fix = f"enable share soft delete with at least {minimum} days"
    if policy is MISSING:
        report_violation(f"{subject} does not set shareDeleteRetentionPolicy; {fix}.", None)
    elif enabled is not True:
        report_violation(
            f"{subject} has shareDeleteRetentionPolicy.enabled {describe(enabled)}; {fix}.", None
        )
    elif days is MISSING:
        report_violation(
            f"{subject} enables share soft delete without setting days; set at least {minimum}.",
            None,
        )
    elif days is not UNKNOWN:
        count = as_int(days)
        if count is None or count < minimum:
            report_violation(
                f"{subject} retains deleted shares for {describe(days)} days; at least {minimum} "
                "are required.",
                None,
            )


# The stack-file keys whose values can cause this verdict (the fix line names them).
STACK_KEYS: tuple[str, ...] = ("shareSoftDeleteDays",)

POLICY = ResourceValidationPolicy(
    name="azure-native-storage-fileserviceproperties-share-soft-delete",
    description="Azure Files share soft delete is enabled with the required retention.",
    validate=_validate,
    config_schema=CONFIG_SCHEMA,
    severity=Severity.HIGH,
    remediation_steps=(
        "Set shareDeleteRetentionPolicy={'enabled': True, 'days': <minimumDays or more>} on the "
        "FileServiceProperties resource ('default') of the storage account."
    ),
    url="https://learn.microsoft.com/azure/storage/files/storage-files-enable-soft-delete",
    tags=["azure", "storage", "azure-files", "data-protection"],
)
