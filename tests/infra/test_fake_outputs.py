"""Offline outputs of azure-native resources have the provider's shape.

For every azure-native type the repository's stacks register (read from their plans), the
outputs are the output properties the SDK's class declares, filled from the inputs of the
same name, plus `name`, `id` (the ARM id of the type's REST path) and `type`; the path
parameters are never outputs unless the class declares them.
"""

from __future__ import annotations

import inspect
import re

import pytest

from infra.engine import arm, fakes
from infra.engine.model import UNKNOWN, Resource
from infra.engine.project import load_project
from tests.conftest import REPO_ROOT
from tests.reliability._support import real_plan


@pytest.fixture(scope="module")
def azure_resources() -> dict[str, list[Resource]]:
    """The stacks' azure-native custom resources, by type."""
    project = load_project(REPO_ROOT)
    by_type: dict[str, list[Resource]] = {}
    for stack in project.stacks():
        plan = real_plan(stack)
        for resource in plan.resources:
            if resource.custom and resource.type.startswith("azure-native:"):
                by_type.setdefault(resource.type, []).append(resource)
    return by_type


def _id_pattern(path: str) -> re.Pattern[str]:
    pattern = re.escape(path)
    for parameter in arm.path_parameters(path):
        # A scope is itself an id; every other parameter is one path segment.
        value = ".+" if parameter in ("scope", "resourceUri") else "[^/]+"
        pattern = pattern.replace(re.escape(f"{{{parameter}}}"), f"(?P<{parameter}>{value})")
    return re.compile(f"^{pattern}$")


def _carries(output: object, given: object) -> bool:
    """The output holds the input's value; Azure may add computed fields to an object
    (a managed identity's principalId)."""
    if isinstance(given, dict) and isinstance(output, dict):
        return all(_carries(output.get(k), v) for k, v in given.items())
    return output == given


def test_the_stacks_use_the_azure_types_this_test_checks(azure_resources):
    assert {
        "azure-native:storage:StorageAccount",
        "azure-native:storage:FileShare",
        "azure-native:containerservice:ManagedCluster",
    } <= set(azure_resources)


def test_every_type_the_stacks_use_has_its_rest_path(azure_resources):
    assert sorted(set(azure_resources) - set(arm.ARM_PATHS)) == []


def test_outputs_are_the_declared_properties_plus_name_id_and_type(azure_resources):
    for type_, resources in azure_resources.items():
        declared = fakes.declared_outputs(type_)
        assert declared is not None, type_
        path = arm.ARM_PATHS[type_]
        hidden = set(arm.path_parameters(path)) - declared
        for resource in resources:
            outputs = resource.outputs
            assert set(outputs) <= declared | {"id"}, (type_, set(outputs) - declared)
            assert not hidden & set(outputs), (type_, hidden & set(outputs))
            if "type" in declared:  # a few classes (PrivateDnsZoneGroup) declare none
                assert outputs["type"] == arm.arm_type(path)
            assert outputs["id"] == resource.id
            match = _id_pattern(path).match(resource.id or "")
            assert match, (type_, resource.id)
            assert outputs["name"] == match[arm.path_parameters(path)[-1]]
            for parameter, value in match.groupdict().items():
                given = resource.inputs.get(parameter)
                if isinstance(given, str):
                    assert value.strip("/") == given.strip("/"), (type_, parameter)
            for key, value in resource.inputs.items():
                if key in declared and key not in ("name", "type"):
                    assert _carries(outputs[key], value), (type_, key)


def test_a_share_and_a_lock_keep_no_path_parameter(azure_resources):
    share = azure_resources["azure-native:storage:FileShare"][0]
    assert {"accountName", "resourceGroupName", "shareName"} <= set(share.inputs)
    assert not {"accountName", "resourceGroupName", "shareName"} & set(share.outputs)
    assert share.outputs["type"] == "Microsoft.Storage/storageAccounts/fileServices/shares"
    lock = azure_resources["azure-native:authorization:ManagementLockByScope"][0]
    assert "scope" not in lock.outputs
    assert lock.outputs["id"] == (
        f"{lock.inputs['scope']}/providers/Microsoft.Authorization/locks/{lock.inputs['lockName']}"
    )


