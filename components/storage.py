"""SharedStorage: the Azure Files storage account and shares that back the RWX volumes."""

from __future__ import annotations

import re
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Literal, Protocol

import pulumi
from pulumi_azure_native import authorization, storage

from azure_facts.files import BillingModel, Redundancy, account_sku
from components.sizing import SharePerformance

FileProtocol = Literal["smb", "nfs"]

# \A...\Z, never ^...$: `$` also matches before a trailing newline, which Azure rejects.
ACCOUNT_NAME_RE = re.compile(r"\A[a-z0-9]{3,24}\Z")
# Share names: 3-63 chars, lowercase letters, digits and single hyphens, no leading/trailing hyphen.
SHARE_NAME_RE = re.compile(r"\A(?=.{3,63}\Z)[a-z0-9](?:[a-z0-9]|-(?!-))*[a-z0-9]\Z")

# SMB hardening: no SMB 2.1 (it has no encryption), no NTLMv1, no RC4 Kerberos tickets.
# SMB 3.0 stays allowed for older node kernels; it only speaks AES-128-CCM, hence that cipher.
SMB_VERSIONS = "SMB3.0;SMB3.1.1"
SMB_CHANNEL_ENCRYPTION = "AES-128-CCM;AES-128-GCM;AES-256-GCM"
# NTLMv2 stays enabled: the CSI driver mounts with the storage account key over NTLMv2.
SMB_AUTHENTICATION_METHODS = "NTLMv2;Kerberos"
SMB_KERBEROS_TICKET_ENCRYPTION = "AES-256"

# The one action the Azure Files CSI driver needs to mount an SMB share of a static PV that
# names no secret: it lists the account key with the kubelet identity (storage_account.go's
# GetStorageAccesskey calls ListKeys, nothing else; kubernetes-sigs/azurefile-csi-driver
# docs/driver-parameters.md, "Tips": "the driver will use the kubelet identity to obtain the
# account key during volume mount"). No built-in role holds only it (Storage Account Key
# Operator Service Role also regenerates keys), so the bootstrap defines this custom role
# (bootstrap/__main__.py), assignable in each environment's resource group; the program
# assigns it on the storage account alone (KubeletKeyAccess), and the deploy identity may
# assign no other role there (the condition in bootstrap/delivery/roles.py).
KEY_READER_ROLE_ID = "50596c25-12fc-466f-a40e-51d16867531c"
KEY_READER_ROLE_NAME = "aks-rwx-training kubelet storage key reader"
KEY_READER_ACTIONS = ("Microsoft.Storage/storageAccounts/listKeys/action",)
_KEY_READER_NAMESPACE = uuid.UUID("5f468245-bc7f-4a71-93b8-3062679351d9")


@dataclass(frozen=True)
class ShareSpec:
    """One file share: its name and what it gets under the account's billing model, as
    :func:`components.sizing.resolve_share` resolved it from the volume's declaration (once,
    in ``stacks/config.py``): the quota, and on provisioned v2 the IOPS and throughput the
    share provisions.
    """

    name: str
    performance: SharePerformance


class StorageSettings(Protocol):
    """What the stack's storage keys set, as stacks/config.py ``StorageConfig`` declares and
    validates them (the account name, a billing model the region offers with the redundancy,
    NFS on SSD only, soft delete 1-365 days, public IPv4 firewall rules, none of them with the
    private endpoint): the program hands that sub-model over whole.

    ``file_billing_model`` with ``storage_redundancy`` decides the account's kind and SKU
    (``FileStorage`` + ``PremiumV2_*``, ``StandardV2_*`` or ``Premium_*``; pay-as-you-go
    ``StorageV2`` + ``Standard_*`` with large file shares). ``file_protocol`` ``nfs`` has no
    in-transit encryption and relies on subnet isolation. ``storage_private_endpoint`` turns the
    public endpoint off (:mod:`components.private_endpoint` adds the private one), and with it
    the firewall rules. ``lock_storage`` adds a ``CanNotDelete`` lock on the account.
    """

    @property
    def storage_account_name(self) -> str: ...
    @property
    def file_billing_model(self) -> BillingModel: ...
    @property
    def storage_redundancy(self) -> Redundancy: ...
    @property
    def file_protocol(self) -> FileProtocol: ...
    @property
    def share_soft_delete_days(self) -> int: ...
    @property
    def storage_private_endpoint(self) -> bool: ...
    @property
    def allowed_ip_ranges(self) -> Sequence[str]: ...
    @property
    def lock_storage(self) -> bool: ...


