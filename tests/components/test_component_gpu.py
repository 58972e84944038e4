"""NvidiaDevicePlugin and GpuScheduling: the DaemonSet's shape, its schema, its place in the stacks.

The DaemonSet must land on every GPU node and nowhere else, so its toleration and node
selector are checked against what the cluster really puts on the GPU pool (the
ManagedCluster's ``nodeTaints``/``nodeLabels``), not against a second copy of the strings.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from pathlib import Path
from typing import Any

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
    GpuScheduling,
    TrainingCluster,
    TrainingClusterArgs,
)
from components.gpu import (
    DEVICE_PLUGIN_IMAGE,
    KUBELET_DEVICE_PLUGINS_DIR,
    NvidiaDevicePlugin,
    NvidiaDevicePluginArgs,
    device_plugin_manifest,
    network_policy_manifest,
    validate_nvidia_device_plugin_args,
)
from components.smoke import IMAGE_RE
from stacks.policy_config import image_rejection
from tests.conftest import STACKS

COMPONENT = "aks-rwx-training:gpu:NvidiaDevicePlugin"
DAEMONSET = "kubernetes:apps/v1:DaemonSet"
CLUSTER = "azure-native:containerservice:ManagedCluster"
AGENT_POOL = "azure-native:containerservice:AgentPool"
PROVIDER = "pulumi:providers:kubernetes"
ROOT = Path(__file__).resolve().parents[2]
K8S_VERSION = "1.36.0"


def pod_spec(manifest: dict[str, Any]) -> dict[str, Any]:
    return manifest["spec"]["template"]["spec"]


def taints_of(tolerations: list[dict[str, Any]]) -> list[str]:
    """The taints a list of Equal tolerations tolerates, in AKS's ``key=value:effect`` form."""
    assert all(t["operator"] == "Equal" for t in tolerations), tolerations
    return [f"{t['key']}={t['value']}:{t['effect']}" for t in tolerations]


def deploy_with_cluster(gpu: bool = True) -> RunResult:
    """A cluster and, when it has a GPU pool, the plugin wired as the stack wires it."""

    def program() -> None:
        cluster = TrainingCluster(
            "training",
            TrainingClusterArgs(
                resource_group_name="rg-test",
                location="westeurope",
                node_subnet_id=SUBNET_ID,
                cluster=cluster_settings(gpu_pool=gpu_pool() if gpu else None),
                network=cluster_network(),
            ),
        )
        if cluster.gpu_scheduling is not None:
            NvidiaDevicePlugin(
                "nvidia-device-plugin",
                NvidiaDevicePluginArgs(
                    scheduling=cluster.gpu_scheduling, provider=cluster.provider
                ),
            )

    result = run_pulumi(program)
    result.raise_error()
    return result


# --- GpuScheduling: the GPU pool's taint and labels, declared once ------------------------------


def test_gpu_scheduling_is_derived_from_the_pool_taint_and_labels() -> None:
    assert taints_of(list(GPU_SCHEDULING.tolerations)) == [GPU_TAINT]
    assert GPU_SCHEDULING.node_selector == dict(GPU_LABELS)


def test_gpu_scheduling_hands_out_copies() -> None:
    tolerations = GPU_SCHEDULING.tolerations
    tolerations[0]["value"] = "changed"
    selector = GPU_SCHEDULING.node_selector
    selector["extra"] = "label"
    assert taints_of(list(GPU_SCHEDULING.tolerations)) == [GPU_TAINT]
    assert GPU_SCHEDULING.node_selector == dict(GPU_LABELS)


@pytest.mark.parametrize(
    "taint", ["nvidia.com/gpu", "nvidia.com/gpu=present", "a=b:Sometimes", "a=b:NoSchedule\n"]
)
def test_a_malformed_taint_is_refused(taint: str) -> None:
    with pytest.raises(ValueError, match="must look like 'key=value:Effect'"):
        GpuScheduling.for_pool(taint, GPU_LABELS)


def test_the_cluster_exposes_gpu_scheduling_only_with_a_gpu_pool() -> None:
    def program() -> dict[str, GpuScheduling | None]:
        common: dict[str, Any] = {
            "resource_group_name": "rg-test",
            "location": "westeurope",
            "node_subnet_id": SUBNET_ID,
            "network": cluster_network(),
        }
        with_gpu = TrainingCluster(
            "gpu",
            TrainingClusterArgs(
                cluster=cluster_settings(cluster_name="aks-gpu", gpu_pool=gpu_pool()), **common
            ),
        )
        without = TrainingCluster(
            "cpu", TrainingClusterArgs(cluster=cluster_settings(cluster_name="aks-cpu"), **common)
        )
        return {"gpu": with_gpu.gpu_scheduling, "cpu": without.gpu_scheduling}

    result = run_pulumi(program)
    result.raise_error()
    assert result.value == {"gpu": GPU_SCHEDULING, "cpu": None}


