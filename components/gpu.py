"""NvidiaDevicePlugin: the DaemonSet that makes the GPU pool's nodes advertise ``nvidia.com/gpu``.

AKS installs the NVIDIA driver and container runtime on GPU node images, but the kubelet only
learns about the GPUs from a device plugin; without one every pod requesting ``nvidia.com/gpu``
stays Pending. This is NVIDIA's static manifest
(github.com/NVIDIA/k8s-device-plugin, ``deployments/static/nvidia-device-plugin.yml`` at
v0.20.0), confined to the GPU pool by the cluster's :class:`~components.cluster.GpuScheduling`
and pinned by digest.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pulumi
import pulumi_kubernetes as k8s

from components.cluster import GpuScheduling
from components.smoke import IMAGE_RE
from components.volume import COMMON_LABELS, DNS1123_LABEL_RE

# k8s-device-plugin v0.20.0 (released 2026-08-19). The digest is the multi-arch index digest
# of nvcr.io/nvidia/k8s-device-plugin:v0.20.0 as pinned by kubernetes/minikube
# (pkg/minikube/assets/addons.go, commit 8094314d67 "Update nvidia/k8s-device-plugin image
# from v0.19.3 to v0.20.0"), and the Image ID running nodes report for that tag.
DEVICE_PLUGIN_IMAGE = (
    "nvcr.io/nvidia/k8s-device-plugin:v0.20.0"
    "@sha256:a61ba9fd8efb82f3a79f877f7580e02c1e8e7593f62473644bc9c79e315c3312"
)
DEFAULT_NAMESPACE = "kube-system"
DAEMONSET_NAME = "nvidia-device-plugin-daemonset"
CONTAINER_NAME = "nvidia-device-plugin-ctr"
APP_NAME = "nvidia-device-plugin"
# Where the kubelet listens for device plugins; the plugin registers its socket here.
KUBELET_DEVICE_PLUGINS_DIR = "/var/lib/kubelet/device-plugins"
# A node without its device plugin cannot run GPU work at all: the plugin must be the last
# pod preempted or evicted there.
PRIORITY_CLASS = "system-node-critical"
# Upstream's manifest sets no resources. The plugin is one small Go process that sleeps
# between the kubelet's ListAndWatch updates; the requests reserve its share on a busy GPU
# node, and the limits bound a leak without starving it (an OOM kill would take every GPU of
# the node out of scheduling until the restart). Checkov CKV_K8S_10-13 ask for all four.
RESOURCES = {
    "requests": {"cpu": "50m", "memory": "64Mi"},
    "limits": {"cpu": "500m", "memory": "256Mi"},
}


@dataclass(frozen=True)
class NvidiaDevicePluginArgs:
    """Inputs of :class:`NvidiaDevicePlugin`.

    Attributes:
        scheduling: The GPU pool's taint and labels, from the cluster
            (``TrainingCluster.gpu_scheduling``); the DaemonSet tolerates the one and selects
            the other, so it runs on every GPU node and nowhere else.
        provider: Kubernetes provider of the cluster; required by the component only.
        namespace: Namespace of the DaemonSet (``kube-system``, beside the other node agents).
        image: The plugin image, pinned by digest (a mirror of the default, for instance).
    """

    scheduling: GpuScheduling
    provider: k8s.Provider | None = None
    namespace: str = DEFAULT_NAMESPACE
    image: str = DEVICE_PLUGIN_IMAGE


def validate_gpu_node_agent(
    agent: str, scheduling: GpuScheduling, namespace: str, image: str
) -> None:
    """Raise ``ValueError`` naming the offending setting of a DaemonSet that runs on every GPU
    node (the device plugin, the metrics exporter); ``agent`` names it in the messages."""
    if not isinstance(scheduling, GpuScheduling):
        raise ValueError(
            "scheduling must be the cluster's GpuScheduling (TrainingCluster.gpu_scheduling; "
            f"None means the cluster has no GPU pool) (got {scheduling!r})"
        )
    if not scheduling.node_selector:
        raise ValueError(
            f"scheduling must select the GPU pool by at least one node label: the {agent} "
            "would otherwise also land on CPU nodes that tolerate the taint"
        )
    if not DNS1123_LABEL_RE.match(namespace):
        raise ValueError(
            "namespace must be a DNS-1123 label (1-63 lowercase letters, digits, '-') "
            f"(got {namespace!r})"
        )
    if not IMAGE_RE.fullmatch(image):
        raise ValueError(
            "image must be pinned by digest like 'registry/name:tag@sha256:<64 hex>' "
            f"(got {image!r})"
        )


def unprivileged_root_container() -> dict[str, Any]:
    """The container ``securityContext`` of a GPU node agent that must stay root (the
    kubelet's sockets are root's) but needs nothing else: no privilege, no escalation, no
    capability, a read-only root file system."""
    return {
        "privileged": False,
        "allowPrivilegeEscalation": False,
        "readOnlyRootFilesystem": True,
        "capabilities": {"drop": ["ALL"]},
    }


def validate_nvidia_device_plugin_args(args: NvidiaDevicePluginArgs) -> None:
    """Raise ``ValueError`` naming the offending setting."""
    validate_gpu_node_agent("plugin", args.scheduling, args.namespace, args.image)


def device_plugin_manifest(args: NvidiaDevicePluginArgs) -> dict[str, Any]:
    """The device plugin DaemonSet (``apps/v1``) as a plain manifest."""
    validate_nvidia_device_plugin_args(args)
    selector = {"app.kubernetes.io/name": APP_NAME}
    labels = {**COMMON_LABELS, **selector}
    return {
        "apiVersion": "apps/v1",
        "kind": "DaemonSet",
        "metadata": {"name": DAEMONSET_NAME, "namespace": args.namespace, "labels": labels},
        "spec": {
            "selector": {"matchLabels": selector},
            "template": {
                "metadata": {"labels": labels},
                "spec": {
                    "priorityClassName": PRIORITY_CLASS,
                    "tolerations": args.scheduling.tolerations,
                    "nodeSelector": args.scheduling.node_selector,
                    # The plugin talks to the kubelet over its socket, never to the API server.
                    "automountServiceAccountToken": False,
                    "enableServiceLinks": False,
                    "securityContext": {"seccompProfile": {"type": "RuntimeDefault"}},
                    "containers": [
                        {
                            "name": CONTAINER_NAME,
                            "image": args.image,
                            "imagePullPolicy": "IfNotPresent",
                            "resources": RESOURCES,
                            # Root stays (the image's USER 0:0): the socket goes into the
                            # kubelet's root-owned directory. The rest is dropped, as upstream
                            # does; the root filesystem is read-only because with the default
                            # envvar device-list strategy the plugin writes nothing but that
                            # socket (a CDI strategy would write specs and need a mount).
                            "securityContext": unprivileged_root_container(),
                            "volumeMounts": [
                                {
                                    "name": "kubelet-device-plugins-dir",
                                    "mountPath": KUBELET_DEVICE_PLUGINS_DIR,
                                }
                            ],
                        }
                    ],
                    "volumes": [
                        {
                            "name": "kubelet-device-plugins-dir",
                            "hostPath": {"path": KUBELET_DEVICE_PLUGINS_DIR, "type": "Directory"},
                        }
                    ],
                },
            },
        },
    }


def network_policy_manifest(args: NvidiaDevicePluginArgs) -> dict[str, Any]:
    """A NetworkPolicy that isolates the plugin's pods: they only use the kubelet's Unix
    socket, so no traffic in or out is ever needed (and a compromised plugin gets none)."""
    return {
        "apiVersion": "networking.k8s.io/v1",
        "kind": "NetworkPolicy",
        "metadata": {
            "name": APP_NAME,
            "namespace": args.namespace,
            "labels": {**COMMON_LABELS, "app.kubernetes.io/name": APP_NAME},
        },
        "spec": {
            "podSelector": {"matchLabels": {"app.kubernetes.io/name": APP_NAME}},
            "policyTypes": ["Ingress", "Egress"],
        },
    }


class NvidiaDevicePlugin(pulumi.ComponentResource):
    """The NVIDIA device plugin DaemonSet on the GPU pool.

    Outputs (attributes):
        daemonset: The DaemonSet (Pulumi name ``<name>-daemonset``).
        network_policy: The NetworkPolicy denying the plugin's pods all traffic
            (``<name>-network-policy``).
        manifest: The rendered manifest (plain dict).
    """

    def __init__(
        self,
        name: str,
        args: NvidiaDevicePluginArgs,
        opts: pulumi.ResourceOptions | None = None,
    ) -> None:
        validate_nvidia_device_plugin_args(args)
        if args.provider is None:
            raise ValueError(
                "NvidiaDevicePlugin needs the cluster's Kubernetes provider (provider)"
            )
        super().__init__("aks-rwx-training:gpu:NvidiaDevicePlugin", name, None, opts)

        self.manifest = device_plugin_manifest(args)
        self.daemonset = k8s.apps.v1.DaemonSet(
            f"{name}-daemonset",
            metadata=self.manifest["metadata"],
            spec=self.manifest["spec"],
            # Fixed name and no state: on a replacement (the selector is immutable) the old
            # DaemonSet goes first, or the new one could not be created beside it.
            opts=pulumi.ResourceOptions(
                parent=self, provider=args.provider, delete_before_replace=True
            ),
        )

        network_policy = network_policy_manifest(args)
        self.network_policy = k8s.networking.v1.NetworkPolicy(
            f"{name}-network-policy",
            metadata=network_policy["metadata"],
            spec=network_policy["spec"],
            opts=pulumi.ResourceOptions(parent=self, provider=args.provider),
        )

        self.register_outputs(
            {"daemonSetName": DAEMONSET_NAME, "namespace": args.namespace, "image": args.image}
        )
