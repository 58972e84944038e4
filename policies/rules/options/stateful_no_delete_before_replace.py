"""pulumi-resourceoptions-stateful-no-delete-before-replace

Applies to stateful resources: ``azure-native:storage:StorageAccount``,
``azure-native:storage:FileServiceProperties``, ``azure-native:storage:FileShare``,
``azure-native:containerservice:ManagedCluster``, ``kubernetes:core/v1:PersistentVolume``
and ``kubernetes:core/v1:PersistentVolumeClaim``.

Enforces: the ``deleteBeforeReplace`` resource option is not ``true``. With it, a
replacement deletes the existing resource (and the data or bindings it holds) before its
successor exists; without it, a replacement that cannot coexist fails loudly instead.

Missing/Unknown: resource options are always known; an unset option passes. (Providers may
still decide on delete-before-replace themselves, e.g. Kubernetes objects with fixed names;
that is a provider decision, not a program option, and is not visible here.)
"""

from __future__ import annotations

from pulumi_policy import (
    ReportViolation,
    ResourceValidationArgs,
    ResourceValidationPolicy,
    Severity,
)

from .._azure import FILE_SERVICE_TYPE, FILE_SHARE_TYPE, MANAGED_CLUSTER_TYPE, STORAGE_ACCOUNT_TYPE
from .._k8s import PV_TYPE, PVC_TYPE

STATEFUL_TYPES = (
    STORAGE_ACCOUNT_TYPE,
    FILE_SERVICE_TYPE,
    FILE_SHARE_TYPE,
    MANAGED_CLUSTER_TYPE,
    PV_TYPE,
    PVC_TYPE,
)


def _validate(args: ResourceValidationArgs, report_violation: ReportViolation) -> None:
    if args.resource_type not in STATEFUL_TYPES or args.opts.delete_before_replace is not True:
        return
    report_violation(
        f"Resource '{args.name}' ({args.resource_type}) sets deleteBeforeReplace; a replacement "
        "would delete it, and the data it holds, before its successor exists. Remove the option.",
        None,
    )


POLICY = ResourceValidationPolicy(
    name="pulumi-resourceoptions-stateful-no-delete-before-replace",
    description="Stateful resources do not use the deleteBeforeReplace resource option.",
    validate=_validate,
    severity=Severity.HIGH,
    remediation_steps=(
        "Remove delete_before_replace=True from the resource's ResourceOptions; if a "
        "replacement is really intended, migrate the data first and replace explicitly."
    ),
    url="https://www.pulumi.com/docs/iac/concepts/options/deletebeforereplace/",
    tags=["pulumi", "data-protection"],
)
