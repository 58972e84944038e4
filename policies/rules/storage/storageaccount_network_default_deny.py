"""azure-native-storage-storageaccount-network-default-deny

Applies to: ``azure-native:storage:StorageAccount``.

Enforces: ``networkRuleSet.defaultAction`` is ``Deny``; access is granted explicitly through
``virtualNetworkRules`` (the AKS node subnet), ``ipRules`` or private endpoints.

Missing: no ``networkRuleSet`` or no ``defaultAction`` is a violation - Azure defaults to
``Allow`` (reachable from every network).
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


def _validate(args: ResourceValidationArgs, report_violation: ReportViolation) -> None:
    if args.resource_type != STORAGE_ACCOUNT_TYPE:
        return
    props = plain(args.props)
    action = get(props, "networkRuleSet", "defaultAction")
    if action is UNKNOWN or action == "Deny":
        return
    account = label("StorageAccount", props, "accountName", args.name)
    if action is MISSING:
        detail = "does not set networkRuleSet.defaultAction (Azure then uses 'Allow')"
    else:
        detail = f"has networkRuleSet.defaultAction {action!r}"
    report_violation(
        f"{account} {detail}; set it to 'Deny' and allow the AKS subnet through "
        "virtualNetworkRules or a private endpoint.",
        None,
    )


# No stack-file key can cause this verdict: the components always comply.
STACK_KEYS: tuple[str, ...] = ()

POLICY = ResourceValidationPolicy(
    name="azure-native-storage-storageaccount-network-default-deny",
    description="Storage account firewalls deny by default.",
    validate=_validate,
    severity=Severity.HIGH,
    framework=PolicyComplianceFramework(name=CHECKOV, reference="CKV_AZURE_35"),
    remediation_steps=(
        "Set networkRuleSet={'defaultAction': 'Deny', 'bypass': 'AzureServices', "
        "'virtualNetworkRules': [{'virtualNetworkResourceId': <AKS node subnet id>}], "
        "'ipRules': [{'iPAddressOrRange': ...}]} on the StorageAccount."
    ),
    url=azure_policy_url("34c877ad-507e-4c82-993e-3452a6e0ad3c"),
    tags=["azure", "storage", "network"],
)
