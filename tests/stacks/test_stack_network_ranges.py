"""Pod, Service and node subnet ranges (issue 11): configurable, set on the cluster, checked
before any resource (pairwise disjoint, dnsServiceIp a usable address of serviceCidr); issue 26:
none in a range AKS reserves or in special-purpose space, a service range Kubernetes accepts."""

from __future__ import annotations

from typing import Any

import pytest
from stack_harness import PROJECT, config_error, run_stack, stack_file, unchanged_run

CLUSTER = "azure-native:containerservice:ManagedCluster"

CASES: list[tuple[str, str, dict[str, Any], str, str]] = [
    (
        "service-overlaps-pods",
        "dev",
        {"serviceCidr": "10.244.128.0/20", "dnsServiceIp": "10.244.128.10"},
        "stacks/Pulumi.dev.yaml",
        "serviceCidr' overlaps podCidr ('10.244.0.0/16') (got '10.244.128.0/20'); Service and "
        "pod addresses must not collide: choose ranges that do not overlap",
    ),
    (
        "pods-overlap-node-subnet",
        "dev",
        {"nodeSubnetCidr": "10.244.16.0/20"},
        "stacks/Pulumi.dev.yaml",
        "podCidr' overlaps nodeSubnetCidr ('10.244.16.0/20') (got '10.244.0.0/16'); with Azure "
        "CNI overlay the pod range must lie outside the virtual network: choose ranges that do "
        "not overlap",
    ),
    (
        "vnet-holding-both-ranges-names-the-pod-range-first",
        "dev",
        {"nodeSubnetCidr": "10.0.0.0/8"},
        "stacks/Pulumi.dev.yaml",
        "podCidr' overlaps nodeSubnetCidr ('10.0.0.0/8') (got '10.244.0.0/16'); with Azure CNI "
        "overlay the pod range must lie outside the virtual network: choose ranges that do not "
        "overlap",
    ),
    (
        "service-inside-a-10-vnet",
        "dev",
        {"nodeSubnetCidr": "10.0.0.0/20"},
        "stacks/Pulumi.dev.yaml",
        "serviceCidr' overlaps nodeSubnetCidr ('10.0.0.0/20') (got '10.0.0.0/16'); AKS rejects "
        "a service range inside the cluster's virtual network: choose ranges that do not overlap",
    ),
    (
        "dns-outside-service-range",
        "dev",
        {"serviceCidr": "172.16.0.0/16"},
        "stacks/Pulumi.dev.yaml",
        "dnsServiceIp' must be inside serviceCidr ('172.16.0.0/16') (got '10.0.0.10'); pick an "
        "address of that range other than its first",
    ),
    (
        "dns-is-the-network-address",
        "dev",
        {"dnsServiceIp": "10.0.0.0"},
        "stacks/Pulumi.dev.yaml",
        "dnsServiceIp' must not be its network address, which Kubernetes never allocates "
        "(serviceCidr '10.0.0.0/16') (got '10.0.0.0'); pick another address of that range",
    ),
    (
        # Issue 26: the kubernetes API Service holds .1, not the network address.
        "dns-is-the-kubernetes-service-address",
        "dev",
        {"dnsServiceIp": "10.0.0.1"},
        "stacks/Pulumi.dev.yaml",
        "dnsServiceIp' must not be its first address, which Kubernetes gives to the kubernetes "
        "API Service (serviceCidr '10.0.0.0/16') (got '10.0.0.1'); pick another address of "
        "that range",
    ),
    (
        "dns-is-the-broadcast-address",
        "prod",
        {"dnsServiceIp": "172.16.255.255"},
        "stacks/Pulumi.prod.yaml",
        "dnsServiceIp' must not be its broadcast address, which Kubernetes never allocates "
        "(serviceCidr '172.16.0.0/16') (got '172.16.255.255'); pick another address of that "
        "range",
    ),
    (
        "service-range-aks-reserves",
        "prod",
        {"serviceCidr": "172.31.0.0/16", "dnsServiceIp": "172.31.0.10"},
        "stacks/Pulumi.prod.yaml",
        "serviceCidr' overlaps 172.31.0.0/16, which AKS reserves (it cannot be used for the "
        "service, pod or virtual network range) (got '172.31.0.0/16'); choose another range",
    ),
    (
        "service-range-holding-a-reserved-one",
        "prod",
        {"serviceCidr": "192.0.0.0/16", "dnsServiceIp": "192.0.0.10"},
        "stacks/Pulumi.prod.yaml",
        "serviceCidr' overlaps 192.0.2.0/24, which AKS reserves (it cannot be used for the "
        "service, pod or virtual network range) (got '192.0.0.0/16'); choose another range",
    ),
    (
        "pod-range-aks-reserves",
        "prod",
        {"podCidr": "172.30.0.0/16"},
        "stacks/Pulumi.prod.yaml",
        "podCidr' overlaps 172.30.0.0/16, which AKS reserves (it cannot be used for the "
        "service, pod or virtual network range) (got '172.30.0.0/16'); choose another range",
    ),
    (
        "node-subnet-aks-reserves",
        "prod",
        {"nodeSubnetCidr": "172.31.4.0/22"},
        "stacks/Pulumi.prod.yaml",
        "nodeSubnetCidr' overlaps 172.31.0.0/16, which AKS reserves (it cannot be used for the "
        "service, pod or virtual network range) (got '172.31.4.0/22'); choose another range",
    ),
    (
        "service-range-a-slash-8",
        "dev",
        {"serviceCidr": "10.0.0.0/8"},
        "stacks/Pulumi.dev.yaml",
        "serviceCidr' is a /8 (got '10.0.0.0/8'); it must be a /12 to /24: Kubernetes refuses "
        "a larger IPv4 service range, and a smaller one leaves too few Service addresses",
    ),
    (
        "service-range-a-slash-30",
        "dev",
        {"serviceCidr": "10.0.0.0/30", "dnsServiceIp": "10.0.0.2"},
        "stacks/Pulumi.dev.yaml",
        "serviceCidr' is a /30 (got '10.0.0.0/30'); it must be a /12 to /24: Kubernetes refuses "
        "a larger IPv4 service range, and a smaller one leaves too few Service addresses",
    ),
    (
        "pod-range-loopback",
        "dev",
        {"podCidr": "127.0.0.0/16"},
        "stacks/Pulumi.dev.yaml",
        "podCidr' is in loopback address space, which no pod or Service can use (got "
        "'127.0.0.0/16'); choose a private range like '10.244.0.0/16'",
    ),
    (
        "pod-range-multicast",
        "dev",
        {"podCidr": "224.0.0.0/16"},
        "stacks/Pulumi.dev.yaml",
        "podCidr' is in multicast address space, which no pod or Service can use (got "
        "'224.0.0.0/16'); choose a private range like '10.244.0.0/16'",
    ),
    (
        "pod-range-link-local",
        "dev",
        {"podCidr": "169.254.0.0/16"},
        "stacks/Pulumi.dev.yaml",
        "podCidr' is in link-local address space, which no pod or Service can use (got "
        "'169.254.0.0/16'); choose a private range like '10.244.0.0/16'",
    ),
    (
        "service-range-reserved-class-e",
        "dev",
        {"serviceCidr": "240.0.0.0/16", "dnsServiceIp": "240.0.0.10"},
        "stacks/Pulumi.dev.yaml",
        "serviceCidr' is in reserved address space, which no pod or Service can use (got "
        "'240.0.0.0/16'); choose a private range like '10.244.0.0/16'",
    ),
    (
        "pod-cidr-with-host-bits",
        "dev",
        {"podCidr": "10.244.0.1/16"},
        "stacks/Pulumi.dev.yaml",
        "podCidr' must be an IPv4 network CIDR like '10.244.0.0/16' (no host bits set) "
        "(got '10.244.0.1/16')",
    ),
    (
        "service-cidr-bare-address",
        "dev",
        {"serviceCidr": "10.0.0.0"},
        "stacks/Pulumi.dev.yaml",
        "serviceCidr' must be an IPv4 network CIDR like '10.244.0.0/16' (no host bits set) "
        "(got '10.0.0.0')",
    ),
    (
        "dns-not-an-address",
        "dev",
        {"dnsServiceIp": "kube-dns"},
        "stacks/Pulumi.dev.yaml",
        "dnsServiceIp' must be an IPv4 address like '10.0.0.10' (got 'kube-dns')",
    ),
    (
        "node-subnet-not-a-cidr",
        "prod",
        {"nodeSubnetCidr": "10.240.0.0/33"},
        "stacks/Pulumi.prod.yaml",
        "nodeSubnetCidr' must be empty (not checked) or an IPv4 network CIDR like "
        "'10.244.0.0/16' (no host bits set) (got '10.240.0.0/33')",
    ),
]


