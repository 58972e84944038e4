"""Replace or update: `infra diff` against the verdict Azure or Kubernetes gives each change.

Every azure-native type in the three stacks' plans is taken as previewed, changed in one input,
and diffed. The expected verdicts are written here from Azure's and Kubernetes' own rules, not
read from the data the diff uses:
- a resource's ARM id is its path (resource group, own name, a parent's name, the scope it is
  attached to), and ARM cannot rename or move one: another value is another resource;
- a tracked resource's location is create-only (ARM RPC guideline RPC-Put-V1-14,
  "LocationMustHaveXmsMutability");
- the create-only properties cited beside each type.
"""

from __future__ import annotations

import argparse
import copy
import json
from dataclasses import replace
from typing import Any

import pytest

from infra.compare import UNPROTECT_RUNBOOK, diff_plans
from infra.engine.model import Resource, StackPlan
from infra.engine.project import load_project, load_stack_config
from infra.engine.runtime import run_stack
from infra.render.diff import render_diff_markdown, render_diff_text
from tests.conftest import REPO_ROOT
from tests.conftest import STACKS as DEPLOY_ORDER
from tests.docs.test_links import anchors
from tests.reliability._support import real_plan

# The last deployed first: its plan (prod's) has the most kinds of resources.
STACKS = tuple(reversed(DEPLOY_ORDER))
REPLACE, UPDATE = "replace", "update"

