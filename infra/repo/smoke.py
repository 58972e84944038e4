"""`infra smoke`: run the RWX smoke Job (components/smoke.py) against a deployed stack.

For every volume in the stack's `volumes` output, `infra smoke --stack NAME` applies an
Indexed Job with kubectl: N pods spread over the nodes mount the volume's PVC, and each one
writes a file, fsyncs it, and waits until it sees every other pod's file (see the module
doc of components/smoke.py). It then waits for all the Jobs, prints the failing pods' logs,
and always deletes the Jobs unless `--keep` is given. A successful run leaves no files on
the share. A failed run's files (`.rwx-smoke/<run id>`) are removed by a one-pod cleanup Job.
The stack never owns these throwaway Jobs.

Where the inputs come from:

* The namespaces and PVCs come from `pulumi stack output --json --stack NAME`, which shows
  what is deployed (secret outputs print as "[secret]").
* `smokeTest` (parallelism, deadlineSeconds, image) and each volume's uid/gid come from the
  stack's config in this checkout (`Pulumi.yaml` + `stacks/Pulumi.<stack>.yaml`), validated
  by stacks/config.py. Run `infra smoke` from the commit that was deployed.
* The kubeconfig is taken from `--kubeconfig FILE`, else from `$KUBECONFIG` (the deploy
  workflow sets it), else from the stack's secret `kubeconfig` output. In that last case it
  is written to a 0600 temporary file, which is removed afterwards; it is never printed.

Exit codes:

* 0: every volume passed.
* 1: a Job failed, timed out or could not be created. The failing pods' logs are printed,
  then a one-line summary on stderr.
* 2: kubectl or pulumi is missing, or the stack, config or outputs are unusable. This is
  raised as `SmokeError`, a `UsageError` that is printed as one line.

Every command runs through subprocess with list arguments (no shell). The module is over
400 lines because it is one procedure (inputs, apply, wait, report, clean up) whose steps
share the same kubectl handle and plans; its manifests come from components/smoke.py.
"""

from __future__ import annotations

import json
import os
import secrets
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from components.smoke import (
    KUBECTL_TTL_SECONDS,
    SMOKE_DIR,
    RwxSmokeTestArgs,
    cleanup_job_manifest,
    smoke_job_manifest,
    smoke_selector,
    stack_slug,
)
from infra.engine.project import STACK_NAME, Project, load_project, load_stack_config
from infra.errors import UsageError

if TYPE_CHECKING:
    from stacks.config import LoadedConfig

EXIT_OK, EXIT_FAILED = 0, 1
# Poll interval for the Jobs' status; INFRA_SMOKE_POLL_SECONDS overrides it (tests).
POLL_SECONDS = 5.0
# Seconds to wait beyond the Jobs' activeDeadlineSeconds before giving up on them.
WAIT_MARGIN_SECONDS = 60
# Timeout of one kubectl/pulumi call: a hung API server must never hang the pipeline.
COMMAND_TIMEOUT_SECONDS = 120
MAX_POD_LOGS = 5
LOG_TAIL_LINES = 50


class SmokeError(UsageError, ValueError):
    """A tool, stack, config or output problem; the message is one line (exit 2)."""


@dataclass
class Plan:
    """One volume's smoke Job and what became of it."""

    volume: str
    args: RwxSmokeTestArgs
    manifest: dict[str, Any]
    created: bool = False
    passed: bool = False
    summary: str = "not started"
    pods: list[dict[str, Any]] = field(default_factory=list)

    @property
    def job(self) -> str:
        return str(self.manifest["metadata"]["name"])

    @property
    def namespace(self) -> str:
        return self.args.namespace


def _first_line(text: str) -> str:
    return (text.strip().splitlines() or ["(no message)"])[0].strip()


def _require_tool(name: str, purpose: str) -> str:
    path = shutil.which(name)
    if path is None:
        raise SmokeError(f"{name} is not installed or not on PATH (infra smoke needs it {purpose})")
    return path


