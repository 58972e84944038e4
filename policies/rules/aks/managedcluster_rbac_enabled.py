"""azure-native-containerservice-managedcluster-rbac-enabled

Applies to: ``azure-native:containerservice:ManagedCluster``.

Enforces: ``enableRBAC`` is ``true`` (Kubernetes RBAC authorisation).

Missing: ``enableRBAC`` absent is a violation - the API does not document a default and the
setting cannot be changed after creation, so it must be stated.
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

from .._azure import CHECKOV, MANAGED_CLUSTER_TYPE, azure_policy_url, label
from .._props import MISSING, UNKNOWN, describe, get, plain


def _validate(args: ResourceValidationArgs, report_violation: ReportViolation) -> None:
    if args.resource_type != MANAGED_CLUSTER_TYPE:
        return
    props = plain(args.props)
    rbac = get(props, "enableRBAC")
    if rbac is True or rbac is UNKNOWN:
        return
    cluster = label("ManagedCluster", props, "resourceName", args.name)
    detail = "does not set enableRBAC" if rbac is MISSING else f"has enableRBAC {describe(rbac)}"
    report_violation(f"{cluster} {detail}; set enableRBAC to true.", None)


# No stack-file key can cause this verdict: the components always comply.
STACK_KEYS: tuple[str, ...] = ()

POLICY = ResourceValidationPolicy(
    name="azure-native-containerservice-managedcluster-rbac-enabled",
    description="AKS clusters have Kubernetes RBAC enabled.",
    validate=_validate,
    severity=Severity.CRITICAL,
    framework=PolicyComplianceFramework(name=CHECKOV, reference="CKV_AZURE_5"),
    remediation_steps=(
        "Set enableRBAC=True on the ManagedCluster (requires recreating an existing cluster)."
    ),
    url=azure_policy_url("ac4a19c2-fa67-49b4-8ae5-0b2e78c49457"),
    tags=["azure", "aks", "identity"],
)
