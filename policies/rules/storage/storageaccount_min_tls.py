"""azure-native-storage-storageaccount-min-tls-12

Applies to: ``azure-native:storage:StorageAccount``.

Enforces: ``minimumTlsVersion`` is ``TLS1_2`` (or a later version, should Azure add one).

Missing: ``minimumTlsVersion`` absent is a violation - the API's default interpretation is
TLS 1.0.
Unknown: skipped.
"""

from __future__ import annotations

from pulumi_policy import (
    PolicyComplianceFramework,
    ReportViolation,
    ResourceValidationArgs,
    ResourceValidationPolicy,
    Severity,
)

from .._azure import CHECKOV, STORAGE_ACCOUNT_TYPE, azure_policy_url, label
from .._props import MISSING, UNKNOWN, get, plain

_ACCEPTED = ("TLS1_2", "TLS1_3")


def _validate(args: ResourceValidationArgs, report_violation: ReportViolation) -> None:
    if args.resource_type != STORAGE_ACCOUNT_TYPE:
        return
    props = plain(args.props)
    version = get(props, "minimumTlsVersion")
    if version is UNKNOWN or version in _ACCEPTED:
        return
    account = label("StorageAccount", props, "accountName", args.name)
    if version is MISSING:
        report_violation(
            f"{account} does not set minimumTlsVersion (Azure then accepts TLS 1.0); set it to "
            "'TLS1_2'.",
            None,
        )
        return
    report_violation(f"{account} has minimumTlsVersion {version!r}; set it to 'TLS1_2'.", None)


# No stack-file key can cause this verdict: the components always comply.
STACK_KEYS: tuple[str, ...] = ()

POLICY = ResourceValidationPolicy(
    name="azure-native-storage-storageaccount-min-tls-12",
    description="Storage accounts require TLS 1.2 or later.",
    validate=_validate,
    severity=Severity.HIGH,
    framework=PolicyComplianceFramework(name=CHECKOV, reference="CKV_AZURE_44"),
    remediation_steps="Set minimumTlsVersion='TLS1_2' on the StorageAccount.",
    url=azure_policy_url("fe83a0eb-a853-422d-aac2-1bffd182c5d0"),
    tags=["azure", "storage", "encryption-in-transit"],
)
