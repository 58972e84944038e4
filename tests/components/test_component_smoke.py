"""The RWX smoke Job that `infra smoke` applies: its shape, its schema, and its script run for real.

The script tests run the shell script of the rendered manifest in N concurrent ``/bin/sh``
processes (and busybox ash, the image's shell, when installed) against a temporary directory
standing in for the mounted share (``SMOKE_ROOT``).
"""

from __future__ import annotations

import dataclasses
import os
import shutil
import subprocess
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import kubernetes_validate
import pulumi
import pytest

from components.smoke import (
    CLEANUP_SCRIPT,
    DEFAULT_IMAGE,
    KUBECTL_TTL_SECONDS,
    SMOKE_DIR,
    SMOKE_SCRIPT,
    START_MARGIN_SECONDS,
    RwxSmokeTestArgs,
    cleanup_job_manifest,
    smoke_job_manifest,
    smoke_job_name,
    stack_slug,
    validate_rwx_smoke_test_args,
)
from infra.repo.smoke import new_run_id
from tests.conftest import STACKS

JOB = "kubernetes:batch/v1:Job"
ROOT = Path(__file__).resolve().parents[2]
K8S_VERSION = "1.36.0"


def smoke_args(**overrides: Any) -> RwxSmokeTestArgs:
    args = RwxSmokeTestArgs(
        namespace="training", pvc_name="datasets", volume_name="datasets", run_id="test-run-1"
    )
    return dataclasses.replace(args, **overrides)


def pod_spec(manifest: dict[str, Any]) -> dict[str, Any]:
    return manifest["spec"]["template"]["spec"]


# --- the manifest -----------------------------------------------------------------------------


def test_job_shape() -> None:
    manifest = smoke_job_manifest(smoke_args(parallelism=5, deadline_seconds=200))
    assert manifest["apiVersion"] == "batch/v1"
    assert manifest["kind"] == "Job"
    assert manifest["metadata"]["namespace"] == "training"
    assert manifest["metadata"]["labels"]["app.kubernetes.io/name"] == "rwx-smoke"
    spec = manifest["spec"]
    assert spec["completionMode"] == "Indexed"
    assert spec["parallelism"] == spec["completions"] == 5
    assert spec["backoffLimit"] == 0
    assert spec["activeDeadlineSeconds"] == 200 + START_MARGIN_SECONDS
    assert spec["ttlSecondsAfterFinished"] == KUBECTL_TTL_SECONDS  # if infra smoke's clean-up fails
    assert spec["template"]["metadata"]["labels"] == manifest["metadata"]["labels"]
    assert pod_spec(manifest)["restartPolicy"] == "Never"


def test_pod_is_hardened() -> None:
    spec = pod_spec(smoke_job_manifest(smoke_args(uid=2000, gid=3000)))
    assert spec["securityContext"] == {
        "runAsNonRoot": True,
        "runAsUser": 2000,
        "runAsGroup": 3000,
        "seccompProfile": {"type": "RuntimeDefault"},
    }  # no fsGroup: CIFS ignores it
    assert spec["automountServiceAccountToken"] is False
    (container,) = spec["containers"]
    assert container["securityContext"] == {
        "allowPrivilegeEscalation": False,
        "readOnlyRootFilesystem": True,
        "privileged": False,
        "runAsNonRoot": True,
        "capabilities": {"drop": ["ALL"]},
    }
    resources = container["resources"]
    assert set(resources["requests"]) == set(resources["limits"]) == {"cpu", "memory"}
    assert container["image"] == DEFAULT_IMAGE
    for volume in spec["volumes"]:
        assert set(volume) & {"hostPath", "emptyDir"} == set()


def test_pods_spread_over_nodes_softly() -> None:
    manifest = smoke_job_manifest(smoke_args())
    spec = pod_spec(manifest)
    labels = manifest["spec"]["template"]["metadata"]["labels"]
    (constraint,) = spec["topologySpreadConstraints"]
    assert constraint["maxSkew"] == 1
    assert constraint["topologyKey"] == "kubernetes.io/hostname"
    assert constraint["whenUnsatisfiable"] == "ScheduleAnyway"
    selector = constraint["labelSelector"]["matchLabels"]
    assert selector.items() <= labels.items()
    assert selector["aks-rwx-training/smoke-run"] == "test-run-1"  # only this run's pods
    (term,) = spec["affinity"]["podAntiAffinity"]["preferredDuringSchedulingIgnoredDuringExecution"]
    assert term["podAffinityTerm"]["topologyKey"] == "kubernetes.io/hostname"
    assert term["podAffinityTerm"]["labelSelector"] == constraint["labelSelector"]


