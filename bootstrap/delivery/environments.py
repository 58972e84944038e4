"""The deployment environments, read from the main project's stacks rather than restated.

Each stack of the main project (``../Pulumi.yaml``, its ``stackConfigDir``) is a GitHub
environment; its resource group, location, tags and node subnet are that stack's config,
with ``Pulumi.yaml``'s defaults where the stack file sets nothing, as the Pulumi CLI reads it.

The files are read with ``infra.engine.project``, the reader ``infra`` previews the stacks
with: a pull request can change a stack file, and that reader refuses a FIFO, a huge file,
deep nesting, an alias bomb or a duplicate key in one line naming the file. ``infra`` is in
every virtual environment this repository builds (the Makefile installs the project itself
after either lock), which is the one the bootstrap's ``Pulumi.yaml`` runs in. The engine is a
library that knows nothing of this repository, so the bootstrap may use it; it never imports
the tool's glue, pipeline or commands (the contracts in pyproject.toml's [tool.importlinter]).
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import pulumi

from components.cluster import SUBNET_ID_RE
from infra.engine.project import Project, load_project, load_stack_config
from infra.errors import UsageError
from stacks.config import ENVIRONMENT_TAG, RESOURCE_GROUP_RE, RESOURCE_GROUP_RULE

# Pulumi stack names that are also GitHub environment names (what an OIDC subject may hold).
_ENVIRONMENT = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]{0,99}")
REGION = re.compile(r"[a-z0-9]{2,40}")


@dataclass(frozen=True)
class Environment:
    """A deployment environment: its stack (and GitHub environment) name and its scopes."""

    name: str
    resource_group_name: str
    location: str
    node_subnet_id: str
    tags: dict[str, str]

    @property
    def node_vnet_id(self) -> str:
        """The node subnet's virtual network (the id is validated as a subnet's on load)."""
        return self.node_subnet_id.rsplit("/subnets/", 1)[0]


def _within(resource_id: str, scope: str) -> bool:
    inner, outer = resource_id.lower().rstrip("/"), scope.lower().rstrip("/")
    return inner == outer or inner.startswith(outer + "/")


def _environment(project: Project, stack: str, network_scopes: Sequence[str]) -> Environment:
    shown = project.relative(project.stack_file(stack))
    config = load_stack_config(project, stack)

    def plain(key: str) -> str | None:
        qualified = f"{project.name}:{key}"
        if qualified in config.secret_keys:
            raise pulumi.RunError(
                f"{shown}: {key}: must not be secure: the bootstrap reads it without the "
                "stack's secrets provider"
            )
        return config.values.get(qualified)

    def string(key: str, pattern: re.Pattern[str], rule: str) -> str:
        value = plain(key)
        if value is None:
            raise pulumi.RunError(f"{shown}: {key}: required (the bootstrap grants this scope)")
        if not pattern.fullmatch(value):
            raise pulumi.RunError(f"{shown}: {key}: {value!r} is not valid ({rule})")
        return value

    if not _ENVIRONMENT.fullmatch(stack):
        raise pulumi.RunError(
            f"{shown}: {stack!r} is not a valid GitHub environment name (letters, digits, "
            "'-', '_', '.', from a letter or digit)"
        )
    tags = json.loads(plain("tags") or "{}")
    if not isinstance(tags, dict) or not all(isinstance(v, str) for v in tags.values()):
        raise pulumi.RunError(f"{shown}: tags: must be a mapping of tag name to string value")
    node_subnet_id = string("nodeSubnetId", SUBNET_ID_RE, "a subnet's resource id")
    # The bootstrap grants the deploy identity role assignment rights on this subnet and its
    # VNet: a stack file must not be able to point them at any subnet of the tenant.
    if not any(_within(node_subnet_id, scope) for scope in network_scopes):
        raise pulumi.RunError(
            f"{shown}: nodeSubnetId: {node_subnet_id!r} is outside the network scopes the "
            "bootstrap may grant (networkScopes in Pulumi.bootstrap.yaml)"
        )
    return Environment(
        name=stack,
        resource_group_name=string("resourceGroupName", RESOURCE_GROUP_RE, RESOURCE_GROUP_RULE),
        location=string("location", REGION, "a region name"),
        node_subnet_id=node_subnet_id,
        tags={**tags, ENVIRONMENT_TAG: stack},
    )


def load(main_project: Path, network_scopes: Sequence[str]) -> list[Environment]:
    """Every stack of the project at ``main_project``, by name; one line on any problem,
    including a node subnet outside ``network_scopes``."""
    try:
        project = load_project(main_project)
        stacks = project.stacks()
        if not stacks:
            raise UsageError(
                f"{project.relative(project.stack_config_dir)}: no Pulumi.<stack>.yaml: the "
                "bootstrap grants each stack's scopes"
            )
        return [_environment(project, stack, network_scopes) for stack in stacks]
    except UsageError as e:
        raise pulumi.RunError(str(e)) from None