# type -> {case: (input path, new value, Azure's verdict)}; "location" is Azure's verdict for a
# move to another region, on a type whose location the program sets.
AZURE: dict[str, dict[str, tuple[str, Any, str]]] = {
    "azure-native:storage:StorageAccount": {
        "location": ("location", "northeurope", REPLACE),
        "name": ("accountName", "stother", REPLACE),
        "group": ("resourceGroupName", "rg-other", REPLACE),
        # pulumi-azure-native replacement.go forceNewMap: hierarchical namespace is set at
        # creation (learn.microsoft.com/azure/storage/blobs/upgrade-to-data-lake-storage-gen2
        # is a one-way migration, not an update).
        "create-only": ("isHnsEnabled", True, REPLACE),
        "in place": ("minimumTlsVersion", "TLS1_3", UPDATE),
    },
    "azure-native:storage:FileServiceProperties": {
        "parent": ("accountName", "stother", REPLACE),
        "group": ("resourceGroupName", "rg-other", REPLACE),
        "in place": ("shareDeleteRetentionPolicy.days", 60, UPDATE),
    },
    "azure-native:storage:FileShare": {
        "name": ("shareName", "other", REPLACE),
        "parent": ("accountName", "stother", REPLACE),
        "group": ("resourceGroupName", "rg-other", REPLACE),
        # storage file.json FileShareProperties.enabledProtocols: "Can only be specified when
        # creating a share."
        "create-only": ("enabledProtocols", "NFS", REPLACE),
        "in place": ("shareQuota", 8192, UPDATE),
    },
    "azure-native:authorization:ManagementLockByScope": {
        "name": ("lockName", "other-lock", REPLACE),
        "scope": ("scope", "/subscriptions/0/resourceGroups/rg-other", REPLACE),
        "in place": ("notes", "other notes", UPDATE),
    },
    "azure-native:authorization:RoleAssignment": {
        "name": ("roleAssignmentName", "00000000-0000-0000-0000-00000000beef", REPLACE),
        "scope": ("scope", "/subscriptions/0/resourceGroups/rg-other", REPLACE),
        # An assignment's principal cannot change (replacement.go forceNewMap;
        # learn.microsoft.com/rest/api/authorization/role-assignments/create: PUT only creates).
        "create-only": ("principalId", "11111111-1111-1111-1111-111111111111", REPLACE),
        "in place": ("description", "other", UPDATE),
    },
    "azure-native:containerservice:ManagedCluster": {
        "location": ("location", "northeurope", REPLACE),
        "group": ("resourceGroupName", "rg-other", REPLACE),
        # pulumi-azure-native#4771: podCidr, serviceCidr, dnsServiceIP, networkPolicy force a
        # new cluster; the spec: dnsPrefix "cannot be updated once the Managed Cluster has been
        # created".
        "create-only": ("networkProfile.podCidr", "172.30.0.0/16", REPLACE),
        "service range": ("networkProfile.serviceCidr", "172.29.0.0/16", REPLACE),
        "dns service": ("networkProfile.dnsServiceIP", "172.16.0.53", REPLACE),
        "network policy": ("networkProfile.networkPolicy", "calico", REPLACE),
        "dns prefix": ("dnsPrefix", "other", REPLACE),
        "in place": ("kubernetesVersion", "9.99", UPDATE),
    },
    "azure-native:network:PrivateEndpoint": {
        "location": ("location", "northeurope", REPLACE),
        "name": ("privateEndpointName", "pe-other", REPLACE),
        "group": ("resourceGroupName", "rg-other", REPLACE),
        # pulumi-azure-native#3883: a private endpoint cannot move to another subnet.
        "create-only": ("subnet.id", "/subscriptions/0/other/subnets/x", REPLACE),
        "in place": ("tags.team", "other", UPDATE),
    },
    "azure-native:network:PrivateDnsZoneGroup": {
        "name": ("privateDnsZoneGroupName", "other", REPLACE),
        "parent": ("privateEndpointName", "pe-other", REPLACE),
        "group": ("resourceGroupName", "rg-other", REPLACE),
    },
    "azure-native:privatedns:PrivateZone": {
        "location": ("location", "northeurope", REPLACE),
        "name": ("privateZoneName", "privatelink.other.net", REPLACE),
        "group": ("resourceGroupName", "rg-other", REPLACE),
        "in place": ("tags.team", "other", UPDATE),
    },
    "azure-native:privatedns:VirtualNetworkLink": {
        "location": ("location", "northeurope", REPLACE),
        "name": ("virtualNetworkLinkName", "other", REPLACE),
        "parent": ("privateZoneName", "privatelink.other.net", REPLACE),
        "in place": ("registrationEnabled", True, UPDATE),
    },
    "azure-native:operationalinsights:Workspace": {
        "location": ("location", "northeurope", REPLACE),
        "name": ("workspaceName", "log-other", REPLACE),
        "group": ("resourceGroupName", "rg-other", REPLACE),
        "in place": ("retentionInDays", 60, UPDATE),
    },
    "azure-native:monitor:AzureMonitorWorkspace": {
        "location": ("location", "northeurope", REPLACE),
        "name": ("azureMonitorWorkspaceName", "amw-other", REPLACE),
        "group": ("resourceGroupName", "rg-other", REPLACE),
        "in place": ("tags.team", "other", UPDATE),
    },
    "azure-native:monitor:DataCollectionEndpoint": {
        "location": ("location", "northeurope", REPLACE),
        "name": ("dataCollectionEndpointName", "dce-other", REPLACE),
        "group": ("resourceGroupName", "rg-other", REPLACE),
        "in place": ("tags.team", "other", UPDATE),
    },
    "azure-native:monitor:DataCollectionRule": {
        "location": ("location", "northeurope", REPLACE),
        "name": ("dataCollectionRuleName", "dcr-other", REPLACE),
        "group": ("resourceGroupName", "rg-other", REPLACE),
        "in place": ("description", "other", UPDATE),
    },
    "azure-native:monitor:DataCollectionRuleAssociation": {
        "name": ("associationName", "other", REPLACE),
        "scope": ("resourceUri", "/subscriptions/0/other", REPLACE),
        "in place": ("description", "other", UPDATE),
    },
    "azure-native:recoveryservices:Vault": {
        "location": ("location", "northeurope", REPLACE),
        "name": ("vaultName", "rsv-other", REPLACE),
        "group": ("resourceGroupName", "rg-other", REPLACE),
        "in place": ("tags.team", "other", UPDATE),
    },
    "azure-native:recoveryservices:ProtectionPolicy": {
        "name": ("policyName", "other", REPLACE),
        "parent": ("vaultName", "rsv-other", REPLACE),
        "group": ("resourceGroupName", "rg-other", REPLACE),
    },
    "azure-native:recoveryservices:ProtectionContainer": {
        "name": ("containerName", "StorageContainer;Storage;rg;other", REPLACE),
        "parent": ("vaultName", "rsv-other", REPLACE),
        "group": ("resourceGroupName", "rg-other", REPLACE),
    },
    # The GPU pool, its own resource since issue 20 (AGENT_POOL_CASES below spell out more).
    "azure-native:containerservice:AgentPool": {
        "name": ("agentPoolName", "gpu2", REPLACE),
        "parent": ("resourceName", "aks-other", REPLACE),
        "group": ("resourceGroupName", "rg-other", REPLACE),
        # replacement.go forceNewMap: vmSize; the spec: osDiskType "May not be changed after
        # creation".
        "create-only": ("vmSize", "Standard_NC48ads_A100_v4", REPLACE),
        "in place": ("maxCount", 3, UPDATE),
    },
    # Managed Prometheus' recording rules (a tracked resource).
    "azure-native:alertsmanagement:PrometheusRuleGroup": {
        "location": ("location", "northeurope", REPLACE),
        "name": ("ruleGroupName", "other", REPLACE),
        "group": ("resourceGroupName", "rg-other", REPLACE),
        "in place": ("interval", "PT5M", UPDATE),
    },
    # A share's protected item is the classic provider's (components/backup.py says why):
    # azurerm's backup_protected_file_share_resource.go marks all but the policy ForceNew.
    "azure:backup/protectedFileShare:ProtectedFileShare": {
        "share": ("sourceFileShareName", "other", REPLACE),
        "vault": ("recoveryVaultName", "rsv-other", REPLACE),
        "group": ("resourceGroupName", "rg-other", REPLACE),
        "in place": ("backupPolicyId", "/subscriptions/x/policies/other", UPDATE),
    },
}

