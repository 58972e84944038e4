"""Azure Monitor for the cluster: Container Insights logs and managed Prometheus metrics.

Two components, because the cluster sits between them: :class:`MonitoringWorkspaces` (created
before the cluster, whose Container Insights add-on names the Log Analytics workspace) and
:class:`MonitoringRuleAssociations` (created after it, binding its data collection rules to the
cluster). The resources follow Microsoft's own templates:

- Container Insights with managed identity auth: a ``Linux`` data collection rule with the
  ``ContainerInsights`` extension and the ``Microsoft-ContainerInsights-Group-Default`` stream to
  the workspace, associated to the cluster as ``ContainerInsightsExtension``
  (https://learn.microsoft.com/azure/azure-monitor/containers/kubernetes-monitoring-enable).
- Managed Prometheus: an Azure Monitor workspace, a data collection endpoint and a rule with a
  ``prometheusForwarder`` source for ``Microsoft-PrometheusMetrics`` to that workspace, associated
  to the cluster (github.com/Azure/prometheus-collector AddonArmTemplate/
  FullAzureMonitorMetricsProfile.json), and the recording-rule groups the same template creates
  (node, Kubernetes and UX rules): the default managed Grafana dashboards and the portal's
  Kubernetes views query their records, and show nothing without them. The rules are that
  template's, verbatim, in ``prometheus_recording_rules.json`` (its source, commit and read date
  inside).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

import pulumi
from pulumi_azure_native import alertsmanagement, monitor, operationalinsights

# Log Analytics interactive retention on the PerGB2018 plan: 30 to 730 days
# (https://learn.microsoft.com/azure/azure-monitor/logs/data-retention-configure).
MIN_RETENTION_DAYS = 30
MAX_RETENTION_DAYS = 730
DEFAULT_RETENTION_DAYS = 90

CONTAINER_INSIGHTS_STREAM = "Microsoft-ContainerInsights-Group-Default"
PROMETHEUS_STREAM = "Microsoft-PrometheusMetrics"
# A rule's destinations are named within the rule; its data flows refer to them by that name.
PROMETHEUS_DESTINATION = "MonitoringAccount1"
CONTAINER_INSIGHTS_DESTINATION = "ciworkspace"
# The association name the Azure portal and CLI look for to find Container Insights' rule.
CONTAINER_INSIGHTS_ASSOCIATION = "ContainerInsightsExtension"
RECORDING_RULES: dict[str, Any] = json.loads(
    (Path(__file__).with_name("prometheus_recording_rules.json")).read_text(encoding="utf-8")
)


class MonitoringSettings(Protocol):
    """What the stack's monitoring keys set, as stacks/config.py ``MonitoringConfig`` declares
    and validates them (``log_retention_days`` within Log Analytics' 30-730 days): the program
    hands that sub-model over whole."""

    @property
    def log_retention_days(self) -> int: ...


@dataclass(frozen=True)
class MonitoringWorkspacesArgs:
    """Inputs of :class:`MonitoringWorkspaces`.

    Attributes:
        resource_group_name: Resource group of the workspaces and rules.
        location: Azure region (the rules must share their workspaces' region).
        cluster_name: The AKS cluster's name; the resources are named after it.
        monitoring: How long the logs are kept (:class:`MonitoringSettings`).
        tags: Tags for every resource.
    """

    resource_group_name: pulumi.Input[str]
    location: pulumi.Input[str]
    cluster_name: str
    monitoring: MonitoringSettings
    tags: Mapping[str, str] = field(default_factory=dict)


class MonitoringWorkspaces(pulumi.ComponentResource):
    """Log Analytics workspace + Azure Monitor workspace + the data collection rules to them.

    Outputs (attributes):
        log_analytics_workspace_id: ARM id of the Log Analytics workspace (the Container
            Insights add-on's destination).
        container_insights_rule: The Container Insights data collection rule.
        prometheus_rule: The managed Prometheus data collection rule.
    """

    def __init__(
        self,
        name: str,
        args: MonitoringWorkspacesArgs,
        opts: pulumi.ResourceOptions | None = None,
    ) -> None:
        super().__init__("aks-rwx-training:monitoring:MonitoringWorkspaces", name, None, opts)
        child = pulumi.ResourceOptions(parent=self)
        # Where the rule groups go too: beside the Azure Monitor workspace they record into.
        self.resource_group_name = args.resource_group_name
        self.location = args.location
        self.tags = dict(args.tags)

        self.log_analytics = operationalinsights.Workspace(
            f"{name}-logs",
            workspace_name=f"log-{args.cluster_name}",
            sku=operationalinsights.WorkspaceSkuArgs(name="PerGB2018"),
            retention_in_days=args.monitoring.log_retention_days,
            features=operationalinsights.WorkspaceFeaturesArgs(
                # The agent authenticates with the cluster's managed identity, so the
                # workspace's shared keys are not needed by anyone; readers need Azure RBAC on
                # the workspace or on the resources the logs came from.
                disable_local_auth=True,
                enable_log_access_using_only_resource_permissions=True,
            ),
            opts=child,
            resource_group_name=args.resource_group_name,
            location=args.location,
            tags=dict(args.tags),
        )
        self.log_analytics_workspace_id: pulumi.Output[str] = self.log_analytics.id

        self.prometheus_workspace = monitor.AzureMonitorWorkspace(
            f"{name}-prometheus",
            azure_monitor_workspace_name=f"amw-{args.cluster_name}",
            opts=child,
            resource_group_name=args.resource_group_name,
            location=args.location,
            tags=dict(args.tags),
        )
        self.prometheus_endpoint = monitor.DataCollectionEndpoint(
            f"{name}-prometheus-endpoint",
            data_collection_endpoint_name=f"MSProm-{args.cluster_name}",
            kind="Linux",
            opts=child,
            resource_group_name=args.resource_group_name,
            location=args.location,
            tags=dict(args.tags),
        )
        self.prometheus_rule = monitor.DataCollectionRule(
            f"{name}-prometheus-rule",
            data_collection_rule_name=f"MSProm-{args.cluster_name}",
            kind="Linux",
            description="Managed Prometheus metrics of the AKS cluster",
            data_collection_endpoint_id=self.prometheus_endpoint.id,
            data_sources=monitor.DataCollectionRuleDataSourcesArgs(
                prometheus_forwarder=[
                    monitor.PrometheusForwarderDataSourceArgs(
                        name="PrometheusDataSource",
                        streams=[PROMETHEUS_STREAM],
                        label_include_filter={},
                    )
                ]
            ),
            destinations=monitor.DataCollectionRuleDestinationsArgs(
                monitoring_accounts=[
                    monitor.MonitoringAccountDestinationArgs(
                        name=PROMETHEUS_DESTINATION,
                        account_resource_id=self.prometheus_workspace.id,
                    )
                ]
            ),
            data_flows=[
                monitor.DataFlowArgs(
                    streams=[PROMETHEUS_STREAM], destinations=[PROMETHEUS_DESTINATION]
                )
            ],
            opts=child,
            resource_group_name=args.resource_group_name,
            location=args.location,
            tags=dict(args.tags),
        )
        self.container_insights_rule = monitor.DataCollectionRule(
            f"{name}-insights-rule",
            data_collection_rule_name=f"MSCI-{args.cluster_name}",
            kind="Linux",
            description="Container Insights logs of the AKS cluster",
            data_sources=monitor.DataCollectionRuleDataSourcesArgs(
                extensions=[
                    monitor.ExtensionDataSourceArgs(
                        name="ContainerInsightsExtension",
                        extension_name="ContainerInsights",
                        streams=[CONTAINER_INSIGHTS_STREAM],
                        extension_settings={
                            "dataCollectionSettings": {
                                "interval": "1m",
                                "namespaceFilteringMode": "Off",
                                "enableContainerLogV2": True,
                            }
                        },
                    )
                ]
            ),
            destinations=monitor.DataCollectionRuleDestinationsArgs(
                log_analytics=[
                    monitor.LogAnalyticsDestinationArgs(
                        name=CONTAINER_INSIGHTS_DESTINATION,
                        workspace_resource_id=self.log_analytics.id,
                    )
                ]
            ),
            data_flows=[
                monitor.DataFlowArgs(
                    streams=[CONTAINER_INSIGHTS_STREAM],
                    destinations=[CONTAINER_INSIGHTS_DESTINATION],
                )
            ],
            opts=child,
            resource_group_name=args.resource_group_name,
            location=args.location,
            tags=dict(args.tags),
        )
        self.register_outputs(
            {
                "logAnalyticsWorkspaceId": self.log_analytics_workspace_id,
                "prometheusWorkspaceId": self.prometheus_workspace.id,
            }
        )


@dataclass(frozen=True)
class MonitoringRuleAssociationsArgs:
    """Inputs of :class:`MonitoringRuleAssociations`.

    Attributes:
        cluster_id: ARM id of the AKS cluster.
        cluster_name: Its name (names the Prometheus association).
        workspaces: The rules to associate.
    """

    cluster_id: pulumi.Input[str]
    cluster_name: str
    workspaces: MonitoringWorkspaces


class MonitoringRuleAssociations(pulumi.ComponentResource):
    """The cluster's associations with the Container Insights and Prometheus rules; without them
    the agents on the cluster collect nothing."""

    def __init__(
        self,
        name: str,
        args: MonitoringRuleAssociationsArgs,
        opts: pulumi.ResourceOptions | None = None,
    ) -> None:
        super().__init__("aks-rwx-training:monitoring:MonitoringRuleAssociations", name, None, opts)
        child = pulumi.ResourceOptions(parent=self)
        self.container_insights = monitor.DataCollectionRuleAssociation(
            f"{name}-insights",
            resource_uri=args.cluster_id,
            association_name=CONTAINER_INSIGHTS_ASSOCIATION,
            data_collection_rule_id=args.workspaces.container_insights_rule.id,
            description="Container Insights of the cluster; deleting it stops log collection.",
            opts=child,
        )
        self.prometheus = monitor.DataCollectionRuleAssociation(
            f"{name}-prometheus",
            resource_uri=args.cluster_id,
            association_name=f"MSProm-{args.cluster_name}",
            data_collection_rule_id=args.workspaces.prometheus_rule.id,
            description="Managed Prometheus of the cluster; deleting it stops metric collection.",
            opts=child,
        )
        workspaces = args.workspaces
        self.recording_rule_groups = [
            alertsmanagement.PrometheusRuleGroup(
                f"{name}-{group['namePrefix'].split('RecordingRules')[0].lower()}-recording-rules",
                rule_group_name=f"{group['namePrefix']}{args.cluster_name}",
                description=group["description"],
                cluster_name=args.cluster_name,
                # As the template scopes them: the workspace the records go to, and the cluster
                # whose series they read.
                scopes=[workspaces.prometheus_workspace.id, args.cluster_id],
                interval=RECORDING_RULES["interval"],
                enabled=True,
                rules=[
                    alertsmanagement.PrometheusRuleArgs(
                        record=rule["record"],
                        expression=rule["expression"],
                        labels=rule.get("labels"),
                    )
                    for rule in group["rules"]
                ],
                resource_group_name=workspaces.resource_group_name,
                location=workspaces.location,
                tags=workspaces.tags,
                opts=child,
            )
            for group in RECORDING_RULES["groups"]
        ]
        self.register_outputs({})
