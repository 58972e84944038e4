"""kubernetes-core-persistentvolume-volumehandle-unique (stack policy)

Applies to: every CSI ``kubernetes:core/v1:PersistentVolume`` in the stack.

Enforces: no two volumes of the same CSI driver share a ``spec.csi.volumeHandle``. The
kubelet and the driver identify a volume by its handle; two PVs with one handle make the
node reuse (or tear down) one staging mount for both, so pods see the wrong share or lose
their mount. Every volume of a duplicate group is reported (with its own URN).

Missing: a CSI volume without ``volumeHandle`` is not checked (the API server rejects it).
Unknown: volumes whose driver or handle is unknown are left out.
"""

from __future__ import annotations

from collections import defaultdict

from pulumi_policy import ReportViolation, Severity, StackValidationArgs, StackValidationPolicy

from .._k8s import PV_TYPE
from .._stack import Res, k8s_label, resources


def _validate(args: StackValidationArgs, report_violation: ReportViolation) -> None:
    groups: dict[tuple[str, str], list[Res]] = defaultdict(list)
    for volume in resources(args, PV_TYPE):
        driver = volume.get("spec", "csi", "driver")
        handle = volume.get("spec", "csi", "volumeHandle")
        if isinstance(driver, str) and isinstance(handle, str) and handle:
            groups[(driver, handle)].append(volume)
    for (_, handle), volumes in groups.items():
        if len(volumes) < 2:
            continue
        names = ", ".join(f"'{k8s_label(v)}'" for v in volumes)
        for volume in volumes:
            report_violation(
                f"PersistentVolumes {names} share volumeHandle {handle!r}; give every "
                "PersistentVolume a unique volumeHandle.",
                volume.urn,
            )


# No stack-file key can cause this verdict: the components always comply.
STACK_KEYS: tuple[str, ...] = ()

POLICY = StackValidationPolicy(
    name="kubernetes-core-persistentvolume-volumehandle-unique",
    description="No two PersistentVolumes share a CSI volumeHandle.",
    validate=_validate,
    severity=Severity.HIGH,
    remediation_steps=(
        "Make each volumeHandle unique, e.g. '<resource-group>#<account>#<share>#<pv-name>' "
        "for Azure Files (the part after the share is free-form)."
    ),
    url="https://learn.microsoft.com/troubleshoot/azure/azure-kubernetes/storage/fail-to-mount-azure-file-share",
    tags=["kubernetes", "azure-files", "csi"],
)
