"""DcgmExporter: the GPU metrics DaemonSet's shape, its scrape by managed Prometheus, its
network isolation, and its place in the stacks.

As for the device plugin, the DaemonSet's toleration and node selector are checked against
what the cluster really puts on the GPU pool, and the NetworkPolicy against the labels the
metrics add-on's collectors carry and the port the exporter listens on.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from typing import Any

import jsonschema
import kubernetes_validate
import pulumi
import pulumi_kubernetes as k8s
import pytest
from component_harness import (
    SUBNET_ID,
    RunResult,
    cluster_network,
    cluster_settings,
    gpu_pool,
    run_pulumi,
)

from components.cluster import (
    GPU_LABELS,
    GPU_SCHEDULING,
    GPU_TAINT,
    TrainingCluster,
    TrainingClusterArgs,
)
from components.gpu_metrics import (
    DCGM_EXPORTER_IMAGE,
    KUBELET_POD_RESOURCES_DIR,
    METRICS_PORT,
    DcgmExporter,
    DcgmExporterArgs,
    exporter_manifest,
    network_policy_manifest,
    pod_monitor_manifest,
    validate_dcgm_exporter_args,
)
from components.smoke import IMAGE_RE
from stacks.policy_config import image_rejection
from tests.conftest import STACKS
from tests.crd_schemas import validate_custom_resource

COMPONENT = "aks-rwx-training:gpu:DcgmExporter"
DAEMONSET = "kubernetes:apps/v1:DaemonSet"
POD_MONITOR = "kubernetes:azmonitoring.coreos.com/v1:PodMonitor"
NETWORK_POLICY = "kubernetes:networking.k8s.io/v1:NetworkPolicy"
CLUSTER = "azure-native:containerservice:ManagedCluster"
AGENT_POOL = "azure-native:containerservice:AgentPool"
PROVIDER = "pulumi:providers:kubernetes"
PROMETHEUS_ASSOCIATION = "azure-native:monitor:DataCollectionRuleAssociation"
K8S_VERSION = "1.36.0"
ARGS = DcgmExporterArgs(scheduling=GPU_SCHEDULING)


def pod_spec(manifest: dict[str, Any]) -> dict[str, Any]:
    return manifest["spec"]["template"]["spec"]


def the_container(manifest: dict[str, Any]) -> dict[str, Any]:
    (container,) = pod_spec(manifest)["containers"]
    return container


def taints_of(tolerations: list[dict[str, Any]]) -> list[str]:
    """The taints a list of Equal tolerations tolerates, in AKS's ``key=value:effect`` form."""
    assert all(t["operator"] == "Equal" for t in tolerations), tolerations
    return [f"{t['key']}={t['value']}:{t['effect']}" for t in tolerations]


def exporter_pods(result: RunResult) -> list[Any]:
    return [d for d in result.by_type(DAEMONSET) if d.name == "dcgm-exporter-daemonset"]


def deploy_with_cluster() -> RunResult:
    """A cluster with a GPU pool and the exporter wired as the stack wires it."""

    def program() -> None:
        cluster = TrainingCluster(
            "training",
            TrainingClusterArgs(
                resource_group_name="rg-test",
                location="westeurope",
                node_subnet_id=SUBNET_ID,
                cluster=cluster_settings(gpu_pool=gpu_pool()),
                network=cluster_network(),
            ),
        )
        assert cluster.gpu_scheduling is not None
        DcgmExporter(
            "dcgm-exporter",
            DcgmExporterArgs(scheduling=cluster.gpu_scheduling, provider=cluster.provider),
        )

    result = run_pulumi(program)
    result.raise_error()
    return result


# --- the DaemonSet ----------------------------------------------------------------------------


def test_the_daemonset_runs_on_the_gpu_pool_only() -> None:
    manifest = exporter_manifest(ARGS)
    assert (manifest["apiVersion"], manifest["kind"]) == ("apps/v1", "DaemonSet")
    assert manifest["metadata"]["namespace"] == "kube-system"
    spec = pod_spec(manifest)
    assert taints_of(spec["tolerations"]) == [GPU_TAINT]
    assert spec["nodeSelector"] == dict(GPU_LABELS)
    selector = manifest["spec"]["selector"]["matchLabels"]
    assert selector.items() <= manifest["spec"]["template"]["metadata"]["labels"].items()


