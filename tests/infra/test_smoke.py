"""`infra smoke` with fake `kubectl` and `pulumi` executables on PATH.

The fakes are small shell scripts that record their argv (and kubectl's stdin, i.e. the
applied manifests) in a temporary directory and answer from JSON files the test writes there.
The stack config is the real one (stacks/Pulumi.staging.yaml).
"""

from __future__ import annotations

import argparse
import json
import os
import re
import stat
import subprocess
import sys
from pathlib import Path
from typing import Any

import kubernetes_validate
import pytest

from infra.commands import main as infra_main
from infra.commands.smoke import add_subparser, run

REPO_ROOT = Path(__file__).resolve().parents[2]


def main(argv: list[str]) -> int:
    """`infra smoke ARGS`, in this process."""
    return infra_main(["smoke", *argv])


KUBECONFIG_TEXT = "apiVersion: v1\nusers:\n- name: u\n  user:\n    token: SECRET-TOKEN-123\n"

FAKE_KUBECTL = r"""#!/bin/sh
PATH=/usr/bin:/bin
fake="$FAKE_DIR"
{ printf 'kubectl'; printf ' %s' "$@"; printf '\n'; } >>"$fake/calls"
if [ "$1" = --kubeconfig ]; then
  printf '%s %s\n' "$(stat -c %a "$2")" "$(cat "$2" | tr '\n' '|')" >>"$fake/kubeconfigs"
  shift 2
fi
printf '%s\n' "${KUBECONFIG:-}" >>"$fake/env-kubeconfig"
case "$1 $2" in
  "apply --filename")
    n=$(ls "$fake" | grep -c '^applied-')
    cat >"$fake/applied-$n.json"
    if [ -e "$fake/apply-fails" ]; then
      echo "Error from server (Forbidden): jobs.batch is forbidden" >&2
      exit 1
    fi
    echo "job.batch/created" ;;
  "get job")
    case "$3" in
      *-rm) cat "$fake/cleanup-status.json" ;;
      *) cat "$fake/job-status.json" ;;
    esac ;;
  "get pods") cat "$fake/pods.json" ;;
  "logs "*)
    echo "rwx-smoke[2/3 $2]: wrote /mnt/shared/.rwx-smoke/r/pod-2"
    printf '%s %s\n' "rwx-smoke[2/3 $2]: FAIL: deadline of 300s passed while waiting" \
      "to see every pod's file: pod-1 (missing) in /mnt/shared/.rwx-smoke/r" ;;
  "delete job")
    if [ -e "$fake/delete-fails" ]; then echo "error: the server is unreachable" >&2; exit 1; fi ;;
  *) echo "fake kubectl: unexpected $*" >&2; exit 99 ;;
esac
"""

FAKE_PULUMI = r"""#!/bin/sh
PATH=/usr/bin:/bin
{ printf 'pulumi'; printf ' %s' "$@"; printf '\n'; } >>"$FAKE_DIR/calls"
printf '%s\n' "$PWD" >>"$FAKE_DIR/pulumi-cwd"
case "$*" in
  *--show-secrets*) cat "$FAKE_DIR/kubeconfig.src" ;;
  "stack output --json"*)
    if [ -e "$FAKE_DIR/outputs-fail" ]; then
      echo "error: no stack named 'staging' found" >&2
      exit 255
    fi
    cat "$FAKE_DIR/outputs.json" ;;
  *) echo "fake pulumi: unexpected $*" >&2; exit 99 ;;
esac
"""


def job_status(kind: str) -> dict[str, Any]:
    if kind == "complete":
        return {
            "status": {
                "succeeded": 3,
                "conditions": [
                    {"type": "SuccessCriteriaMet", "status": "True"},
                    {"type": "Complete", "status": "True"},
                ],
            }
        }
    if kind == "failed":
        return {
            "status": {
                "failed": 1,
                "succeeded": 2,
                "conditions": [
                    {
                        "type": "Failed",
                        "status": "True",
                        "reason": "BackoffLimitExceeded",
                        "message": "Job has reached the specified backoff limit",
                    }
                ],
            }
        }
    return {"status": {"active": 3}}


