"""azure-native-storage-storageaccount-replication-allowed

Applies to: ``azure-native:storage:StorageAccount``.

Enforces: ``sku.name`` (the replication type, e.g. ``Premium_ZRS``) is in the
``allowedSkus`` setting. Names are compared case-insensitively.

Missing: no ``sku.name`` is a violation (the API requires it).
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
from .._config import schema, settings
from .._props import MISSING, UNKNOWN, get, plain

SKUS = [
    "Standard_LRS",
    "Standard_GRS",
    "Standard_RAGRS",
    "Standard_ZRS",
    "Premium_LRS",
    "Premium_ZRS",
    "Standard_GZRS",
    "Standard_RAGZRS",
    "StandardV2_LRS",
    "StandardV2_GRS",
    "StandardV2_ZRS",
    "StandardV2_GZRS",
    "PremiumV2_LRS",
    "PremiumV2_ZRS",
]

CONFIG_SCHEMA = schema(
    {
        "allowedSkus": {
            "type": "array",
            "items": {"type": "string", "enum": SKUS},
            "minItems": 1,
            "uniqueItems": True,
            "description": "Storage account SKUs (replication types) that may be used.",
            "default": ["Premium_LRS", "Premium_ZRS", "Standard_ZRS"],
        }
    }
)


def _validate(args: ResourceValidationArgs, report_violation: ReportViolation) -> None:
    if args.resource_type != STORAGE_ACCOUNT_TYPE:
        return
    props = plain(args.props)
    sku = get(props, "sku", "name")
    if sku is UNKNOWN:
        return
    allowed = settings(args.get_config(), CONFIG_SCHEMA)["allowedSkus"]
    if isinstance(sku, str) and sku.lower() in {a.lower() for a in allowed}:
        return
    account = label("StorageAccount", props, "accountName", args.name)
    detail = (
        "does not set sku.name" if sku is MISSING else f"uses sku {sku!r}, which is not allowed"
    )
    report_violation(f"{account} {detail}; allowed SKUs: {', '.join(allowed)}.", None)


# The stack-file keys whose values can cause this verdict (the fix line names them).
STACK_KEYS: tuple[str, ...] = ("storageRedundancy", "fileBillingModel")

POLICY = ResourceValidationPolicy(
    name="azure-native-storage-storageaccount-replication-allowed",
    description="Storage accounts use an allowed replication SKU.",
    validate=_validate,
    config_schema=CONFIG_SCHEMA,
    severity=Severity.MEDIUM,
    framework=PolicyComplianceFramework(name=CHECKOV, reference="CKV_AZURE_206"),
    remediation_steps=(
        "Set sku={'name': ...} to one of the allowed SKUs (see this policy's allowedSkus "
        "setting in policies/config/<env>.json). Changing LRS<->ZRS may need a conversion."
    ),
    url=azure_policy_url("7433c107-6db4-4ad1-b57a-a76dce0154a1"),
    tags=["azure", "storage", "resilience"],
)
