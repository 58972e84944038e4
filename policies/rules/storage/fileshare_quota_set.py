"""azure-native-storage-fileshare-quota-set

Applies to: ``azure-native:storage:FileShare``.

Enforces: ``shareQuota`` is set to a whole number of GiB between 1 and 262144 (the smallest
minimum and the largest maximum of any billing model, ``azure_facts/files.py``). The limits
that depend on the account (the model's range, 5 TiB without large file shares) are checked
by the stack policy ``azure-native-storage-fileshare-quota-within-account-limits``.

Missing: no ``shareQuota`` is a violation - the share would get the account's maximum, and
PersistentVolume capacities could not be checked against it.
Unknown: skipped.
"""

from __future__ import annotations

from pulumi_policy import (
    ReportViolation,
    ResourceValidationArgs,
    ResourceValidationPolicy,
    Severity,
)

from azure_facts.files import BillingModel

from .._azure import FILE_SHARE_TYPE, label
from .._props import MISSING, UNKNOWN, as_int, describe, get, plain

MIN_GIB = min(model.min_gib for model in BillingModel)
MAX_GIB = max(model.max_gib for model in BillingModel)


def _validate(args: ResourceValidationArgs, report_violation: ReportViolation) -> None:
    if args.resource_type != FILE_SHARE_TYPE:
        return
    props = plain(args.props)
    quota = get(props, "shareQuota")
    if quota is UNKNOWN:
        return
    share = label("FileShare", props, "shareName", args.name)
    if quota is MISSING:
        report_violation(
            f"{share} does not set shareQuota; set an explicit quota in GiB ({MIN_GIB}-{MAX_GIB}).",
            None,
        )
        return
    value = as_int(quota)
    if value is None or not MIN_GIB <= value <= MAX_GIB:
        report_violation(
            f"{share} has shareQuota {describe(quota)}; it must be a whole number of GiB "
            f"between {MIN_GIB} and {MAX_GIB}.",
            None,
        )


# No stack-file key can cause this verdict: the components always comply.
STACK_KEYS: tuple[str, ...] = ()

POLICY = ResourceValidationPolicy(
    name="azure-native-storage-fileshare-quota-set",
    description="Azure file shares set an explicit quota.",
    validate=_validate,
    severity=Severity.MEDIUM,
    remediation_steps="Set shareQuota (GiB, integer) on the FileShare.",
    url="https://learn.microsoft.com/azure/storage/files/storage-files-scale-targets",
    tags=["azure", "storage", "azure-files", "capacity"],
)
