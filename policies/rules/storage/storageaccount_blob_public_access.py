"""azure-native-storage-storageaccount-blob-public-access-disabled

Applies to: ``azure-native:storage:StorageAccount``.

Enforces: ``allowBlobPublicAccess`` is not ``true`` (no anonymous access to blobs or
containers).

Missing: ``allowBlobPublicAccess`` absent passes - the API documents its default
interpretation as ``false``.
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
from .._props import get, plain


def _validate(args: ResourceValidationArgs, report_violation: ReportViolation) -> None:
    if args.resource_type != STORAGE_ACCOUNT_TYPE:
        return
    props = plain(args.props)
    if get(props, "allowBlobPublicAccess") is not True:
        return
    report_violation(
        f"{label('StorageAccount', props, 'accountName', args.name)} sets allowBlobPublicAccess "
        "to true; set it to false.",
        None,
    )


# No stack-file key can cause this verdict: the components always comply.
STACK_KEYS: tuple[str, ...] = ()

POLICY = ResourceValidationPolicy(
    name="azure-native-storage-storageaccount-blob-public-access-disabled",
    description="Storage accounts do not allow anonymous (public) blob access.",
    validate=_validate,
    severity=Severity.HIGH,
    framework=PolicyComplianceFramework(name=CHECKOV, reference="CKV_AZURE_190"),
    remediation_steps="Set allowBlobPublicAccess=False on the StorageAccount (or leave it unset).",
    url=azure_policy_url("4fa4b6c0-31ca-4c0d-b10d-24b96f62a751"),
    tags=["azure", "storage", "public-access"],
)
