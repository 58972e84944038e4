"""StateBackend: the storage account and container of Pulumi's azblob:// state backend."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import pulumi
from pulumi_azure_native import authorization, storage


@dataclass(frozen=True)
class StateBackendArgs:
    """Inputs of :class:`StateBackend`.

    Attributes:
        resource_group_name: Resource group of the account.
        location: Azure region.
        account_name: Storage account name (globally unique).
        container_name: Blob container that holds the state.
        soft_delete_days: Days a deleted blob, blob version or container stays recoverable.
        allowed_ip_ranges: Firewall allow list; empty leaves the network open and Entra ID as
            the only gate (GitHub-hosted runners have no stable addresses).
        tags: Tags of the account.
    """

    resource_group_name: pulumi.Input[str]
    location: pulumi.Input[str]
    account_name: str
    container_name: str
    soft_delete_days: int
    allowed_ip_ranges: Sequence[str] = ()
    tags: Mapping[str, str] = field(default_factory=dict)


class StateBackend(pulumi.ComponentResource):
    """Every state blob versioned and soft-deleted; the account Entra-ID-only, locked,
    protected and kept on destroy: losing it loses every stack's record of what it owns.

    Attributes:
        account: The ``storage.StorageAccount``.
        container: The ``storage.BlobContainer``.
        container_id: ARM id of the container (the state scope of the role assignments).
        backend_url: The ``azblob://`` URL for ``pulumi login`` / ``PULUMI_BACKEND_URL``.
    """

    def __init__(
        self, name: str, args: StateBackendArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        super().__init__("aks-rwx-training-bootstrap:delivery:StateBackend", name, None, opts)
        kept = pulumi.ResourceOptions(parent=self, protect=True, retain_on_delete=True)
        self.account = storage.StorageAccount(
            f"{name}-account",
            account_name=args.account_name,
            resource_group_name=args.resource_group_name,
            location=args.location,
            kind="StorageV2",
            sku=storage.SkuArgs(name="Standard_ZRS"),
            enable_https_traffic_only=True,
            minimum_tls_version="TLS1_2",
            allow_blob_public_access=False,
            allow_cross_tenant_replication=False,
            # Entra ID only: the identities' data-plane roles are the one way in.
            allow_shared_key_access=False,
            default_to_o_auth_authentication=True,
            network_rule_set=storage.NetworkRuleSetArgs(
                default_action=(
                    storage.DefaultAction.DENY
                    if args.allowed_ip_ranges
                    else storage.DefaultAction.ALLOW
                ),
                bypass="AzureServices",
                ip_rules=[
                    storage.IPRuleArgs(i_p_address_or_range=ip_range, action=storage.Action.ALLOW)
                    for ip_range in args.allowed_ip_ranges
                ],
            ),
            tags=dict(args.tags),
            opts=kept,
        )
        retention = storage.DeleteRetentionPolicyArgs(enabled=True, days=args.soft_delete_days)
        self.blob_service = storage.BlobServiceProperties(
            f"{name}-blob-service",
            account_name=self.account.name,
            resource_group_name=args.resource_group_name,
            blob_services_name="default",
            is_versioning_enabled=True,
            delete_retention_policy=retention,
            container_delete_retention_policy=retention,
            opts=kept,
        )
        self.container = storage.BlobContainer(
            f"{name}-container",
            account_name=self.account.name,
            resource_group_name=args.resource_group_name,
            container_name=args.container_name,
            public_access=storage.PublicAccess.NONE,
            opts=pulumi.ResourceOptions.merge(
                kept, pulumi.ResourceOptions(depends_on=[self.blob_service])
            ),
        )
        self.lock = authorization.ManagementLockByScope(
            f"{name}-lock",
            scope=self.account.id,
            level="CanNotDelete",
            lock_name=f"{args.account_name}-cannot-delete",
            notes="Pulumi state of every stack: never delete this account.",
            opts=pulumi.ResourceOptions(parent=self),
        )
        self.container_id: pulumi.Output[str] = self.container.id
        # Pulumi's DIY backend on Azure Blob Storage, authenticated by the Azure SDK's default
        # credential (www.pulumi.com/docs/iac/concepts/state-and-backends/, Azure Blob Storage).
        self.backend_url: pulumi.Output[str] = pulumi.Output.concat(
            "azblob://", args.container_name, "?storage_account=", self.account.name
        )
        self.register_outputs({"backendUrl": self.backend_url, "containerId": self.container_id})
