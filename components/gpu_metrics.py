"""DcgmExporter: the GPU pool's metrics (NVIDIA DCGM exporter), scraped by managed Prometheus.

Azure Monitor's metrics add-on (``ama-metrics``) collects the cluster's own metrics, but none
of the GPUs: utilisation, memory, power, temperature, XID errors and remapped rows come from
NVIDIA's DCGM exporter, one pod per GPU node. This is the exporter's static manifest
(github.com/NVIDIA/dcgm-exporter, ``dcgm-exporter.yaml``) confined to the GPU pool by the
cluster's :class:`~components.cluster.GpuScheduling`, hardened, and pinned by digest; the
add-on scrapes it through a ``PodMonitor`` of its own API group, as Microsoft's GPU metrics
guide for AKS does (learn.microsoft.com/azure/aks/monitor-gpu-metrics;
learn.microsoft.com/azure/azure-monitor/containers/prometheus-metrics-scrape-crd).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import pulumi
import pulumi_kubernetes as k8s

from components.cluster import GpuScheduling
from components.gpu import unprivileged_root_container, validate_gpu_node_agent
from components.volume import COMMON_LABELS

# dcgm-exporter 4.8.3 on DCGM 4.6.0, the distroless build, as NVIDIA's GPU Operator v26.7.0
# ships it: relatedImages "dcgm-exporter-image" of
# bundle/manifests/gpu-operator-certified.clusterserviceversion.yaml in
# github.com/NVIDIA/gpu-operator at tag v26.7.0 (commit 10ee5b3638b89e11e949412aafa5ba99279c3721).
DCGM_EXPORTER_IMAGE = (
    "nvcr.io/nvidia/k8s/dcgm-exporter:4.6.0-4.8.3-distroless"
    "@sha256:613ab03c11d442fd960ff515f547e9921537454a712d08160bc8f677f89f1c35"
)
DEFAULT_NAMESPACE = "kube-system"
DAEMONSET_NAME = "dcgm-exporter"
CONTAINER_NAME = "dcgm-exporter"
APP_NAME = "dcgm-exporter"
METRICS_PORT = 9400
METRICS_PORT_NAME = "metrics"
# The exporter maps each GPU to the pod using it through the kubelet's pod-resources API, a
# Unix socket in this directory (DCGM_EXPORTER_KUBERNETES=true).
KUBELET_POD_RESOURCES_DIR = "/var/lib/kubelet/pod-resources"
# Upstream's priority (deployment/values.yaml): GPU telemetry is what tells a hung or
# overheating GPU apart from a slow job, so it is not the first pod evicted on a busy node.
PRIORITY_CLASS = "system-node-critical"
# Upstream's requests, and its Helm chart's memory limit (deployment/values.yaml): the
# exporter holds the embedded DCGM host engine and a sample of every field of every GPU.
RESOURCES = {
    "requests": {"cpu": "100m", "memory": "128Mi"},
    "limits": {"cpu": "200m", "memory": "512Mi"},
}
# The pods the metrics add-on's target allocator hands PodMonitor targets to: the ama-metrics
# ReplicaSet's collectors in kube-system (github.com/Azure/prometheus-collector,
# otelcollector/configuration-reader-builder/main.go, CollectorSelector, and the pod template
# of otelcollector/deploy/addon-chart/azure-monitor-metrics-addon/templates/
# ama-metrics-deployment.yaml, commit 39583fd50b2f828f83cc18fc0cece9e3074f56db).
SCRAPER_NAMESPACE = "kube-system"
SCRAPER_POD_LABELS = {"rsName": "ama-metrics", "kubernetes.azure.com/managedby": "aks"}
# The add-on's PodMonitor CRD (installed with managed Prometheus) is the prometheus-operator
# one under this group; its template asks for these label limits so that no series is
# dropped by the ingestion pipeline (otelcollector/customresources/pod-monitor-template.yaml).
POD_MONITOR_API_VERSION = "azmonitoring.coreos.com/v1"
POD_MONITOR_LABEL_LIMITS = {
    "labelLimit": 63,
    "labelNameLengthLimit": 511,
    "labelValueLengthLimit": 1023,
}
# The exporter samples its fields every 30 s (its --collect-interval default), so a faster
# scrape would only repeat values.
SCRAPE_INTERVAL = "30s"


@dataclass(frozen=True)
class DcgmExporterArgs:
    """Inputs of :class:`DcgmExporter`.

    Attributes:
        scheduling: The GPU pool's taint and labels, from the cluster
            (``TrainingCluster.gpu_scheduling``); the DaemonSet tolerates the one and selects
            the other, so it runs on every GPU node and nowhere else.
        provider: Kubernetes provider of the cluster; required by the component only.
        namespace: Namespace of the DaemonSet and its PodMonitor (``kube-system``, beside the
            device plugin and the metrics add-on).
        image: The exporter image, pinned by digest (a mirror of the default, for instance).
        depends_on: What must exist before the PodMonitor: the managed Prometheus
            association, which puts the add-on and its PodMonitor CRD on the cluster.
    """

    scheduling: GpuScheduling
    provider: k8s.Provider | None = None
    namespace: str = DEFAULT_NAMESPACE
    image: str = DCGM_EXPORTER_IMAGE
    depends_on: Sequence[pulumi.Resource] = ()


def validate_dcgm_exporter_args(args: DcgmExporterArgs) -> None:
    """Raise ``ValueError`` naming the offending setting."""
    validate_gpu_node_agent("exporter", args.scheduling, args.namespace, args.image)


def _selector() -> dict[str, str]:
    return {"app.kubernetes.io/name": APP_NAME}


def _labels() -> dict[str, str]:
    return {**COMMON_LABELS, **_selector()}


def exporter_manifest(args: DcgmExporterArgs) -> dict[str, Any]:
    """The exporter DaemonSet (``apps/v1``) as a plain manifest."""
    validate_dcgm_exporter_args(args)
    health = {"httpGet": {"path": "/health", "port": METRICS_PORT_NAME}}
    return {
        "apiVersion": "apps/v1",
        "kind": "DaemonSet",
        "metadata": {"name": DAEMONSET_NAME, "namespace": args.namespace, "labels": _labels()},
        "spec": {
            "selector": {"matchLabels": _selector()},
            "template": {
                "metadata": {"labels": _labels()},
                "spec": {
                    "priorityClassName": PRIORITY_CLASS,
                    "tolerations": args.scheduling.tolerations,
                    "nodeSelector": args.scheduling.node_selector,
                    # Pod attribution reads the kubelet's socket; only pod labels or UIDs
                    # (not collected here) would need the API server and so a token.
                    "automountServiceAccountToken": False,
                    "enableServiceLinks": False,
                    "securityContext": {"seccompProfile": {"type": "RuntimeDefault"}},
                    "containers": [
                        {
                            "name": CONTAINER_NAME,
                            "image": args.image,
                            "imagePullPolicy": "IfNotPresent",
                            "env": [
                                {"name": "DCGM_EXPORTER_LISTEN", "value": f":{METRICS_PORT}"},
                                {"name": "DCGM_EXPORTER_KUBERNETES", "value": "true"},
                                {
                                    "name": "NODE_NAME",
                                    "valueFrom": {"fieldRef": {"fieldPath": "spec.nodeName"}},
                                },
                            ],
                            "ports": [
                                {
                                    "name": METRICS_PORT_NAME,
                                    "containerPort": METRICS_PORT,
                                    "protocol": "TCP",
                                }
                            ],
                            # Upstream's Helm chart probes /health after 45 s: the embedded
                            # DCGM host engine takes that long to discover the GPUs.
                            "livenessProbe": {
                                **health,
                                "initialDelaySeconds": 45,
                                "periodSeconds": 5,
                            },
                            "readinessProbe": {**health, "initialDelaySeconds": 45},
                            "resources": RESOURCES,
                            # Root stays (the image's USER root:root): the kubelet's
                            # pod-resources socket is root's, and connecting needs its write
                            # bit. Every capability is dropped, SYS_ADMIN too, which upstream
                            # adds only for the profiling fields (DCGM_FI_PROF_*: tensor-pipe
                            # and DRAM activity); SYS_ADMIN is most of root on the host, and
                            # without it the exporter skips those fields with a warning
                            # (pkg/cmd/app.go queryDCPMetrics) and exports the rest. The root
                            # file system is read-only, which upstream allows once scratch
                            # space is mounted: the exporter writes nothing itself (debug dumps
                            # are off), and /tmp is an emptyDir for the embedded DCGM library.
                            "securityContext": unprivileged_root_container(),
                            "volumeMounts": [
                                {
                                    "name": "pod-resources",
                                    "mountPath": KUBELET_POD_RESOURCES_DIR,
                                    "readOnly": True,
                                },
                                {"name": "tmp", "mountPath": "/tmp"},
                            ],
                        }
                    ],
                    "volumes": [
                        {
                            "name": "pod-resources",
                            "hostPath": {"path": KUBELET_POD_RESOURCES_DIR, "type": "Directory"},
                        },
                        {"name": "tmp", "emptyDir": {"sizeLimit": "64Mi"}},
                    ],
                },
            },
        },
    }


def network_policy_manifest(args: DcgmExporterArgs) -> dict[str, Any]:
    """A NetworkPolicy that lets only the metrics add-on's collectors reach the exporter, on
    its metrics port, and lets the exporter reach nothing (it reads the GPUs and the kubelet's
    Unix socket). The kubelet's probes come from the node, and traffic from a pod's own node
    is always allowed (kubernetes.io/docs/concepts/services-networking/network-policies)."""
    return {
        "apiVersion": "networking.k8s.io/v1",
        "kind": "NetworkPolicy",
        "metadata": {"name": APP_NAME, "namespace": args.namespace, "labels": _labels()},
        "spec": {
            "podSelector": {"matchLabels": _selector()},
            "policyTypes": ["Ingress", "Egress"],
            "ingress": [
                {
                    "from": [
                        {
                            "namespaceSelector": {
                                "matchLabels": {"kubernetes.io/metadata.name": SCRAPER_NAMESPACE}
                            },
                            "podSelector": {"matchLabels": dict(SCRAPER_POD_LABELS)},
                        }
                    ],
                    "ports": [{"protocol": "TCP", "port": METRICS_PORT}],
                }
            ],
        },
    }


def pod_monitor_manifest(args: DcgmExporterArgs) -> dict[str, Any]:
    """The managed Prometheus ``PodMonitor`` (``azmonitoring.coreos.com/v1``) for the
    exporter's pods."""
    return {
        "apiVersion": POD_MONITOR_API_VERSION,
        "kind": "PodMonitor",
        "metadata": {"name": APP_NAME, "namespace": args.namespace, "labels": _labels()},
        "spec": {
            **POD_MONITOR_LABEL_LIMITS,
            "selector": {"matchLabels": _selector()},
            "namespaceSelector": {"matchNames": [args.namespace]},
            "podMetricsEndpoints": [
                {"port": METRICS_PORT_NAME, "path": "/metrics", "interval": SCRAPE_INTERVAL}
            ],
        },
    }


