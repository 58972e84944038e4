"""StoragePrivateEndpoint: the storage account's file service reached at a private address.

A private endpoint for the ``file`` sub-resource in the node subnet, the
``privatelink.file.core.windows.net`` private DNS zone linked to the node VNet, and a DNS zone
group that keeps the endpoint's A record in that zone. The nodes then resolve
``<account>.file.core.windows.net`` (a CNAME to ``<account>.privatelink.file.core.windows.net``)
to the endpoint's address, so SMB/NFS traffic never leaves the VNet
(https://learn.microsoft.com/azure/storage/common/storage-private-endpoints,
https://learn.microsoft.com/azure/private-link/private-endpoint-dns#storage).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

import pulumi
from pulumi_azure_native import network, privatedns

from components.cluster import SUBNET_ID_RE

FILE_PRIVATE_DNS_ZONE = "privatelink.file.core.windows.net"
FILE_GROUP_ID = "file"


def vnet_of(subnet_id: str) -> str:
    """The virtual network id of a subnet id."""
    if not SUBNET_ID_RE.match(subnet_id):
        raise ValueError(f"subnet_id must be a subnet resource id (got {subnet_id!r})")
    return subnet_id.rsplit("/subnets/", 1)[0]


@dataclass(frozen=True)
class StoragePrivateEndpointArgs:
    """Inputs of :class:`StoragePrivateEndpoint`.

    Attributes:
        resource_group_name: Resource group of the endpoint and the DNS zone.
        location: Azure region of the endpoint (the subnet's).
        account_name: The storage account's name (names the endpoint).
        account_id: The storage account's ARM id.
        subnet_id: Subnet the endpoint's address comes from (the node subnet); its VNet is
            linked to the DNS zone.
        tags: Tags for the endpoint, the zone and the link.
    """

    resource_group_name: pulumi.Input[str]
    location: pulumi.Input[str]
    account_name: str
    account_id: pulumi.Input[str]
    subnet_id: str
    tags: Mapping[str, str] = field(default_factory=dict)


class StoragePrivateEndpoint(pulumi.ComponentResource):
    """Private endpoint (file) + private DNS zone + VNet link + DNS zone group.

    Outputs (attributes):
        endpoint: The ``network.PrivateEndpoint``.
        zone: The ``privatedns.PrivateZone``.
    """

    def __init__(
        self,
        name: str,
        args: StoragePrivateEndpointArgs,
        opts: pulumi.ResourceOptions | None = None,
    ) -> None:
        vnet_id = vnet_of(args.subnet_id)
        super().__init__("aks-rwx-training:storage:StoragePrivateEndpoint", name, None, opts)
        child = pulumi.ResourceOptions(parent=self)

        self.zone = privatedns.PrivateZone(
            f"{name}-zone",
            private_zone_name=FILE_PRIVATE_DNS_ZONE,
            resource_group_name=args.resource_group_name,
            location="global",  # private DNS zones are global resources
            tags=dict(args.tags),
            opts=child,
        )
        self.vnet_link = privatedns.VirtualNetworkLink(
            f"{name}-vnet-link",
            private_zone_name=self.zone.name,
            resource_group_name=args.resource_group_name,
            virtual_network_link_name=f"{vnet_id.rsplit('/', 1)[1]}-link",
            virtual_network=privatedns.SubResourceArgs(id=vnet_id),
            # The nodes only resolve through the zone; they register nothing in it.
            registration_enabled=False,
            location="global",
            tags=dict(args.tags),
            opts=child,
        )
        self.endpoint = network.PrivateEndpoint(
            f"{name}-endpoint",
            private_endpoint_name=f"pe-{args.account_name}-file",
            resource_group_name=args.resource_group_name,
            location=args.location,
            # A plain reference: SubnetArgs would add its own defaults for the subnet's
            # network policies to what is only a pointer at an existing subnet.
            subnet={"id": args.subnet_id},
            private_link_service_connections=[
                network.PrivateLinkServiceConnectionArgs(
                    name=f"{args.account_name}-file",
                    private_link_service_id=args.account_id,
                    group_ids=[FILE_GROUP_ID],
                )
            ],
            tags=dict(args.tags),
            opts=child,
        )
        self.zone_group = network.PrivateDnsZoneGroup(
            f"{name}-dns",
            private_endpoint_name=self.endpoint.name,
            resource_group_name=args.resource_group_name,
            private_dns_zone_group_name="default",
            private_dns_zone_configs=[
                network.PrivateDnsZoneConfigArgs(
                    name=FILE_PRIVATE_DNS_ZONE.replace(".", "-"), private_dns_zone_id=self.zone.id
                )
            ],
            opts=pulumi.ResourceOptions(parent=self, depends_on=[self.vnet_link]),
        )
        self.register_outputs(
            {"privateEndpointId": self.endpoint.id, "privateDnsZoneId": self.zone.id}
        )
