"""The RWX smoke Job: an Indexed Job proving that a RWX volume is really shared between pods.

N pods (``parallelism``, spread over nodes) mount the volume's PVC. Each one writes
``pod-<index>`` (holding ``<index> <hostname> <token>``), fsyncs it, then polls until it sees
every other pod's file with this run's token, all within ``deadline_seconds``. The Job
succeeds only if every pod does. A second barrier (``done-<index>``) lets each pod delete its
own files once every pod has checked everything, so a successful run leaves nothing behind
(an empty ``.rwx-smoke`` directory at most). A failed run keeps its files for inspection;
``infra smoke`` then removes them with :func:`cleanup_job_manifest`.

The manifests are pure functions (:func:`smoke_job_manifest`) that ``infra smoke``, the one
runner, applies with kubectl after a deploy: the stack never owns a throwaway Job, whose TTL
deletion would show as drift.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from typing import Any

from components.volume import VOLUME_LABEL

# Needs sh, sync, sleep, date, cat, mv, rm, rmdir. The digest is the multi-arch index of
# library/busybox:1.36.1 on Docker Hub (`docker buildx imagetools inspect busybox:1.36.1`),
# as pinned by several public projects on 2026-10; a mirror the cluster can pull from takes
# smokeTest.image, also by digest.
DEFAULT_IMAGE = (
    "docker.io/library/busybox:1.36.1"
    "@sha256:73aaf090f3d85aa34ee199857f03fa3a95c8ede2ffd4cc2cdb5b94e566b11662"
)
DEFAULT_PARALLELISM = 3
MIN_PARALLELISM, MAX_PARALLELISM = 2, 32
DEFAULT_DEADLINE_SECONDS = 300
MIN_DEADLINE_SECONDS, MAX_DEADLINE_SECONDS = 10, 3600
# activeDeadlineSeconds = deadline + this: room for scheduling, image pull and volume mount.
START_MARGIN_SECONDS = 120
# For Jobs applied with kubectl: a safety net should `infra smoke` never get to delete them.
KUBECTL_TTL_SECONDS = 3600
MOUNT_PATH = "/mnt/shared"
# The only part of the share the smoke pods see (a subPath mount): a buggy or hostile smoke
# image can never touch the training data at the volume's root.
SMOKE_DIR = ".rwx-smoke"
POLL_SECONDS = 2
CLEANUP_DEADLINE_SECONDS = 90

APP_LABEL = "rwx-smoke"
RUN_LABEL = "aks-rwx-training/smoke-run"
# Set by the Job controller on its pods (Kubernetes >= 1.27): the Job's UID, unique per Job
# object even when a rerun reuses the run id, so a rerun never accepts a stale file.
JOB_UID_LABEL = "batch.kubernetes.io/controller-uid"

RUN_ID_RE = re.compile(r"[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?")
DNS1123_LABEL_RE = re.compile(r"(?=.{1,63}\Z)[a-z0-9]([-a-z0-9]*[a-z0-9])?")
# A reference pinned by digest: a tag alone can be moved to other code after review.
IMAGE_RE = re.compile(
    r"[a-z0-9]+(?:[._:/-][a-z0-9]+)*(?::[A-Za-z0-9_][A-Za-z0-9_.-]{0,127})?"
    r"@sha256:[0-9a-f]{64}"
)

# POSIX sh (busybox ash in the cluster, dash in the tests). SMOKE_ROOT stands in for the
# mount path so the tests can run it against a temporary directory.
SMOKE_SCRIPT = r"""set -eu
: "${RUN_ID:?RUN_ID must be set}"
: "${JOB_COMPLETION_INDEX:?JOB_COMPLETION_INDEX must be set (run as an Indexed Job)}"
: "${SMOKE_PODS:?SMOKE_PODS must be set}"
: "${SMOKE_DEADLINE_SECONDS:?SMOKE_DEADLINE_SECONDS must be set}"
me=$JOB_COMPLETION_INDEX
n=$SMOKE_PODS
poll=${SMOKE_POLL_SECONDS:-2}
host=${HOSTNAME:-$(hostname)}
token="$RUN_ID${JOB_UID:+ $JOB_UID}"
dir="${SMOKE_ROOT:-/mnt/shared}/$RUN_ID"
end=$(( $(date +%s) + SMOKE_DEADLINE_SECONDS ))

