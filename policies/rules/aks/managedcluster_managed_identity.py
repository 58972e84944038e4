"""azure-native-containerservice-managedcluster-managed-identity

Applies to: ``azure-native:containerservice:ManagedCluster``.

Enforces: the cluster uses a managed identity (``identity.type`` ``SystemAssigned`` or
``UserAssigned`` with at least one ``userAssignedIdentities`` entry) and no service
principal secret: ``servicePrincipalProfile`` is absent, or has ``clientId`` ``msi`` and
no ``secret``.

Missing: no ``identity`` is a violation (the cluster would need a service principal);
no ``servicePrincipalProfile`` passes.
Unknown: an unknown identity type or profile skips the corresponding check.
"""

from __future__ import annotations

from pulumi_policy import (
    PolicyComplianceFramework,
    ReportViolation,
    ResourceValidationArgs,
    ResourceValidationPolicy,
    Severity,
)

from .._azure import (
    AZURE_POLICY,
    MANAGED_CLUSTER_TYPE,
    azure_policy_reference,
    azure_policy_url,
    label,
)
from .._props import MISSING, UNKNOWN, get, is_known, plain

_DEFINITION = "da6e2401-19da-4532-9141-fb8fbde08431"
_MANAGED = ("SystemAssigned", "UserAssigned")


def _validate(args: ResourceValidationArgs, report_violation: ReportViolation) -> None:
    if args.resource_type != MANAGED_CLUSTER_TYPE:
        return
    props = plain(args.props)
    cluster = label("ManagedCluster", props, "resourceName", args.name)
    identity_type = get(props, "identity", "type")
    if identity_type is MISSING:
        report_violation(
            f"{cluster} does not set identity; use a 'SystemAssigned' or 'UserAssigned' managed "
            "identity.",
            None,
        )
    elif identity_type is not UNKNOWN and identity_type not in _MANAGED:
        report_violation(
            f"{cluster} has identity.type {identity_type!r}; use 'SystemAssigned' or "
            "'UserAssigned'.",
            None,
        )
    elif identity_type == "UserAssigned":
        identities = get(props, "identity", "userAssignedIdentities")
        if identities is MISSING or (isinstance(identities, list | dict) and not identities):
            report_violation(
                f"{cluster} has identity.type 'UserAssigned' but no userAssignedIdentities.", None
            )

    profile = get(props, "servicePrincipalProfile")
    if profile is MISSING or profile is UNKNOWN:
        return
    client_id = get(props, "servicePrincipalProfile", "clientId")
    secret = get(props, "servicePrincipalProfile", "secret")
    if client_id is UNKNOWN:
        return
    if client_id != "msi" or is_known(secret) or secret is UNKNOWN:
        report_violation(
            f"{cluster} sets servicePrincipalProfile; remove it (or use clientId 'msi' without a "
            "secret) so the cluster authenticates with its managed identity.",
            None,
        )


# No stack-file key can cause this verdict: the components always comply.
STACK_KEYS: tuple[str, ...] = ()

POLICY = ResourceValidationPolicy(
    name="azure-native-containerservice-managedcluster-managed-identity",
    description=(
        "AKS clusters authenticate with a managed identity, not a service principal secret."
    ),
    validate=_validate,
    severity=Severity.HIGH,
    framework=PolicyComplianceFramework(
        name=AZURE_POLICY, reference=azure_policy_reference(_DEFINITION)
    ),
    remediation_steps=(
        "Set identity={'type': 'SystemAssigned'} (or 'UserAssigned' with "
        "userAssignedIdentities) and remove servicePrincipalProfile from the ManagedCluster."
    ),
    url=azure_policy_url(_DEFINITION),
    tags=["azure", "aks", "identity"],
)
