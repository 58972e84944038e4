"""The bootstrap stack's config, validated before any resource: one line naming file and key."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pulumi

from delivery import environments
from delivery.environments import REGION, Environment
from stacks.config import ENVIRONMENT_TAG, RESOURCE_GROUP_RE, RESOURCE_GROUP_RULE

# The main project: its stacks are the environments the bootstrap serves.
MAIN_PROJECT = Path(__file__).resolve().parents[2]

_ACCOUNT_NAME = re.compile(r"[a-z0-9]{3,24}")
_VAULT_NAME = re.compile(r"[A-Za-z][A-Za-z0-9-]{1,22}[A-Za-z0-9]")
_KEY_NAME = re.compile(r"[A-Za-z0-9-]{1,127}")
_CONTAINER_NAME = re.compile(r"[a-z0-9](?!.*--)[a-z0-9-]{1,61}[a-z0-9]")
# GitHub owner and repository names: what may follow `repo:` in an OIDC subject.
_REPOSITORY = re.compile(r"[A-Za-z0-9-]{1,39}/[A-Za-z0-9._-]{1,100}")
_BRANCH = re.compile(r"[A-Za-z0-9._/-]{1,255}")
# An Entra object id (a GUID): the operators group.
_GUID = r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}"
_OBJECT_ID = re.compile(_GUID)
# A subscription, or a resource group in one: where the stacks' node subnets may be.
_NETWORK_SCOPE = re.compile(rf"/subscriptions/{_GUID}(/resourceGroups/[-\w._()]{{1,90}})?")


@dataclass(frozen=True)
class BootstrapConfig:
    location: str
    resource_group_name: str
    state_account_name: str
    state_container_name: str
    state_soft_delete_days: int
    state_allowed_ip_ranges: list[str]
    key_vault_name: str
    key_name: str
    repository: str
    default_branch: str
    # The Entra group whose members may run `pulumi state` operations (delivery/roles.py).
    operators_group_id: str
    # The main project's stacks (delivery/environments.py).
    environments: list[Environment]
    tags: dict[str, str]


def _fail(key: str, message: str) -> pulumi.RunError:
    return pulumi.RunError(f"Pulumi.{pulumi.get_stack()}.yaml: {key}: {message}")


def _string(config: pulumi.Config, key: str, pattern: re.Pattern[str], rule: str) -> str:
    value = config.get(key)
    if value is None:
        raise _fail(key, "required")
    if not pattern.fullmatch(value):
        raise _fail(key, f"{value!r} is not valid ({rule})")
    return value


def _object(config: pulumi.Config, key: str) -> Any:
    try:
        return config.get_object(key)
    except Exception:
        raise _fail(key, "must be YAML structured data (a list or mapping)") from None


def load() -> BootstrapConfig:
    config = pulumi.Config()
    days = config.get_int("stateSoftDeleteDays")
    if days is None or not 1 <= days <= 365:
        raise _fail("stateSoftDeleteDays", f"{days!r} must be 1-365")
    ranges = _object(config, "stateAllowedIpRanges")
    if not isinstance(ranges, list) or not all(isinstance(r, str) and r for r in ranges):
        raise _fail("stateAllowedIpRanges", "must be a list of IP addresses or CIDR ranges")
    network_scopes = _object(config, "networkScopes")
    if (
        not isinstance(network_scopes, list)
        or not network_scopes
        or not all(isinstance(s, str) and _NETWORK_SCOPE.fullmatch(s) for s in network_scopes)
    ):
        raise _fail(
            "networkScopes",
            "required: a list of subscription or resource group ids (/subscriptions/<id>"
            "[/resourceGroups/<name>]) that hold the stacks' node subnets",
        )
    tags = _object(config, "tags")
    if not isinstance(tags, dict) or not all(isinstance(v, str) for v in tags.values()):
        raise _fail("tags", "required: a mapping of tag name to string value")
    if ENVIRONMENT_TAG in tags:
        raise _fail("tags", f"must not set '{ENVIRONMENT_TAG}': it is the stack name")
    return BootstrapConfig(
        location=_string(config, "location", REGION, "a region name"),
        resource_group_name=_string(
            config, "resourceGroupName", RESOURCE_GROUP_RE, RESOURCE_GROUP_RULE
        ),
        state_account_name=_string(
            config, "stateAccountName", _ACCOUNT_NAME, "3-24 lowercase letters and digits"
        ),
        state_container_name=_string(
            config, "stateContainerName", _CONTAINER_NAME, "3-63 lowercase letters, digits, '-'"
        ),
        state_soft_delete_days=days,
        state_allowed_ip_ranges=ranges,
        key_vault_name=_string(
            config, "keyVaultName", _VAULT_NAME, "3-24 letters, digits and '-', from a letter"
        ),
        key_name=_string(config, "keyName", _KEY_NAME, "1-127 letters, digits and '-'"),
        repository=_string(config, "repository", _REPOSITORY, "OWNER/REPO"),
        default_branch=_string(config, "defaultBranch", _BRANCH, "a branch name"),
        operators_group_id=_string(
            config, "operatorsGroupId", _OBJECT_ID, "the object id (a GUID) of an Entra group"
        ),
        environments=environments.load(MAIN_PROJECT, network_scopes),
        tags={**tags, "environment": pulumi.get_stack()},
    )
