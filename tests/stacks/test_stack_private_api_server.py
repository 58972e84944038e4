"""How a private API server's name resolves: the public FQDN and the private DNS zone."""

from __future__ import annotations

from typing import Any

import pytest
from stack_harness import PROJECT, config_error, run_stack

ZONES = (
    "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg-dns/providers/"
    "Microsoft.Network/privateDnsZones"
)
IDENTITY = (
    "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg-identity/providers/"
    "Microsoft.ManagedIdentity/userAssignedIdentities/id-aks-prod"
)

CASES: list[tuple[str, str, dict[str, Any], str]] = [
    (
        "public-fqdn-on-a-public-cluster",
        "dev",
        {"privateClusterPublicFqdn": True},
        "privateClusterPublicFqdn' only applies to a private API server but privateCluster is "
        "false; remove it or set privateCluster: true",
    ),
    (
        "zone-on-a-public-cluster",
        "dev",
        {"privateDnsZone": "none"},
        "privateDnsZone' only applies to a private API server but privateCluster is false; "
        "remove it or set privateCluster: true",
    ),
    (
        "no-zone-and-no-public-fqdn",
        "prod",
        {"privateDnsZone": "none"},
        "privateDnsZone' is 'none' (no private zone) but privateClusterPublicFqdn is false, "
        "which AKS does not support: nothing would resolve the API server; set "
        "privateClusterPublicFqdn: true or use 'system' or a zone id",
    ),
    (
        "zone-with-a-wrong-name",
        "prod",
        {"privateDnsZone": f"{ZONES}/example.com"},
        "privateDnsZone' must be 'system', 'none' or a private DNS zone resource id "
        "'/subscriptions/<guid>/resourceGroups/<rg>/providers/Microsoft.Network/privateDnsZones/"
        "[<subzone>.]privatelink.<region>.azmk8s.io' (got '/subscriptions/00000000-0000-0000-"
        "0000-000000000000/resourceGroups/rg-dns/pr...)",
    ),
    (
        "subzone-too-long",
        "prod",
        {"privateDnsZone": f"{ZONES}/{'a' * 33}.privatelink.westeurope.azmk8s.io"},
        "privateDnsZone' must be 'system', 'none' or a private DNS zone resource id "
        "'/subscriptions/<guid>/resourceGroups/<rg>/providers/Microsoft.Network/privateDnsZones/"
        "[<subzone>.]privatelink.<region>.azmk8s.io' (got '/subscriptions/00000000-0000-0000-"
        "0000-000000000000/resourceGroups/rg-dns/pr...)",
    ),
    (
        "zone-of-another-region",
        "prod",
        {
            "privateDnsZone": f"{ZONES}/privatelink.northeurope.azmk8s.io",
            "userAssignedIdentityId": IDENTITY,
        },
        "privateDnsZone' is a zone for region 'northeurope' but location is 'westeurope'; "
        "bring a privatelink.westeurope.azmk8s.io zone",
    ),
    (
        "own-zone-with-a-system-assigned-identity",
        "prod",
        {"privateDnsZone": f"{ZONES}/privatelink.westeurope.azmk8s.io"},
        "privateDnsZone' is a zone you bring, which AKS supports only with a user-assigned "
        "control-plane identity: set userAssignedIdentityId (it needs Private DNS Zone "
        "Contributor on the zone and Network Contributor on nodeSubnetId)",
    ),
]


@pytest.mark.parametrize(
    ("stack", "overrides", "expected"),
    [case[1:] for case in CASES],
    ids=[case[0] for case in CASES],
)
def test_bad_private_dns_config_is_one_exact_line(
    stack: str, overrides: dict[str, Any], expected: str
) -> None:
    message = config_error(stack, overrides)
    assert message == f"stacks/Pulumi.{stack}.yaml: config key '{PROJECT}:{expected}"


def _access_profile(stack: str, overrides: dict[str, Any]) -> dict[str, Any]:
    result = run_stack(stack, overrides)
    result.raise_error()
    return result.one("azure-native:containerservice:ManagedCluster").inputs[
        "apiServerAccessProfile"
    ]


def test_by_default_a_private_cluster_has_aks_zone_and_no_public_name() -> None:
    profile = _access_profile("prod", {})
    assert profile["enablePrivateCluster"] is True
    assert profile["enablePrivateClusterPublicFQDN"] is False
    assert profile["privateDNSZone"] == "system"


def test_public_dns_only() -> None:
    profile = _access_profile("prod", {"privateDnsZone": "none", "privateClusterPublicFqdn": True})
    assert profile["enablePrivateClusterPublicFQDN"] is True
    assert profile["privateDNSZone"] == "none"


@pytest.mark.parametrize(
    "zone", ["privatelink.westeurope.azmk8s.io", "aks-prod.privatelink.westeurope.azmk8s.io"]
)
def test_a_zone_you_bring_with_a_user_assigned_identity(zone: str) -> None:
    result = run_stack(
        "prod", {"privateDnsZone": f"{ZONES}/{zone}", "userAssignedIdentityId": IDENTITY}
    )
    result.raise_error()
    cluster = result.one("azure-native:containerservice:ManagedCluster")
    assert cluster.inputs["apiServerAccessProfile"]["privateDNSZone"] == f"{ZONES}/{zone}"
    assert cluster.inputs["identity"]["type"] == "UserAssigned"
    # The identity is the operator's: its roles on the zone and the subnet are granted
    # beforehand, so the program assigns it none; the one assignment left is the kubelet
    # identity's (AKS still creates that one) listKeys on the storage account, beside the
    # teams' groups' roles on their namespaces (components/teams.py), which are not the cluster's.
    assert [
        r.name
        for r in result.by_type("azure-native:authorization:RoleAssignment")
        if not r.name.startswith("teams-")
    ] == ["kubelet-key-access-key-reader"]
