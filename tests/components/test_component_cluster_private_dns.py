"""TrainingCluster: how a private API server's name resolves (public FQDN, private DNS zone)."""

from __future__ import annotations

from typing import Any

import pytest
from test_component_cluster import CLUSTER, IDENTITY_ID, assert_rejected, deploy

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


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"private_dns_zone": "custom"}, "private_dns_zone must be 'system', 'none' or the id"),
        (
            {
                "private_cluster": False,
                "authorized_ip_ranges": ["203.0.113.0/24"],
                "private_cluster_public_fqdn": True,
            },
            "only apply to a private cluster",
        ),
        ({"private_dns_zone": "none"}, "'none' needs private_cluster_public_fqdn"),
        ({"private_dns_zone": ZONE_ID}, "needs user_assigned_identity_id"),
    ],
)
def test_invalid_private_dns_fails_before_anything_is_registered(
    overrides: dict[str, Any], message: str
) -> None:
    assert_rejected(message, **overrides)
