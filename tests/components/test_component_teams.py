"""TeamQueues: the pinned Kueue release, the GPU ResourceFlavor and each team's queues, quota
and namespace, checked against the CRDs of the pinned Kueue version and Kubernetes' schemas."""

from __future__ import annotations

import datetime
import hashlib

import jsonschema
import kubernetes_validate
import pytest
import yaml

from components.cluster import GPU_LABELS, GPU_SCHEDULING, GPU_TAINT
from components.smoke import IMAGE_RE
from components.teams import (
    COHORT,
    GPU_RESOURCE,
    KUEUE_MAX_AGE,
    KUEUE_READ,
    KUEUE_VERSION,
    TEAM_LABEL,
    cluster_queue_manifest,
    kueue_chart_values,
    kueue_manager_config,
    local_queue_manifest,
    max_gpus_of,
    namespace_manifest,
    resource_flavor_manifest,
    resource_quota_manifest,
)
from stacks.config import TeamConfig
from tests.crd_schemas import KUEUE_CRD_DIR, validate_custom_resource

K8S_VERSION = "1.36.0"
GROUP = "00000000-0000-0000-0000-00000000b001"


def team(name: str, gpus: int, cpu: str, memory: str, **limits: int | None) -> TeamConfig:
    """A ``teams`` member as the stack config declares it (stacks/config.py), with its
    borrowing/lending limits by field name (default: none)."""
    member = TeamConfig.model_validate(
        {"name": name, "entraGroupObjectId": GROUP, "gpus": gpus, "cpu": cpu, "memory": memory}
    )
    return member.model_copy(update=limits)


TEAM = team("training", 6, "144", "1320Gi", borrowing_limit_gpus=2, lending_limit_gpus=4)


def test_the_kueue_pin_is_re_read_before_it_goes_stale() -> None:
    age = datetime.date.today() - KUEUE_READ
    assert age <= KUEUE_MAX_AGE, (
        f"components/teams.py pins Kueue {KUEUE_VERSION}, read {KUEUE_READ}: check "
        "github.com/kubernetes-sigs/kueue/releases for a newer supported release, update the pin, "
        "its digests and tests/fixtures/schemas/kueue/, then KUEUE_READ"
    )


def test_the_vendored_crds_are_the_pinned_release_unchanged() -> None:
    readme = (KUEUE_CRD_DIR / "README.md").read_text(encoding="utf-8")
    assert f"tag `v{KUEUE_VERSION}`" in readme
    files = sorted(KUEUE_CRD_DIR.glob("*.yaml"))
    assert len(files) == 3
    for path in files:
        assert hashlib.sha256(path.read_bytes()).hexdigest() in readme, path.name


def test_the_controller_image_is_pinned_by_digest() -> None:
    image = kueue_chart_values()["controllerManager"]["manager"]["image"]
    assert IMAGE_RE.fullmatch(f"{image['repository']}:{image['tag']}")
    assert image["tag"].startswith(f"v{KUEUE_VERSION}@sha256:")


def test_the_controller_waits_for_all_pods_and_holds_unlabelled_team_jobs() -> None:
    values = kueue_chart_values()
    config = yaml.safe_load(values["managerConfig"]["controllerManagerConfigYaml"])
    assert config == kueue_manager_config()
    assert config["waitForPodsReady"]["blockAdmission"] is True
    assert config["waitForPodsReady"]["timeout"]
    assert config["manageJobsWithoutQueueName"] is True
    assert config["managedJobsNamespaceSelector"]["matchExpressions"] == [
        {"key": TEAM_LABEL, "operator": "Exists"}
    ]


def test_the_flavor_is_the_pool_the_cluster_declares() -> None:
    flavor = resource_flavor_manifest(GPU_SCHEDULING)
    validate_custom_resource(flavor)
    assert flavor["spec"]["nodeLabels"] == dict(GPU_LABELS)
    (taint,) = flavor["spec"]["nodeTaints"]
    assert f"{taint['key']}={taint['value']}:{taint['effect']}" == GPU_TAINT


def test_the_queues_fit_the_pinned_crds() -> None:
    for manifest in (cluster_queue_manifest(TEAM), local_queue_manifest(TEAM)):
        validate_custom_resource(manifest)
    unlimited = team("evaluation", 2, "48", "440Gi")
    validate_custom_resource(cluster_queue_manifest(unlimited))


@pytest.mark.parametrize(
    "mutate",
    [
        lambda q: q["spec"].update(cohort=COHORT),  # the v1beta1 spelling
        lambda q: q["spec"].update(queueingStrategy="Fifo"),
        lambda q: q["spec"]["resourceGroups"][0]["flavors"][0]["resources"][2].update(
            nominalQuota="six"
        ),
    ],
    ids=["unknown-field", "bad-enum", "bad-quantity"],
)
def test_a_wrong_cluster_queue_fails_the_schema(mutate) -> None:  # type: ignore[no-untyped-def]
    queue = cluster_queue_manifest(TEAM)
    mutate(queue)
    with pytest.raises(jsonschema.ValidationError):
        validate_custom_resource(queue)


def test_the_cluster_queue_shares_the_pool_in_one_cohort_with_limits() -> None:
    spec = cluster_queue_manifest(TEAM)["spec"]
    assert spec["cohortName"] == COHORT
    assert spec["namespaceSelector"] == {"matchLabels": {TEAM_LABEL: "training"}}
    (group,) = spec["resourceGroups"]
    (flavor,) = group["flavors"]
    gpu = {r["name"]: r for r in flavor["resources"]}[GPU_RESOURCE]
    assert (gpu["nominalQuota"], gpu["borrowingLimit"], gpu["lendingLimit"]) == (6, 2, 4)


def test_the_resource_quota_caps_gpus_at_quota_plus_borrowing() -> None:
    quota = resource_quota_manifest(TEAM, pool_gpus=8)
    kubernetes_validate.validate(quota, K8S_VERSION, strict=True)
    assert quota["spec"]["hard"] == {f"requests.{GPU_RESOURCE}": "8"}
    assert max_gpus_of(team("t", 6, "1", "1Gi"), pool_gpus=8) == 8
    assert max_gpus_of(team("t", 2, "1", "1Gi", borrowing_limit_gpus=1), 8) == 3


def test_the_namespace_is_labelled_as_a_team_namespace() -> None:
    namespace = namespace_manifest(TEAM)
    kubernetes_validate.validate(namespace, K8S_VERSION, strict=True)
    assert namespace["metadata"]["labels"][TEAM_LABEL] == "training"
