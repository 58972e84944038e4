"""Shared helpers: safe property access, settings, and stack URN attribution."""

from __future__ import annotations

import copy

import pytest
from cases._helpers import on, put, remove
from cases.stack_kubernetes import WITH_REFS
from policy_fixtures import RESOURCES, good_stack
from policy_harness import (
    UNKNOWN,
    policy_by_name,
    policy_config,
    run_resource,
    run_stack,
    run_stack_violations,
    wire,
)
from pulumi_policy import ResourceValidationPolicy, StackValidationPolicy
from pulumi_policy.proxy import UnknownValueError

from policies.registry import ALL_POLICIES
from policies.rules import _config, _props
from policies.rules._props import MISSING
from policies.rules._props import UNKNOWN as UNKNOWN_VALUE


def test_proxy_raises_on_unknowns_and_plain_does_not() -> None:
    props = wire({"a": UNKNOWN, "b": {"c": [1, UNKNOWN]}, "n": 3})
    with pytest.raises(UnknownValueError):
        _ = props["a"]
    data = _props.plain(props)
    assert data == {"a": UNKNOWN_VALUE, "b": {"c": [1, UNKNOWN_VALUE]}, "n": 3.0}


def test_get() -> None:
    data = _props.plain(wire({"a": {"b": [{"c": "x"}], "u": UNKNOWN, "z": None}, "s": "str"}))
    assert _props.get(data, "a", "b", 0, "c") == "x"
    assert _props.get(data, "a", "b", 5, "c") is MISSING
    assert _props.get(data, "a", "u", "deeper") is UNKNOWN_VALUE
    assert _props.get(data, "a", "z") is MISSING
    assert _props.get(data, "a", "nope") is MISSING
    assert _props.get(data, "s", "x") is MISSING  # wrong shape
    assert _props.get(wire({"k": 1}), "k") == 1.0  # proxies are accepted too


def test_sentinels_survive_deepcopy() -> None:
    assert copy.deepcopy([UNKNOWN_VALUE, MISSING]) == [UNKNOWN_VALUE, MISSING]
    assert copy.deepcopy(UNKNOWN_VALUE) is UNKNOWN_VALUE


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (3, 3),
        (3.0, 3),
        (3.5, None),
        (True, None),
        ("3", None),
        (MISSING, None),
        (UNKNOWN_VALUE, None),
    ],
)
def test_as_int(value: object, expected: int | None) -> None:
    assert _props.as_int(value) == expected


def test_describe() -> None:
    assert [_props.describe(v) for v in (MISSING, UNKNOWN_VALUE, True, 7.0, "x", 1.5)] == [
        "<not set>",
        "<unknown>",
        "true",
        "7",
        "'x'",
        "1.5",
    ]


def test_settings_fill_defaults_and_restore_integers() -> None:
    policy = policy_by_name("azure-native-storage-fileserviceproperties-share-soft-delete")
    assert policy.config_schema is not None
    assert _config.settings(None, policy.config_schema) == {"minimumDays": 7}
    assert _config.settings({"minimumDays": 30.0}, policy.config_schema) == {"minimumDays": 30}
    assert isinstance(
        _config.settings({"minimumDays": 30.0}, policy.config_schema)["minimumDays"], int
    )
    assert policy_config(policy, {"minimumDays": 14}) == {"minimumDays": 14.0}  # as on the wire


def test_schema_requires_defaults_and_descriptions() -> None:
    with pytest.raises(ValueError, match="needs a default"):
        _config.schema({"x": {"type": "integer", "description": "d"}})
    with pytest.raises(ValueError, match="needs a description"):
        _config.schema({"x": {"type": "integer", "default": 1}})


@pytest.mark.parametrize(
    "policy",
    [p for p in ALL_POLICIES if isinstance(p, ResourceValidationPolicy)],
    ids=lambda p: p.name,
)
def test_known_good_inputs_pass(policy: ResourceValidationPolicy) -> None:
    for resource_type, props in RESOURCES.values():
        assert run_resource(policy, resource_type, props, protect=True) == []


@pytest.mark.parametrize(
    "policy",
    [p for p in ALL_POLICIES if isinstance(p, StackValidationPolicy)],
    ids=lambda p: p.name,
)
def test_known_good_stack_passes(policy: StackValidationPolicy) -> None:
    assert run_stack(policy, good_stack().values()) == []


def test_resource_policies_ignore_other_types() -> None:
    """Resource policies only look at their own types (a foreign type never reports)."""
    bad = {"enableRBAC": False, "minimumTlsVersion": "TLS1_0", "spec": {"azureFile": {}}}
    for policy in ALL_POLICIES:
        if isinstance(policy, ResourceValidationPolicy):
            assert run_resource(policy, "random:index/randomString:RandomString", bad) == []


def test_stack_violations_point_at_the_offending_resource() -> None:
    stack = good_stack()
    for mutate in (
        on("account", put("enableHttpsTrafficOnly", False)),
        on("share-checkpoints", put("shareQuota", 50)),
        on("pvc-checkpoints", put("spec.accessModes", ["ReadWriteOnce"])),
        on("pvc-checkpoints", put("spec.storageClassName", "other")),
        on("pvc-checkpoints", put("spec.resources.requests.storage", "2Ti")),
        on("pv-checkpoints", put("spec.capacity.storage", "1Ti")),
        WITH_REFS,
        remove("files-secret", "account-lock", "file-service"),
    ):
        mutate(stack)
    expected = {
        "azure-native-storage-storageaccount-https-only": ["account"],
        "azure-native-storage-fileshare-quota-within-account-limits": ["share-checkpoints"],
        "azure-native-storage-storageaccount-delete-lock": ["account"],
        "azure-native-storage-storageaccount-share-soft-delete-configured": ["account"],
        "kubernetes-core-persistentvolumeclaim-azurefiles-rwx": ["pvc-checkpoints"],
        "kubernetes-core-persistentvolumeclaim-storageclass-matches-volume": ["pvc-checkpoints"],
        "kubernetes-core-persistentvolumeclaim-request-within-volume-capacity": ["pvc-checkpoints"],
        "kubernetes-core-persistentvolume-capacity-within-share-quota": ["pv-checkpoints"],
        "kubernetes-core-persistentvolume-volumehandle-unique": [],
        "kubernetes-core-persistentvolume-node-stage-secret-exists": [
            "pv-datasets",
            "pv-checkpoints",
        ],
    }
    for name, resources in expected.items():
        violations = run_stack_violations(policy_by_name(name), stack.values())
        assert [v.urn for v in violations] == [stack[r].urn for r in resources], name