# --- the manifest -----------------------------------------------------------------------------


def test_the_daemonset_runs_on_the_gpu_pool_at_node_critical_priority() -> None:
    manifest = device_plugin_manifest(NvidiaDevicePluginArgs(scheduling=GPU_SCHEDULING))
    assert (manifest["apiVersion"], manifest["kind"]) == ("apps/v1", "DaemonSet")
    assert manifest["metadata"]["namespace"] == "kube-system"
    spec = pod_spec(manifest)
    assert taints_of(spec["tolerations"]) == [GPU_TAINT]
    assert spec["nodeSelector"] == dict(GPU_LABELS)
    assert spec["priorityClassName"] == "system-node-critical"
    selector = manifest["spec"]["selector"]["matchLabels"]
    assert selector.items() <= manifest["spec"]["template"]["metadata"]["labels"].items()


def test_the_image_is_nvidias_pinned_by_digest() -> None:
    spec = pod_spec(device_plugin_manifest(NvidiaDevicePluginArgs(scheduling=GPU_SCHEDULING)))
    (container,) = spec["containers"]
    assert container["image"] == DEVICE_PLUGIN_IMAGE
    assert IMAGE_RE.fullmatch(DEVICE_PLUGIN_IMAGE)
    assert DEVICE_PLUGIN_IMAGE.startswith("nvcr.io/nvidia/k8s-device-plugin:v0.20.0@sha256:")


@pytest.mark.parametrize("stack", STACKS)
def test_every_environment_policy_allows_the_image(stack: str) -> None:
    assert image_rejection(DEVICE_PLUGIN_IMAGE, stack) is None


def test_the_kubelet_device_plugin_directory_is_the_only_host_path() -> None:
    spec = pod_spec(device_plugin_manifest(NvidiaDevicePluginArgs(scheduling=GPU_SCHEDULING)))
    (volume,) = spec["volumes"]
    assert volume["hostPath"] == {"path": KUBELET_DEVICE_PLUGINS_DIR, "type": "Directory"}
    assert KUBELET_DEVICE_PLUGINS_DIR == "/var/lib/kubelet/device-plugins"
    (container,) = spec["containers"]
    assert container["volumeMounts"] == [
        {"name": volume["name"], "mountPath": KUBELET_DEVICE_PLUGINS_DIR}
    ]


def test_the_security_context_is_hardened() -> None:
    spec = pod_spec(device_plugin_manifest(NvidiaDevicePluginArgs(scheduling=GPU_SCHEDULING)))
    assert spec["securityContext"] == {"seccompProfile": {"type": "RuntimeDefault"}}
    assert spec["automountServiceAccountToken"] is False
    assert not spec.get("hostNetwork") and not spec.get("hostPID") and not spec.get("hostIPC")
    (container,) = spec["containers"]
    assert container["securityContext"] == {
        "privileged": False,
        "allowPrivilegeEscalation": False,
        "readOnlyRootFilesystem": True,
        "capabilities": {"drop": ["ALL"]},
    }


def test_the_manifest_is_schema_valid() -> None:
    manifest = device_plugin_manifest(NvidiaDevicePluginArgs(scheduling=GPU_SCHEDULING))
    kubernetes_validate.validate(manifest, K8S_VERSION, strict=True)


def test_the_plugin_requests_and_is_limited_in_cpu_and_memory() -> None:
    manifest = device_plugin_manifest(NvidiaDevicePluginArgs(scheduling=GPU_SCHEDULING))
    (container,) = manifest["spec"]["template"]["spec"]["containers"]
    for bound in ("requests", "limits"):
        assert set(container["resources"][bound]) == {"cpu", "memory"}


def test_the_network_policy_denies_the_plugin_pods_all_traffic() -> None:
    args = NvidiaDevicePluginArgs(scheduling=GPU_SCHEDULING)
    policy = network_policy_manifest(args)
    kubernetes_validate.validate(policy, K8S_VERSION, strict=True)
    pod_labels = device_plugin_manifest(args)["spec"]["template"]["metadata"]["labels"]
    selector = policy["spec"]["podSelector"]["matchLabels"]
    assert selector.items() <= pod_labels.items()
    assert policy["metadata"]["namespace"] == args.namespace
    assert policy["spec"]["policyTypes"] == ["Ingress", "Egress"]
    assert "ingress" not in policy["spec"] and "egress" not in policy["spec"]


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
            {"image": "nvcr.io/nvidia/k8s-device-plugin:v0.20.0"},
            "image must be pinned by digest",
        ),
    ],
)
def test_bad_args_are_refused(overrides: dict[str, Any], message: str) -> None:
    args = dataclasses.replace(NvidiaDevicePluginArgs(scheduling=GPU_SCHEDULING), **overrides)
    with pytest.raises(ValueError, match=message):
        validate_nvidia_device_plugin_args(args)