def _poll_seconds() -> float:
    raw = os.environ.get("INFRA_SMOKE_POLL_SECONDS")
    if raw is None:
        return POLL_SECONDS
    try:
        value = float(raw)
    except ValueError:
        value = -1.0
    if not 0 < value <= 300:
        raise SmokeError(f"INFRA_SMOKE_POLL_SECONDS={raw!r}: must be seconds between 0 and 300")
    return value


def _run(
    argv: Sequence[str], *, stdin: str | None = None, cwd: Path | None = None
) -> subprocess.CompletedProcess[str]:
    try:
        return subprocess.run(
            list(argv),
            input=stdin,
            cwd=cwd,
            capture_output=True,
            text=True,
            timeout=COMMAND_TIMEOUT_SECONDS,
            check=False,
        )
    except subprocess.TimeoutExpired:
        return subprocess.CompletedProcess(
            list(argv), 124, "", f"timed out after {COMMAND_TIMEOUT_SECONDS}s"
        )


# --- inputs: config, outputs, kubeconfig ---------------------------------------------------


def load_settings(project: Project, stack: str) -> LoadedConfig:
    """The stack's validated config, read offline from this checkout."""
    stack_config = load_stack_config(project, stack)
    if str(project.root) not in sys.path:
        sys.path.insert(0, str(project.root))  # `stacks` is the program, not an installed package
    import pulumi

    from stacks.config import parse_config

    prefix = f"{project.name}:"
    raw = {
        key[len(prefix) :]: value
        for key, value in stack_config.values.items()
        if key.startswith(prefix)
    }
    try:
        return parse_config(raw, project.name, stack)
    except pulumi.RunError as error:
        raise SmokeError(str(error)) from None


def stack_volumes(pulumi_cli: str, stack: str, cwd: Path) -> dict[str, dict[str, str]]:
    """`volume -> {namespace, pvcName}` from the stack's (non-secret) `volumes` output."""
    done = _run([pulumi_cli, "stack", "output", "--json", "--stack", stack], cwd=cwd)
    if done.returncode != 0:
        raise SmokeError(f"pulumi stack output --stack {stack} failed: {_first_line(done.stderr)}")
    try:
        outputs = json.loads(done.stdout or "null")
    except json.JSONDecodeError:
        raise SmokeError(f"pulumi stack output --stack {stack} did not print JSON") from None
    volumes = outputs.get("volumes") if isinstance(outputs, dict) else None
    if not isinstance(volumes, dict) or not volumes:
        raise SmokeError(f"stack {stack!r} has no 'volumes' output; deploy it first")
    result: dict[str, dict[str, str]] = {}
    for name, volume in volumes.items():
        namespace = volume.get("namespace") if isinstance(volume, dict) else None
        pvc = volume.get("pvcName") if isinstance(volume, dict) else None
        if not isinstance(namespace, str) or not isinstance(pvc, str):
            raise SmokeError(
                f"stack {stack!r} output volumes.{name} lacks a namespace or pvcName string"
            )
        result[str(name)] = {"namespace": namespace, "pvcName": pvc}
    return result


@contextmanager
def kubeconfig_file(
    explicit: Path | None, pulumi_cli: str, stack: str, cwd: Path
) -> Iterator[Path | None]:
    """The kubeconfig for kubectl: ``explicit``, else ``None`` ($KUBECONFIG applies), else the
    stack's secret output in a private temporary file removed on exit."""
    if explicit is not None:
        if not explicit.is_file():
            raise SmokeError(f"--kubeconfig {explicit}: no such file")
        yield explicit
        return
    if os.environ.get("KUBECONFIG"):
        yield None
        return
    with tempfile.TemporaryDirectory(prefix="infra-smoke-") as tmp:
        path = Path(tmp) / "kubeconfig"
        done = _run(
            [pulumi_cli, "stack", "output", "kubeconfig", "--show-secrets", "--stack", stack],
            cwd=cwd,
        )
        if done.returncode != 0 or not done.stdout.strip():
            # stderr only: stdout would be the secret itself.
            raise SmokeError(
                f"could not read the kubeconfig output of stack {stack!r}: "
                f"{_first_line(done.stderr)}; set KUBECONFIG or pass --kubeconfig"
            )
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(descriptor, "w") as handle:
            handle.write(done.stdout)
        yield path


