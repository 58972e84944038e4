"""pulumi-resourceoptions-storage-protect

Applies to: ``azure-native:storage:StorageAccount`` and ``azure-native:storage:FileShare``.

Enforces: the resource is created with the ``protect`` resource option, so neither
``pulumi destroy`` nor a replacement can delete the training data. ``protect`` is
inherited from a parent component, which is how the repository's components set it.

Enable it per environment through the config file: staging and prod are ``mandatory``;
dev, whose data is disposable, may use ``advisory`` or ``disabled``. The stack name plays
no part.

Missing/Unknown: resource options are always known; an unset option is ``protect=False``.
"""

from __future__ import annotations

from pulumi_policy import (
    ReportViolation,
    ResourceValidationArgs,
    ResourceValidationPolicy,
    Severity,
)

from .._azure import FILE_SHARE_TYPE, STORAGE_ACCOUNT_TYPE

PROTECTED_TYPES = (STORAGE_ACCOUNT_TYPE, FILE_SHARE_TYPE)


def _validate(args: ResourceValidationArgs, report_violation: ReportViolation) -> None:
    if args.resource_type not in PROTECTED_TYPES or args.opts.protect:
        return
    report_violation(
        f"Resource '{args.name}' ({args.resource_type}) is not protected; create it with "
        "ResourceOptions(protect=True) so it cannot be deleted by destroy or replacement.",
        None,
    )


# The stack-file keys whose values can cause this verdict (the fix line names them).
STACK_KEYS: tuple[str, ...] = ("protectData",)

POLICY = ResourceValidationPolicy(
    name="pulumi-resourceoptions-storage-protect",
    description="Storage accounts and file shares are created with the protect resource option.",
    validate=_validate,
    severity=Severity.HIGH,
    remediation_steps=(
        "Pass opts=ResourceOptions(protect=True) to the StorageAccount and FileShare (or to "
        "their parent component, from which children inherit it)."
    ),
    url="https://www.pulumi.com/docs/iac/concepts/options/protect/",
    tags=["pulumi", "data-protection"],
)