say() { echo "rwx-smoke[$me/$n $host]: $*"; }
fail() { echo "rwx-smoke[$me/$n $host]: FAIL: $*" >&2; exit 1; }

# valid FILE INDEX: FILE holds the line "INDEX <hostname> <token>" of this run.
valid() {
  [ -f "$1" ] || return 1
  line=
  IFS= read -r line 2>/dev/null <"$1" || return 1
  case "$line" in "$2 "*" $token") return 0 ;; esac
  return 1
}
seen() { valid "$dir/pod-$1" "$1"; }
# Pod K has checked every file: done-K is there, or K already removed pod-K (it does that
# only after seeing every done-* file, so pod-K gone means K is through).
released() { valid "$dir/done-$1" "$1" || [ ! -e "$dir/pod-$1" ]; }
why() {
  if [ ! -e "$dir/pod-$1" ]; then echo "pod-$1 (missing)"; return; fi
  line=
  IFS= read -r line 2>/dev/null <"$dir/pod-$1" || :
  echo "pod-$1 (unexpected content '$line')"
}
# publish NAME: write NAME atomically (temporary file + rename) and flush it to the share.
# (&&, not set -e: errexit is off inside a function called from an || list.)
publish() {
  printf '%s %s %s\n' "$me" "$host" "$token" >"$dir/.$1.tmp" &&
    sync && mv -f "$dir/.$1.tmp" "$dir/$1" && sync
}
# wait_all WHAT CHECK: until CHECK holds for every index, or fail at the deadline.
wait_all() {
  while :; do
    pending=
    k=0
    while [ "$k" -lt "$n" ]; do
      "$2" "$k" || pending="$pending $k"
      k=$((k + 1))
    done
    [ -z "$pending" ] && return 0
    if [ "$(date +%s)" -ge "$end" ]; then
      detail=
      if [ "$2" = seen ]; then
        for k in $pending; do detail="$detail $(why "$k")"; done
      else
        for k in $pending; do detail="$detail pod-$k"; done
      fi
      fail "deadline of ${SMOKE_DEADLINE_SECONDS}s passed while $1:$detail in $dir"
    fi
    sleep "$poll"
  done
}