def build_plans(
    stack: str, settings: LoadedConfig, volumes: dict[str, dict[str, str]], run_id: str
) -> list[Plan]:
    """One smoke Job per deployed volume, with the config's smokeTest settings and uid/gid."""
    configured = {volume.config.name: volume.config for volume in settings.volumes}
    if set(configured) != set(volumes):
        raise SmokeError(
            f"stack {stack!r}: the deployed volumes ({', '.join(sorted(volumes))}) differ from "
            f"the configured ones ({', '.join(sorted(configured))}); run infra smoke from the "
            "commit that was deployed"
        )
    smoke = settings.values.smoke.smoke_test
    plans = []
    for name in sorted(volumes):
        args = RwxSmokeTestArgs(
            namespace=volumes[name]["namespace"],
            pvc_name=volumes[name]["pvcName"],
            volume_name=name,
            parallelism=smoke.parallelism,
            deadline_seconds=smoke.deadline_seconds,
            image=smoke.image,
            uid=configured[name].uid,
            gid=configured[name].gid,
            run_id=run_id,
        )
        try:
            manifest = smoke_job_manifest(args)
        except ValueError as error:
            raise SmokeError(f"stack {stack!r} volume {name!r}: {error}") from None
        plans.append(Plan(volume=name, args=args, manifest=manifest))
    return plans


def new_run_id(stack: str) -> str:
    """``<stack>-<UTC time>-<6 hex>``: unique per invocation, so no run sees stale files."""
    stamp = time.strftime("%Y%m%d%H%M%S", time.gmtime())
    return f"{stack_slug(stack)}-{stamp}-{secrets.token_hex(3)}"


# --- kubectl ---------------------------------------------------------------------------------


