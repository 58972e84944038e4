"""Which identities run the stacks, and where they are granted: ``[tool.infra.permissions]``.

::

    [tool.infra.permissions]
    bootstrap = "bootstrap"              # the project that grants them (relative path)
    bootstrap-stack = "bootstrap"        # its stack
    # UserAssignedIdentity logical name in the bootstrap -> what it runs: "deploy" (pulumi up)
    # or "plan" (pulumi preview --refresh, read only). "{stack}" in a name makes it one
    # identity per stack, which must hold no grant on another stack's scopes and be
    # federated for that stack's GitHub environment only.
    identities = { "deploy-{stack}-identity" = "deploy", plan-identity = "plan" }
    # Granted actions no stack's plan needs, kept on purpose: access -> action -> reason.
    # Escalating actions (ESCALATIONS) are reported whatever this says.
    [tool.infra.permissions.accepted-excess]
    plan = { "<action>" = "<why the plan identity holds it>" }
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from pathlib import Path

from infra.engine.files import read_text
from infra.errors import UsageError
from infra.readers.permissions import ACCESS

TABLE = "[tool.infra.permissions]"
KEYS = ("bootstrap", "bootstrap-stack", "identities", "accepted-excess")


STACK = "{stack}"


@dataclass(frozen=True)
class PermissionRules:
    bootstrap: Path
    bootstrap_stack: str
    identities: dict[str, str]
    # access -> granted action -> why it is kept though no plan needs it.
    accepted_excess: dict[str, dict[str, str]]

    def for_stack(self, stack: str) -> dict[str, str]:
        """Identity logical name -> access, for one stack (``{stack}`` filled in)."""
        return {name.replace(STACK, stack): access for name, access in self.identities.items()}

    def per_stack(self, name: str, stack: str) -> bool:
        """Whether ``name`` is the identity of ``stack`` alone."""
        return any(
            STACK in template and template.replace(STACK, stack) == name
            for template in self.identities
        )


def load_permission_rules(project_root: Path) -> PermissionRules:
    path = project_root / "pyproject.toml"
    if not path.exists():
        raise UsageError(f"{path}: missing; {TABLE} names the bootstrap project and identities")
    try:
        doc = tomllib.loads(read_text(path, what="pyproject.toml"))
    except (tomllib.TOMLDecodeError, RecursionError):
        raise UsageError(f"{path}: not readable TOML") from None
    table = doc.get("tool", {}).get("infra", {}).get("permissions")
    if not isinstance(table, dict):
        raise UsageError(f"{path}: no {TABLE} table ({', '.join(KEYS)})")
    if set(table) != set(KEYS):
        raise UsageError(f"{path}: {TABLE} must set exactly {', '.join(KEYS)}")
    bootstrap, stack, identities, accepted = (table[key] for key in KEYS)
    if not isinstance(bootstrap, str) or not isinstance(stack, str):
        raise UsageError(f"{path}: {TABLE} bootstrap and bootstrap-stack must be strings")
    if (
        not isinstance(identities, dict)
        or not identities
        or not all(access in ACCESS for access in identities.values())
    ):
        raise UsageError(
            f"{path}: {TABLE} identities must map identity names to one of {', '.join(ACCESS)}"
        )
    if not (
        isinstance(accepted, dict)
        and set(accepted) <= set(ACCESS)
        and all(
            isinstance(reasons, dict)
            and all(isinstance(r, str) and r.strip() for r in reasons.values())
            for reasons in accepted.values()
        )
    ):
        raise UsageError(
            f"{path}: {TABLE} accepted-excess must map {' or '.join(ACCESS)} to "
            "{ action = reason }, each with a reason"
        )
    if not (project_root / bootstrap / "Pulumi.yaml").is_file():
        raise UsageError(f"{path}: {TABLE} bootstrap = {bootstrap!r}: no Pulumi.yaml there")
    return PermissionRules(project_root / bootstrap, stack, dict(identities), accepted)
