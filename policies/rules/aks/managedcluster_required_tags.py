"""azure-native-containerservice-managedcluster-required-tags

Applies to: ``azure-native:containerservice:ManagedCluster``.

Enforces: every tag key in the ``requiredTags`` setting is present with a non-blank value.

Missing: no ``tags`` means every required tag is missing. A blank value counts as missing.
Unknown: an unknown tag map skips the check; a tag whose value is unknown counts as present.
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
    MANAGED_CLUSTER_TYPE,
    azure_policy_reference,
    azure_policy_url,
    label,
    missing_tags,
)
from .._config import schema, settings
from .._props import UNKNOWN, get, plain

_DEFINITION = "871b6d14-10aa-478d-b590-94f262ecfa99"

CONFIG_SCHEMA = schema(
    {
        "requiredTags": {
            "type": "array",
            "items": {"type": "string", "minLength": 1},
            "uniqueItems": True,
            "description": "Tag keys every AKS cluster must carry (non-blank values).",
            "default": ["environment", "owner", "cost-center"],
        }
    }
)


def _validate(args: ResourceValidationArgs, report_violation: ReportViolation) -> None:
    if args.resource_type != MANAGED_CLUSTER_TYPE:
        return
    props = plain(args.props)
    required = settings(args.get_config(), CONFIG_SCHEMA)["requiredTags"]
    missing = missing_tags(get(props, "tags"), required)
    if missing is UNKNOWN or not missing:
        return
    report_violation(
        f"{label('ManagedCluster', props, 'resourceName', args.name)} is missing required tags: "
        f"{', '.join(missing)}.",
        None,
    )


POLICY = ResourceValidationPolicy(
    name="azure-native-containerservice-managedcluster-required-tags",
    description="AKS clusters carry the required tags.",
    validate=_validate,
    config_schema=CONFIG_SCHEMA,
    severity=Severity.LOW,
    framework=PolicyComplianceFramework(
        name=AZURE_POLICY, reference=azure_policy_reference(_DEFINITION)
    ),
    remediation_steps="Add the missing keys to the ManagedCluster's tags (non-empty values).",
    url=azure_policy_url(_DEFINITION),
    tags=["azure", "aks", "governance"],
)
