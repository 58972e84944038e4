"""The runbooks (scripts/runbook-*.sh), run against recording stand-ins of pulumi, az,
kubectl and azcopy: each step in order, no secret printed, a failing step stops the script
naming it, --dry-run runs nothing; and the quarantine's inspection pod passes the pack."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml
from pulumi_policy import ResourceValidationPolicy, StackValidationPolicy

from components.smoke import DEFAULT_IMAGE
from policies.registry import ALL_POLICIES
from tests.delivery._standins import StandIns, standins
from tests.delivery._workflows import REPO_ROOT
from tests.policies.policy_harness import StackResource, run_resource, run_stack

POD_TYPE = "kubernetes:core/v1:Pod"


@pytest.fixture
def fakes(tmp_path: Path) -> StandIns:
    return standins(tmp_path)


def _workloads(*items: tuple[str, str, str, bool]) -> str:
    """`kubectl get jobs,deployments,statefulsets -o json`: (kind, name, claim, readOnly)."""
    return json.dumps(
        {
            "items": [
                {
                    "kind": kind,
                    "metadata": {"name": name},
                    "spec": {
                        "template": {
                            "spec": {
                                "volumes": [
                                    {
                                        "name": "v",
                                        "persistentVolumeClaim": {
                                            "claimName": claim,
                                            "readOnly": read_only,
                                        },
                                    }
                                ]
                            }
                        }
                    },
                }
                for kind, name, claim, read_only in items
            ]
        }
    )


def _pods(*items: tuple[str, str]) -> str:
    return json.dumps(
        {
            "items": [
                {
                    "metadata": {"name": name},
                    "spec": {"volumes": [{"persistentVolumeClaim": {"claimName": claim}}]},
                }
                for name, claim in items
            ]
        }
    )


def _kube_writers(fakes: StandIns) -> None:
    fakes.answer(
        "kubectl",
        "get jobs,deployments,statefulsets",
        stdout=_workloads(
            ("Job", "ddp-example", "checkpoints", False),
            ("Deployment", "tensorboard", "checkpoints", True),  # reads only: left running
            ("StatefulSet", "trainer", "checkpoints", False),
            ("Job", "prep", "datasets", False),  # another share
        ),
    )
    fakes.answer(
        "kubectl",
        "get pods",
        stdout=_pods(("ddp-example-0-abc", "checkpoints"), ("prep-0-xyz", "datasets")),
    )


STOP_WRITERS = [
    "kubectl -n training get jobs,deployments,statefulsets -o json",
    'kubectl -n training patch job/ddp-example --type=merge -p {"spec":{"suspend":true}}',
    "kubectl -n training scale statefulset/trainer --replicas=0",
    "kubectl -n training get pods -o json",
    "kubectl -n training wait --for=delete pod/ddp-example-0-abc --timeout=15m",
]


def test_quarantine_stops_the_writers_then_starts_the_read_only_pod(fakes: StandIns) -> None:
    _kube_writers(fakes)
    done = fakes.run("runbook-quarantine.sh", "prod", "checkpoints")
    assert done.returncode == 0, done.stderr
    lines = [c.line for c in fakes.calls()]
    assert lines[:-2] == STOP_WRITERS
    assert lines[-2].startswith("kubectl apply -f ")
    assert lines[-1] == (
        "kubectl -n training wait --for=condition=Ready pod/inspect-checkpoints --timeout=5m"
    )


def test_quarantine_stops_at_a_failing_step_naming_it(fakes: StandIns) -> None:
    fakes.answer("kubectl", "scale statefulset/trainer", exit=1)
    _kube_writers(fakes)
    done = fakes.run("runbook-quarantine.sh", "prod", "checkpoints")
    assert done.returncode == 1
    assert done.stderr.strip() == (
        "runbook-quarantine: step 'stop the writers of training/checkpoints' failed: "
        "kubectl exited 1"
    )
    assert [c.line for c in fakes.calls()] == STOP_WRITERS[:3]


def test_quarantine_dry_run_runs_nothing(fakes: StandIns) -> None:
    done = fakes.run("runbook-quarantine.sh", "prod", "checkpoints", "--dry-run")
    assert done.returncode == 0, done.stderr
    assert fakes.calls() == []
    assert "+ kubectl -n training get jobs,deployments,statefulsets -o json" in done.stdout
    assert "+ kubectl -n training wait --for=condition=Ready pod/inspect-checkpoints" in (
        done.stdout
    )


def test_quarantine_of_an_unknown_volume_is_one_line(fakes: StandIns) -> None:
    done = fakes.run("runbook-quarantine.sh", "prod", "scratch")
    assert done.returncode == 2
    assert done.stderr == (
        "runbook-quarantine: stacks/Pulumi.prod.yaml: volumes: no volume named 'scratch'\n"
    )
    assert fakes.calls() == []


def _inspection_pod(claim: str, namespace: str) -> dict:
    text = (REPO_ROOT / "scripts" / "manifests" / "inspect-share.yaml").read_text()
    return yaml.safe_load(text.replace("CLAIM", claim).replace("NAMESPACE", namespace))


def _prod_settings(policy_name: str) -> dict:
    config = json.loads((REPO_ROOT / "policies" / "config" / "prod.json").read_text())
    entry = config.get(policy_name)
    # A bare string is an enforcement level alone.
    settings = dict(entry) if isinstance(entry, dict) else {}
    settings.pop("enforcementLevel", None)
    return settings


def test_the_inspection_pod_mounts_read_only_and_passes_the_policy_pack() -> None:
    pod = _inspection_pod("checkpoints", "training")
    (container,) = pod["spec"]["containers"]
    assert container["image"] == DEFAULT_IMAGE
    assert pod["spec"]["volumes"][0]["persistentVolumeClaim"]["readOnly"] is True
    assert container["volumeMounts"][0]["readOnly"] is True
    violations = [
        f"{policy.name}: {message}"
        for policy in ALL_POLICIES
        if isinstance(policy, ResourceValidationPolicy)
        for message in run_resource(
            policy, POD_TYPE, pod, name="inspect", settings=_prod_settings(policy.name)
        )
    ]
    stack = [StackResource(POD_TYPE, "inspect", pod)]
    violations += [
        f"{policy.name}: {message}"
        for policy in ALL_POLICIES
        if isinstance(policy, StackValidationPolicy)
        for message in run_stack(policy, stack, settings=_prod_settings(policy.name))
    ]
    assert violations == []
    # The pack does judge this pod: a tag instead of the digest fails it.
    container["image"] = "docker.io/library/busybox:latest"
    (image_policy,) = [p for p in ALL_POLICIES if p.name == "kubernetes-core-podspec-image-allowed"]
    assert run_resource(image_policy, POD_TYPE, pod, settings=_prod_settings(image_policy.name))