def test_pvc_mount_and_environment() -> None:
    spec = pod_spec(smoke_job_manifest(smoke_args(parallelism=7, deadline_seconds=60)))
    assert spec["volumes"] == [
        {"name": "shared", "persistentVolumeClaim": {"claimName": "datasets"}}
    ]
    (container,) = spec["containers"]
    # Only the smoke directory of the share is mounted, never the training data at its root.
    assert container["volumeMounts"] == [
        {"name": "shared", "mountPath": "/mnt/shared", "subPath": ".rwx-smoke"}
    ]
    assert container["command"] == ["/bin/sh", "-c", SMOKE_SCRIPT]
    env = {item["name"]: item for item in container["env"]}
    assert env["RUN_ID"]["value"] == "test-run-1"
    assert env["SMOKE_PODS"]["value"] == "7"
    assert env["SMOKE_DEADLINE_SECONDS"]["value"] == "60"
    assert env["SMOKE_ROOT"]["value"] == "/mnt/shared"
    assert env["JOB_UID"]["valueFrom"]["fieldRef"]["fieldPath"] == (
        "metadata.labels['batch.kubernetes.io/controller-uid']"
    )


def test_script_content() -> None:
    script = SMOKE_SCRIPT
    assert script.startswith("set -eu\n")
    assert 'dir="${SMOKE_ROOT:-/mnt/shared}/$RUN_ID"' in script
    assert '"pod-$me"' in script and "$JOB_COMPLETION_INDEX" in script
    assert "sync" in script and "mv -f" in script  # fsynced, published atomically
    assert 'echo "rwx-smoke[$me/$n $host]: FAIL: $*" >&2; exit 1' in script
    assert 'fail "deadline of ${SMOKE_DEADLINE_SECONDS}s passed while' in script
    # Each pod removes only its own files, and only after every pod checked everything.
    assert script.index('wait_all "waiting for the other pods') < script.index(
        'rm -f "$dir/pod-$me"'
    )
    assert 'rm -rf -- "${SMOKE_ROOT:-/mnt/shared}/$RUN_ID"' in CLEANUP_SCRIPT
    assert "${RUN_ID:?" in CLEANUP_SCRIPT  # never `rm -rf .rwx-smoke/`


@pytest.mark.parametrize(
    "manifest",
    [
        pytest.param(smoke_job_manifest(smoke_args()), id="smoke"),
        pytest.param(cleanup_job_manifest(smoke_args()), id="cleanup"),
    ],
)
def test_manifest_validates_against_the_kubernetes_schema(manifest: dict[str, Any]) -> None:
    kubernetes_validate.validate(manifest, K8S_VERSION, strict=True)


def test_cleanup_job() -> None:
    manifest = cleanup_job_manifest(smoke_args())
    assert manifest["metadata"]["name"] == smoke_job_name(smoke_args()) + "-rm"
    spec = manifest["spec"]
    assert spec["completions"] == spec["parallelism"] == 1
    assert spec["backoffLimit"] == 0
    assert "ttlSecondsAfterFinished" in spec
    pod = pod_spec(manifest)
    assert pod["containers"][0]["command"] == ["/bin/sh", "-c", CLEANUP_SCRIPT]
    assert pod["securityContext"]["runAsNonRoot"] is True
    assert "topologySpreadConstraints" not in pod