@dataclass(frozen=True)
class SharedStorageArgs:
    """Inputs of :class:`SharedStorage`.

    Attributes:
        resource_group_name: Resource group the account lives in.
        location: Azure region.
        storage: The account's settings (:class:`StorageSettings`).
        shares: The file shares to create, resolved under ``storage.file_billing_model``.
        allowed_subnet_ids: Subnets allowed through the account firewall (service endpoint
            ``Microsoft.Storage`` required on each): the node subnet and the stack's extra ones.
        protect: Mark account, file service and shares ``protect`` + ``retain_on_delete``.
        nfs_root_squash: Root squash for NFS shares; ``RootSquash`` (default) maps client root
            to nobody so a compromised pod running as root cannot own every file.
        tags: Tags applied to the account.
    """

    resource_group_name: pulumi.Input[str]
    location: pulumi.Input[str]
    storage: StorageSettings
    shares: Sequence[ShareSpec]
    allowed_subnet_ids: Sequence[str]
    protect: bool = True
    nfs_root_squash: Literal["RootSquash", "NoRootSquash", "AllSquash"] = "RootSquash"
    tags: Mapping[str, str] = field(default_factory=dict)


class SharedStorage(pulumi.ComponentResource):
    """Storage account + file service properties + one file share per volume (+ lock).

    Outputs (attributes):
        account: The ``storage.StorageAccount``.
        account_name: Its name (``pulumi.Output[str]``).
        account_id: Its ARM id.
        resource_group_name: The resource group (as given).
        file_service: The ``storage.FileServiceProperties``.
        shares: ``share name -> storage.FileShare``.
        sku: The account SKU (``PremiumV2_ZRS``, ...).
        lock: The ``CanNotDelete`` lock, or ``None``.
    """

    lock: authorization.ManagementLockByScope | None

    def __init__(
        self,
        name: str,
        args: SharedStorageArgs,
        opts: pulumi.ResourceOptions | None = None,
    ) -> None:
        super().__init__("aks-rwx-training:storage:SharedStorage", name, None, opts)

        settings = args.storage
        model = settings.file_billing_model
        self.sku = account_sku(model, settings.storage_redundancy)
        nfs = settings.file_protocol == "nfs"
        data_opts = pulumi.ResourceOptions(
            parent=self, protect=args.protect, retain_on_delete=args.protect
        )

        self.account = storage.StorageAccount(
            f"{name}-account",
            account_name=settings.storage_account_name,
            resource_group_name=args.resource_group_name,
            location=args.location,
            kind=model.account_kind,
            sku=storage.SkuArgs(name=self.sku),
            # NFS on Azure Files has no in-transit encryption, and the service refuses NFS
            # mounts while "secure transfer required" is on; SMB always requires HTTPS/SMB3
            # encryption.
            enable_https_traffic_only=not nfs,
            minimum_tls_version="TLS1_2",
            allow_blob_public_access=False,
            allow_cross_tenant_replication=False,
            # Shared keys stay enabled: the Azure Files CSI driver mounts SMB shares with the
            # account key, which it lists on the node with the kubelet identity
            # (KubeletKeyAccess); nobody else holds listKeys, and the firewall below keeps the
            # key useless outside the allowed networks. Managed-identity SMB mounts
            # (mountWithManagedIdentity) would remove the key: see SECURITY.md for why not yet.
            allow_shared_key_access=True,
            default_to_o_auth_authentication=True,
            # Enabled: reachable only through the firewall rules below; Disabled: only through
            # the private endpoint.
            public_network_access="Disabled" if settings.storage_private_endpoint else "Enabled",
            network_rule_set=storage.NetworkRuleSetArgs(
                default_action=storage.DefaultAction.DENY,
                bypass="AzureServices",
                virtual_network_rules=[
                    storage.VirtualNetworkRuleArgs(
                        virtual_network_resource_id=subnet_id, action=storage.Action.ALLOW
                    )
                    for subnet_id in args.allowed_subnet_ids
                ],
                ip_rules=[
                    storage.IPRuleArgs(i_p_address_or_range=ip_range, action=storage.Action.ALLOW)
                    for ip_range in settings.allowed_ip_ranges
                ],
            ),
            large_file_shares_state=None if model.provisioned else "Enabled",
            tags=dict(args.tags),
            opts=data_opts,
        )
        self.account_name: pulumi.Output[str] = self.account.name
        self.account_id: pulumi.Output[str] = self.account.id
        self.resource_group_name = args.resource_group_name

        self.file_service = storage.FileServiceProperties(
            f"{name}-file-service",
            account_name=self.account.name,
            resource_group_name=args.resource_group_name,
            file_services_name="default",
            share_delete_retention_policy=storage.DeleteRetentionPolicyArgs(
                enabled=True, days=settings.share_soft_delete_days
            ),
            protocol_settings=None
            if nfs
            else storage.ProtocolSettingsArgs(
                smb=storage.SmbSettingArgs(
                    versions=SMB_VERSIONS,
                    channel_encryption=SMB_CHANNEL_ENCRYPTION,
                    authentication_methods=SMB_AUTHENTICATION_METHODS,
                    kerberos_ticket_encryption=SMB_KERBEROS_TICKET_ENCRYPTION,
                )
            ),
            opts=data_opts,
        )

        self.shares: dict[str, storage.FileShare] = {}
        for spec in args.shares:
            perf = spec.performance
            self.shares[spec.name] = storage.FileShare(
                f"{name}-share-{spec.name}",
                account_name=self.account.name,
                resource_group_name=args.resource_group_name,
                share_name=spec.name,
                share_quota=perf.quota_gib,
                # Only v2 shares take these; Azure derives v1 performance from the quota.
                provisioned_iops=perf.provisioned_iops,
                provisioned_bandwidth_mibps=perf.provisioned_mibps,
                enabled_protocols="NFS" if nfs else "SMB",
                root_squash=args.nfs_root_squash if nfs else None,
                access_tier=None if model.provisioned else "TransactionOptimized",
                opts=pulumi.ResourceOptions.merge(
                    data_opts, pulumi.ResourceOptions(depends_on=[self.file_service])
                ),
            )

        self.lock = None
        if settings.lock_storage:
            self.lock = authorization.ManagementLockByScope(
                f"{name}-lock",
                scope=self.account.id,
                level="CanNotDelete",
                lock_name=f"{settings.storage_account_name}-cannot-delete",
                notes="Training datasets and checkpoints: remove lockStorage in the stack "
                "config (reviewed change) before deleting this account.",
                opts=pulumi.ResourceOptions(parent=self),
            )

        self.register_outputs(
            {
                "accountName": self.account_name,
                "accountId": self.account_id,
                "billingModel": str(model),
                "sku": self.sku,
                "shareNames": sorted(self.shares),
                "shareQuotasGiB": {s.name: s.performance.quota_gib for s in args.shares},
            }
        )


