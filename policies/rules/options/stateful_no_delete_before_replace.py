"""pulumi-resourceoptions-stateful-no-delete-before-replace

Applies to stateful resources, the ones ``infra diff`` treats as holding data
(``infra.compare.STATEFUL_TYPES``, kept equal by a test): the resource group, the storage
account, its file service and shares, the AKS cluster, the Azure Backup vault, policy,
container and protected items, PersistentVolumes and PersistentVolumeClaims.

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

from .._azure import (
    FILE_SERVICE_TYPE,
    FILE_SHARE_TYPE,
    MANAGED_CLUSTER_TYPE,
    PROTECTED_SHARE_TYPE,
    PROTECTION_CONTAINER_TYPE,
    PROTECTION_POLICY_TYPE,
    RESOURCE_GROUP_TYPE,
    STORAGE_ACCOUNT_TYPE,
    VAULT_TYPE,
)
from .._k8s import PV_TYPE, PVC_TYPE

STATEFUL_TYPES = (
    RESOURCE_GROUP_TYPE,
    STORAGE_ACCOUNT_TYPE,
    FILE_SERVICE_TYPE,
    FILE_SHARE_TYPE,
    MANAGED_CLUSTER_TYPE,
    VAULT_TYPE,
    PROTECTION_POLICY_TYPE,
    PROTECTION_CONTAINER_TYPE,
    PROTECTED_SHARE_TYPE,
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


# No stack-file key can cause this verdict: the components always comply.
STACK_KEYS: tuple[str, ...] = ()

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
