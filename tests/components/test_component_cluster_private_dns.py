"""TrainingCluster: how a private API server's name resolves (public FQDN, private DNS zone)."""

from __future__ import annotations

from test_component_cluster import CLUSTER, IDENTITY_ID, deploy

ZONE_ID = (
    "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg-dns/providers/"
    "Microsoft.Network/privateDnsZones/aks.privatelink.westeurope.azmk8s.io"
)


def test_a_zone_you_bring_reaches_the_access_profile() -> None:
    cluster = deploy(
        private_dns_zone=ZONE_ID,
        private_cluster_public_fqdn=True,
        user_assigned_identity_id=IDENTITY_ID,
    ).one(CLUSTER)
    profile = cluster.inputs["apiServerAccessProfile"]
    assert profile == {
        "enablePrivateCluster": True,
        "enablePrivateClusterPublicFQDN": True,
        "privateDNSZone": ZONE_ID,
    }
