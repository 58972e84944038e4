"""azure-native-containerservice-managedcluster-azure-monitor

Applies to: ``azure-native:containerservice:ManagedCluster``.

Enforces: the cluster sends its logs and metrics to Azure Monitor:
``addonProfiles.omsagent.enabled`` is ``true`` with a ``logAnalyticsWorkspaceResourceID``
(Container Insights; the key Checkov CKV_AZURE_4 reads) and
``azureMonitorProfile.metrics.enabled`` is ``true`` (managed Prometheus).

Missing: an absent add-on, workspace or metrics profile is a violation.
Unknown: an unknown value is skipped.
"""

from __future__ import annotations

from pulumi_policy import (
    PolicyComplianceFramework,
    ReportViolation,
    ResourceValidationArgs,
    ResourceValidationPolicy,
    Severity,
)

from .._azure import CHECKOV, MANAGED_CLUSTER_TYPE, label
from .._props import UNKNOWN, get, plain


def _omsagent(props: dict[str, object]) -> object:
    """The Container Insights add-on profile; its key is ``omsagent`` or ``omsAgent``."""
    profiles = get(props, "addonProfiles")
    if profiles is UNKNOWN or not isinstance(profiles, dict):
        return profiles
    return profiles.get("omsagent", profiles.get("omsAgent"))


def _validate(args: ResourceValidationArgs, report_violation: ReportViolation) -> None:
    if args.resource_type != MANAGED_CLUSTER_TYPE:
        return
    props = plain(args.props)
    cluster = label("ManagedCluster", props, "resourceName", args.name)
    oms = _omsagent(props)
    enabled, workspace = get(oms, "enabled"), get(oms, "config", "logAnalyticsWorkspaceResourceID")
    metrics = get(props, "azureMonitorProfile", "metrics", "enabled")
    missing = []
    if UNKNOWN not in (oms, enabled, workspace) and not (
        enabled is True and isinstance(workspace, str) and workspace
    ):
        missing.append(
            "Container Insights logs to a Log Analytics workspace (enable addonProfiles.omsagent "
            "with config.logAnalyticsWorkspaceResourceID)"
        )
    if metrics is not UNKNOWN and metrics is not True:
        missing.append(
            "metrics to Azure Monitor managed Prometheus (set azureMonitorProfile.metrics.enabled "
            "to true)"
        )
    if missing:
        report_violation(f"{cluster} does not send {' or '.join(missing)}.", None)


# The stack-file keys whose values can cause this verdict (the fix line names them).
STACK_KEYS: tuple[str, ...] = ("monitoring",)

POLICY = ResourceValidationPolicy(
    name="azure-native-containerservice-managedcluster-azure-monitor",
    description="AKS clusters send logs and metrics to Azure Monitor.",
    validate=_validate,
    severity=Severity.MEDIUM,
    framework=PolicyComplianceFramework(name=CHECKOV, reference="CKV_AZURE_4"),
    remediation_steps=(
        "Set monitoring: true in the stack config: components/monitoring.py creates the "
        "workspaces and data collection rules, components/cluster.py enables the add-on and "
        "the metrics profile."
    ),
    url="https://learn.microsoft.com/azure/azure-monitor/containers/kubernetes-monitoring-enable",
    tags=["azure", "aks", "logging", "monitoring"],
)
