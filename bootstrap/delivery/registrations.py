"""Resource provider and feature registration of the subscription, as code.

A subscription creates resources of a namespace only once it is registered, and azure-native
neither registers namespaces nor has a resource that does (registration is a POST:
github.com/pulumi/pulumi-azure-native/issues/1075). The classic azure provider's
``core.ResourceProviderRegistration`` registers one namespace, with the preview features
named on it. Registering needs ``Microsoft.<namespace>/register/action`` at subscription
scope: the subscription owner who runs the bootstrap has it; the deploy identities, scoped to
their resource groups, do not, and need not.

What to register is not typed here: ``registrations.json`` is generated from every stack's
offline plan by ``scripts/gen_registrations.py`` (infra/readers/registrations.py derives it),
and ``infra permissions`` fails when a stack needs a namespace or feature this does not
register.
"""

from __future__ import annotations

import json
from pathlib import Path

import pulumi
from pulumi_azure import Provider as ClassicProvider
from pulumi_azure import core

REGISTRATIONS = Path(__file__).with_name("registrations.json")
# The classic provider otherwise registers a set of its own choosing when it starts
# (pulumi-azure 6.x Provider, resourceProviderRegistrations); only the declared ones here.
CLASSIC_PROVIDER_REGISTRATIONS = "none"


def load(path: Path = REGISTRATIONS) -> dict[str, list[str]]:
    """namespace -> the preview features to register on it; one line on a bad file."""
    try:
        doc = json.loads(path.read_text())
        namespaces = doc["namespaces"]
        if not isinstance(namespaces, dict) or not all(
            isinstance(f, list) and all(isinstance(n, str) for n in f) for f in namespaces.values()
        ):
            raise TypeError
    except (OSError, ValueError, KeyError, TypeError):
        raise pulumi.RunError(
            f"{path.name}: not the generated registrations; run scripts/gen_registrations.py"
        ) from None
    return {str(k): list(v) for k, v in namespaces.items()}


class ProviderRegistrations(pulumi.ComponentResource):
    """One ``ResourceProviderRegistration`` per namespace, with its features registered."""

    def __init__(
        self,
        name: str,
        namespaces: dict[str, list[str]],
        opts: pulumi.ResourceOptions | None = None,
    ) -> None:
        super().__init__(
            "aks-rwx-training-bootstrap:delivery:ProviderRegistrations", name, None, opts
        )
        provider = ClassicProvider(
            f"{name}-classic-provider",
            resource_provider_registrations=CLASSIC_PROVIDER_REGISTRATIONS,
            opts=pulumi.ResourceOptions(parent=self),
        )
        self.registrations = {
            namespace: core.ResourceProviderRegistration(
                f"{name}-{namespace.lower().replace('.', '-')}",
                name=namespace,
                features=[
                    core.ResourceProviderRegistrationFeatureArgs(name=feature, registered=True)
                    for feature in features
                ],
                opts=pulumi.ResourceOptions(parent=self, provider=provider),
            )
            for namespace, features in namespaces.items()
        }
        self.register_outputs({"namespaces": sorted(namespaces)})
