"""`infra permissions`: every identity holds what every stack's plan needs, and plan never writes.

Each test mutates a temporary copy of the repository (the program, or the bootstrap's roles)
and runs the command as a user would."""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from infra.commands import main
from infra.exit_codes import ExitCode
from tests._modules import modules_kept
from tests.conftest import REPO_ROOT, STACKS

ROLES = Path("bootstrap/delivery/roles.py")
PROGRAM = Path("stacks/__main__.py")


@pytest.fixture(autouse=True)
def _kept() -> Iterator[None]:
    with modules_kept():
        yield


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    for name in ("Pulumi.yaml", "pyproject.toml"):
        shutil.copy(REPO_ROOT / name, tmp_path / name)
    for name in ("stacks", "components", "bootstrap", "policies"):
        shutil.copytree(
            REPO_ROOT / name, tmp_path / name, ignore=shutil.ignore_patterns("__pycache__")
        )
    return tmp_path


def _edit(repo: Path, path: Path, old: str, new: str) -> None:
    text = (repo / path).read_text()
    assert old in text, f"{path} no longer holds {old!r}"
    (repo / path).write_text(text.replace(old, new, 1))


def _permissions(repo: Path, *args: str, capsys: pytest.CaptureFixture[str]) -> tuple[int, str]:
    code = main(["permissions", "-C", str(repo), *args])
    return code, capsys.readouterr().out


def test_the_repository_grants_every_identity_what_every_stack_needs(capsys):
    code = main(["permissions", "-C", str(REPO_ROOT), "--json"])
    doc = json.loads(capsys.readouterr().out)
    assert code == ExitCode.OK
    assert [s["stack"] for s in doc["stacks"]] == list(STACKS)
    for stack in doc["stacks"]:
        name = stack["stack"]
        identities = {i["name"]: i for i in stack["identities"]}
        assert set(identities) == {f"deploy-{name}-identity", "plan-identity"}
        for identity in identities.values():
            assert identity["required"] and identity["granted"] and not identity["missing"]
            assert not identity["problems"]
        own = identities[f"deploy-{name}-identity"]
        deploy = {n["action"] for n in own["required"]}
        plan = {n["action"] for n in identities["plan-identity"]["required"]}
        # Issue 21: one deploy identity per environment, federated for it alone and granted
        # only its own group, subnet and VNet (and the shared state and key).
        assert own["subjects"] == [f"repo:example-org/aks-rwx-training:environment:{name}"]
        scopes = {g["scope"] for g in own["granted"]}
        others = set(STACKS) - {name}
        assert not [s for s in scopes for other in others if f"-{other}" in s], scopes
        # Issue 21: no identity holds, or needs, the storage account keys.
        for identity in identities.values():
            for grant in identity["granted"]:
                assert not [a for a in grant["actions"] if "listKeys" in a], grant
        assert not [a for a in plan | deploy if "listKeys" in a]
        # No Kubernetes Secret left for a refresh to read.
        assert "Microsoft.ContainerService/managedClusters/secrets/read" not in plan
        assert "Microsoft.ContainerService/managedClusters/listClusterUserCredential/action" in plan
        assert "Microsoft.Authorization/roleAssignments/write" in deploy
        # The right to assign roles names the roles it may assign.
        for grant in own["granted"]:
            if "Microsoft.Authorization/roleAssignments/write" in grant["actions"]:
                assert "ForAnyOfAnyValues:GuidEquals" in grant["condition"], grant
        # ARM has no such operation, and a custom role naming it would be refused.
        assert "Microsoft.Storage/storageAccounts/fileServices/delete" not in deploy
        assert not any(a.endswith(("/write", "/delete")) for a in plan)


def test_an_action_removed_from_a_role_fails_naming_it(repo, capsys):
    _edit(
        repo,
        ROLES,
        "                *_GROUP_INVOKES,\n                *_GROUP_LINKED,\n",
        "                *_GROUP_LINKED,\n",
    )
    code, out = _permissions(repo, "-s", "dev", capsys=capsys)
    assert code == ExitCode.FAILED
    missing = [line for line in out.splitlines() if "missing" in line]
    assert any(
        line.startswith(
            "dev: deploy-dev-identity: invoke "
            "azure-native:containerservice:listManagedClusterUserCredentials:"
        )
        and "missing Microsoft.ContainerService/managedClusters/listClusterUserCredential/action "
        "at /subscriptions/"
        in line
        for line in missing
    ), out
    assert not any(line.startswith("dev: plan-identity") for line in missing)