@pytest.mark.parametrize(
    ("stack", "overrides", "where", "expected"),
    [case[1:] for case in CASES],
    ids=[case[0] for case in CASES],
)
def test_bad_ranges_are_one_exact_line_and_register_nothing(
    stack: str, overrides: dict[str, Any], where: str, expected: str
) -> None:
    assert config_error(stack, overrides) == f"{where}: config key '{PROJECT}:{expected}"


@pytest.mark.parametrize(
    ("stack", "ranges"),
    [
        ("dev", ("10.244.0.0/16", "10.0.0.0/16", "10.0.0.10")),  # the Pulumi.yaml defaults
        ("staging", ("172.18.0.0/16", "172.16.0.0/16", "172.16.0.10")),
        ("prod", ("172.18.0.0/16", "172.16.0.0/16", "172.16.0.10")),
    ],
)
def test_the_ranges_reach_the_network_profile(stack: str, ranges: tuple[str, str, str]) -> None:
    result = unchanged_run(stack)
    result.raise_error()
    network = result.one(CLUSTER).inputs["networkProfile"]
    assert (network["podCidr"], network["serviceCidr"], network["dnsServiceIP"]) == ranges


def test_a_10_x_vnet_works_with_other_ranges() -> None:
    overrides = {
        "nodeSubnetCidr": "10.0.0.0/16",
        "podCidr": "192.168.0.0/16",
        "serviceCidr": "172.16.0.0/16",
        "dnsServiceIp": "172.16.0.10",
    }
    result = run_stack("prod", overrides)
    result.raise_error()
    network = result.one(CLUSTER).inputs["networkProfile"]
    assert (network["podCidr"], network["serviceCidr"], network["dnsServiceIP"]) == (
        "192.168.0.0/16",
        "172.16.0.0/16",
        "172.16.0.10",
    )


@pytest.mark.parametrize("stack", ["staging", "prod"])
def test_staging_and_prod_name_their_node_subnet_range(stack: str) -> None:
    config = stack_file(stack)["config"]
    assert f"{PROJECT}:nodeSubnetCidr" in config
