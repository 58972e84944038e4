"""SecretsProvider: the Key Vault and key of Pulumi's azurekeyvault:// secrets provider."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

import pulumi
from pulumi_azure_native import keyvault

# Days a deleted vault or key stays recoverable; purge protection makes it binding.
SOFT_DELETE_DAYS = 90


@dataclass(frozen=True)
class SecretsProviderArgs:
    """Inputs of :class:`SecretsProvider`.

    Attributes:
        resource_group_name: Resource group of the vault.
        location: Azure region.
        tenant_id: Entra ID tenant that authenticates requests to the vault.
        vault_name: Key Vault name (globally unique).
        key_name: Name of the RSA key that wraps the stacks' secrets.
        tags: Tags of the vault and key.
    """

    resource_group_name: pulumi.Input[str]
    location: pulumi.Input[str]
    tenant_id: pulumi.Input[str]
    vault_name: str
    key_name: str
    tags: Mapping[str, str] = field(default_factory=dict)


class SecretsProvider(pulumi.ComponentResource):
    """A vault authorised by Azure RBAC only (no access policies), with purge protection:
    a deleted key would make every stack's secrets unreadable.

    Attributes:
        vault: The ``keyvault.Vault``.
        key: The ``keyvault.Key``.
        key_id: ARM id of the key (the scope of the identities' crypto roles).
        provider_url: The ``azurekeyvault://`` URL for ``--secrets-provider``.
    """

    def __init__(
        self, name: str, args: SecretsProviderArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        super().__init__("aks-rwx-training-bootstrap:delivery:SecretsProvider", name, None, opts)
        kept = pulumi.ResourceOptions(parent=self, protect=True, retain_on_delete=True)
        self.vault = keyvault.Vault(
            f"{name}-vault",
            vault_name=args.vault_name,
            resource_group_name=args.resource_group_name,
            location=args.location,
            properties=keyvault.VaultPropertiesArgs(
                tenant_id=args.tenant_id,
                sku=keyvault.SkuArgs(family="A", name=keyvault.SkuName.STANDARD),
                enable_rbac_authorization=True,
                enable_soft_delete=True,
                soft_delete_retention_in_days=SOFT_DELETE_DAYS,
                enable_purge_protection=True,
            ),
            tags=dict(args.tags),
            opts=kept,
        )
        self.key = keyvault.Key(
            f"{name}-key",
            key_name=args.key_name,
            vault_name=self.vault.name,
            resource_group_name=args.resource_group_name,
            properties=keyvault.KeyPropertiesArgs(
                kty=keyvault.JsonWebKeyType.RSA,
                key_size=4096,
                key_ops=[
                    keyvault.JsonWebKeyOperation.ENCRYPT,
                    keyvault.JsonWebKeyOperation.DECRYPT,
                ],
            ),
            tags=dict(args.tags),
            opts=kept,
        )
        self.key_id: pulumi.Output[str] = self.key.id
        # www.pulumi.com/docs/iac/concepts/secrets/#azure-key-vault
        self.provider_url: pulumi.Output[str] = pulumi.Output.concat(
            "azurekeyvault://", self.vault.name, ".vault.azure.net/keys/", self.key.name
        )
        self.register_outputs({"providerUrl": self.provider_url, "keyId": self.key_id})