def test_a_kubernetes_data_action_removed_fails_naming_the_object(repo, capsys):
    _edit(repo, ROLES, '    "persistentvolumes",\n', "")
    code, out = _permissions(repo, "-s", "dev", capsys=capsys)
    assert code == ExitCode.FAILED
    assert (
        "dev: plan-identity: urn:pulumi:dev::aks-rwx-training::aks-rwx-training:volume:RwxVolume"
        "$kubernetes:core/v1:PersistentVolume::volume-datasets-pv: missing "
        "Microsoft.ContainerService/managedClusters/persistentvolumes/read at /subscriptions/"
    ) in out


_PROD = (
    "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg-aks-rwx-training-prod"
)
_PROD_VNET = (
    "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg-network-prod/"
    "providers/Microsoft.Network/virtualNetworks/vnet-training-prod"
)
_ACCOUNT = f"{_PROD}/providers/Microsoft.Storage/storageAccounts/staksrwxtrainprodv2"


@pytest.mark.parametrize(
    ("granted", "mutated", "identity", "urn", "action", "scope"),
    [
        pytest.param(
            '    "Microsoft.Storage/storageAccounts/privateEndpointConnectionsApproval/action",\n',
            "",
            "deploy-prod-identity",
            "aks-rwx-training:storage:StoragePrivateEndpoint$azure-native:network:PrivateEndpoint"
            "::storage-private-endpoint-endpoint",
            "Microsoft.Storage/storageAccounts/privateEndpointConnectionsApproval/action",
            _ACCOUNT,
            id="private-endpoint-approved-on-its-target",
        ),
        pytest.param(
            'actions=("Microsoft.Network/virtualNetworks/join/action",),',
            'actions=("Microsoft.Network/virtualNetworks/read",),',
            "deploy-prod-identity",
            "aks-rwx-training:storage:StoragePrivateEndpoint$azure-native:privatedns:"
            "VirtualNetworkLink::storage-private-endpoint-vnet-link",
            "Microsoft.Network/virtualNetworks/join/action",
            _PROD_VNET,
            id="dns-zone-linked-to-the-node-vnet",
        ),
        pytest.param(
            '    "Microsoft.Network/privateDnsZones/join/action",\n',
            "",
            "deploy-prod-identity",
            "aks-rwx-training:storage:StoragePrivateEndpoint$azure-native:network:"
            "PrivateDnsZoneGroup::storage-private-endpoint-dns",
            "Microsoft.Network/privateDnsZones/join/action",
            f"{_PROD}/providers/Microsoft.Network/privateDnsZones/privatelink.file.core.windows.net",
            id="zone-group-joins-the-zone",
        ),
        pytest.param(
            '    "Microsoft.OperationalInsights/workspaces/sharedKeys/read",\n',
            "",
            "deploy-prod-identity",
            "aks-rwx-training:cluster:TrainingCluster$azure-native:containerservice:ManagedCluster"
            "::training-cluster",
            "Microsoft.OperationalInsights/workspaces/sharedKeys/read",
            f"{_PROD}/providers/Microsoft.OperationalInsights/workspaces/log-aks-rwx-training-prod",
            id="container-insights-workspace-of-the-cluster",
        ),
        pytest.param(
            '    "Microsoft.Insights/dataCollectionRules",\n',
            "",
            "deploy-prod-identity",
            "aks-rwx-training:monitoring:MonitoringRuleAssociations$azure-native:monitor:"
            "DataCollectionRuleAssociation::monitoring-rules-insights",
            "Microsoft.Insights/dataCollectionRules/read",
            f"{_PROD}/providers/Microsoft.Insights/dataCollectionRules/MSCI-aks-rwx-training-prod",
            id="association-reads-its-rule",
        ),
        pytest.param(
            '    "Microsoft.Authorization/locks",\n',
            "",
            "deploy-prod-identity",
            "aks-rwx-training:backup:ShareBackup$azure-native:recoveryservices:"
            "ProtectionContainer::share-backup-container",
            "Microsoft.Authorization/locks/write",
            _ACCOUNT,
            id="backup-registration-locks-the-account",
        ),
        pytest.param(
            '    "networking.k8s.io/networkpolicies",\n',
            "",
            "plan-identity",
            "aks-rwx-training:gpu:NvidiaDevicePlugin$kubernetes:networking.k8s.io/v1:"
            "NetworkPolicy::nvidia-device-plugin-network-policy",
            "Microsoft.ContainerService/managedClusters/networking.k8s.io/networkpolicies/read",
            f"{_PROD}/providers/Microsoft.ContainerService/managedClusters/aks-rwx-training-prod",
            id="device-plugin-network-policy-refreshed",
        ),
        pytest.param(
            '    f"{_CLUSTER}/agentPools",\n',
            "",
            "deploy-prod-identity",
            "aks-rwx-training:cluster:TrainingCluster$azure-native:containerservice:AgentPool"
            "::training-gpu",
            "Microsoft.ContainerService/managedClusters/agentPools/write",
            f"{_PROD}/providers/Microsoft.ContainerService/managedClusters/aks-rwx-training-prod"
            "/agentPools/gpu",
            id="gpu-pool-through-the-agent-pools-api",
        ),
        pytest.param(
            '                f"{_SUBNET}/join/action",\n',
            "",
            "deploy-prod-identity",
            "aks-rwx-training:cluster:TrainingCluster$azure-native:containerservice:AgentPool"
            "::training-gpu",
            "Microsoft.Network/virtualNetworks/subnets/join/action",
            "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg-network-prod/"
            "providers/Microsoft.Network/virtualNetworks/vnet-training-prod/subnets/snet-aks-nodes",
            id="gpu-pool-joins-the-node-subnet",
        ),
        pytest.param(
            '    "customresources",\n',
            "",
            "deploy-prod-identity",
            "aks-rwx-training:gpu:DcgmExporter$kubernetes:azmonitoring.coreos.com/v1:"
            "PodMonitor::dcgm-exporter-pod-monitor",
            "Microsoft.ContainerService/managedClusters/customresources/write",
            f"{_PROD}/providers/Microsoft.ContainerService/managedClusters/aks-rwx-training-prod",
            id="custom-resource-checked-as-customresources",
        ),
    ],
)
def test_a_linked_or_new_grant_removed_fails_naming_it(
    repo, capsys, granted, mutated, identity, urn, action, scope
):
    _edit(repo, ROLES, granted, mutated)
    code, out = _permissions(repo, "-s", "prod", capsys=capsys)
    assert code == ExitCode.FAILED
    assert (
        f"prod: {identity}: urn:pulumi:prod::aks-rwx-training::{urn}: missing {action} at {scope}"
    ) in out.splitlines(), out