def pod(name: str, phase: str, node: str, reason: str | None = None) -> dict[str, Any]:
    status: dict[str, Any] = {"phase": phase}
    if reason:
        status["containerStatuses"] = [{"state": {"terminated": {"reason": reason}}}]
    return {"metadata": {"name": name}, "spec": {"nodeName": node}, "status": status}


class Fake:
    def __init__(self, root: Path) -> None:
        self.dir = root / "fake"
        self.bin = root / "bin"
        self.dir.mkdir()
        self.bin.mkdir()

    def install(self, *tools: str) -> None:
        for name, text in (("kubectl", FAKE_KUBECTL), ("pulumi", FAKE_PULUMI)):
            if name in tools:
                path = self.bin / name
                path.write_text(text)
                path.chmod(0o755)

    def write(self, name: str, value: Any) -> None:
        path = self.dir / name
        path.write_text(value if isinstance(value, str) else json.dumps(value))

    def flag(self, name: str) -> None:
        (self.dir / name).touch()

    def read(self, name: str) -> str:
        path = self.dir / name
        return path.read_text() if path.exists() else ""

    @property
    def raw_calls(self) -> list[str]:
        return self.read("calls").splitlines()

    @property
    def calls(self) -> list[str]:
        """The calls without kubectl's `--kubeconfig <temporary file>` (tested on its own)."""
        return [re.sub(r"^kubectl --kubeconfig \S+ ", "kubectl ", c) for c in self.raw_calls]

    def kubectl_calls(self, verb: str) -> list[str]:
        prefix = [c for c in self.calls if c.startswith("kubectl")]
        return [c for c in prefix if f" {verb} " in f"{c} "]

    def applied(self) -> list[dict[str, Any]]:
        files = sorted(self.dir.glob("applied-*.json"), key=lambda p: int(p.stem.split("-")[1]))
        return [json.loads(p.read_text()) for p in files]