# --- the component under mocks ----------------------------------------------------------------


def test_the_component_wraps_one_daemonset_on_the_clusters_provider() -> None:
    result = deploy_with_cluster()
    component = result.one(COMPONENT)
    daemonset = result.one(DAEMONSET)
    assert daemonset.name == "nvidia-device-plugin-daemonset"
    assert daemonset.parent == component.urn
    provider = result.one(PROVIDER)
    assert provider.name == "training-provider"
    assert daemonset.provider.startswith(provider.urn + "::")
    assert daemonset.delete_before_replace
    network_policy = result.one("kubernetes:networking.k8s.io/v1:NetworkPolicy")
    assert network_policy.parent == component.urn
    assert network_policy.provider.startswith(provider.urn + "::")


def test_the_daemonset_tolerates_and_selects_what_the_cluster_puts_on_the_gpu_pool() -> None:
    result = deploy_with_cluster()
    gpu_pool = result.one(AGENT_POOL).inputs
    spec = pod_spec(result.one(DAEMONSET).inputs)
    assert taints_of(spec["tolerations"]) == gpu_pool["nodeTaints"]
    assert spec["nodeSelector"] == gpu_pool["nodeLabels"]


def test_a_cluster_without_a_gpu_pool_gets_no_plugin() -> None:
    result = deploy_with_cluster(gpu=False)
    assert result.by_type(COMPONENT) == []
    assert result.by_type(DAEMONSET) == []


def test_the_component_needs_the_provider() -> None:
    def program() -> None:
        NvidiaDevicePlugin("nvidia-device-plugin", NvidiaDevicePluginArgs(GPU_SCHEDULING))

    result = run_pulumi(program)
    assert isinstance(result.error, ValueError)
    assert "needs the cluster's Kubernetes provider" in str(result.error)


def test_the_component_validates_before_registering() -> None:
    def program() -> None:
        provider = k8s.Provider("k8s", kubeconfig=pulumi.Output.secret("apiVersion: v1"))
        NvidiaDevicePlugin(
            "nvidia-device-plugin",
            NvidiaDevicePluginArgs(GPU_SCHEDULING, provider=provider, image="busybox"),
        )

    result = run_pulumi(program)
    assert isinstance(result.error, ValueError)
    assert result.by_type(COMPONENT) == []


# --- the stack program ------------------------------------------------------------------------


def test_prod_deploys_the_plugin_on_its_gpu_pool(unchanged_run: Callable[..., Any]) -> None:
    result = unchanged_run("prod")
    result.raise_error()
    result.one(COMPONENT)
    (daemonset,) = [
        d for d in result.by_type(DAEMONSET) if d.name == "nvidia-device-plugin-daemonset"
    ]
    assert daemonset.inputs["metadata"]["namespace"] == "kube-system"
    gpu_pool = result.one(AGENT_POOL).inputs
    spec = pod_spec(daemonset.inputs)
    assert taints_of(spec["tolerations"]) == gpu_pool["nodeTaints"]
    assert spec["nodeSelector"] == gpu_pool["nodeLabels"]
    version = result.one(CLUSTER).inputs["kubernetesVersion"]
    manifest = {k: v for k, v in daemonset.inputs.items() if not k.startswith("__")}
    kubernetes_validate.validate(manifest, f"{version}.0", strict=True)


def test_dev_without_a_gpu_pool_deploys_no_plugin(unchanged_run: Callable[..., Any]) -> None:
    # staging has prod's GPU pool, and so its plugin and exporter (test_stack_kinds.py).
    result = unchanged_run("dev")
    result.raise_error()
    assert result.by_type(COMPONENT) == []
    assert result.by_type(DAEMONSET) == []


def test_prod_with_its_gpu_pool_switched_off_deploys_no_plugin(
    run_stack: Callable[..., Any],
) -> None:
    # Its teams share the GPU pool, so they go with it.
    result = run_stack("prod", {"gpuPool": {"enabled": False}, "teams": {"members": []}})
    result.raise_error()
    assert result.by_type(DAEMONSET) == []