@dataclass(frozen=True)
class KubeletKeyAccessArgs:
    """Inputs of :class:`KubeletKeyAccess`.

    Attributes:
        account_id: ARM id of the storage account (the assignment's only scope).
        account_name: Its name (for a stable assignment name).
        cluster_name: The cluster whose kubelet identity mounts the shares.
        kubelet_principal_id: Object id of that kubelet identity.
    """

    account_id: pulumi.Input[str]
    account_name: str
    cluster_name: str
    kubelet_principal_id: pulumi.Input[str]


class KubeletKeyAccess(pulumi.ComponentResource):
    """The kubelet identity's right to list the account's keys, on the account alone.

    Attributes:
        assignment: The ``authorization.RoleAssignment`` of :data:`KEY_READER_ROLE_ID`.
    """

    def __init__(
        self, name: str, args: KubeletKeyAccessArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        super().__init__("aks-rwx-training:storage:KubeletKeyAccess", name, None, opts)
        role_definition_id = pulumi.Output.from_input(args.account_id).apply(
            lambda account_id: (
                f"/subscriptions/{account_id.split('/')[2]}/providers/"
                f"Microsoft.Authorization/roleDefinitions/{KEY_READER_ROLE_ID}"
            )
        )
        self.assignment = authorization.RoleAssignment(
            f"{name}-key-reader",
            role_assignment_name=str(
                uuid.uuid5(_KEY_READER_NAMESPACE, f"{args.cluster_name}|{args.account_name}")
            ),
            scope=args.account_id,
            role_definition_id=role_definition_id,
            principal_id=args.kubelet_principal_id,
            principal_type="ServicePrincipal",
            description=f"AKS {args.cluster_name}'s kubelet mounts the SMB shares of "
            f"{args.account_name}",
            opts=pulumi.ResourceOptions(parent=self, delete_before_replace=True),
        )
        self.register_outputs({"roleAssignmentId": self.assignment.id})