mkdir -p "$dir" || fail "cannot create $dir (is the volume mounted and writable by uid $(id -u)?)"
publish "pod-$me" || fail "cannot write $dir/pod-$me"
say "wrote $dir/pod-$me"
wait_all "waiting to see every pod's file" seen
say "saw the files of all $n pods"
publish "done-$me" || fail "cannot write $dir/done-$me"
wait_all "waiting for the other pods to finish checking" released
rm -f "$dir/pod-$me"
rm -f "$dir/done-$me"
rmdir "$dir" 2>/dev/null || :
say "OK: the volume is shared read-write by all $n pods"
"""

CLEANUP_SCRIPT = r"""set -eu
: "${RUN_ID:?RUN_ID must be set}"
rm -rf -- "${SMOKE_ROOT:-/mnt/shared}/$RUN_ID"
echo "rwx-smoke: removed .rwx-smoke/$RUN_ID"
"""


@dataclass(frozen=True)
class RwxSmokeTestArgs:
    """Inputs of :func:`smoke_job_manifest` and :func:`cleanup_job_manifest`.

    Attributes:
        namespace: Namespace of the PVC (the Job runs there).
        pvc_name: The RWX PersistentVolumeClaim to test.
        volume_name: The volume's name (labels, Job name).
        parallelism: Pods that must all see each other's files (``completions`` too), 2-32.
        deadline_seconds: How long each pod waits for the others' files, 10-3600; the Job's
            ``activeDeadlineSeconds`` adds ``START_MARGIN_SECONDS`` for scheduling and pulls.
        image: Image with a POSIX ``sh``, ``sync``, ``sleep`` and ``date``, pinned by digest
            (busybox by default). Only the share's ``.rwx-smoke`` directory is mounted.
        uid, gid: ``runAsUser``/``runAsGroup``; must match the volume's SMB mount uid/gid
            (``mountOptions``) so the pods may write. For NFS volumes the share root must be
            writable by this uid.
        run_id: Run identifier (lowercase DNS label, new per ``infra smoke`` run): the run's
            directory on the volume (``.rwx-smoke/<run_id>``) and the token every file must
            carry (with the Job's UID, which rejects files of an earlier Job).

    Finished Jobs are deleted after ``KUBECTL_TTL_SECONDS``, a safety net for ``infra smoke``'s
    own clean-up.
    """

    namespace: str
    pvc_name: str
    volume_name: str
    run_id: str
    parallelism: int = DEFAULT_PARALLELISM
    deadline_seconds: int = DEFAULT_DEADLINE_SECONDS
    image: str = DEFAULT_IMAGE
    uid: int = 1000
    gid: int = 1000


def _is_int(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def validate_rwx_smoke_test_args(args: RwxSmokeTestArgs) -> None:
    """Raise ``ValueError`` naming the run id when it is not a DNS label: ``infra smoke`` adds
    it. The rest come from the validated stack config (stacks/config.py ``smokeTest`` and
    ``volumes``), which checks them."""
    if not RUN_ID_RE.fullmatch(args.run_id):
        raise ValueError(
            "run_id must be 1-63 lowercase letters, digits and '-', starting and ending with "
            f"a letter or digit (got {args.run_id!r})"
        )


def stack_slug(stack: str) -> str:
    """A stack name as the start of a run id: lowercase, [a-z0-9-], at most 30 characters."""
    slug = re.sub(r"[^a-z0-9-]+", "-", stack.lower()).strip("-")[:30].strip("-")
    return slug or "stack"


def smoke_job_name(args: RwxSmokeTestArgs) -> str:
    """``rwx-smoke-<volume>-<8 hex of the run id>``, at most 56 characters so the Indexed
    Job's pod hostnames (``<job>-<index>``) stay DNS labels."""
    suffix = hashlib.sha256(args.run_id.encode()).hexdigest()[:8]
    return f"rwx-smoke-{args.volume_name[:36].rstrip('-')}-{suffix}"


def _labels(args: RwxSmokeTestArgs) -> dict[str, str]:
    return {
        "app.kubernetes.io/name": APP_LABEL,
        "app.kubernetes.io/part-of": "aks-rwx-training",
        VOLUME_LABEL: args.volume_name,
        RUN_LABEL: args.run_id,
    }


def smoke_selector(args: RwxSmokeTestArgs) -> str:
    """Label selector (``kubectl -l``) for this run's pods."""
    labels = _labels(args)
    keys = ("app.kubernetes.io/name", VOLUME_LABEL, RUN_LABEL)
    return ",".join(f"{key}={labels[key]}" for key in keys)


def _pod_template(
    args: RwxSmokeTestArgs, *, script: str, env: list[dict[str, Any]], spread: bool
) -> dict[str, Any]:
    labels = _labels(args)
    match = {"matchLabels": {key: labels[key] for key in ("app.kubernetes.io/name", RUN_LABEL)}}
    spec: dict[str, Any] = {
        "restartPolicy": "Never",
        "automountServiceAccountToken": False,  # the pods never talk to the API server
        "enableServiceLinks": False,
        "terminationGracePeriodSeconds": 5,
        "nodeSelector": {"kubernetes.io/os": "linux"},
        # fsGroup is deliberately absent: CIFS ignores it (ownership is fixed by the SMB
        # mount's uid/gid options, which runAsUser/runAsGroup match), and the Azure Files CSI
        # driver does not apply it to RWX volumes either.
        "securityContext": {
            "runAsNonRoot": True,
            "runAsUser": args.uid,
            "runAsGroup": args.gid,
            "seccompProfile": {"type": "RuntimeDefault"},
        },
        "containers": [
            {
                "name": "smoke",
                "image": args.image,
                "imagePullPolicy": "IfNotPresent",
                "command": ["/bin/sh", "-c", script],
                "env": env,
                "securityContext": {
                    "allowPrivilegeEscalation": False,
                    "readOnlyRootFilesystem": True,  # the script writes only to the volume
                    "privileged": False,
                    "runAsNonRoot": True,
                    "capabilities": {"drop": ["ALL"]},
                },
                "resources": {
                    "requests": {"cpu": "10m", "memory": "16Mi"},
                    "limits": {"cpu": "100m", "memory": "32Mi"},
                },
                "volumeMounts": [{"name": "shared", "mountPath": MOUNT_PATH, "subPath": SMOKE_DIR}],
            }
        ],
        "volumes": [{"name": "shared", "persistentVolumeClaim": {"claimName": args.pvc_name}}],
    }
    if spread:
        # ScheduleAnyway, not DoNotSchedule: dev runs a single node and small clusters may
        # have fewer nodes than pods; there the test still proves sharing between pods
        # rather than never scheduling (`infra smoke` reports how many nodes were used).
        spec["topologySpreadConstraints"] = [
            {
                "maxSkew": 1,
                "topologyKey": "kubernetes.io/hostname",
                "whenUnsatisfiable": "ScheduleAnyway",
                "labelSelector": match,
            }
        ]
        spec["affinity"] = {
            "podAntiAffinity": {
                "preferredDuringSchedulingIgnoredDuringExecution": [
                    {
                        "weight": 100,
                        "podAffinityTerm": {
                            "topologyKey": "kubernetes.io/hostname",
                            "labelSelector": match,
                        },
                    }
                ]
            }
        }
    return {"metadata": {"labels": labels}, "spec": spec}


def smoke_job_manifest(args: RwxSmokeTestArgs) -> dict[str, Any]:
    """The smoke Job (``batch/v1``) as a plain manifest."""
    validate_rwx_smoke_test_args(args)
    env: list[dict[str, Any]] = [
        {"name": "RUN_ID", "value": args.run_id},
        {"name": "SMOKE_PODS", "value": str(args.parallelism)},
        {"name": "SMOKE_DEADLINE_SECONDS", "value": str(args.deadline_seconds)},
        {"name": "SMOKE_POLL_SECONDS", "value": str(POLL_SECONDS)},
        {"name": "SMOKE_ROOT", "value": MOUNT_PATH},
        {
            "name": "JOB_UID",
            "valueFrom": {"fieldRef": {"fieldPath": f"metadata.labels['{JOB_UID_LABEL}']"}},
        },
    ]
    spec: dict[str, Any] = {
        "completionMode": "Indexed",
        "completions": args.parallelism,
        "parallelism": args.parallelism,
        "backoffLimit": 0,  # one failing pod fails the test: never retry into a pass
        "activeDeadlineSeconds": args.deadline_seconds + START_MARGIN_SECONDS,
        "ttlSecondsAfterFinished": KUBECTL_TTL_SECONDS,
        "template": _pod_template(args, script=SMOKE_SCRIPT, env=env, spread=True),
    }
    return {
        "apiVersion": "batch/v1",
        "kind": "Job",
        "metadata": {
            "name": smoke_job_name(args),
            "namespace": args.namespace,
            "labels": _labels(args),
        },
        "spec": spec,
    }


def cleanup_job_manifest(args: RwxSmokeTestArgs) -> dict[str, Any]:
    """A one-pod Job removing ``.rwx-smoke/<run_id>`` from the volume (after a failed run)."""
    validate_rwx_smoke_test_args(args)
    env: list[dict[str, Any]] = [
        {"name": "RUN_ID", "value": args.run_id},
        {"name": "SMOKE_ROOT", "value": MOUNT_PATH},
    ]
    labels = {**_labels(args), "app.kubernetes.io/component": "cleanup"}
    template = _pod_template(args, script=CLEANUP_SCRIPT, env=env, spread=False)
    template["metadata"]["labels"] = labels
    return {
        "apiVersion": "batch/v1",
        "kind": "Job",
        "metadata": {
            "name": f"{smoke_job_name(args)}-rm",
            "namespace": args.namespace,
            "labels": labels,
        },
        "spec": {
            "completions": 1,
            "parallelism": 1,
            "backoffLimit": 0,
            "activeDeadlineSeconds": CLEANUP_DEADLINE_SECONDS,
            "ttlSecondsAfterFinished": KUBECTL_TTL_SECONDS,
            "template": template,
        },
    }