def test_a_resource_of_a_type_without_a_grant_fails_naming_its_write_action(repo, capsys):
    (repo / PROGRAM).write_text(
        (repo / PROGRAM).read_text() + "\nfrom pulumi_azure_native import managedidentity\n"
        "managedidentity.UserAssignedIdentity('workload', resource_name_='id-training',\n"
        "    resource_group_name=pulumi.Config().require('resourceGroupName'))\n"
    )
    code, out = _permissions(repo, "-s", "staging", capsys=capsys)
    assert code == ExitCode.FAILED
    lines = [line for line in out.splitlines() if "userAssignedIdentities" in line]
    assert (
        "staging: deploy-staging-identity: urn:pulumi:staging::aks-rwx-training::"
        "azure-native:managedidentity:UserAssignedIdentity::workload: missing "
        "Microsoft.ManagedIdentity/userAssignedIdentities/write at /subscriptions/"
        "00000000-0000-0000-0000-000000000000/resourceGroups/rg-aks-rwx-training-staging/"
        "providers/Microsoft.ManagedIdentity/userAssignedIdentities/id-training"
    ) in lines
    assert any(line.startswith("staging: plan-identity:") and "/read at" in line for line in lines)


def test_a_public_ip_added_to_the_program_names_the_actions_it_lacks(repo, capsys):
    (repo / PROGRAM).write_text(
        (repo / PROGRAM).read_text() + "\nfrom pulumi_azure_native import network\n"
        "network.PublicIPAddress('egress',\n"
        "    resource_group_name=pulumi.Config().require('resourceGroupName'))\n"
    )
    code, out = _permissions(repo, "-s", "dev", capsys=capsys)
    assert code == ExitCode.FAILED
    prefix = (
        "dev: deploy-dev-identity: urn:pulumi:dev::aks-rwx-training::"
        "azure-native:network:PublicIPAddress::egress: missing "
    )
    missing = {line.removeprefix(prefix).split(" at ")[0] for line in out.splitlines()}
    assert {
        "Microsoft.Network/publicIPAddresses/write",
        "Microsoft.Network/publicIPAddresses/read",
        "Microsoft.Network/publicIPAddresses/delete",
    } <= missing
    assert "no ARM type known" not in out