# Kubernetes: pulumi-kubernetes' forceNew (provider/pkg/provider/diff.go) and the API's own
# immutability (PVC spec but requests; PV volume source and mode; Job template).
KUBERNETES: dict[str, dict[str, tuple[str, Any, str]]] = {
    "kubernetes:core/v1:PersistentVolume": {
        "name": ("metadata.name", "other", REPLACE),
        "volume source": ("spec.csi.volumeHandle", "rg#other#share", REPLACE),
        "volume mode": ("spec.volumeMode", "Block", REPLACE),
        "capacity": ("spec.capacity.storage", "9999Gi", UPDATE),
    },
    "kubernetes:core/v1:PersistentVolumeClaim": {
        "namespace": ("metadata.namespace", "other", REPLACE),
        "storage class": ("spec.storageClassName", "other", REPLACE),
        "access modes": ("spec.accessModes", ["ReadWriteOnce"], REPLACE),
        "volume mode": ("spec.volumeMode", "Block", REPLACE),
        "volume": ("spec.volumeName", "other", REPLACE),
        "labels": ("metadata.labels.team", "other", UPDATE),
    },
}

JOB = Resource(
    urn="urn:pulumi:prod::aks-rwx-training::kubernetes:batch/v1:Job::train",
    type="kubernetes:batch/v1:Job",
    name="train",
    custom=True,
    parent=None,
    provider=None,
    inputs={
        "metadata": {"name": "train", "namespace": "ml", "labels": {"team": "a"}},
        "spec": {
            "parallelism": 2,
            "completions": 2,
            "completionMode": "Indexed",
            "template": {"spec": {"containers": [{"name": "t", "image": "trainer:1"}]}},
        },
    },
)
JOB_CASES = {
    "image": ("spec.template.spec.containers[0].image", "trainer:2", REPLACE),
    "parallelism": ("spec.parallelism", 4, REPLACE),
    "completion mode": ("spec.completionMode", "NonIndexed", REPLACE),
    "labels": ("metadata.labels.team", "b", UPDATE),
}

