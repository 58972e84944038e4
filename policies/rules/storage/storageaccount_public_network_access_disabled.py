"""azure-native-storage-storageaccount-public-network-access-disabled

Applies to: ``azure-native:storage:StorageAccount``.

Enforces: ``publicNetworkAccess`` is ``Disabled``: the account is reached only through private
endpoints, whatever its firewall rules say (Checkov CKV_AZURE_59).

Missing: absent is a violation (Azure then applies the firewall rules to the public
endpoint).
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

from .._azure import CHECKOV, STORAGE_ACCOUNT_TYPE, label
from .._props import MISSING, UNKNOWN, describe, get, plain


def _validate(args: ResourceValidationArgs, report_violation: ReportViolation) -> None:
    if args.resource_type != STORAGE_ACCOUNT_TYPE:
        return
    props = plain(args.props)
    access = get(props, "publicNetworkAccess")
    if access is UNKNOWN or access == "Disabled":
        return
    account = label("StorageAccount", props, "accountName", args.name)
    shown = (
        "does not set publicNetworkAccess"
        if access is MISSING
        else (f"has publicNetworkAccess {describe(access)}")
    )
    report_violation(
        f"{account} {shown}; set it to 'Disabled' and reach the account through a private "
        "endpoint.",
        None,
    )


# The stack-file keys whose values can cause this verdict (the fix line names them).
STACK_KEYS: tuple[str, ...] = ("storagePrivateEndpoint",)

POLICY = ResourceValidationPolicy(
    name="azure-native-storage-storageaccount-public-network-access-disabled",
    description="Storage accounts disable public network access.",
    validate=_validate,
    severity=Severity.HIGH,
    framework=PolicyComplianceFramework(name=CHECKOV, reference="CKV_AZURE_59"),
    remediation_steps=(
        "Set storagePrivateEndpoint: true in the stack config: the account gets a private "
        "endpoint in the node subnet and publicNetworkAccess 'Disabled'."
    ),
    url="https://learn.microsoft.com/azure/storage/common/storage-network-security",
    tags=["azure", "storage", "network"],
)