def test_a_type_without_a_known_arm_path_is_reported_not_skipped(repo, capsys):
    (repo / PROGRAM).write_text(
        (repo / PROGRAM).read_text() + "\nfrom pulumi_azure_native import network\n"
        "network.NatGateway('egress',\n"
        "    resource_group_name=pulumi.Config().require('resourceGroupName'))\n"
    )
    code, out = _permissions(repo, "-s", "dev", capsys=capsys)
    assert code == ExitCode.FAILED
    assert (
        "dev: deploy-dev-identity: urn:pulumi:dev::aks-rwx-training::"
        "azure-native:network:NatGateway::egress: unknown type "
        "azure-native:network:NatGateway: no ARM type known"
    ) in out


def test_a_write_granted_to_the_plan_identity_fails(repo, capsys):
    _edit(
        repo,
        ROLES,
        '"pulumi preview --refresh: read the subnet and the cluster identity\'s assignment",\n'
        "            actions=(",
        '"pulumi preview --refresh: read the subnet and the cluster identity\'s assignment",\n'
        '            actions=("Microsoft.Network/virtualNetworks/subnets/write", ',
    )
    code, out = _permissions(repo, "-s", "prod", capsys=capsys)
    assert code == ExitCode.FAILED
    assert any(
        line.startswith("prod: plan-identity: urn:pulumi:bootstrap::aks-rwx-training-bootstrap::")
        and "Microsoft.Network/virtualNetworks/subnets/write at /subscriptions/" in line
        and line.endswith("the plan identity must not write or delete")
        for line in out.splitlines()
    ), out


def test_a_grant_at_another_environments_scope_does_not_count(repo, capsys):
    _edit(
        repo,
        Path("bootstrap/__main__.py"),
        '"resource-group": [(f"{env.name}-resource-group", environment_groups[env.name].id)],',
        '"resource-group": [(f"{env.name}-resource-group", environment_groups["prod"].id)],',
    )
    code, out = _permissions(repo, "-s", "dev", capsys=capsys)
    assert code == ExitCode.FAILED
    assert (
        "missing Microsoft.Storage/storageAccounts/write at /subscriptions/"
        "00000000-0000-0000-0000-000000000000/resourceGroups/rg-aks-rwx-training-dev/providers/"
        "Microsoft.Storage/storageAccounts/staksrwxtrainingdev"
    ) in out


_DEV_GRANTS = '    return environment_scopes[identity.removeprefix("deploy-")] | backend_scopes'


@pytest.mark.parametrize(
    ("extra", "other", "reached"),
    [
        pytest.param(
            'environment_scopes["prod"]["resource-group"]', "prod", _PROD, id="prod-group"
        ),
        pytest.param(
            'environment_scopes["staging"]["node-subnet"]',
            "staging",
            "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/"
            "rg-network-staging/providers/Microsoft.Network/virtualNetworks/"
            "vnet-training-staging/subnets/snet-aks-nodes",
            id="staging-subnet",
        ),
    ],
)
def test_a_grant_added_across_environments_is_reported(repo, capsys, extra, other, reached):
    # Issue 21: one deploy identity held write on all three environments, so a dev job (no
    # reviewers) could change prod. A grant of dev's identity on another environment's
    # scope, on top of everything dev needs, fails the check.
    _edit(
        repo,
        Path("bootstrap/__main__.py"),
        _DEV_GRANTS,
        "    env = environment_scopes[identity.removeprefix('deploy-')]\n"
        "    if identity == 'deploy-dev':\n"
        f"        env = env | {{'node-vnet': env['node-vnet'] + {extra}}}\n"
        "    return env | backend_scopes",
    )
    code, out = _permissions(repo, "-s", "dev", capsys=capsys)
    assert code == ExitCode.FAILED
    (line,) = [line for line in out.splitlines() if "must hold nothing" in line]
    assert line.startswith("dev: deploy-dev-identity: urn:pulumi:bootstrap::")
    assert f": granted at {reached}, which reaches {other}'s /subscriptions/" in line, line
    assert line.endswith(f": dev's identity must hold nothing on {other}"), line


