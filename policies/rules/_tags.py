"""The required-tags check, shared by every Azure resource type that must carry tags.

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

from ._azure import AZURE_POLICY, azure_policy_reference, azure_policy_url, label, missing_tags
from ._config import schema, settings
from ._props import UNKNOWN, get, plain

# Azure Policy "Require a tag on resources".
_DEFINITION = "871b6d14-10aa-478d-b590-94f262ecfa99"
DEFAULT_REQUIRED_TAGS = ["environment", "owner", "cost-center"]


def required_tags_policy(
    *,
    name: str,
    description: str,
    resource_type: str,
    kind: str,
    name_property: str,
    noun: str,
    tags: list[str],
) -> ResourceValidationPolicy:
    """A policy requiring the `requiredTags` setting's keys on `resource_type` (`kind`)."""
    config_schema = schema(
        {
            "requiredTags": {
                "type": "array",
                "items": {"type": "string", "minLength": 1},
                "uniqueItems": True,
                "description": f"Tag keys every {noun} must carry (non-blank values).",
                "default": DEFAULT_REQUIRED_TAGS,
            }
        }
    )

    def validate(args: ResourceValidationArgs, report_violation: ReportViolation) -> None:
        if args.resource_type != resource_type:
            return
        props = plain(args.props)
        required = settings(args.get_config(), config_schema)["requiredTags"]
        missing = missing_tags(get(props, "tags"), required)
        if missing is UNKNOWN or not missing:
            return
        report_violation(
            f"{label(kind, props, name_property, args.name)} is missing required tags: "
            f"{', '.join(missing)}.",
            None,
        )

    return ResourceValidationPolicy(
        name=name,
        description=description,
        validate=validate,
        config_schema=config_schema,
        severity=Severity.LOW,
        framework=PolicyComplianceFramework(
            name=AZURE_POLICY, reference=azure_policy_reference(_DEFINITION)
        ),
        remediation_steps=f"Add the missing keys to the {kind}'s tags (non-empty values).",
        url=azure_policy_url(_DEFINITION),
        tags=tags,
    )
