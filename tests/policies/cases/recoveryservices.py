"""Cases of the resource policies in policies/rules/recoveryservices/."""

from __future__ import annotations

from policy_fixtures import VAULT_NAME
from policy_harness import UNKNOWN

from ._helpers import RCase, drop, put

SOFT_DELETE = "azure-native-recoveryservices-vault-soft-delete"
STATE = "properties.securitySettings.softDeleteSettings.softDeleteState"
FIX = (
    "set properties.securitySettings.softDeleteSettings.softDeleteState to 'Enabled' or "
    "'AlwaysON' so deleted backups stay recoverable."
)

CASES: list[RCase] = [
    RCase("vault-soft-delete-good", SOFT_DELETE, "vault"),
    RCase("vault-soft-delete-always-on", SOFT_DELETE, "vault", put(STATE, "AlwaysON")),
    RCase("vault-soft-delete-unknown", SOFT_DELETE, "vault", put(STATE, UNKNOWN)),
    RCase(
        "vault-soft-delete-disabled",
        SOFT_DELETE,
        "vault",
        put(STATE, "Disabled"),
        (f"Vault '{VAULT_NAME}' has soft delete 'Disabled'; {FIX}",),
    ),
    RCase(
        "vault-soft-delete-not-set",
        SOFT_DELETE,
        "vault",
        drop("properties.securitySettings"),
        (f"Vault '{VAULT_NAME}' does not set its soft delete state; {FIX}",),
    ),
]