def test_the_image_is_nvidias_pinned_by_digest() -> None:
    assert the_container(exporter_manifest(ARGS))["image"] == DCGM_EXPORTER_IMAGE
    assert IMAGE_RE.fullmatch(DCGM_EXPORTER_IMAGE)
    assert DCGM_EXPORTER_IMAGE.startswith(
        "nvcr.io/nvidia/k8s/dcgm-exporter:4.6.0-4.8.3-distroless@sha256:"
    )


@pytest.mark.parametrize("stack", STACKS)
def test_every_environment_policy_allows_the_image(stack: str) -> None:
    assert image_rejection(DCGM_EXPORTER_IMAGE, stack) is None


def test_the_exporter_serves_metrics_on_its_named_port_and_maps_gpus_to_pods() -> None:
    container = the_container(exporter_manifest(ARGS))
    assert container["ports"] == [{"name": "metrics", "containerPort": 9400, "protocol": "TCP"}]
    env = {e["name"]: e.get("value") for e in container["env"]}
    assert env["DCGM_EXPORTER_LISTEN"] == ":9400"
    assert env["DCGM_EXPORTER_KUBERNETES"] == "true"
    for probe in ("livenessProbe", "readinessProbe"):
        assert container[probe]["httpGet"] == {"path": "/health", "port": "metrics"}


def test_the_kubelet_pod_resources_directory_is_the_only_host_path_and_read_only() -> None:
    manifest = exporter_manifest(ARGS)
    host_paths = [v for v in pod_spec(manifest)["volumes"] if "hostPath" in v]
    (volume,) = host_paths
    assert volume["hostPath"] == {"path": KUBELET_POD_RESOURCES_DIR, "type": "Directory"}
    assert KUBELET_POD_RESOURCES_DIR == "/var/lib/kubelet/pod-resources"
    mounts = {m["name"]: m for m in the_container(manifest)["volumeMounts"]}
    assert mounts[volume["name"]] == {
        "name": volume["name"],
        "mountPath": KUBELET_POD_RESOURCES_DIR,
        "readOnly": True,
    }


def test_the_security_context_is_hardened_without_sys_admin() -> None:
    manifest = exporter_manifest(ARGS)
    spec = pod_spec(manifest)
    assert spec["securityContext"] == {"seccompProfile": {"type": "RuntimeDefault"}}
    assert spec["automountServiceAccountToken"] is False
    assert not spec.get("hostNetwork") and not spec.get("hostPID") and not spec.get("hostIPC")
    assert the_container(manifest)["securityContext"] == {
        "privileged": False,
        "allowPrivilegeEscalation": False,
        "readOnlyRootFilesystem": True,
        "capabilities": {"drop": ["ALL"]},
    }


def test_the_read_only_root_keeps_a_bounded_scratch_directory() -> None:
    manifest = exporter_manifest(ARGS)
    (scratch,) = [v for v in pod_spec(manifest)["volumes"] if "emptyDir" in v]
    assert scratch["emptyDir"]["sizeLimit"]
    mounts = {m["name"]: m["mountPath"] for m in the_container(manifest)["volumeMounts"]}
    assert mounts[scratch["name"]] == "/tmp"


def test_the_exporter_requests_and_is_limited_in_cpu_and_memory() -> None:
    resources = the_container(exporter_manifest(ARGS))["resources"]
    for bound in ("requests", "limits"):
        assert set(resources[bound]) == {"cpu", "memory"}


def test_the_manifest_is_schema_valid() -> None:
    kubernetes_validate.validate(exporter_manifest(ARGS), K8S_VERSION, strict=True)


# --- the scrape -------------------------------------------------------------------------------