def test_names_stay_dns_labels_with_long_volume_names() -> None:
    volume = "v" * 63
    args = smoke_args(volume_name=volume, pvc_name=volume)
    name = smoke_job_name(args)
    assert len(name) <= 56
    assert len(cleanup_job_manifest(args)["metadata"]["name"]) <= 63
    run_id = new_run_id("Org_Stack.With.A.Very-Long-Name-" + "x" * 40)
    assert len(run_id) <= 63
    validate_rwx_smoke_test_args(dataclasses.replace(args, run_id=run_id))
    assert stack_slug("___") == "stack"


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"run_id": "Bad_Id"}, "run_id must be 1-63 lowercase letters"),
    ],
)
def test_bad_args_are_rejected(overrides: dict[str, Any], message: str) -> None:
    with pytest.raises(ValueError, match="^" + message.replace("(", r"\(").replace(")", r"\)")):
        smoke_job_manifest(smoke_args(**overrides))


def test_pinned_image_is_accepted() -> None:
    image = "myacr.azurecr.io:5000/mirror/busybox:1.36.1@sha256:" + "a" * 64
    assert pod_spec(smoke_job_manifest(smoke_args(image=image)))["containers"][0]["image"] == image


# --- the script, run for real -----------------------------------------------------------------


def _busybox_shell(tmp_path: Path) -> list[str] | None:
    """A PATH holding only busybox applets, as in the image; None without busybox."""
    busybox = shutil.which("busybox")
    if busybox is None:
        return None
    bin_dir = tmp_path / "busybox-bin"
    bin_dir.mkdir()
    for applet in ("sh", "date", "sleep", "sync", "mv", "rm", "rmdir", "mkdir", "id", "hostname"):
        (bin_dir / applet).symlink_to(busybox)
    return [str(bin_dir / "sh"), str(bin_dir)]


