"""Kubernetes upgrades that AKS refuses, found by `infra diff` between two revisions' plans.

A ManagedCluster that both plans hold, whose ``kubernetesVersion`` changes, is an upgrade of
the deployed cluster; ``policies/aks_versions.py`` (``skip_problem``) says which upgrades
AKS performs ("Can I skip multiple AKS versions during a cluster upgrade?",
https://learn.microsoft.com/azure/aks/supported-kubernetes-versions). A refusal is one line
naming the file and key that set the new version: the stack file's setting when it holds the
value, else the project file's default.
"""

from __future__ import annotations

from datetime import date

from infra.engine.model import StackPlan
from infra.engine.project import Project, stack_file_settings
from policies.aks_versions import skip_problem

MANAGED_CLUSTER_TYPE = "azure-native:containerservice:ManagedCluster"
VERSION_INPUT = "kubernetesVersion"


def _origin(project: Project, stack: str, version: str) -> str:
    """``file: key`` of the setting that holds ``version``."""
    for setting in stack_file_settings(project, stack):
        if setting.key.rsplit(":", 1)[-1] == VERSION_INPUT and setting.text == version:
            return f"{project.relative(project.stack_file(stack))}:{setting.line}: {setting.key}"
    return f"{project.relative(project.root / 'Pulumi.yaml')}: {VERSION_INPUT}"


def upgrade_refusals(
    project: Project, stack: str, base: StackPlan | None, head: StackPlan | None, on: date
) -> list[str]:
    """One line per cluster whose version change AKS refuses, on date ``on``."""
    if base is None or head is None:
        return []
    before = {r.urn: r.inputs.get(VERSION_INPUT) for r in base.resources}
    refusals = []
    for resource in head.resources:
        if resource.type != MANAGED_CLUSTER_TYPE:
            continue
        old, new = before.get(resource.urn), resource.inputs.get(VERSION_INPUT)
        if not isinstance(old, str) or not isinstance(new, str):
            continue
        problem = skip_problem(old, new, on)
        if problem:
            refusals.append(
                f"{_origin(project, stack, new)}: stack {stack!r} {problem} "
                f"(ManagedCluster {resource.name!r})"
            )
    return refusals
