"""DeliveryIdentity: a user-assigned managed identity that GitHub Actions logs in as (OIDC)."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import pulumi
from pulumi_azure_native import managedidentity

# GitHub's OIDC issuer and the audience azure/login asks for
# (docs.github.com/actions/security-for-github-actions/security-hardening-your-deployments/
# configuring-openid-connect-in-azure).
GITHUB_ISSUER = "https://token.actions.githubusercontent.com"
AZURE_AUDIENCE = "api://AzureADTokenExchange"


def pull_request_subject(repository: str) -> str:
    """The subject of a job triggered by a pull request (no environment)."""
    return f"repo:{repository}:pull_request"


def environment_subject(repository: str, environment: str) -> str:
    """The subject of a job that names a deployment `environment:`."""
    return f"repo:{repository}:environment:{environment}"


def branch_subject(repository: str, branch: str) -> str:
    """The subject of a job on a branch without an environment (the scheduled drift job)."""
    return f"repo:{repository}:ref:refs/heads/{branch}"


def _credential_name(subject: str) -> str:
    # Federated credential names: 3-120 letters, digits, '-' and '_', from a letter or digit.
    return re.sub(r"[^A-Za-z0-9_-]+", "-", subject.split(":", 2)[2])[:120].strip("-")


@dataclass(frozen=True)
class DeliveryIdentityArgs:
    """Inputs of :class:`DeliveryIdentity`.

    Attributes:
        resource_group_name: Resource group of the identity.
        location: Azure region.
        identity_name: The managed identity's name.
        subjects: The GitHub OIDC subjects that may log in as it, exactly.
        tags: Tags of the identity.
    """

    resource_group_name: pulumi.Input[str]
    location: pulumi.Input[str]
    identity_name: str
    subjects: Sequence[str]
    tags: Mapping[str, str] = field(default_factory=dict)


class DeliveryIdentity(pulumi.ComponentResource):
    """The identity, and one federated credential per subject: nothing else can log in.

    Attributes:
        identity: The ``managedidentity.UserAssignedIdentity``.
        client_id: Its client id (``azure/login``'s ``client-id``).
        principal_id: Its object id (the principal of its role assignments).
    """

    def __init__(
        self, name: str, args: DeliveryIdentityArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        super().__init__("aks-rwx-training-bootstrap:delivery:DeliveryIdentity", name, None, opts)
        self.identity = managedidentity.UserAssignedIdentity(
            f"{name}-identity",
            resource_name_=args.identity_name,
            resource_group_name=args.resource_group_name,
            location=args.location,
            tags=dict(args.tags),
            opts=pulumi.ResourceOptions(parent=self),
        )
        self.credentials = []
        previous: pulumi.Resource | None = None
        for subject in args.subjects:
            credential_name = _credential_name(subject)
            previous = managedidentity.FederatedIdentityCredential(
                f"{name}-{credential_name}",
                resource_name_=self.identity.name,
                resource_group_name=args.resource_group_name,
                federated_identity_credential_resource_name=credential_name,
                issuer=GITHUB_ISSUER,
                subject=subject,
                audiences=[AZURE_AUDIENCE],
                # Azure refuses concurrent writes of one identity's federated credentials
                # (learn.microsoft.com/entra/workload-id/workload-identity-federation-considerations
                # #concurrent-updates-arent-supported-user-assigned-managed-identities).
                opts=pulumi.ResourceOptions(
                    parent=self, depends_on=[previous] if previous else None
                ),
            )
            self.credentials.append(previous)
        self.client_id: pulumi.Output[str] = self.identity.client_id
        self.principal_id: pulumi.Output[str] = self.identity.principal_id
        self.register_outputs({"clientId": self.client_id, "principalId": self.principal_id})