def test_a_deploy_identity_federated_for_another_environment_is_reported(repo, capsys):
    _edit(
        repo,
        Path("bootstrap/__main__.py"),
        'f"deploy-{env.name}": [environment_subject(cfg.repository, env.name)]',
        'f"deploy-{env.name}": [environment_subject(cfg.repository, env.name)]\n'
        '        + ([environment_subject(cfg.repository, "prod")] if env.name == "dev" else [])',
    )
    code, out = _permissions(repo, "-s", "dev", "--json", capsys=capsys)
    assert code == ExitCode.FAILED
    (stack,) = json.loads(out)["stacks"]
    dev = next(i for i in stack["identities"] if i["name"] == "deploy-dev-identity")
    assert dev["problems"] == [
        "federated for 'repo:example-org/aks-rwx-training:environment:prod': only the GitHub "
        "environment 'dev' may log in as it"
    ]


def test_a_role_assignment_right_without_a_condition_is_reported(repo, capsys):
    _edit(repo, ROLES, "            assigns=(NETWORK_CONTRIBUTOR_ROLE_ID,),\n", "")
    code, out = _permissions(repo, "-s", "prod", capsys=capsys)
    assert code == ExitCode.FAILED
    assert any(
        line.startswith("prod: deploy-prod-identity: urn:pulumi:bootstrap::")
        and "deploy-prod-node-subnet-prod-node-subnet: "
        "Microsoft.Authorization/roleAssignments/write at /subscriptions/"
        in line
        and line.endswith("it could assign any role, Owner included")
        for line in out.splitlines()
    ), out


def test_a_role_the_condition_does_not_name_is_missing(repo, capsys):
    # The key reader role the program assigns on the storage account is the only one the
    # condition allows there; assigning any other role is not covered.
    _edit(
        repo,
        Path("components/storage.py"),
        'f"Microsoft.Authorization/roleDefinitions/{KEY_READER_ROLE_ID}"',
        'f"Microsoft.Authorization/roleDefinitions/8e3af657-a8ff-443c-a75c-2fe8c4bcb635"',
    )
    code, out = _permissions(repo, "-s", "dev", capsys=capsys)
    assert code == ExitCode.FAILED
    assert any(
        line.startswith("dev: deploy-dev-identity: urn:pulumi:dev::aks-rwx-training::")
        and "kubelet-key-access-key-reader: missing "
        "Microsoft.Authorization/roleAssignments/write at "
        in line
        for line in out.splitlines()
    ), out


def test_listkeys_granted_to_the_plan_identity_is_reported(repo, capsys):
    _edit(
        repo,
        ROLES,
        'actions=(f"{_SUBNET}/read", f"{_ROLE_ASSIGNMENTS}/read"),',
        'actions=(f"{_SUBNET}/read", f"{_ROLE_ASSIGNMENTS}/read", '
        '"Microsoft.Storage/storageAccounts/listKeys/action"),',
    )
    code, out = _permissions(repo, "-s", "dev", capsys=capsys)
    assert code == ExitCode.FAILED
    assert any(
        line.startswith("dev: plan-identity: urn:pulumi:bootstrap::")
        and line.endswith("the plan identity must not read storage keys")
        for line in out.splitlines()
    ), out


def test_a_stack_moved_to_another_group_and_subnet_takes_its_grants_along(repo, capsys):
    _edit(repo, Path("stacks/Pulumi.dev.yaml"), "rg-aks-rwx-training-dev", "rg-moved")
    _edit(repo, Path("stacks/Pulumi.dev.yaml"), "vnet-training-dev", "vnet-moved")
    code, out = _permissions(repo, "-s", "dev", "--json", capsys=capsys)
    assert code == ExitCode.OK, out
    (stack,) = json.loads(out)["stacks"]
    deploy = next(i for i in stack["identities"] if i["name"] == "deploy-dev-identity")
    scopes = {g["scope"].rsplit("/", 1)[-1] for g in deploy["granted"]}
    assert {"rg-moved", "vnet-moved"} <= scopes
    assert "rg-aks-rwx-training-dev" not in scopes