@pytest.fixture
def fake(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Fake:
    fake = Fake(tmp_path)
    fake.install("kubectl", "pulumi")
    outputs = {
        "kubeconfig": "[secret]",
        "clusterName": "aks-rwx-training-staging",
        "volumes": {
            "checkpoints": {"namespace": "training", "pvcName": "checkpoints", "quotaGiB": 1024},
            "datasets": {"namespace": "training", "pvcName": "datasets", "quotaGiB": 1024},
        },
    }
    fake.write("outputs.json", outputs)
    fake.write("kubeconfig.src", KUBECONFIG_TEXT)
    fake.write("job-status.json", job_status("complete"))
    fake.write("cleanup-status.json", job_status("complete"))
    fake.write(
        "pods.json",
        {"items": [pod(f"p-{i}", "Succeeded", f"aks-system-{i}") for i in range(3)]},
    )
    monkeypatch.setenv("PATH", str(fake.bin))  # only the fakes: the real kubectl is not used
    monkeypatch.setenv("FAKE_DIR", str(fake.dir))
    monkeypatch.setenv("INFRA_SMOKE_POLL_SECONDS", "0.01")
    monkeypatch.delenv("KUBECONFIG", raising=False)
    return fake


def smoke(*args: str) -> int:
    return main(["--stack", "staging", "-C", str(REPO_ROOT), *args])


def test_success_applies_one_job_per_volume_waits_and_deletes_them(
    fake: Fake, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("KUBECONFIG", "/runner/tmp/kubeconfig")
    assert smoke() == 0
    out, err = capsys.readouterr()
    assert err == ""
    jobs = fake.applied()
    assert [
        job["spec"]["template"]["spec"]["volumes"][0]["persistentVolumeClaim"] for job in jobs
    ] == [
        {"claimName": "checkpoints"},
        {"claimName": "datasets"},
    ]
    run_ids = {job["metadata"]["labels"]["aks-rwx-training/smoke-run"] for job in jobs}
    (run_id,) = run_ids
    assert run_id.startswith("staging-")
    for job in jobs:
        kubernetes_validate.validate(job, "1.36.0", strict=True)
        spec = job["spec"]
        assert job["metadata"]["namespace"] == "training"
        assert spec["completionMode"] == "Indexed"
        assert spec["parallelism"] == spec["completions"] == 3  # smokeTest default
        assert spec["ttlSecondsAfterFinished"] == 3600  # safety net for kubectl-applied Jobs
        security = spec["template"]["spec"]["securityContext"]
        assert (security["runAsUser"], security["runAsGroup"]) == (1000, 1000)
    names = [job["metadata"]["name"] for job in jobs]
    # Waited for each Job, then deleted each one (pods first); no cleanup Job after a pass.
    for name in names:
        assert f"kubectl get job {name} --namespace training --output json" in fake.calls
        assert (
            f"kubectl delete job {name} --namespace training --ignore-not-found "
            "--cascade=foreground --timeout=90s"
        ) in fake.calls
    assert len(fake.kubectl_calls("apply")) == 2
    # $KUBECONFIG is used as is: no secret read from the stack, no --kubeconfig flag.
    assert not any("--show-secrets" in call for call in fake.calls)
    assert fake.read("kubeconfigs") == ""
    assert set(fake.read("env-kubeconfig").split()) == {"/runner/tmp/kubeconfig"}
    assert "pulumi stack output --json --stack staging" in fake.calls
    assert set(fake.read("pulumi-cwd").split()) == {str(REPO_ROOT)}
    assert "infra smoke: checkpoints: ok - 3 pods on 3 node(s) saw each other's files" in out
    assert out.rstrip().endswith(
        "infra smoke: stack staging: all 2 volume(s) are shared read-write"
    )


def test_kubeconfig_from_the_stack_is_private_temporary_and_never_printed(
    fake: Fake, capsys: pytest.CaptureFixture[str]
) -> None:
    assert smoke() == 0
    out, err = capsys.readouterr()
    assert "pulumi stack output kubeconfig --show-secrets --stack staging" in fake.calls
    seen = fake.read("kubeconfigs").splitlines()
    assert seen and all(line == "600 " + KUBECONFIG_TEXT.replace("\n", "|") for line in seen)
    paths = {c.split()[2] for c in fake.raw_calls if c.startswith("kubectl --kubeconfig")}
    (path,) = paths
    assert not Path(path).exists()  # removed afterwards
    assert "SECRET-TOKEN-123" not in out + err


def test_explicit_kubeconfig_wins(
    fake: Fake, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("KUBECONFIG", "/ignored")
    config = tmp_path / "kc"
    config.write_text("apiVersion: v1\n")
    config.chmod(0o600)
    assert smoke("--kubeconfig", str(config)) == 0
    kubectl = [c for c in fake.raw_calls if c.startswith("kubectl")]
    assert kubectl and all(c.startswith(f"kubectl --kubeconfig {config} ") for c in kubectl)
    assert not any("--show-secrets" in call for call in fake.calls)


def test_failure_prints_the_failing_pods_logs_cleans_up_and_exits_1(
    fake: Fake, capsys: pytest.CaptureFixture[str]
) -> None:
    fake.write("job-status.json", job_status("failed"))
    fake.write(
        "pods.json",
        {
            "items": [
                pod("p-0", "Succeeded", "n0"),
                pod("p-1", "Succeeded", "n1"),
                pod("p-2", "Failed", "n2", reason="Error"),
            ]
        },
    )
    assert smoke() == 1
    out, err = capsys.readouterr()
    assert "--- pod p-2: Failed on n2 (Error)" in out
    assert "FAIL: deadline of 300s passed while waiting to see every pod's file" in out
    assert "kubectl logs p-2 --namespace training --tail=50" in fake.calls
    assert not any(call.startswith("kubectl logs p-0") for call in fake.calls)  # passed pods
    (summary,) = err.strip().splitlines()
    assert summary == (
        "infra: smoke test failed on stack 'staging' (2/2 volume(s)): checkpoints: job failed: "
        "BackoffLimitExceeded (Job has reached the specified backoff limit); datasets: job "
        "failed: BackoffLimitExceeded (Job has reached the specified backoff limit)"
    )
    # Cleanup always runs: smoke Jobs deleted (pods first), then a cleanup Job per volume
    # removes the run's files, is waited for, and deleted.
    smoke_jobs, cleanup_jobs = fake.applied()[:2], fake.applied()[2:]
    assert [job["metadata"]["name"] for job in cleanup_jobs] == [
        job["metadata"]["name"] + "-rm" for job in smoke_jobs
    ]
    run_id = smoke_jobs[0]["metadata"]["labels"]["aks-rwx-training/smoke-run"]
    for job in cleanup_jobs:
        env = {
            e["name"]: e.get("value")
            for e in job["spec"]["template"]["spec"]["containers"][0]["env"]
        }
        assert env["RUN_ID"] == run_id
        kubernetes_validate.validate(job, "1.36.0", strict=True)
    deletes = fake.kubectl_calls("delete")
    assert [d.split()[3] for d in deletes] == [
        smoke_jobs[0]["metadata"]["name"],
        cleanup_jobs[0]["metadata"]["name"],
        smoke_jobs[1]["metadata"]["name"],
        cleanup_jobs[1]["metadata"]["name"],
    ]
    # The first cleanup Job starts only after its smoke Job (and pods) are gone.
    applies = [i for i, c in enumerate(fake.calls) if c.startswith("kubectl apply")]
    assert fake.calls.index(deletes[0]) < applies[2]


def test_timeout_is_a_failure_and_still_cleans_up(
    fake: Fake, capsys: pytest.CaptureFixture[str]
) -> None:
    fake.write("job-status.json", job_status("running"))
    fake.write("pods.json", {"items": [pod(f"p-{i}", "Running", "n0") for i in range(3)]})
    assert smoke("--timeout", "0.2") == 1
    _, err = capsys.readouterr()
    assert "checkpoints: timed out after 0.2s (active 3, succeeded 0, failed 0)" in err
    assert len(err.strip().splitlines()) == 1
    assert len(fake.kubectl_calls("delete")) == 4  # two smoke Jobs, two cleanup Jobs


def test_keep_leaves_the_jobs_and_files(fake: Fake, capsys: pytest.CaptureFixture[str]) -> None:
    fake.write("job-status.json", job_status("failed"))
    assert smoke("--keep") == 1
    out, _ = capsys.readouterr()
    assert fake.kubectl_calls("delete") == []
    assert len(fake.applied()) == 2  # no cleanup Job
    assert "infra smoke: kept job rwx-smoke-checkpoints-" in out


def test_job_that_cannot_be_created_fails_with_one_line(
    fake: Fake, capsys: pytest.CaptureFixture[str]
) -> None:
    fake.flag("apply-fails")
    assert smoke() == 1
    _, err = capsys.readouterr()
    (summary,) = err.strip().splitlines()
    assert "checkpoints: could not create the job: Error from server (Forbidden)" in summary
    assert fake.kubectl_calls("delete") == []  # nothing was created
    assert fake.kubectl_calls("get") == []


def test_cleanup_problems_are_warnings_not_a_failure(
    fake: Fake, capsys: pytest.CaptureFixture[str]
) -> None:
    fake.flag("delete-fails")
    assert smoke() == 0
    _, err = capsys.readouterr()
    assert err.count("infra: warning: could not delete job rwx-smoke-") == 2


def test_all_pods_on_one_node_is_reported(fake: Fake, capsys: pytest.CaptureFixture[str]) -> None:
    fake.write(
        "pods.json", {"items": [pod(f"p-{i}", "Succeeded", "aks-system-0") for i in range(3)]}
    )
    assert smoke() == 0
    out, _ = capsys.readouterr()
    assert "3 pods on 1 node(s)" in out
    assert "all on one node: this proves sharing between pods, not between nodes" in out


@pytest.mark.parametrize(("missing", "present"), [("kubectl", "pulumi"), ("pulumi", "kubectl")])
def test_missing_tool_is_one_line_exit_2(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    missing: str,
    present: str,
) -> None:
    fake = Fake(tmp_path)
    fake.install(present)
    monkeypatch.setenv("PATH", str(fake.bin))
    monkeypatch.setenv("FAKE_DIR", str(fake.dir))
    assert smoke() == 2
    out, err = capsys.readouterr()
    assert out == ""
    (line,) = err.splitlines()
    assert line.startswith(f"infra: error: {missing} is not installed or not on PATH")
    assert fake.calls == []


def test_unreadable_outputs_are_exit_2(fake: Fake, capsys: pytest.CaptureFixture[str]) -> None:
    fake.flag("outputs-fail")
    assert smoke() == 2
    _, err = capsys.readouterr()
    assert err == (
        "infra: error: pulumi stack output --stack staging failed: "
        "error: no stack named 'staging' found\n"
    )
    assert fake.kubectl_calls("apply") == []


@pytest.mark.parametrize(
    ("outputs", "message"),
    [
        ({"kubeconfig": "[secret]"}, "stack 'staging' has no 'volumes' output; deploy it first"),
        (
            {"volumes": {"datasets": {"namespace": "training", "pvcName": "datasets"}}},
            "stack 'staging': the deployed volumes (datasets) differ from the configured ones "
            "(checkpoints, datasets); run infra smoke from the commit that was deployed",
        ),
        (
            {"volumes": {"datasets": {"namespace": "training"}}},
            "stack 'staging' output volumes.datasets lacks a namespace or pvcName string",
        ),
    ],
)
def test_bad_outputs_are_exit_2(
    fake: Fake, capsys: pytest.CaptureFixture[str], outputs: dict[str, Any], message: str
) -> None:
    fake.write("outputs.json", outputs)
    assert smoke() == 2
    _, err = capsys.readouterr()
    assert err == f"infra: error: {message}\n"
    assert fake.kubectl_calls("apply") == []


def test_unknown_stack_is_exit_2(fake: Fake, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--stack", "no-such-stack", "-C", str(REPO_ROOT)]) == 2
    _, err = capsys.readouterr()
    assert err.startswith(
        "infra: error: stacks/Pulumi.no-such-stack.yaml: no such stack 'no-such-stack'"
    )
    assert len(err.splitlines()) == 1


MIRRORED_BUSYBOX = "mcr.microsoft.com/mirror/busybox:1.36.1@sha256:" + "a" * 64


@pytest.mark.parametrize(
    ("image", "problem"),
    [
        (
            "evil.example/busybox@sha256:" + "b" * 64,
            "comes from 'evil.example/busybox', which is under none of the allowed registries "
            "(docker.io/library, mcr.microsoft.com, nvcr.io/nvidia)",
        ),
        (
            "docker.io/someone/busybox@sha256:" + "b" * 64,
            "comes from 'docker.io/someone/busybox', which is under none of the allowed "
            "registries (docker.io/library, mcr.microsoft.com, nvcr.io/nvidia)",
        ),
    ],
)
def test_a_smoke_image_from_a_registry_the_policy_config_does_not_allow_never_runs(
    fake: Fake, tmp_path: Path, capsys: pytest.CaptureFixture[str], image: str, problem: str
) -> None:
    project = tmp_path / "project"
    (project / "stacks").mkdir(parents=True)
    (project / "Pulumi.yaml").write_text((REPO_ROOT / "Pulumi.yaml").read_text())
    (project / "stacks" / "__main__.py").write_text("")
    prod = (REPO_ROOT / "stacks" / "Pulumi.prod.yaml").read_text()
    prod += f"  aks-rwx-training:smokeTest:\n    image: {image}\n"
    (project / "stacks" / "Pulumi.prod.yaml").write_text(prod)
    assert main(["--stack", "prod", "-C", str(project)]) == 2
    _, err = capsys.readouterr()
    assert err == (
        "infra: error: stacks/Pulumi.prod.yaml: config key 'aks-rwx-training:smokeTest.image' "
        f"image '{image}' {problem} (setting kubernetes-core-podspec-image-allowed."
        "allowedRegistries in policies/config/prod.json)\n"
    )
    assert fake.applied() == []


def test_bad_stack_config_is_exit_2(
    fake: Fake, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    project = tmp_path / "project"
    (project / "stacks").mkdir(parents=True)
    (project / "Pulumi.yaml").write_text((REPO_ROOT / "Pulumi.yaml").read_text())
    (project / "stacks" / "__main__.py").write_text("")
    staging = (REPO_ROOT / "stacks" / "Pulumi.staging.yaml").read_text()
    staging += "  aks-rwx-training:smokeTest:\n    parallelism: 99\n"
    (project / "stacks" / "Pulumi.staging.yaml").write_text(staging)
    assert main(["--stack", "staging", "-C", str(project)]) == 2
    _, err = capsys.readouterr()
    assert err == (
        "infra: error: stacks/Pulumi.staging.yaml: config key "
        "'aks-rwx-training:smokeTest.parallelism' must be an integer between 2 and 32 (got 99)\n"
    )


def test_smoke_settings_come_from_the_stack_config(
    fake: Fake, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    project = tmp_path / "project"
    (project / "stacks").mkdir(parents=True)
    (project / "Pulumi.yaml").write_text((REPO_ROOT / "Pulumi.yaml").read_text())
    (project / "stacks" / "__main__.py").write_text("")
    staging = (REPO_ROOT / "stacks" / "Pulumi.staging.yaml").read_text()
    staging += (
        "  aks-rwx-training:smokeTest:\n    parallelism: 6\n    deadlineSeconds: 60\n"
        f"    image: {MIRRORED_BUSYBOX}\n"
        "  aks-rwx-training:volumes:\n"
        "    - {name: datasets, quotaGiB: 100, uid: 2000, gid: 3000}\n"
        "    - {name: checkpoints, createNamespace: false, quotaGiB: 100}\n"
    )
    (project / "stacks" / "Pulumi.staging.yaml").write_text(staging)
    assert main(["--stack", "staging", "-C", str(project)]) == 0
    jobs = {job["metadata"]["labels"]["aks-rwx-training/volume"]: job for job in fake.applied()}
    datasets = jobs["datasets"]["spec"]
    assert datasets["parallelism"] == 6
    assert datasets["activeDeadlineSeconds"] == 60 + 120
    pod_spec = datasets["template"]["spec"]
    assert pod_spec["containers"][0]["image"] == MIRRORED_BUSYBOX
    assert (
        pod_spec["securityContext"]["runAsUser"],
        pod_spec["securityContext"]["runAsGroup"],
    ) == (
        2000,
        3000,
    )
    checkpoints = jobs["checkpoints"]["spec"]["template"]["spec"]["securityContext"]
    assert checkpoints["runAsUser"] == 1000


def test_each_invocation_uses_a_new_run_id(fake: Fake) -> None:
    assert smoke() == 0
    assert smoke() == 0
    run_ids = {job["metadata"]["labels"]["aks-rwx-training/smoke-run"] for job in fake.applied()}
    assert len(run_ids) == 2


def test_bad_timeout_is_a_usage_error(fake: Fake, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_info:
        smoke("--timeout", "0")
    assert exit_info.value.code == 2
    assert "must be seconds between 0 and 86400" in capsys.readouterr().err


def test_add_subparser_wires_the_handler() -> None:
    parser = argparse.ArgumentParser(prog="infra")
    sub = parser.add_subparsers(dest="command", required=True)
    add_subparser(sub)
    args = parser.parse_args(["smoke", "--stack", "prod", "--keep", "--timeout", "600"])
    assert args.handler is run
    assert (args.stack, args.keep, args.timeout, args.kubeconfig) == ("prod", True, 600.0, None)


def test_module_entry_point(fake: Fake) -> None:
    env = {**os.environ}
    done = subprocess.run(
        [sys.executable, "-m", "infra", "smoke", "--stack", "staging", "-C", str(REPO_ROOT)],
        cwd=REPO_ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert "all 2 volume(s) are shared read-write" in done.stdout
    assert stat.S_IMODE(os.stat(fake.bin / "kubectl").st_mode) == 0o755


@pytest.mark.parametrize(
    ("stack", "message"),
    [
        ("../prod", "infra: error: invalid stack name '../prod'"),
        ("no-such-stack", "infra: error: stacks/Pulumi.no-such-stack.yaml: no such stack"),
    ],
)
def test_the_stack_name_is_checked_before_the_tools_a_live_run_needs(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    stack: str,
    message: str,
) -> None:
    """Neither kubectl nor pulumi on PATH: a wrong stack is still what the user hears of."""
    monkeypatch.setenv("PATH", str(tmp_path))
    assert main(["--stack", stack, "-C", str(REPO_ROOT)]) == 2
    (line,) = capsys.readouterr().err.splitlines()
    assert line.startswith(message)


def test_help_says_plainly_what_a_live_run_needs(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        main(["--help"])
    text = " ".join(capsys.readouterr().out.split())
    assert "it needs the Pulumi CLI logged in to the stack's state" in text
    assert "kubectl" in text
    assert "The stack name and its config in this checkout are checked first." in text
