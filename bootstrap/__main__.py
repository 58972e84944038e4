"""The delivery control plane, applied once by a subscription owner (`pulumi up` here).

It registers the resource providers and features the stacks need, creates the state
backend, the secrets provider, each environment's resource group (the scope its deploy
identity is granted; the environments are the main project's stacks, read from ../stacks),
the read-only plan identity and one deploy identity per environment, with their federated
credentials and least-privilege custom roles, and the custom role the clusters' kubelet
identities list storage keys with. Its outputs are the variables the workflows read, and the
`gh variable set` script that sets them (the deploy client ids per GitHub environment).
"""

from __future__ import annotations

import shlex

import pulumi
from delivery import config as bootstrap_config
from delivery.github import RepositoryGovernance, RepositoryGovernanceArgs
from delivery.grants import RoleGrant, RoleGrantArgs
from delivery.identities import (
    DeliveryIdentity,
    DeliveryIdentityArgs,
    branch_subject,
    environment_subject,
    pull_request_subject,
)
from delivery.registrations import ProviderRegistrations
from delivery.registrations import load as load_registrations
from delivery.roles import ROLES
from delivery.secrets import SecretsProvider, SecretsProviderArgs
from delivery.state import StateBackend, StateBackendArgs
from pulumi_azure_native import authorization, resources

from components.storage import KEY_READER_ACTIONS, KEY_READER_ROLE_ID, KEY_READER_ROLE_NAME

cfg = bootstrap_config.load()
client = authorization.get_client_config_output()

# The resource providers and features every stack's plan needs (delivery/registrations.py).
ProviderRegistrations("registrations", load_registrations())

group = resources.ResourceGroup(
    "delivery",
    resource_group_name=cfg.resource_group_name,
    location=cfg.location,
    tags=cfg.tags,
    opts=pulumi.ResourceOptions(protect=True, retain_on_delete=True),
)
# Each stack's resource group, owned here and only here: the stack deploys into it by name.
# A role assignment's scope must exist before the assignment, so the group must exist before
# the deploy identity can be granted it rather than the subscription; and the deploy identity
# then cannot delete or move the group. Its name, region and tags are the stack's config.
# Kept on destroy: the stacks' data lives in it.
environment_groups = {
    env.name: resources.ResourceGroup(
        f"environment-{env.name}",
        resource_group_name=env.resource_group_name,
        location=env.location,
        tags=env.tags,
        opts=pulumi.ResourceOptions(protect=True, retain_on_delete=True),
    )
    for env in cfg.environments
}

state = StateBackend(
    "state",
    StateBackendArgs(
        resource_group_name=group.name,
        location=group.location,
        account_name=cfg.state_account_name,
        container_name=cfg.state_container_name,
        soft_delete_days=cfg.state_soft_delete_days,
        allowed_ip_ranges=cfg.state_allowed_ip_ranges,
        tags=cfg.tags,
    ),
)
secrets = SecretsProvider(
    "secrets",
    SecretsProviderArgs(
        resource_group_name=group.name,
        location=group.location,
        tenant_id=client.tenant_id,
        vault_name=cfg.key_vault_name,
        key_name=cfg.key_name,
        tags=cfg.tags,
    ),
)

# Exactly the subjects of the workflows' jobs (tests/delivery check them against the files):
# plan: the live PR preview (pull_request) and the scheduled drift job (default branch);
# deploy-<env>: the deployment environment <env> of deploy-stack.yml, and nothing else, so a
# job in dev (no reviewers) gets no token that can change prod.
subjects = {
    "plan": [
        pull_request_subject(cfg.repository),
        branch_subject(cfg.repository, cfg.default_branch),
    ],
    **{
        f"deploy-{env.name}": [environment_subject(cfg.repository, env.name)]
        for env in cfg.environments
    },
}
identities = {
    name: DeliveryIdentity(
        name,
        DeliveryIdentityArgs(
            resource_group_name=group.name,
            location=group.location,
            identity_name=f"id-{cfg.resource_group_name}-{name}",
            subjects=identity_subjects,
            tags=cfg.tags,
        ),
    )
    for name, identity_subjects in subjects.items()
}

# Each identity's scopes: the plan identity reads every environment; a deploy identity is
# granted its own environment's group, subnet and VNet, and the shared backend.
environment_scopes: dict[str, dict[str, list[tuple[str, pulumi.Input[str]]]]] = {
    env.name: {
        "resource-group": [(f"{env.name}-resource-group", environment_groups[env.name].id)],
        "node-subnet": [(f"{env.name}-node-subnet", env.node_subnet_id)],
        "node-vnet": [(f"{env.name}-node-vnet", env.node_vnet_id)],
    }
    for env in cfg.environments
}
backend_scopes: dict[str, list[tuple[str, pulumi.Input[str]]]] = {
    "state-container": [("state-container", state.container_id)],
    "secrets-key": [("secrets-key", secrets.key_id)],
}


