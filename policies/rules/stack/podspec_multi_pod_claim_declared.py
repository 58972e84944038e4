"""kubernetes-core-podspec-multi-pod-claim-declared (stack policy, advisory by default)

Applies to: the same workloads as ``kubernetes-core-podspec-multi-pod-claim-rwx`` (a Job or a
CronJob's job template with ``parallelism`` > 1, a Deployment, ReplicaSet or StatefulSet with
``replicas`` > 1, every DaemonSet).

Enforces: each claim such a workload mounts is declared in the stack (matched by the
workload's namespace and ``claimName``). Otherwise its access modes cannot be checked, and a
ReadWriteOnce claim would strand every pod on a second node; this policy says so instead of
passing silently. Claims of a StatefulSet's ``volumeClaimTemplates`` are one per pod and not
checked.

Missing: unset ``replicas`` / ``parallelism`` mean 1 (not checked); an unset namespace is
``default``.
Unknown: an unknown scale, pod template, volume list, claim name or namespace (of the
workload or of any claim in the stack) skips what depends on it.
"""

from __future__ import annotations

from pulumi_policy import (
    EnforcementLevel,
    ReportViolation,
    Severity,
    StackValidationArgs,
    StackValidationPolicy,
)

from .._workloads import concurrent_mounts


def _validate(args: StackValidationArgs, report_violation: ReportViolation) -> None:
    for workload, reason, name, claim in concurrent_mounts(args):
        if claim is not None:
            continue
        report_violation(
            f"{workload.label} {reason} and mounts PersistentVolumeClaim "
            f"'{workload.namespace}/{name}', which is not declared in this stack; cannot "
            "check that it is ReadWriteMany.",
            workload.res.urn,
        )


# No stack-file key can cause this verdict: the components always comply.
STACK_KEYS: tuple[str, ...] = ()

POLICY = StackValidationPolicy(
    name="kubernetes-core-podspec-multi-pod-claim-declared",
    description=(
        "Claims mounted by workloads that run several pods at once are declared in the stack, "
        "so their access modes can be checked."
    ),
    validate=_validate,
    enforcement_level=EnforcementLevel.ADVISORY,
    severity=Severity.LOW,
    remediation_steps=(
        "Declare the PersistentVolumeClaim in the same stack as the workload, or confirm by "
        "hand that it requests ReadWriteMany (`kubectl get pvc -n <namespace> <name>`)."
    ),
    url="https://kubernetes.io/docs/concepts/storage/persistent-volumes/#access-modes",
    tags=["kubernetes", "workloads", "rwx"],
)
