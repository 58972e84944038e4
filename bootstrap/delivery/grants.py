"""RoleGrant: one custom role definition, assigned to one principal at each of its scopes."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass

import pulumi
from pulumi_azure_native import authorization

from delivery.roles import RoleSpec, assign_condition

# Role definition and assignment names are GUIDs; deriving them from what they grant keeps
# them stable across runs, so a re-run updates rather than duplicates.
_NAMESPACE = uuid.UUID("5f0c7c1e-4a59-4f7e-9d55-2f1f0c6a9b10")


@dataclass(frozen=True)
class RoleGrantArgs:
    """Inputs of :class:`RoleGrant`.

    Attributes:
        subscription_id: Subscription that holds the role definition.
        role_name: Unique display name of the custom role in the tenant.
        spec: Its actions and data actions (``delivery/roles.py``).
        principal_id: Object id of the identity it is assigned to.
        scopes: The ARM ids it is assigned at (also its assignable scopes).
        principal_type: ``ServicePrincipal`` (a managed identity) or ``Group``.
    """

    subscription_id: pulumi.Input[str]
    role_name: str
    spec: RoleSpec
    principal_id: pulumi.Input[str]
    scopes: Sequence[tuple[str, pulumi.Input[str]]]
    principal_type: str = "ServicePrincipal"


class RoleGrant(pulumi.ComponentResource):
    """A custom role (explicit actions, no wildcard) and its assignments, one per scope.

    Attributes:
        definition: The ``authorization.RoleDefinition``.
        assignments: ``scope label -> authorization.RoleAssignment``.
    """

    def __init__(
        self, name: str, args: RoleGrantArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        super().__init__("aks-rwx-training-bootstrap:delivery:RoleGrant", name, None, opts)
        subscription_scope = pulumi.Output.concat("/subscriptions/", args.subscription_id)
        self.definition = authorization.RoleDefinition(
            f"{name}-role",
            role_definition_id=str(uuid.uuid5(_NAMESPACE, args.role_name)),
            role_name=args.role_name,
            description=args.spec.description,
            role_type="CustomRole",
            scope=subscription_scope,
            permissions=[
                authorization.PermissionArgs(
                    actions=list(args.spec.actions), data_actions=list(args.spec.data_actions)
                )
            ],
            assignable_scopes=[scope for _, scope in args.scopes],
            opts=pulumi.ResourceOptions(parent=self),
        )
        self.assignments: dict[str, authorization.RoleAssignment] = {}
        for label, scope in args.scopes:
            self.assignments[label] = authorization.RoleAssignment(
                f"{name}-{label}",
                role_assignment_name=str(uuid.uuid5(_NAMESPACE, f"{args.role_name}|{label}")),
                scope=scope,
                role_definition_id=self.definition.id,
                principal_id=args.principal_id,
                principal_type=args.principal_type,
                description=f"{args.role_name} at {label}",
                condition=assign_condition(args.spec.assigns) if args.spec.assigns else None,
                condition_version="2.0" if args.spec.assigns else None,
                opts=pulumi.ResourceOptions(parent=self),
            )
        self.register_outputs({"roleDefinitionId": self.definition.id})