def test_a_path_parameter_the_class_declares_stays(azure_resources):
    # A role assignment reports its scope; a lock does not.
    assignment = azure_resources["azure-native:authorization:RoleAssignment"][0]
    assert assignment.outputs["scope"] == assignment.inputs["scope"]


def test_each_rest_path_names_parameters_the_class_takes():
    import pulumi_azure_native

    for type_, path in arm.ARM_PATHS.items():
        _, module, kind = type_.split(":")
        cls = getattr(getattr(pulumi_azure_native, module), kind)
        assert fakes.declared_outputs(type_) is not None
        taken = set(inspect.signature(cls._internal_init).parameters)
        for parameter in arm.path_parameters(path):
            if parameter != "subscriptionId":
                snake = re.sub(r"(?<!^)(?=[A-Z])", "_", parameter).lower()
                assert snake in taken or f"{snake}_" in taken, (type_, parameter)


def test_an_unlisted_type_is_named_by_its_one_name_parameter():
    from pulumi_azure_native import eventhub  # noqa: F401

    inputs = {"resourceGroupName": "rg", "namespaceName": "ehns-train", "location": "westeurope"}
    resource_id, outputs = fakes.new_resource(
        "azure-native:eventhub:Namespace",
        "events",
        "urn:pulumi:s::p::azure-native:eventhub:Namespace::events",
        inputs,
    )
    assert resource_id.endswith(
        "/resourceGroups/rg/providers/Microsoft.Eventhub/namespaces/ehns-train"
    )
    assert outputs["name"] == "ehns-train"
    assert not {"namespaceName", "resourceGroupName"} & set(outputs)
    assert outputs["location"] == "westeurope"


def test_an_unnamed_resource_is_auto_named_from_its_logical_name():
    _, outputs = fakes.new_resource(
        "azure-native:storage:FileShare",
        "share",
        "urn:pulumi:s::p::azure-native:storage:FileShare::share",
        {"resourceGroupName": "rg", "accountName": "st"},
    )
    assert re.fullmatch(r"share[0-9a-f]{8}", outputs["name"])
    assert outputs["id"].endswith(
        f"/storageAccounts/st/fileServices/default/shares/{outputs['name']}"
    )


def test_an_unknown_path_parameter_makes_the_id_unknown():
    resource_id, outputs = fakes.new_resource(
        "azure-native:storage:FileShare",
        "share",
        "urn:pulumi:s::p::azure-native:storage:FileShare::share",
        {"resourceGroupName": "rg", "accountName": UNKNOWN, "shareName": "data"},
    )
    assert resource_id == ""
    assert outputs["id"] is UNKNOWN
    assert outputs["name"] == "data"


@pytest.fixture(scope="module")
def stack_plans() -> dict[str, list[Resource]]:
    project = load_project(REPO_ROOT)
    return {stack: real_plan(stack).resources for stack in project.stacks()}


def test_every_stack_resource_reads_back_at_the_id_it_was_created_with(stack_plans) -> None:
    """Azure Backup keeps a protected share under an internal name (fakes.azure_stored_id):
    a resource whose recorded id is not where Azure keeps it fails the read after create
    (pulumi-azure-native#1420), and every refresh after."""
    backed_up = 0
    for stack, resources in stack_plans.items():
        for resource in resources:
            if not resource.custom or not resource.id:
                continue
            stored = fakes.azure_stored_id(resource.type, resource.id, resource.inputs)
            assert stored == resource.id, f"{stack}: {resource.urn}: Azure keeps it at {stored}"
            backed_up += "/protectedItems/AzureFileShare;" in resource.id
    assert backed_up, "no stack protects a share: the check above proved nothing"
