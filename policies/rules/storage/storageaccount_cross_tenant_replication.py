"""azure-native-storage-storageaccount-cross-tenant-replication-disabled

Applies to: ``azure-native:storage:StorageAccount``.

Enforces: ``allowCrossTenantReplication`` is not ``true`` (no object replication to
accounts in other Entra ID tenants).

Missing: ``allowCrossTenantReplication`` absent passes - the API's default interpretation is
``false`` for new accounts.
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

from .._azure import (
    AZURE_POLICY,
    STORAGE_ACCOUNT_TYPE,
    azure_policy_reference,
    azure_policy_url,
    label,
)
from .._props import get, plain

_DEFINITION = "92a89a79-6c52-4a7e-a03f-61306fc49312"


def _validate(args: ResourceValidationArgs, report_violation: ReportViolation) -> None:
    if args.resource_type != STORAGE_ACCOUNT_TYPE:
        return
    props = plain(args.props)
    if get(props, "allowCrossTenantReplication") is not True:
        return
    report_violation(
        f"{label('StorageAccount', props, 'accountName', args.name)} sets "
        "allowCrossTenantReplication to true; set it to false.",
        None,
    )


# No stack-file key can cause this verdict: the components always comply.
STACK_KEYS: tuple[str, ...] = ()

POLICY = ResourceValidationPolicy(
    name="azure-native-storage-storageaccount-cross-tenant-replication-disabled",
    description="Storage accounts do not allow cross-tenant object replication.",
    validate=_validate,
    severity=Severity.MEDIUM,
    framework=PolicyComplianceFramework(
        name=AZURE_POLICY, reference=azure_policy_reference(_DEFINITION)
    ),
    remediation_steps=(
        "Set allowCrossTenantReplication=False on the StorageAccount (or leave it unset)."
    ),
    url=azure_policy_url(_DEFINITION),
    tags=["azure", "storage", "data-exfiltration"],
)