# A node pool as its own resource (issue 20: pools other than the system pool): AKS takes a
# new VM size or OS disk type only as a new pool (replacement.go forceNewMap: vmSize; the
# spec: osDiskType "May not be changed after creation"), and scales one in place.
AGENT_POOL = Resource(
    urn="urn:pulumi:staging::aks-rwx-training::azure-native:containerservice:AgentPool::gpu",
    type="azure-native:containerservice:AgentPool",
    name="gpu",
    custom=True,
    parent=None,
    provider=None,
    inputs={
        "resourceGroupName": "rg",
        "resourceName": "aks",
        "agentPoolName": "gpu",
        "vmSize": "Standard_NC24ads_A100_v4",
        "osDiskType": "Ephemeral",
        "minCount": 0,
        "maxCount": 2,
    },
)
AGENT_POOL_CASES = {
    "name": ("agentPoolName", "gpu2", REPLACE),
    "cluster": ("resourceName", "aks2", REPLACE),
    "vm size": ("vmSize", "Standard_NC48ads_A100_v4", REPLACE),
    "os disk type": ("osDiskType", "Managed", REPLACE),
    "scale": ("maxCount", 4, UPDATE),
}


@pytest.fixture(scope="module")
def project():
    return load_project(REPO_ROOT)


@pytest.fixture(scope="module")
def plans(project) -> dict[str, StackPlan]:
    return {s: real_plan(s) for s in STACKS}


@pytest.fixture(scope="module")
def examples(plans) -> dict[str, Resource]:
    """One previewed resource of each type, prod's first."""
    found: dict[str, Resource] = {}
    for stack in STACKS:
        for resource in plans[stack].resources:
            found.setdefault(resource.type, resource)
    return found


def _set(inputs: dict[str, Any], path: str, value: Any) -> dict[str, Any]:
    changed = copy.deepcopy(inputs)
    *parents, leaf = path.replace("[", ".").replace("]", "").split(".")
    node: Any = changed
    for key in parents:
        node = node[int(key)] if isinstance(node, list) else node.setdefault(key, {})
    node[leaf] = value
    return changed


def _verdict(old: Resource, path: str, value: Any) -> str:
    new = replace(old, inputs=_set(old.inputs, path, value))
    (change,) = diff_plans(StackPlan("p", "s", [old], {}), StackPlan("p", "s", [new], {})).changes
    return change.action


def _cases(table: dict[str, dict[str, tuple[str, Any, str]]]) -> list[Any]:
    return [
        pytest.param(type_, *case, id=f"{type_.rsplit(':', 1)[1]}-{name}")
        for type_, cases in table.items()
        for name, case in cases.items()
    ]


def test_every_azure_native_type_of_the_plans_has_its_verdicts(examples):
    planned = {t for t in examples if t.startswith("azure-native:")}
    assert sorted(planned - set(AZURE)) == []
    for type_ in planned:
        assert "location" in AZURE[type_] or "location" not in examples[type_].inputs, type_


@pytest.mark.parametrize(("type_", "path", "value", "expected"), _cases(AZURE))
def test_azure_verdict(examples, type_, path, value, expected):
    assert _verdict(examples[type_], path, value) == expected


@pytest.mark.parametrize(("type_", "path", "value", "expected"), _cases(KUBERNETES))
def test_kubernetes_verdict(examples, type_, path, value, expected):
    assert _verdict(examples[type_], path, value) == expected


@pytest.mark.parametrize(
    ("path", "value", "expected"), list(JOB_CASES.values()), ids=list(JOB_CASES)
)
def test_job_verdict(path, value, expected):
    assert _verdict(JOB, path, value) == expected


@pytest.mark.parametrize(
    ("path", "value", "expected"), list(AGENT_POOL_CASES.values()), ids=list(AGENT_POOL_CASES)
)
def test_agent_pool_verdict(path, value, expected):
    assert _verdict(AGENT_POOL, path, value) == expected