def test_the_pod_monitor_is_managed_prometheus_and_selects_the_exporter_port() -> None:
    monitor = pod_monitor_manifest(ARGS)
    assert (monitor["apiVersion"], monitor["kind"]) == ("azmonitoring.coreos.com/v1", "PodMonitor")
    daemonset = exporter_manifest(ARGS)
    pod_labels = daemonset["spec"]["template"]["metadata"]["labels"]
    assert monitor["spec"]["selector"]["matchLabels"].items() <= pod_labels.items()
    assert monitor["spec"]["namespaceSelector"] == {"matchNames": [ARGS.namespace]}
    port_names = {p["name"] for p in the_container(daemonset)["ports"]}
    (endpoint,) = monitor["spec"]["podMetricsEndpoints"]
    assert endpoint["port"] in port_names
    assert endpoint["path"] == "/metrics"


def test_the_pod_monitor_keeps_the_label_limits_azure_monitor_asks_for() -> None:
    spec = pod_monitor_manifest(ARGS)["spec"]
    assert (spec["labelLimit"], spec["labelNameLengthLimit"], spec["labelValueLengthLimit"]) == (
        63,
        511,
        1023,
    )


def test_the_pod_monitor_fits_the_add_ons_crd_schema() -> None:
    monitor = pod_monitor_manifest(ARGS)
    validate_custom_resource(monitor)
    broken = pod_monitor_manifest(ARGS)
    broken["spec"]["podMetricEndpoints"] = broken["spec"].pop("podMetricsEndpoints")
    with pytest.raises(jsonschema.ValidationError):
        validate_custom_resource(broken)
    bad_interval = pod_monitor_manifest(ARGS)
    bad_interval["spec"]["podMetricsEndpoints"][0]["interval"] = "30 seconds"
    with pytest.raises(jsonschema.ValidationError):
        validate_custom_resource(bad_interval)


# --- the network policy -----------------------------------------------------------------------


def test_only_the_metrics_add_on_reaches_the_exporter_and_only_on_its_port() -> None:
    policy = network_policy_manifest(ARGS)
    kubernetes_validate.validate(policy, K8S_VERSION, strict=True)
    pod_labels = exporter_manifest(ARGS)["spec"]["template"]["metadata"]["labels"]
    assert policy["spec"]["podSelector"]["matchLabels"].items() <= pod_labels.items()
    assert policy["metadata"]["namespace"] == ARGS.namespace
    assert policy["spec"]["policyTypes"] == ["Ingress", "Egress"]
    (rule,) = policy["spec"]["ingress"]
    (peer,) = rule["from"]
    assert peer == {
        "namespaceSelector": {"matchLabels": {"kubernetes.io/metadata.name": "kube-system"}},
        "podSelector": {
            "matchLabels": {"rsName": "ama-metrics", "kubernetes.azure.com/managedby": "aks"}
        },
    }
    assert rule["ports"] == [{"protocol": "TCP", "port": METRICS_PORT}]
    assert the_container(exporter_manifest(ARGS))["ports"][0]["containerPort"] == METRICS_PORT
    assert "egress" not in policy["spec"], "the exporter needs no egress at all"


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"scheduling": None}, "scheduling must be the cluster's GpuScheduling"),
        (
            {"scheduling": dataclasses.replace(GPU_SCHEDULING, labels=())},
            "must select the GPU pool by at least one node label",
        ),
        ({"namespace": "Kube_System"}, "namespace must be a DNS-1123 label"),
        (
            {"image": "nvcr.io/nvidia/k8s/dcgm-exporter:4.6.0-4.8.3-distroless"},
            "image must be pinned by digest",
        ),
    ],
)
def test_bad_args_are_refused(overrides: dict[str, Any], message: str) -> None:
    args = dataclasses.replace(ARGS, **overrides)
    with pytest.raises(ValueError, match=message):
        validate_dcgm_exporter_args(args)


# --- the component under mocks ----------------------------------------------------------------


def test_the_component_wraps_its_objects_on_the_clusters_provider() -> None:
    result = deploy_with_cluster()
    component = result.one(COMPONENT)
    provider = result.one(PROVIDER)
    (daemonset,) = exporter_pods(result)
    assert daemonset.delete_before_replace
    for child in (daemonset, result.one(POD_MONITOR), result.one(NETWORK_POLICY)):
        assert child.parent == component.urn
        assert child.provider.startswith(provider.urn + "::")


