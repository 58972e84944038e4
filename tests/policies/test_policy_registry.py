"""The registry discovers every rule module exactly once, and every policy is well formed."""

from __future__ import annotations

import importlib
import re
from pathlib import Path
from types import ModuleType

import jsonschema
import pytest
from pulumi_policy import Policy, ResourceValidationPolicy, StackValidationPolicy

import policies.rules
from policies.registry import ALL_POLICIES

NAME_RE = re.compile(
    r"^(?P<prefix>kubernetes-(core|storage|kueue)|azure-native-(storage|containerservice|authorization|recoveryservices)"
    r"|pulumi-resourceoptions)-(?P<resource>[a-z0-9]+)-(?P<check>[a-z0-9]+(-[a-z0-9]+)*)$"
)
KEBAB_RE = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")
RESOURCE_BY_GROUP = {
    "kubernetes": {"persistentvolume", "persistentvolumeclaim", "storageclass", "podspec"},
    "storage": {"storageaccount", "fileserviceproperties", "fileshare"},
    "aks": {"managedcluster"},
    "options": {"storage", "stateful"},
    "recoveryservices": {"vault"},
}


def rule_modules() -> list[ModuleType]:
    """Every rule file on disk, found independently of the registry's own discovery."""
    root = Path(policies.rules.__file__).parent
    files = sorted(p for p in root.glob("*/*.py") if not p.name.startswith("_"))
    return [
        importlib.import_module(f"policies.rules.{path.parent.name}.{path.stem}") for path in files
    ]


MODULES = rule_modules()


def group_of(module: ModuleType) -> str:
    return module.__name__.split(".")[2]


def test_there_are_rule_modules_in_every_group() -> None:
    assert {group_of(m) for m in MODULES} == {
        "kubernetes",
        "storage",
        "aks",
        "options",
        "stack",
        "recoveryservices",
    }


@pytest.mark.parametrize("module", MODULES, ids=lambda m: m.__name__)
def test_module_defines_one_registered_policy(module: ModuleType) -> None:
    policy = getattr(module, "POLICY", None)
    assert isinstance(policy, Policy), f"{module.__name__} has no module-level POLICY"
    others = [
        name
        for name, value in vars(module).items()
        if isinstance(value, Policy) and value is not policy
    ]
    assert others == [], f"{module.__name__} defines more than one policy: {others}"
    assert sum(p is policy for p in ALL_POLICIES) == 1


def test_registry_holds_exactly_the_rule_modules() -> None:
    assert len(ALL_POLICIES) == len(MODULES)
    assert {id(p) for p in ALL_POLICIES} == {id(m.POLICY) for m in MODULES}


def test_names_are_unique() -> None:
    names = [p.name for p in ALL_POLICIES]
    assert len(names) == len(set(names))


@pytest.mark.parametrize("module", MODULES, ids=lambda m: m.__name__)
def test_policy_metadata(module: ModuleType) -> None:
    policy: Policy = module.POLICY
    assert KEBAB_RE.match(policy.name), policy.name
    match = NAME_RE.match(policy.name)
    assert match, f"{policy.name} does not follow <provider>-<service>-<resource>-<check>"
    group = group_of(module)
    if group == "stack":
        assert isinstance(policy, StackValidationPolicy)
    else:
        assert isinstance(policy, ResourceValidationPolicy)
        assert match["resource"] in RESOURCE_BY_GROUP[group], policy.name
    assert policy.description and policy.description.endswith(".")
    assert policy.severity is not None
    assert policy.remediation_steps and len(policy.remediation_steps) > 20
    assert policy.url or policy.framework, f"{policy.name} has no anchor"
    if policy.framework is not None:
        assert policy.framework.name in {"Checkov", "Azure Policy"}
        assert policy.framework.reference
    # The module docstring documents the policy: name first, then missing/unknown handling.
    doc = module.__doc__ or ""
    assert doc.startswith(policy.name), f"{module.__name__} docstring must start with the name"
    assert "Missing" in doc and "Unknown" in doc, f"{module.__name__} must document both"


@pytest.mark.parametrize(
    "policy", [p for p in ALL_POLICIES if p.config_schema], ids=lambda p: p.name
)
def test_config_schema_is_valid_json_schema_with_defaults(policy: Policy) -> None:
    assert policy.config_schema is not None
    schema = {
        "type": "object",
        "properties": policy.config_schema.properties,
        "required": policy.config_schema.required or [],
        "additionalProperties": False,
    }
    jsonschema.Draft7Validator.check_schema(schema)
    defaults = {k: v["default"] for k, v in policy.config_schema.properties.items()}
    jsonschema.validate(defaults, schema, cls=jsonschema.Draft7Validator)
    assert "enforcementLevel" not in policy.config_schema.properties
    assert not policy.config_schema.required, "settings must be optional (defaults in code)"


def test_the_pack_and_the_diff_agree_on_what_holds_data() -> None:
    """The pack runs in its own environment, so it keeps its own list; `infra diff` warns
    about replacing the same types that the pack forbids deleting first."""
    from infra.compare import STATEFUL_TYPES as DIFF_STATEFUL
    from policies.rules.options.stateful_no_delete_before_replace import STATEFUL_TYPES

    assert set(STATEFUL_TYPES) == DIFF_STATEFUL