def _prod_with(project, **changed: Any) -> tuple[StackPlan, StackPlan]:
    config = load_stack_config(project, "prod")
    values = dict(config.values)
    for key, value in changed.items():
        values[f"aks-rwx-training:{key}"] = value if isinstance(value, str) else json.dumps(value)
    return (
        real_plan("prod"),
        run_stack(project, "prod", replace(config, values=values)),
    )


@pytest.mark.parametrize(
    "changed",
    [
        {"podCidr": "172.19.0.0/16"},
        {"serviceCidr": "172.20.0.0/16", "dnsServiceIp": "172.20.0.10"},
        {"networkPolicy": "calico"},
    ],
    ids=["podCidr", "serviceCidr", "networkPolicy"],
)
def test_a_cluster_network_change_replaces_the_cluster_and_its_volumes(
    project, changed, monkeypatch, capsys
):
    diff = diff_plans(*_prod_with(project, **changed))
    by_type = {}
    for c in diff.changes:
        by_type.setdefault(c.type, []).append(c)
    (cluster,) = by_type["azure-native:containerservice:ManagedCluster"]
    assert cluster.action == REPLACE
    risky = {c.type for c in diff.stateful_risks}
    assert {
        "azure-native:containerservice:ManagedCluster",
        "kubernetes:core/v1:PersistentVolume",
        "kubernetes:core/v1:PersistentVolumeClaim",
    } <= risky

    from infra.commands import build_parser
    from infra.commands import diff as diff_command
    from infra.exit_codes import ExitCode

    monkeypatch.setattr(diff_command, "diff_stacks", lambda *args, **kwargs: [diff])
    args = build_parser().parse_args(["diff", "--base", "HEAD~1", "--strict", "--no-policy"])
    assert diff_command.run(args) == ExitCode.STATEFUL_RISK
    assert diff_command.run(argparse.Namespace(**{**vars(args), "ack": True})) == ExitCode.OK
    capsys.readouterr()


def test_moving_a_stack_replaces_its_shares_with_their_account(project):
    diff = diff_plans(*_prod_with(project, location="northeurope"))
    shares = [c for c in diff.changes if c.type == "azure-native:storage:FileShare"]
    assert shares and all(c.action == REPLACE and c.stateful_risk for c in shares)
    assert all(
        c.replace_reasons == ["[accountName of replaced shared-storage-account]"] for c in shares
    )


def test_replacing_a_protected_resource_says_the_deploy_is_blocked(examples):
    account = examples["azure-native:storage:StorageAccount"]
    lock = examples["azure-native:authorization:ManagementLockByScope"]
    assert account.protect and not lock.protect
    moved = replace(account, inputs=_set(account.inputs, "location", "northeurope"))
    renamed = replace(lock, inputs=_set(lock.inputs, "lockName", "other"))
    diff = diff_plans(
        StackPlan("p", "s", [account, lock], {}), StackPlan("p", "s", [moved, renamed], {})
    )
    blocked = {c.name: c.blocked_by_protect for c in diff.changes}
    assert blocked == {account.name: True, lock.name: False}
    note = (
        f"blocked by protect: the deploy will fail until `pulumi state unprotect '{account.urn}'`"
    )
    text, markdown = render_diff_text([diff]), render_diff_markdown([diff])
    assert f"{note} (runbook: {UNPROTECT_RUNBOOK})" in text
    assert note in markdown and UNPROTECT_RUNBOOK in markdown
    runbook, _, heading = UNPROTECT_RUNBOOK.partition("#")
    assert heading in anchors(REPO_ROOT / runbook)
    assert text.count("blocked by protect") == 1


def test_removing_a_protected_resource_says_the_deploy_is_blocked(examples):
    share = examples["azure-native:storage:FileShare"]
    assert share.protect
    diff = diff_plans(StackPlan("p", "s", [share], {}), StackPlan("p", "s", [], {}))
    (change,) = diff.changes
    assert change.action == "remove" and change.blocked_by_protect
    assert diff.as_json()["changes"][0]["blockedByProtect"] is True