class Kubectl:
    def __init__(self, path: str, kubeconfig: Path | None) -> None:
        self.base = [path] if kubeconfig is None else [path, "--kubeconfig", str(kubeconfig)]

    def __call__(self, *args: str, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
        return _run([*self.base, *args], stdin=stdin)

    def apply(self, manifest: dict[str, Any]) -> subprocess.CompletedProcess[str]:
        return self("apply", "--filename", "-", stdin=json.dumps(manifest))

    def delete_job(self, namespace: str, job: str) -> subprocess.CompletedProcess[str]:
        # Foreground: the call returns once the pods are gone too.
        return self(
            "delete",
            "job",
            job,
            "--namespace",
            namespace,
            "--ignore-not-found",
            "--cascade=foreground",
            "--timeout=90s",
        )

    def job_state(self, namespace: str, job: str) -> tuple[str, str]:
        """``("complete"|"failed"|"running", detail)``."""
        done = self("get", "job", job, "--namespace", namespace, "--output", "json")
        if done.returncode != 0:
            return "running", f"kubectl get job failed: {_first_line(done.stderr)}"
        try:
            status = json.loads(done.stdout).get("status") or {}
        except (json.JSONDecodeError, AttributeError):
            return "running", "kubectl get job printed no JSON"
        for condition in status.get("conditions") or []:
            if condition.get("status") != "True":
                continue
            if condition.get("type") == "Complete":
                return "complete", "complete"
            if condition.get("type") == "Failed":
                reason = condition.get("reason") or "Failed"
                message = _first_line(condition.get("message") or "")
                return "failed", f"job failed: {reason}" + (
                    f" ({message})" if message != "(no message)" else ""
                )
        counts = ", ".join(
            f"{key} {status.get(key) or 0}" for key in ("active", "succeeded", "failed")
        )
        return "running", counts

    def pods(self, namespace: str, selector: str) -> list[dict[str, Any]]:
        done = self(
            "get", "pods", "--namespace", namespace, "--selector", selector, "--output", "json"
        )
        if done.returncode != 0:
            return []
        try:
            items = json.loads(done.stdout).get("items") or []
        except (json.JSONDecodeError, AttributeError):
            return []
        return [item for item in items if isinstance(item, dict)]


def _pod_line(pod: dict[str, Any]) -> str:
    """`name: phase on node (reason)`; no messages that could carry mount secrets."""
    name = (pod.get("metadata") or {}).get("name", "?")
    status = pod.get("status") or {}
    node = (pod.get("spec") or {}).get("nodeName") or "no node"
    reasons = []
    for container in status.get("containerStatuses") or []:
        state = container.get("state") or {}
        for kind in ("waiting", "terminated"):
            if kind in state and state[kind].get("reason"):
                reasons.append(str(state[kind]["reason"]))
    for condition in status.get("conditions") or []:
        if condition.get("type") == "PodScheduled" and condition.get("status") == "False":
            reasons.append(_first_line(condition.get("message") or "Unschedulable"))
    reason = f" ({', '.join(reasons)})" if reasons else ""
    return f"{name}: {status.get('phase', 'Unknown')} on {node}{reason}"


def _report_failure(kubectl: Kubectl, plan: Plan) -> None:
    print(f"infra smoke: {plan.volume}: {plan.summary} (job {plan.job} in {plan.namespace})")
    failing = [p for p in plan.pods if (p.get("status") or {}).get("phase") != "Succeeded"]
    for pod in failing[:MAX_POD_LOGS]:
        name = (pod.get("metadata") or {}).get("name", "?")
        print(f"--- pod {_pod_line(pod)}")
        if (pod.get("status") or {}).get("phase") in ("Running", "Failed"):
            # The container prints only the smoke script's own lines (paths, host names).
            logs = kubectl("logs", name, "--namespace", plan.namespace, f"--tail={LOG_TAIL_LINES}")
            text = logs.stdout if logs.returncode == 0 else f"(no logs: {_first_line(logs.stderr)})"
            print(text.rstrip())
    if len(failing) > MAX_POD_LOGS:
        print(f"--- ... and {len(failing) - MAX_POD_LOGS} more pods not shown")


def _report_success(plan: Plan) -> None:
    nodes = {(p.get("spec") or {}).get("nodeName") for p in plan.pods} - {None}
    where = f" on {len(nodes)} node(s)" if nodes else ""
    note = ""
    if len(nodes) == 1 and plan.args.parallelism > 1:
        note = " - all on one node: this proves sharing between pods, not between nodes"
    print(
        f"infra smoke: {plan.volume}: ok - {plan.args.parallelism} pods{where} saw each "
        f"other's files on PVC {plan.namespace}/{plan.args.pvc_name}{note}"
    )


def _wait(kubectl: Kubectl, plans: list[Plan], timeout: float, poll: float) -> None:
    deadline = time.monotonic() + timeout
    pending = [plan for plan in plans if plan.created]
    while pending:
        for plan in list(pending):
            state, detail = kubectl.job_state(plan.namespace, plan.job)
            if state == "running":
                plan.summary = detail
                continue
            plan.passed, plan.summary = state == "complete", detail
            pending.remove(plan)
        if not pending:
            return
        if time.monotonic() >= deadline:
            for plan in pending:
                plan.summary = f"timed out after {timeout:g}s ({plan.summary})"
            return
        time.sleep(poll)


def _cleanup(kubectl: Kubectl, plan: Plan, poll: float) -> list[str]:
    """Delete the Job (pods first); after a failure, remove the run's files. Warnings out."""
    warnings = []
    deleted = kubectl.delete_job(plan.namespace, plan.job)
    if deleted.returncode != 0:
        warnings.append(
            f"could not delete job {plan.job} in {plan.namespace} "
            f"({_first_line(deleted.stderr)}); its TTL removes it within "
            f"{KUBECTL_TTL_SECONDS}s"
        )
    if plan.passed:
        return warnings  # the pods removed their own files
    cleanup = cleanup_job_manifest(plan.args)
    name = cleanup["metadata"]["name"]
    where = f"{SMOKE_DIR}/{plan.args.run_id} on PVC {plan.namespace}/{plan.args.pvc_name}"
    if kubectl.apply(cleanup).returncode != 0:
        return [*warnings, f"could not start the cleanup job; remove {where} by hand"]
    deadline = time.monotonic() + cleanup["spec"]["activeDeadlineSeconds"] + 30
    state = "running"
    while state == "running" and time.monotonic() < deadline:
        state, _ = kubectl.job_state(plan.namespace, name)
        if state == "running":
            time.sleep(poll)
    if state != "complete":
        warnings.append(f"the cleanup job did not complete; remove {where} by hand")
    if kubectl.delete_job(plan.namespace, name).returncode != 0:
        warnings.append(f"could not delete the cleanup job {name} in {plan.namespace}")
    return warnings


# --- the command -----------------------------------------------------------------------------


def run_smoke(
    cwd: Path,
    stack: str,
    *,
    kubeconfig: Path | None = None,
    timeout: float | None = None,
    keep: bool = False,
) -> int:
    """Run the smoke Jobs of `stack`; returns the exit code (0 or 1). Raises SmokeError."""
    if not STACK_NAME.fullmatch(stack):
        raise SmokeError(f"invalid stack name {stack!r}")
    # What this checkout says first (a stack that does not exist, a config that does not
    # validate), before the tools and the access a live run needs.
    project = load_project(cwd)
    settings = load_settings(project, stack)
    kubectl_path = _require_tool("kubectl", "to run the smoke Job")
    pulumi_cli = _require_tool("pulumi", "logged in to the stack's state, to read its outputs")
    poll = _poll_seconds()
    root = project.root
    volumes = stack_volumes(pulumi_cli, stack, root)
    run_id = new_run_id(stack)
    plans = build_plans(stack, settings, volumes, run_id)
    limit = timeout
    if limit is None:
        limit = max(p.manifest["spec"]["activeDeadlineSeconds"] for p in plans)
        limit += WAIT_MARGIN_SECONDS

    with kubeconfig_file(kubeconfig, pulumi_cli, stack, root) as config_path:
        kubectl = Kubectl(kubectl_path, config_path)
        print(
            f"infra smoke: stack {stack}, run {run_id}: {len(plans)} volume(s), "
            f"{settings.values.smoke.smoke_test.parallelism} pods each, waiting up to {limit:g}s"
        )
        try:
            for plan in plans:
                applied = kubectl.apply(plan.manifest)
                plan.created = applied.returncode == 0
                if not plan.created:
                    plan.summary = f"could not create the job: {_first_line(applied.stderr)}"
            _wait(kubectl, plans, limit, poll)
            for plan in plans:
                if plan.created:
                    plan.pods = kubectl.pods(plan.namespace, smoke_selector(plan.args))
                if plan.passed:
                    _report_success(plan)
                else:
                    _report_failure(kubectl, plan)
        finally:
            # Always, also on failure or Ctrl-C: no throwaway Job outlives the command.
            for plan in plans:
                if not plan.created:
                    continue
                if keep:
                    print(
                        f"infra smoke: kept job {plan.job} in {plan.namespace} and its files "
                        f"under {SMOKE_DIR}/{run_id} (kubectl delete job {plan.job} "
                        f"--namespace {plan.namespace})"
                    )
                    continue
                for warning in _cleanup(kubectl, plan, poll):
                    print(f"infra: warning: {warning}", file=sys.stderr)

    failed = [plan for plan in plans if not plan.passed]
    if failed:
        details = "; ".join(f"{plan.volume}: {plan.summary}" for plan in failed)
        print(
            f"infra: smoke test failed on stack {stack!r} ({len(failed)}/{len(plans)} "
            f"volume(s)): {details}",
            file=sys.stderr,
        )
        return EXIT_FAILED
    print(f"infra smoke: stack {stack}: all {len(plans)} volume(s) are shared read-write")
    return EXIT_OK