def _scopes(identity: str) -> dict[str, list[tuple[str, pulumi.Input[str]]]]:
    if identity == "plan":
        return {
            kind: [scope for env in environment_scopes.values() for scope in env[kind]]
            for kind in ("resource-group", "node-subnet", "node-vnet")
        } | backend_scopes
    return environment_scopes[identity.removeprefix("deploy-")] | backend_scopes


grants = [
    RoleGrant(
        f"{identity}-{scope_kind}",
        RoleGrantArgs(
            subscription_id=client.subscription_id,
            role_name=f"{pulumi.get_project()} {identity} ({scope_kind})",
            spec=spec,
            principal_id=identities[identity].principal_id,
            scopes=_scopes(identity)[scope_kind],
        ),
    )
    for identity in identities
    for scope_kind, spec in ROLES["plan" if identity == "plan" else "deploy"].items()
]

# The operators group: people's `pulumi state` and `stack init`, at the backend only.
grants += [
    RoleGrant(
        f"operators-{scope_kind}",
        RoleGrantArgs(
            subscription_id=client.subscription_id,
            role_name=f"{pulumi.get_project()} operators ({scope_kind})",
            spec=spec,
            principal_id=cfg.operators_group_id,
            principal_type="Group",
            scopes=backend_scopes[scope_kind],
        ),
    )
    for scope_kind, spec in ROLES["operators"].items()
]

# The role the program assigns each cluster's kubelet identity on its storage account
# (components/storage.py, KubeletKeyAccess): defined here, where roles are written (no deploy
# identity may write a role definition), and assignable in the environments' groups only.
key_reader = authorization.RoleDefinition(
    "kubelet-key-reader",
    role_definition_id=KEY_READER_ROLE_ID,
    role_name=KEY_READER_ROLE_NAME,
    description="List one storage account's keys: the Azure Files CSI driver mounting SMB "
    "shares on a cluster's nodes",
    role_type="CustomRole",
    scope=pulumi.Output.concat("/subscriptions/", client.subscription_id),
    permissions=[authorization.PermissionArgs(actions=list(KEY_READER_ACTIONS))],
    assignable_scopes=[group.id for group in environment_groups.values()],
)

# The default branch's ruleset (code-owner review, the PR gate's check) and the deployment
# environments, on GitHub (delivery/github.py; docs/delivery.md says what stays by hand).
RepositoryGovernance(
    "github",
    RepositoryGovernanceArgs(
        repository=cfg.repository,
        default_branch=cfg.default_branch,
        environments=[env.name for env in cfg.environments],
    ),
)

variables = {
    "AZURE_TENANT_ID": client.tenant_id,
    "AZURE_SUBSCRIPTION_ID": client.subscription_id,
    "AZURE_PLAN_CLIENT_ID": identities["plan"].client_id,
    "PULUMI_BACKEND_URL": state.backend_url,
    "PULUMI_SECRETS_PROVIDER": secrets.provider_url,
}
# GitHub environment variables: a job with `environment: <env>` reads its own environment's
# AZURE_DEPLOY_CLIENT_ID; no repository-level value exists for a job without one to fall back to.
environment_variables = {
    env.name: {"AZURE_DEPLOY_CLIENT_ID": identities[f"deploy-{env.name}"].client_id}
    for env in cfg.environments
}
pulumi.export("repositoryVariables", variables)
pulumi.export("environmentVariables", environment_variables)


def _gh_variable_script(
    repository_values: dict[str, object], environment_values: dict[str, dict[str, object]]
) -> str:
    repo = f"--repo {shlex.quote(cfg.repository)}"
    lines = [
        f"gh variable set {name} {repo} --body {shlex.quote(str(value))}"
        for name, value in sorted(repository_values.items())
    ]
    lines += [
        f"gh variable set {name} {repo} --env {shlex.quote(env)} --body {shlex.quote(str(value))}"
        for env, values in sorted(environment_values.items())
        for name, value in sorted(values.items())
    ]
    return "\n".join(lines)


pulumi.export(
    "ghVariableScript",
    pulumi.Output.all(variables, environment_variables).apply(
        lambda values: _gh_variable_script(values[0], values[1])
    ),
)
