"""kubernetes-core-podspec-other-team-claim-read-only (stack policy)

Applies to: every workload of the stack and the claims and PersistentVolumes it mounts.

Enforces: a pod mounts another team's share read-only. A share belongs to the namespace that
claims its own PersistentVolume (not a read-only copy labelled
``aks-rwx-training/read-only-copy``), when that namespace is a team namespace (labelled
``aks-rwx-training/team``). A workload in any other namespace whose claim is bound to a
PersistentVolume of that share mounts it read-write unless the PersistentVolume is
``csi.readOnly``, the pod volume's ``persistentVolumeClaim.readOnly`` is true, or every
container mounts it ``readOnly``: then it could overwrite the owner's checkpoints or data.
The violation is on the workload.

Missing: an unset ``readOnly`` is read-write.
Unknown: an unknown volume list, claim, PersistentVolume, share or flag skips that mount.
"""

from __future__ import annotations

from pulumi_policy import ReportViolation, Severity, StackValidationArgs, StackValidationPolicy

from .._k8s import PV_TYPE, PVC_TYPE
from .._props import UNKNOWN, get
from .._stack import Res, namespaced_label, resources, volume_of_claim
from .._teams import mounted_read_only, share_key, share_owners, team_namespaces
from .._workloads import find_claim, workloads


def _validate(args: StackValidationArgs, report_violation: ReportViolation) -> None:
    teams = team_namespaces(args)
    owners = {share: ns for share, ns in share_owners(args).items() if ns in teams}
    if not owners:
        return
    claims = resources(args, PVC_TYPE)
    volumes = resources(args, PV_TYPE)
    for workload in workloads(args):
        namespace = workload.namespace
        pod_volumes = get(workload.spec, "volumes")
        if not isinstance(namespace, str) or not isinstance(pod_volumes, list):
            continue
        for volume in pod_volumes:
            name = get(volume, "name")
            claim_name = get(volume, "persistentVolumeClaim", "claimName")
            if not isinstance(name, str) or not isinstance(claim_name, str):
                continue
            claim = find_claim(namespace, claim_name, claims)
            if not isinstance(claim, Res):
                continue
            pv = volume_of_claim(claim, volumes)
            if not isinstance(pv, Res):
                continue
            share = share_key(pv)
            owner = owners.get(share) if isinstance(share, tuple) else None
            if owner is None or owner == namespace:
                continue
            pv_read_only = pv.get("spec", "csi", "readOnly")
            if pv_read_only is True:
                continue
            read_only = mounted_read_only(
                workload.spec, name, get(volume, "persistentVolumeClaim", "readOnly")
            )
            if read_only is UNKNOWN or read_only is True or pv_read_only is UNKNOWN:
                continue
            report_violation(
                f"{workload.label} mounts PersistentVolumeClaim '{namespaced_label(claim)}' "
                f"read-write, but its share '{share[1]}' belongs to team '{teams[owner]}' "
                f"(namespace '{owner}'); it could overwrite that team's data. Mount it through "
                "a read-only claim (teams.members[].sharedVolumes) with readOnly: true.",
                workload.res.urn,
            )


# No stack-file key can cause this verdict: stacks/config.py refuses the values that would.
STACK_KEYS: tuple[str, ...] = ()

POLICY = StackValidationPolicy(
    name="kubernetes-core-podspec-other-team-claim-read-only",
    description="Pods mount another team's share read-only.",
    validate=_validate,
    severity=Severity.HIGH,
    remediation_steps=(
        "List the volume in the mounting team's teams.members[].sharedVolumes (a read-only "
        "claim in its namespace, csi.readOnly) and mount it with readOnly: true; write only to "
        "the team's own volumes."
    ),
    url="https://kubernetes.io/docs/concepts/storage/volumes/#persistentvolumeclaim",
    tags=["kubernetes", "workloads", "teams"],
)
