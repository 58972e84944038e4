"""Which resource providers and preview features a stack's plan needs registered, and whether
the bootstrap registers them.

A subscription can create a resource only once its resource provider namespace is registered
("The subscription is not registered to use namespace ..."; learn.microsoft.com/azure/
azure-resource-manager/troubleshooting/error-register-resource-provider). azure-native does
not register namespaces, and the deploy identity, scoped to resource groups, may not
(``*/register/action`` is granted at subscription scope): the bootstrap does, once, as the
subscription owner (bootstrap/delivery/registrations.py).

Needed, from a stack's offline plan:
- the namespace of every Azure resource's ARM type, read off its ARM id;
- the namespaces a type needs without declaring resources in them (``IMPLIED_NAMESPACES``);
- the preview features an input turns on (``FEATURES``);
less the namespaces every subscription has registered (``REGISTERED_BY_DEFAULT``).

Registered, from the bootstrap's offline plan: each ``ResourceProviderRegistration`` (the
classic azure provider's; azure-native has no resource for it: registration is a POST,
github.com/pulumi/pulumi-azure-native/issues/1075) by ``name``, with its ``features``.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from infra.engine.arm import arm_type
from infra.engine.model import Secret, StackPlan

REGISTRATION_TYPE = "azure:core/resourceProviderRegistration:ResourceProviderRegistration"

# "Some resource providers are registered by default" (learn.microsoft.com/azure/
# azure-resource-manager/management/resource-providers-and-types, read 2026-12-06; the full
# list is in .../azure-services-resource-providers, "Registered by default"): of those, the
# ones the stacks use.
REGISTERED_BY_DEFAULT = frozenset({"Microsoft.Authorization", "Microsoft.Resources"})

# ARM type -> namespaces it needs that no resource of the plan is in, with the reason.
IMPLIED_NAMESPACES: dict[str, tuple[tuple[str, str], ...]] = {
    "Microsoft.ContainerService/managedClusters": (
        # AKS creates the nodes as virtual machine scale sets and managed disks in the node
        # resource group (learn.microsoft.com/azure/aks/concepts-clusters-workloads, "Node
        # resource group"); the EncryptionAtHost feature is Microsoft.Compute's too.
        ("Microsoft.Compute", "the cluster's nodes are Microsoft.Compute scale sets"),
    ),
}


@dataclass(frozen=True)
class Feature:
    """A preview feature a plan needs when an Azure resource sets ``input`` to true."""

    namespace: str
    name: str
    input: str
    reason: str

    @property
    def key(self) -> str:
        return f"{self.namespace}/{self.name}"


FEATURES = (
    # learn.microsoft.com/azure/aks/enable-host-encryption, "Prerequisites": the
    # subscription registers Microsoft.Compute's EncryptionAtHost feature before a node pool
    # with enableEncryptionAtHost is created (read 2026-12-06).
    Feature(
        "Microsoft.Compute",
        "EncryptionAtHost",
        "enableEncryptionAtHost",
        "node pools encrypt their disks at the VM host",
    ),
)


def _plain(value: Any) -> Any:
    return value.value if isinstance(value, Secret) else value


def _sets(value: Any, key: str) -> bool:
    """Whether ``key`` is true anywhere in ``value`` (nested objects and lists)."""
    value = _plain(value)
    if isinstance(value, dict):
        return _plain(value.get(key)) is True or any(_sets(v, key) for v in value.values())
    if isinstance(value, list):
        return any(_sets(v, key) for v in value)
    return False


@dataclass(frozen=True)
class Needed:
    """What a plan needs registered: namespace or feature key -> one resource that needs it."""

    namespaces: dict[str, str]
    features: dict[str, str]


def needed(plan: StackPlan) -> Needed:
    namespaces: dict[str, str] = {}
    features: dict[str, str] = {}
    for resource in plan.resources:
        if not resource.custom or not (resource.id or "").startswith("/subscriptions/"):
            continue
        type_ = arm_type(str(resource.id))
        namespace = type_.split("/", 1)[0]
        namespaces.setdefault(namespace, resource.urn)
        for implied, _ in IMPLIED_NAMESPACES.get(type_, ()):
            namespaces.setdefault(implied, resource.urn)
        for feature in FEATURES:
            if _sets(resource.inputs, feature.input):
                features.setdefault(feature.key, resource.urn)
                namespaces.setdefault(feature.namespace, resource.urn)
    for namespace in REGISTERED_BY_DEFAULT:
        namespaces.pop(namespace, None)
    return Needed(dict(sorted(namespaces.items())), dict(sorted(features.items())))


def registered(bootstrap: StackPlan) -> tuple[set[str], set[str]]:
    """The namespaces (lower-cased) and feature keys (lower-cased) the bootstrap registers."""
    namespaces: set[str] = set()
    features: set[str] = set()
    for resource in bootstrap.resources:
        if resource.type != REGISTRATION_TYPE:
            continue
        name = str(_plain(resource.inputs.get("name")))
        namespaces.add(name.lower())
        for feature in _plain(resource.inputs.get("features")) or []:
            feature = _plain(feature)
            if isinstance(feature, dict) and _plain(feature.get("registered")) is True:
                features.add(f"{name}/{_plain(feature.get('name'))}".lower())
    return namespaces, features


def unregistered_lines(stack: str, plan: StackPlan, bootstrap: StackPlan) -> list[str]:
    """One line per namespace or feature ``plan`` needs that the bootstrap does not register."""
    need = needed(plan)
    namespaces, features = registered(bootstrap)
    lines = [
        f"{stack}: {urn}: resource provider {namespace} is not registered by the bootstrap "
        "(bootstrap/delivery/registrations.json: run scripts/gen_registrations.py)"
        for namespace, urn in need.namespaces.items()
        if namespace.lower() not in namespaces
    ]
    lines += [
        f"{stack}: {urn}: feature {key} is not registered by the bootstrap "
        "(FEATURES in infra/readers/registrations.py)"
        for key, urn in need.features.items()
        if key.lower() not in features
    ]
    return lines


def union(plans: Iterable[StackPlan]) -> Needed:
    """Everything any of ``plans`` needs registered (the bootstrap serves every stack)."""
    namespaces: dict[str, str] = {}
    features: dict[str, str] = {}
    for plan in plans:
        need = needed(plan)
        for key, urn in need.namespaces.items():
            namespaces.setdefault(key, urn)
        for key, urn in need.features.items():
            features.setdefault(key, urn)
    return Needed(dict(sorted(namespaces.items())), dict(sorted(features.items())))