class DcgmExporter(pulumi.ComponentResource):
    """The NVIDIA DCGM exporter DaemonSet on the GPU pool and its managed Prometheus scrape.

    Outputs (attributes):
        daemonset: The DaemonSet (Pulumi name ``<name>-daemonset``).
        network_policy: The NetworkPolicy admitting only the metrics add-on
            (``<name>-network-policy``).
        pod_monitor: The PodMonitor the add-on scrapes by (``<name>-pod-monitor``).
        manifest: The rendered DaemonSet manifest (plain dict).
    """

    def __init__(
        self,
        name: str,
        args: DcgmExporterArgs,
        opts: pulumi.ResourceOptions | None = None,
    ) -> None:
        validate_dcgm_exporter_args(args)
        if args.provider is None:
            raise ValueError("DcgmExporter needs the cluster's Kubernetes provider (provider)")
        super().__init__("aks-rwx-training:gpu:DcgmExporter", name, None, opts)

        self.manifest = exporter_manifest(args)
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

        pod_monitor = pod_monitor_manifest(args)
        self.pod_monitor = k8s.apiextensions.CustomResource(
            f"{name}-pod-monitor",
            api_version=pod_monitor["apiVersion"],
            kind=pod_monitor["kind"],
            metadata=pod_monitor["metadata"],
            spec=pod_monitor["spec"],
            opts=pulumi.ResourceOptions(
                parent=self, provider=args.provider, depends_on=list(args.depends_on)
            ),
        )

        self.register_outputs(
            {"daemonSetName": DAEMONSET_NAME, "namespace": args.namespace, "image": args.image}
        )
