"""azure-native-containerservice-managedcluster-api-server-access-restricted

Applies to: ``azure-native:containerservice:ManagedCluster``.

Enforces: the API server is not open to the internet - either a private cluster
(``apiServerAccessProfile.enablePrivateCluster`` true) or a public endpoint restricted by
``apiServerAccessProfile.authorizedIPRanges`` that does not contain an any-address range
(``0.0.0.0/0``, ``::/0``). With the ``requirePrivateCluster`` setting, only a private
cluster passes.

Missing: no ``apiServerAccessProfile`` (or neither field) is a violation.
Unknown: an unknown ``enablePrivateCluster`` or range list skips the check; unknown list
elements count as restrictive ranges.
"""

from __future__ import annotations

from pulumi_policy import (
    PolicyComplianceFramework,
    ReportViolation,
    ResourceValidationArgs,
    ResourceValidationPolicy,
    Severity,
)

from .._azure import CHECKOV, MANAGED_CLUSTER_TYPE, azure_policy_url, label
from .._config import schema, settings
from .._props import UNKNOWN, get, plain

_ANY = ("0.0.0.0/0", "0.0.0.0", "::/0", "*")

CONFIG_SCHEMA = schema(
    {
        "requirePrivateCluster": {
            "type": "boolean",
            "description": "Only accept private clusters (authorized IP ranges are not enough).",
            "default": False,
        }
    }
)


def _validate(args: ResourceValidationArgs, report_violation: ReportViolation) -> None:
    if args.resource_type != MANAGED_CLUSTER_TYPE:
        return
    props = plain(args.props)
    private = get(props, "apiServerAccessProfile", "enablePrivateCluster")
    if private is True or private is UNKNOWN:
        return
    cluster = label("ManagedCluster", props, "resourceName", args.name)
    if settings(args.get_config(), CONFIG_SCHEMA)["requirePrivateCluster"]:
        report_violation(
            f"{cluster} is not a private cluster; this environment requires "
            "apiServerAccessProfile.enablePrivateCluster true.",
            None,
        )
        return
    ranges = get(props, "apiServerAccessProfile", "authorizedIPRanges")
    if ranges is UNKNOWN:
        return
    ranges = ranges if isinstance(ranges, list) else []
    if not ranges:
        report_violation(
            f"{cluster} exposes its API server to every address; set "
            "apiServerAccessProfile.enablePrivateCluster true or list "
            "apiServerAccessProfile.authorizedIPRanges.",
            None,
        )
        return
    open_ranges = [r for r in ranges if isinstance(r, str) and r.strip() in _ANY]
    if open_ranges:
        report_violation(
            f"{cluster} lists {', '.join(open_ranges)} in apiServerAccessProfile."
            "authorizedIPRanges, which admits every address; list only the networks that "
            "need the API server.",
            None,
        )


# The stack-file keys whose values can cause this verdict (the fix line names them).
STACK_KEYS: tuple[str, ...] = ("privateCluster", "authorizedIpRanges", "allowUnrestrictedApiServer")

POLICY = ResourceValidationPolicy(
    name="azure-native-containerservice-managedcluster-api-server-access-restricted",
    description="AKS API servers are private or restricted to authorized IP ranges.",
    validate=_validate,
    config_schema=CONFIG_SCHEMA,
    severity=Severity.HIGH,
    framework=PolicyComplianceFramework(name=CHECKOV, reference="CKV_AZURE_6"),
    remediation_steps=(
        "Set apiServerAccessProfile={'enablePrivateCluster': True} (Checkov CKV_AZURE_115), or "
        "for a public endpoint {'authorizedIPRanges': ['<office/CI CIDR>', ...]}."
    ),
    url=azure_policy_url("0e246bcf-5f6f-4f87-bc6f-775d4712c7ea"),
    tags=["azure", "aks", "network"],
)
