"""The delivery control plane, applied once by a subscription owner (`pulumi up` here).

It registers the resource providers and features the stacks need, creates the state
backend, the secrets provider, each environment's resource group (the scope the deploy
identity is granted; the environments are the main project's stacks, read from
../stacks), and the plan and deploy identities with their federated credentials and
least-privilege custom roles. Its outputs are the repository variables the workflows read,
and the `gh variable set` script that sets them.
"""

from __future__ import annotations

import shlex

import pulumi
from delivery import config as bootstrap_config
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
# deploy: each deployment environment of deploy-stack.yml.
subjects = {
    "plan": [
        pull_request_subject(cfg.repository),
        branch_subject(cfg.repository, cfg.default_branch),
    ],
    "deploy": [environment_subject(cfg.repository, env.name) for env in cfg.environments],
}
identities = {
    role: DeliveryIdentity(
        role,
        DeliveryIdentityArgs(
            resource_group_name=group.name,
            location=group.location,
            identity_name=f"id-{cfg.resource_group_name}-{role}",
            subjects=subjects[role],
            tags=cfg.tags,
        ),
    )
    for role in ROLES
}

scopes: dict[str, list[tuple[str, pulumi.Input[str]]]] = {
    "resource-group": [
        (f"{name}-resource-group", rg.id) for name, rg in environment_groups.items()
    ],
    "node-subnet": [(f"{env.name}-node-subnet", env.node_subnet_id) for env in cfg.environments],
    "node-vnet": [(f"{env.name}-node-vnet", env.node_vnet_id) for env in cfg.environments],
    "state-container": [("state-container", state.container_id)],
    "secrets-key": [("secrets-key", secrets.key_id)],
}
grants = [
    RoleGrant(
        f"{role}-{scope_kind}",
        RoleGrantArgs(
            subscription_id=client.subscription_id,
            role_name=f"{pulumi.get_project()} {role} ({scope_kind})",
            spec=spec,
            principal_id=identities[role].principal_id,
            scopes=scopes[scope_kind],
        ),
    )
    for role, specs in ROLES.items()
    for scope_kind, spec in specs.items()
]

variables = {
    "AZURE_TENANT_ID": client.tenant_id,
    "AZURE_SUBSCRIPTION_ID": client.subscription_id,
    "AZURE_PLAN_CLIENT_ID": identities["plan"].client_id,
    "AZURE_DEPLOY_CLIENT_ID": identities["deploy"].client_id,
    "PULUMI_BACKEND_URL": state.backend_url,
    "PULUMI_SECRETS_PROVIDER": secrets.provider_url,
}
pulumi.export("repositoryVariables", variables)
pulumi.export(
    "ghVariableScript",
    pulumi.Output.all(**variables).apply(
        lambda values: "\n".join(
            f"gh variable set {name} --repo {shlex.quote(cfg.repository)} "
            f"--body {shlex.quote(str(value))}"
            for name, value in sorted(values.items())
        )
    ),
)