@pytest.fixture(params=["sh", "busybox"])
def shell(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> tuple[str, str]:
    """(shell, PATH) to run the script with."""
    if request.param == "sh":
        return "/bin/sh", os.environ["PATH"]
    found = _busybox_shell(tmp_path_factory.mktemp("busybox"))
    if found is None:
        pytest.skip("busybox is not installed")
    return found[0], found[1]


def start_pod(
    shell: tuple[str, str],
    share: Path,
    index: int,
    *,
    pods: int,
    deadline: int,
    run_id: str = "run-1",
    job_uid: str = "job-uid-1",
    script: str = SMOKE_SCRIPT,
) -> subprocess.Popen[str]:
    # The pod sees only the share's SMOKE_DIR (a subPath mount, created by the kubelet).
    mount = share / SMOKE_DIR
    if not mount.exists():
        mount.mkdir()
    env = {
        "PATH": shell[1],
        "RUN_ID": run_id,
        "JOB_UID": job_uid,
        "JOB_COMPLETION_INDEX": str(index),
        "HOSTNAME": f"rwx-smoke-datasets-abc-{index}",
        "SMOKE_PODS": str(pods),
        "SMOKE_DEADLINE_SECONDS": str(deadline),
        "SMOKE_POLL_SECONDS": "0.05",
        "SMOKE_ROOT": str(mount),
    }
    return subprocess.Popen(
        [shell[0], "-c", script],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def finish(pods: list[subprocess.Popen[str]]) -> list[tuple[int, str, str]]:
    results = []
    for pod in pods:
        out, err = pod.communicate(timeout=60)
        results.append((pod.returncode, out, err))
    return results


def rendered_script() -> str:
    return str(pod_spec(smoke_job_manifest(smoke_args()))["containers"][0]["command"][2])


@pytest.mark.parametrize("pods", [2, 5])
def test_script_succeeds_when_every_pod_sees_every_file(
    shell: tuple[str, str], tmp_path: Path, pods: int
) -> None:
    script = rendered_script()
    results = finish(
        [start_pod(shell, tmp_path, i, pods=pods, deadline=20, script=script) for i in range(pods)]
    )
    for code, out, err in results:
        assert code == 0, out + err
        assert f"saw the files of all {pods} pods" in out
        assert "OK: the volume is shared read-write" in out
    # Nothing left behind but the (empty) parent directory.
    assert [p.name for p in tmp_path.rglob("*")] == [".rwx-smoke"]


@pytest.mark.slow  # waits out the script's deadline (1-2 s, real time)
def test_script_fails_at_the_deadline_when_a_pod_is_missing(
    shell: tuple[str, str], tmp_path: Path
) -> None:
    started = time.monotonic()
    results = finish([start_pod(shell, tmp_path, i, pods=3, deadline=2) for i in range(2)])
    elapsed = time.monotonic() - started
    assert 1 <= elapsed < 15  # `date +%s` has one-second steps
    for index, (code, out, err) in enumerate(results):
        assert code == 1
        assert f"wrote {tmp_path}/.rwx-smoke/run-1/pod-{index}" in out
        (line,) = err.strip().splitlines()
        assert line == (
            f"rwx-smoke[{index}/3 rwx-smoke-datasets-abc-{index}]: FAIL: deadline of 2s passed "
            f"while waiting to see every pod's file: pod-2 (missing) in {tmp_path}/.rwx-smoke/run-1"
        )
    # A failed run keeps its files for inspection (infra smoke removes them).
    assert sorted(p.name for p in (tmp_path / ".rwx-smoke" / "run-1").iterdir()) == [
        "pod-0",
        "pod-1",
    ]


@pytest.mark.slow  # waits out the script's deadline (1-2 s, real time)
def test_script_rejects_a_stale_file_from_an_earlier_job(
    shell: tuple[str, str], tmp_path: Path
) -> None:
    run_dir = tmp_path / ".rwx-smoke" / "run-1"
    run_dir.mkdir(parents=True)
    # Same run id (a re-created Pulumi Job), earlier Job UID: must not count.
    (run_dir / "pod-1").write_text("1 rwx-smoke-datasets-abc-1 run-1 job-uid-0\n")
    ((code, out, err),) = finish([start_pod(shell, tmp_path, 0, pods=2, deadline=1)])
    assert code == 1, out + err
    assert "pod-1 (unexpected content '1 rwx-smoke-datasets-abc-1 run-1 job-uid-0')" in err


@pytest.mark.slow  # waits out the script's deadline (1-2 s, real time)
def test_script_rejects_a_file_naming_another_index(shell: tuple[str, str], tmp_path: Path) -> None:
    run_dir = tmp_path / ".rwx-smoke" / "run-1"
    run_dir.mkdir(parents=True)
    (run_dir / "pod-1").write_text("0 rwx-smoke-datasets-abc-0 run-1 job-uid-1\n")
    ((code, _, err),) = finish([start_pod(shell, tmp_path, 0, pods=2, deadline=1)])
    assert code == 1
    assert "pod-1 (unexpected content" in err


def test_script_reports_an_unwritable_volume(shell: tuple[str, str], tmp_path: Path) -> None:
    mount = tmp_path / SMOKE_DIR
    mount.mkdir()
    if os.geteuid() == 0:
        # root ignores permissions: put a file where the run directory goes instead.
        (mount / "run-1").write_text("not a directory")
    else:
        mount.chmod(0o500)
    try:
        ((code, _, err),) = finish([start_pod(shell, tmp_path, 0, pods=2, deadline=1)])
    finally:
        mount.chmod(0o700)
    assert code == 1
    assert f"FAIL: cannot create {tmp_path}/.rwx-smoke/run-1" in err


def test_script_requires_its_environment(tmp_path: Path) -> None:
    done = subprocess.run(
        ["/bin/sh", "-c", SMOKE_SCRIPT],
        env={"PATH": os.environ["PATH"], "SMOKE_ROOT": str(tmp_path)},
        capture_output=True,
        text=True,
        timeout=30,
        check=False,
    )
    assert done.returncode != 0
    assert "RUN_ID must be set" in done.stderr
    assert list(tmp_path.iterdir()) == []


def test_cleanup_script_removes_only_its_run(tmp_path: Path) -> None:
    for run in ("run-1", "run-2"):
        (tmp_path / ".rwx-smoke" / run).mkdir(parents=True)
        (tmp_path / ".rwx-smoke" / run / "pod-0").write_text("x\n")
    mount = tmp_path / SMOKE_DIR  # what the cleanup pod's subPath mount shows it
    done = subprocess.run(
        ["/bin/sh", "-c", CLEANUP_SCRIPT],
        env={"PATH": os.environ["PATH"], "SMOKE_ROOT": str(mount), "RUN_ID": "run-1"},
        capture_output=True,
        text=True,
        timeout=30,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert [p.name for p in (tmp_path / ".rwx-smoke").iterdir()] == ["run-2"]


# --- the stack program ------------------------------------------------------------------------


@pytest.mark.parametrize("stack", STACKS)
def test_no_stack_owns_a_smoke_job(unchanged_run: Callable[..., Any], stack: str) -> None:
    # `infra smoke` is the one runner: a Pulumi-owned smoke Job would be drift once it finished.
    result = unchanged_run(stack)
    result.raise_error()
    assert [r for r in result.by_type(JOB) if "rwx-smoke" in str(r.inputs["metadata"])] == []


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (
            {"parallelism": 1},
            "smokeTest.parallelism' must be an integer between 2 and 32 (got 1)",
        ),
        (
            {"deadlineSeconds": 7200},
            "smokeTest.deadlineSeconds' must be an integer between 10 and 3600 (got 7200)",
        ),
        (
            {"enabled": True},  # infra smoke is the one runner; the stack renders no smoke Job
            "smokeTest.enabled' is not a known key; allowed keys are parallelism, "
            "deadlineSeconds, image",
        ),
        (
            {"image": "Busy Box"},
            "smokeTest.image' must be an image pinned by digest like "
            "'registry/name:tag@sha256:<64 hex>' (got 'Busy Box')",
        ),
        (
            {"image": "busybox:1.36.1"},
            "smokeTest.image' must be an image pinned by digest like "
            "'registry/name:tag@sha256:<64 hex>' (got 'busybox:1.36.1')",
        ),
        (
            {"image": "ghcr.io/x/busybox@sha256:" + "e" * 64},
            "smokeTest.image' image 'ghcr.io/x/busybox@sha256:" + "e" * 64 + "' comes from "
            "'ghcr.io/x/busybox', which is under none of the allowed registries "
            "(docker.io/library, mcr.microsoft.com, nvcr.io/nvidia) (setting "
            "kubernetes-core-podspec-image-allowed.allowedRegistries in policies/config/dev.json)",
        ),
    ],
)
def test_bad_smoke_config_is_one_line(
    run_stack: Callable[..., Any], value: dict[str, Any], expected: str
) -> None:
    result = run_stack("dev", {"smokeTest": value})
    assert isinstance(result.error, pulumi.RunError), result.error
    message = str(result.error)
    assert message == f"stacks/Pulumi.dev.yaml: config key 'aks-rwx-training:{expected}"
    assert result.registrations == []


def test_a_stack_without_its_policy_config_is_an_error() -> None:
    from infra.engine.project import load_project, load_stack_config
    from stacks.config import parse_config

    project = load_project(ROOT)
    prefix = f"{project.name}:"
    raw = {
        key.removeprefix(prefix): value
        for key, value in load_stack_config(project, "dev").values.items()
        if key.startswith(prefix)
    }
    with pytest.raises(pulumi.RunError) as error:
        parse_config(raw, project.name, "extra")
    assert str(error.value) == (
        "policies/config/extra.json: missing; every stack needs its policy config (copy another "
        "environment's and adjust it)"
    )


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (
            '{"all": "mandatory", "all": "advisory"}',
            "policies/config/extra.json: not valid JSON (duplicate key 'all')",
        ),
        ("[" * 100_000 + "]" * 100_000, "policies/config/extra.json: not valid JSON (nested too"),
        ("[]", "policies/config/extra.json: must be a JSON object of policy settings"),
        (None, "policies/config/extra.json: not a regular file"),
    ],
)
def test_a_bad_policy_config_is_one_line(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, content: str | None, message: str
) -> None:
    from stacks import policy_config

    config_dir = tmp_path / "policies" / "config"
    config_dir.mkdir(parents=True)
    target = config_dir / "extra.json"
    if content is None:
        os.mkfifo(target)
    else:
        target.write_text(content)
    monkeypatch.setattr(policy_config, "POLICY_CONFIG_DIR", config_dir)
    with pytest.raises(policy_config.PolicyConfigError) as error:
        policy_config.image_rejection(DEFAULT_IMAGE, "extra")
    assert str(error.value).startswith(message)
    assert "\n" not in str(error.value)