def test_usage_errors_exit_2_in_one_line(repo, capsys):
    assert main(["permissions", "-C", str(REPO_ROOT), "-s", "no-such-stack"]) == ExitCode.ERROR
    assert capsys.readouterr().err.count("\n") == 1
    _edit(repo, Path("pyproject.toml"), 'plan-identity = "plan"', 'plan-identity = "read"')
    assert main(["permissions", "-C", str(repo)]) == ExitCode.ERROR
    err = capsys.readouterr().err
    assert "[tool.infra.permissions] identities must map identity names" in err


def test_a_bootstrap_folder_without_a_project_is_named(repo, capsys):
    shutil.rmtree(repo / "bootstrap")
    assert main(["permissions", "-C", str(repo)]) == ExitCode.ERROR
    assert capsys.readouterr().err == (
        f"infra: error: {repo}/pyproject.toml: [tool.infra.permissions] bootstrap = "
        "'bootstrap': no Pulumi.yaml there\n"
    )


_RS = "Microsoft.RecoveryServices/vaults"
_ITEM_TYPE = f"{_RS}/backupFabrics/protectionContainers/protectedItems"


def test_asynchronous_backup_operations_are_polled_where_azure_nests_them(capsys):
    """Every Recovery Services write and delete is long-running and polled under the resource
    (pulumi-azure-native#1420's headers; Backup Contributor's reads): derived per type."""
    code = main(["permissions", "-C", str(REPO_ROOT), "-s", "prod", "--json"])
    doc = json.loads(capsys.readouterr().out)
    assert code == ExitCode.OK
    (stack,) = doc["stacks"]
    identities = {i["name"]: i for i in stack["identities"]}
    deploy = {
        (n["action"], n["scope"].rsplit("/", 2)[-2])
        for n in identities["deploy-prod-identity"]["required"]
    }
    for action, collection in (
        (f"{_RS}/operationStatus/read", "vaults"),
        (f"{_RS}/operationResults/read", "vaults"),
        (f"{_RS}/backupPolicies/operationResults/read", "backupPolicies"),
        (f"{_RS}/backupPolicies/operations/read", "backupPolicies"),
        (f"{_RS}/backupFabrics/protectionContainers/operationResults/read", "protectionContainers"),
        (f"{_ITEM_TYPE}/operationResults/read", "protectedItems"),
        (f"{_ITEM_TYPE}/operationsStatus/read", "protectedItems"),
    ):
        assert (action, collection) in deploy, action
    plan = {n["action"] for n in identities["plan-identity"]["required"]}
    # A refresh writes nothing, so it polls nothing.
    assert not any(a.endswith(("/operationResults/read", "/operationsStatus/read")) for a in plan)


def test_a_polling_read_not_granted_fails_naming_it(repo, capsys):
    _edit(repo, ROLES, "                *_GROUP_POLLING,\n", "")
    code, out = _permissions(repo, "-s", "staging", capsys=capsys)
    assert code == ExitCode.FAILED
    missing = [
        line for line in out.splitlines() if f"missing {_ITEM_TYPE}/operationsStatus/read" in line
    ]
    assert len(missing) == 2, out  # datasets and checkpoints
    assert all(
        line.startswith(
            "staging: deploy-staging-identity: urn:pulumi:staging::aks-rwx-training::"
            "aks-rwx-training:backup:ShareBackup$azure:backup/protectedFileShare:ProtectedFileShare::"
            "share-backup-item-"
        )
        and "/protectedItems/AzureFileShare;" in line
        for line in missing
    ), out


# Issue 26: every granted action beyond what the plans need is excess; escalating actions are
# never accepted for the plan identity, nor `*` and role definition writes for deploy.
_PLAN_GROUP_ACTIONS = (
    "                *_GROUP_INVOKES,\n            ),\n"
    '            data_actions=tuple(f"{_CLUSTER}/{kind}/read" for kind in KUBERNETES_RESOURCES),'
)
_DEV = "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg-aks-rwx-training-dev"
_PLAN_DEV_GROUP = (
    "urn:pulumi:bootstrap::aks-rwx-training-bootstrap::aks-rwx-training-bootstrap:delivery:"
    "RoleGrant$azure-native:authorization:RoleAssignment::plan-resource-group-dev-resource-group"
)