def test_the_daemonset_tolerates_and_selects_what_the_cluster_puts_on_the_gpu_pool() -> None:
    result = deploy_with_cluster()
    gpu_pool = result.one(AGENT_POOL).inputs
    (daemonset,) = exporter_pods(result)
    spec = pod_spec(daemonset.inputs)
    assert taints_of(spec["tolerations"]) == gpu_pool["nodeTaints"]
    assert spec["nodeSelector"] == gpu_pool["nodeLabels"]


def test_the_component_needs_the_provider() -> None:
    def program() -> None:
        DcgmExporter("dcgm-exporter", DcgmExporterArgs(GPU_SCHEDULING))

    result = run_pulumi(program)
    assert isinstance(result.error, ValueError)
    assert "needs the cluster's Kubernetes provider" in str(result.error)


def test_the_component_validates_before_registering() -> None:
    def program() -> None:
        provider = k8s.Provider("k8s", kubeconfig=pulumi.Output.secret("apiVersion: v1"))
        DcgmExporter(
            "dcgm-exporter",
            DcgmExporterArgs(GPU_SCHEDULING, provider=provider, image="dcgm-exporter"),
        )

    result = run_pulumi(program)
    assert isinstance(result.error, ValueError)
    assert result.by_type(COMPONENT) == []


# --- the stack program ------------------------------------------------------------------------


def test_prod_deploys_the_exporter_on_its_gpu_pool(unchanged_run: Callable[..., Any]) -> None:
    result = unchanged_run("prod")
    result.raise_error()
    result.one(COMPONENT)
    (daemonset,) = exporter_pods(result)
    gpu_pool = result.one(AGENT_POOL).inputs
    spec = pod_spec(daemonset.inputs)
    assert taints_of(spec["tolerations"]) == gpu_pool["nodeTaints"]
    assert spec["nodeSelector"] == gpu_pool["nodeLabels"]
    version = result.one(CLUSTER).inputs["kubernetesVersion"]
    manifest = {k: v for k, v in daemonset.inputs.items() if not k.startswith("__")}
    kubernetes_validate.validate(manifest, f"{version}.0", strict=True)
    monitor = {k: v for k, v in result.one(POD_MONITOR).inputs.items() if not k.startswith("__")}
    validate_custom_resource(monitor)


def test_prod_creates_the_pod_monitor_after_managed_prometheus(
    unchanged_run: Callable[..., Any],
) -> None:
    result = unchanged_run("prod")
    result.raise_error()
    associations = {r.urn for r in result.by_type(PROMETHEUS_ASSOCIATION)}
    prometheus = {urn for urn in associations if urn.endswith("monitoring-rules-prometheus")}
    assert prometheus, associations
    dependencies = set(result.one(POD_MONITOR).dependencies)
    parents = {r.urn for r in result.registrations if r.name == "monitoring-rules"}
    assert prometheus <= dependencies or parents <= dependencies, dependencies


def test_dev_without_a_gpu_pool_deploys_no_exporter(unchanged_run: Callable[..., Any]) -> None:
    # staging has prod's GPU pool, and so its plugin and exporter (test_stack_kinds.py).
    result = unchanged_run("dev")
    result.raise_error()
    assert result.by_type(COMPONENT) == []
    assert result.by_type(POD_MONITOR) == []


def test_prod_with_its_gpu_pool_switched_off_deploys_no_exporter(
    run_stack: Callable[..., Any],
) -> None:
    # Its teams share the GPU pool, so they go with it.
    result = run_stack("prod", {"gpuPool": {"enabled": False}, "teams": {"members": []}})
    result.raise_error()
    assert result.by_type(COMPONENT) == []
    assert exporter_pods(result) == []


def test_prod_without_managed_prometheus_deploys_no_exporter(
    run_stack: Callable[..., Any],
) -> None:
    result = run_stack("prod", {"monitoring": False})
    result.raise_error()
    assert result.by_type(COMPONENT) == []
    assert result.by_type(POD_MONITOR) == []
    # The device plugin does not depend on monitoring: GPUs stay schedulable.
    assert [d.name for d in result.by_type(DAEMONSET)] == ["nvidia-device-plugin-daemonset"]
