"""kubernetes-core-podspec-multi-pod-claim-rwx (stack policy)

Applies to: every workload that can run more than one pod at once - a Job (or a CronJob's
job template) with ``parallelism`` > 1, a Deployment, ReplicaSet or StatefulSet with
``replicas`` > 1, and every DaemonSet - and the PersistentVolumeClaims of the stack.

Enforces: each claim such a workload mounts (a ``persistentVolumeClaim`` volume of its pod
template) that is declared in the stack requests ``ReadWriteMany``. Without it the pods
scheduled on a second node cannot attach the volume and hang in ContainerCreating
(``ReadWriteOncePod`` admits a single pod at all). The claim is matched by the workload's
namespace and ``claimName``. Claims of a StatefulSet's ``volumeClaimTemplates`` are one per
pod and not checked; a claim that is not declared in the stack is left to the advisory
``kubernetes-core-podspec-multi-pod-claim-declared``. The violation is on the workload.

Missing: unset ``replicas`` / ``parallelism`` mean 1 (one pod, not checked); an unset
namespace is ``default``; a claim without ``accessModes`` lacks ``ReadWriteMany``.
Unknown: an unknown scale, pod template, volume list, claim name, namespace or access mode
skips what depends on it.
"""

from __future__ import annotations

from pulumi_policy import ReportViolation, Severity, StackValidationArgs, StackValidationPolicy

from .._k8s import access_modes, format_modes, includes_rwx
from .._props import MISSING, UNKNOWN
from .._stack import Res, namespaced_label
from .._workloads import concurrent_mounts


def _validate(args: StackValidationArgs, report_violation: ReportViolation) -> None:
    for workload, reason, _, claim in concurrent_mounts(args):
        if not isinstance(claim, Res):
            continue
        modes = access_modes(claim.props)
        if modes is UNKNOWN:
            continue
        if modes is MISSING:
            detail = "which sets no accessModes"
        elif includes_rwx(modes) is False:
            detail = f"whose accessModes {format_modes(modes)} lack 'ReadWriteMany'"
        else:
            continue
        report_violation(
            f"{workload.label} {reason} but mounts PersistentVolumeClaim "
            f"'{namespaced_label(claim)}', {detail}; pods on a second node cannot attach it. "
            "Mount a ReadWriteMany claim, or give each pod its own claim "
            "(volumeClaimTemplates).",
            workload.res.urn,
        )


# No stack-file key can cause this verdict: the components always comply.
STACK_KEYS: tuple[str, ...] = ()

POLICY = StackValidationPolicy(
    name="kubernetes-core-podspec-multi-pod-claim-rwx",
    description=(
        "Workloads that run several pods at once mount only ReadWriteMany claims of the stack."
    ),
    validate=_validate,
    severity=Severity.HIGH,
    remediation_steps=(
        "Request spec.accessModes: ['ReadWriteMany'] on the claim (an Azure Files volume), "
        "use volumeClaimTemplates for per-pod state, or run a single pod."
    ),
    url="https://kubernetes.io/docs/concepts/storage/persistent-volumes/#access-modes",
    tags=["kubernetes", "workloads", "rwx"],
)