def _grant_to_plan(repo: Path, action: str, data: bool) -> None:
    if data:
        new = _PLAN_GROUP_ACTIONS.replace(
            "for kind in KUBERNETES_RESOURCES)",
            f"for kind in KUBERNETES_RESOURCES) + ({action!r},)",
        )
    else:
        new = _PLAN_GROUP_ACTIONS.replace("*_GROUP_INVOKES,\n", f"*_GROUP_INVOKES, {action!r},\n")
    _edit(repo, ROLES, _PLAN_GROUP_ACTIONS, new)


_CLUSTER_ACTIONS = "Microsoft.ContainerService/managedClusters"


@pytest.mark.parametrize(
    ("action", "data", "what"),
    [
        pytest.param(
            f"{_CLUSTER_ACTIONS}/users/impersonate/action",
            True,
            "impersonate Kubernetes users",
            id="impersonate",
        ),
        pytest.param(
            f"{_CLUSTER_ACTIONS}/listClusterAdminCredential/action",
            False,
            "list the cluster's admin credential (cluster-admin, bypassing Azure RBAC)",
            id="admin-credential",
        ),
        pytest.param(
            f"{_CLUSTER_ACTIONS}/runCommand/action",
            False,
            "run commands in the cluster as cluster-admin",
            id="run-command",
        ),
        pytest.param(
            f"{_CLUSTER_ACTIONS}/pods/exec/action",
            True,
            "exec into pods (and read what they mount)",
            id="pods-exec",
        ),
        pytest.param(
            "Microsoft.Storage/storageAccounts/regenerateKey/action",
            False,
            "regenerate storage keys (and so read them)",
            id="regenerate-key",
        ),
        pytest.param(
            "Microsoft.Authorization/roleDefinitions/write",
            False,
            "write role definitions (widen its own role)",
            id="role-definition-write",
        ),
    ],
)
def test_an_escalating_action_granted_to_the_plan_identity_is_reported(
    repo, capsys, action, data, what
):
    _grant_to_plan(repo, action, data)
    # Listing it as accepted excess does not make it acceptable.
    _edit(
        repo,
        Path("pyproject.toml"),
        "[tool.infra.permissions.accepted-excess.plan]\n",
        f'[tool.infra.permissions.accepted-excess.plan]\n"{action}" = "listed on purpose"\n',
    )
    code, out = _permissions(repo, "-s", "dev", capsys=capsys)
    assert code == ExitCode.FAILED
    assert (
        f"dev: plan-identity: {_PLAN_DEV_GROUP}: {action} at {_DEV}: "
        f"the plan identity must not {what}"
    ) in out.splitlines(), out


def test_a_wildcard_granted_to_the_plan_identity_names_the_escalations_it_holds(repo, capsys):
    _grant_to_plan(repo, "Microsoft.Storage/*", False)
    code, out = _permissions(repo, "-s", "dev", capsys=capsys)
    assert code == ExitCode.FAILED
    lines = out.splitlines()
    for action, what in (
        ("listKeys", "read storage keys"),
        ("regenerateKey", "regenerate storage keys (and so read them)"),
    ):
        assert (
            f"dev: plan-identity: {_PLAN_DEV_GROUP}: Microsoft.Storage/storageAccounts/"
            f"{action}/action at {_DEV} (through Microsoft.Storage/*): the plan identity must "
            f"not {what}"
        ) in lines, out
    assert (
        f"dev: plan-identity: {_PLAN_DEV_GROUP}: Microsoft.Storage/* at {_DEV}: excess: no "
        "stack's plan needs it for plan (remove it, or accept it with its reason in "
        "pyproject.toml [tool.infra.permissions] accepted-excess)"
    ) in lines, out


_DEPLOY_NODE_VNET = 'actions=("Microsoft.Network/virtualNetworks/join/action",),'


@pytest.mark.parametrize(
    "granted", ["*", "Microsoft.Authorization/roleDefinitions/write"], ids=["star", "role-write"]
)
def test_deploy_holding_every_action_or_role_definition_writes_is_reported(repo, capsys, granted):
    _edit(
        repo,
        ROLES,
        _DEPLOY_NODE_VNET,
        f'actions=("Microsoft.Network/virtualNetworks/join/action", {granted!r}),',
    )
    _edit(
        repo,
        Path("pyproject.toml"),
        "[tool.infra.permissions.accepted-excess.deploy]\n",
        f'[tool.infra.permissions.accepted-excess.deploy]\n"{granted}" = "listed on purpose"\n',
    )
    code, out = _permissions(repo, "-s", "dev", capsys=capsys)
    assert code == ExitCode.FAILED
    through = "" if granted != "*" else " (through *)"
    (line,) = [line for line in out.splitlines() if "roleDefinitions/write" in line]
    assert line.startswith(
        "dev: deploy-dev-identity: urn:pulumi:bootstrap::aks-rwx-training-bootstrap::"
    ), line
    assert line.endswith(
        f"deploy-dev-node-vnet-dev-node-vnet: Microsoft.Authorization/roleDefinitions/write at "
        "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg-network-dev/"
        f"providers/Microsoft.Network/virtualNetworks/vnet-training-dev{through}: the deploy "
        "identity must not write role definitions (widen its own role)"
    ), line


def test_an_unneeded_read_granted_to_the_plan_identity_is_excess(repo, capsys):
    _grant_to_plan(repo, "Microsoft.Compute/virtualMachines/read", False)
    code, out = _permissions(repo, "-s", "dev", capsys=capsys)
    assert code == ExitCode.FAILED
    excess = [line for line in out.splitlines() if "excess" in line]
    # The plan identity's role is assigned on each environment's group.
    assert excess == [
        f"dev: plan-identity: {_PLAN_DEV_GROUP.replace('dev', env)}: "
        f"Microsoft.Compute/virtualMachines/read at {_DEV.replace('dev', env)}: excess: no "
        "stack's plan needs it for plan (remove it, or accept it with its reason in "
        "pyproject.toml [tool.infra.permissions] accepted-excess)"
        for env in sorted(STACKS)
    ], out


def test_an_accepted_excess_without_a_reason_is_refused(repo, capsys):
    _edit(
        repo,
        Path("pyproject.toml"),
        "[tool.infra.permissions.accepted-excess.plan]\n",
        '[tool.infra.permissions.accepted-excess.plan]\n"Microsoft.Compute/*" = " "\n',
    )
    assert main(["permissions", "-C", str(repo)]) == ExitCode.ERROR
    assert capsys.readouterr().err == (
        f"infra: error: {repo}/pyproject.toml: [tool.infra.permissions] accepted-excess must "
        "map deploy or plan to { action = reason }, each with a reason\n"
    )


def test_the_operators_group_is_listed_and_may_hold_data_actions_only(
    repo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    group = "11111111-1111-1111-1111-111111111111"  # operatorsGroupId in Pulumi.bootstrap.yaml
    code, out = _permissions(repo, "-s", "dev", "--json", capsys=capsys)
    assert code == ExitCode.OK
    (principal,) = json.loads(out)["principals"]
    assert (principal["principal"], principal["principalType"]) == (group, "Group")
    assert sorted(g["role"] for g in principal["granted"]) == [
        "aks-rwx-training-bootstrap operators (secrets-key)",
        "aks-rwx-training-bootstrap operators (state-container)",
    ]


def test_a_control_plane_action_of_the_operators_group_is_one_line(
    repo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    group = "11111111-1111-1111-1111-111111111111"
    _edit(
        repo,
        ROLES,
        '"pulumi state and stack init by a person: read, write and unlock the stacks\' state",\n',
        '"pulumi state and stack init by a person: read, write and unlock the stacks\' state",\n'
        '            actions=("Microsoft.Storage/storageAccounts/listKeys/action",),\n',
    )
    code, out = _permissions(repo, "-s", "dev", capsys=capsys)
    assert code == ExitCode.FAILED
    (line,) = [line for line in out.splitlines() if "outside the delivery identities" in line]
    assert line.startswith(f"bootstrap: Group {group}: ")
    assert "Microsoft.Storage/storageAccounts/listKeys/action at " in line
