"""Every Kubernetes object a stack renders is valid for the cluster's Kubernetes version.

The object is rebuilt from the resource's inputs (`apiVersion`, `kind`, `metadata`, `spec`,
`data`, `stringData`, `type`, ...: every input but the SDK's `__`-prefixed ones), with secret
values replaced by string placeholders and unknown values by a placeholder of the type the
schema expects there, then checked with `kubernetes_validate.validate(obj, version,
strict=True)` (strict: unknown fields are errors) against the stack's `kubernetesVersion`
(the ManagedCluster input, "1.36" -> "1.36.0"); custom resources, which those schemas do not
know, against their CRD's schema (tests/crd_schemas.py).  Stacks: the real dev, staging and
prod, and each with every optional feature of its config turned on (`<key>.enabled: true`,
e.g. the GPU pool), so objects that only exist then are checked too.

Mutation checks prove the validator bites: a PV with `spec.csi.volumeHandel` fails, and an
extra misspelt field fails in strict mode only.
"""

from __future__ import annotations

import functools
import json
from pathlib import Path
from typing import Any

import jsonschema
import kubernetes_validate
import pytest
import yaml
from kubernetes_validate.utils import ValidationError

from infra.engine.model import Resource, Secret, StackPlan, Unknown
from stacks import config as stack_config
from tests.crd_schemas import has_custom_schema, validate_custom_resource
from tests.reliability._support import PROJECT, STACKS, copy_project, preview, real_plan

SECRET_PLACEHOLDER = "secret-placeholder"
SCHEMAS = Path(kubernetes_validate.__file__).parent / "kubernetes-json-schema"
CLUSTER_TYPE = "azure-native:containerservice:ManagedCluster"
EXPECTED_KINDS = {"Namespace", "PersistentVolume", "PersistentVolumeClaim"}
# Optional features (object keys with an `enabled` flag) switched on for the *-features runs.
FEATURE_KEYS = tuple(
    alias
    for alias, (_, info) in stack_config.DECLARED_KEYS.items()
    if stack_config.KEY_KINDS[alias] == "object"
    and isinstance(info.default, stack_config.BaseModel)
    and "enabled" in type(info.default).model_fields
)


def full_version(plan: StackPlan) -> str:
    (cluster,) = [r for r in plan.resources if r.type == CLUSTER_TYPE]
    version = str(cluster.inputs["kubernetesVersion"])
    return version if version.count(".") == 2 else f"{version}.0"


# --------------------------------------------------------------------------------------------
# Placeholders typed by the schema


@functools.cache
def _definitions(version: str) -> dict[str, Any]:
    return json.loads((SCHEMAS / f"v{version}-local-strict" / "_definitions.json").read_text())


@functools.cache
def _kind_schema(version: str, kind: str, api_version: str) -> dict[str, Any]:
    group = api_version.split("/")[0].split(".")[0] + "-" if "/" in api_version else ""
    name = f"{kind.lower()}-{group}{api_version.split('/')[-1]}.json"
    return json.loads((SCHEMAS / f"v{version}-local-strict" / name).read_text())


def _resolve(schema: dict[str, Any], version: str) -> dict[str, Any]:
    while "$ref" in schema:
        schema = _definitions(version)["$defs"][schema["$ref"].split("#/$defs/")[1]]
    return schema


def _child(schema: dict[str, Any] | None, key: str | int, version: str) -> dict[str, Any] | None:
    if schema is None:
        return None
    schema = _resolve(schema, version)
    if isinstance(key, int):
        return schema.get("items")
    found = schema.get("properties", {}).get(key)
    if found is None and isinstance(schema.get("additionalProperties"), dict):
        found = schema["additionalProperties"]
    return found


def _type(schema: dict[str, Any] | None, version: str) -> str:
    if schema is None:
        return "string"
    schema = _resolve(schema, version)
    options = schema.get("oneOf") or schema.get("anyOf")
    if options:
        return _type(options[0], version)
    types = schema.get("type", "string")
    types = [types] if isinstance(types, str) else types
    return next((t for t in types if t != "null"), "string")


_TYPED = {"string": "placeholder", "integer": 0, "number": 0, "boolean": False}


def concrete(value: Any, schema: dict[str, Any] | None, version: str) -> Any:
    """The value with secrets and unknowns replaced by placeholders of the schema's type."""
    if isinstance(value, Secret):
        inner = value.value
        if isinstance(inner, dict):
            return {k: SECRET_PLACEHOLDER for k in inner}
        if isinstance(inner, list):
            return [SECRET_PLACEHOLDER for _ in inner]
        return SECRET_PLACEHOLDER
    if isinstance(value, Unknown):
        kind = _type(schema, version)
        return {"object": {}, "array": []}.get(kind, _TYPED.get(kind, "placeholder"))
    if isinstance(value, dict):
        return {k: concrete(v, _child(schema, k, version), version) for k, v in value.items()}
    if isinstance(value, list):
        return [concrete(v, _child(schema, i, version), version) for i, v in enumerate(value)]
    return value


def kubernetes_object(resource: Resource, version: str) -> dict[str, Any]:
    inputs = {k: v for k, v in resource.inputs.items() if not k.startswith("__")}
    schema = _kind_schema(version, str(inputs["kind"]), str(inputs["apiVersion"]))
    return concrete(inputs, schema, version)


def kubernetes_resources(plan: StackPlan) -> list[Resource]:
    return [
        r
        for r in plan.resources
        if r.type.startswith("kubernetes:") and r.custom and {"apiVersion", "kind"} <= set(r.inputs)
    ]


# --------------------------------------------------------------------------------------------
# Plans


@pytest.fixture(scope="module")
def feature_plans(tmp_path_factory: pytest.TempPathFactory) -> dict[str, StackPlan]:
    """Each stack with every optional feature on (every object key with `enabled`)."""
    project = copy_project(tmp_path_factory.mktemp("schemas") / "project")
    plans = {}
    for stack in STACKS:
        path = project / "stacks" / f"Pulumi.{stack}.yaml"
        doc = yaml.safe_load(path.read_text())
        for key in FEATURE_KEYS:
            current = doc["config"].get(f"{PROJECT}:{key}") or {}
            doc["config"][f"{PROJECT}:{key}"] = {**current, "enabled": True}
        path.write_text(yaml.safe_dump(doc))
        plans[stack] = preview(project, stack)
    return plans


def validate_all(plan: StackPlan) -> set[str]:
    """Fail naming the first object of ``plan`` that is invalid; the kinds it holds."""
    version = full_version(plan)
    kinds = set()
    for resource in kubernetes_resources(plan):
        if has_custom_schema(str(resource.inputs["apiVersion"]), str(resource.inputs["kind"])):
            # Not an official kind: checked against its CRD's schema (tests/crd_schemas.py).
            obj = {k: v for k, v in resource.inputs.items() if not k.startswith("__")}
            try:
                validate_custom_resource(obj)
            except jsonschema.ValidationError as e:
                pytest.fail(f"{plan.stack}: {resource.urn}: {e.json_path}: {e.message}")
            kinds.add(obj["kind"])
            continue
        obj = kubernetes_object(resource, version)
        try:
            validated = kubernetes_validate.validate(obj, version, strict=True)
        except ValidationError as e:
            where = ".".join(str(p) for p in e.path)
            pytest.fail(f"{plan.stack}: {resource.urn}: {where}: {e.message}")
        assert validated == version.rsplit(".", 1)[0], (validated, version)
        kinds.add(obj["kind"])
    return kinds


@pytest.mark.parametrize("stack", STACKS)
def test_every_kubernetes_object_is_schema_valid(stack: str) -> None:
    plan = real_plan(stack)
    configured = plan.config[f"{PROJECT}:kubernetesVersion"]
    assert full_version(plan) in (configured, f"{configured}.0")
    kinds = validate_all(plan)
    assert kinds >= EXPECTED_KINDS, kinds


@pytest.mark.parametrize("stack", STACKS)
def test_every_kubernetes_object_is_schema_valid_with_all_features(
    feature_plans: dict[str, StackPlan], stack: str
) -> None:
    kinds = validate_all(feature_plans[stack])
    assert kinds >= EXPECTED_KINDS, kinds


# --------------------------------------------------------------------------------------------
# The validator bites


def _pv(stack: str = "prod") -> tuple[dict[str, Any], str]:
    plan = real_plan(stack)
    version = full_version(plan)
    (pv, *_) = [r for r in plan.resources if r.type == "kubernetes:core/v1:PersistentVolume"]
    return kubernetes_object(pv, version), version


def test_a_misspelt_csi_field_fails_strict_validation() -> None:
    obj, version = _pv()
    kubernetes_validate.validate(obj, version, strict=True)  # as rendered: valid
    csi = obj["spec"]["csi"]
    csi["volumeHandel"] = csi.pop("volumeHandle")
    with pytest.raises(ValidationError):
        kubernetes_validate.validate(obj, version, strict=True)


def test_an_extra_misspelt_field_fails_in_strict_mode_only() -> None:
    obj, version = _pv()
    obj["spec"]["csi"]["volumeHandel"] = "typo"
    obj["spec"]["persistentVolumeReclaimPolicy"] = "Retain"
    kubernetes_validate.validate(obj, version, strict=False)
    with pytest.raises(ValidationError) as error:
        kubernetes_validate.validate(obj, version, strict=True)
    assert "volumeHandel" in error.value.message


def test_a_wrong_type_fails_validation() -> None:
    obj, version = _pv()
    obj["spec"]["accessModes"] = "ReadWriteMany"
    with pytest.raises(ValidationError):
        kubernetes_validate.validate(obj, version, strict=True)


def test_placeholders_take_the_schema_type() -> None:
    version = "1.36.0"
    from infra.engine.model import UNKNOWN

    pv = {
        "apiVersion": "v1",
        "kind": "PersistentVolume",
        "metadata": {"name": UNKNOWN, "generation": UNKNOWN, "labels": {"a": UNKNOWN}},
        "spec": {
            "capacity": {"storage": UNKNOWN},
            "accessModes": [UNKNOWN],
            "mountOptions": UNKNOWN,
            "csi": {
                "driver": "file.csi.azure.com",
                "volumeHandle": Secret("x"),
                "readOnly": UNKNOWN,
                "volumeAttributes": UNKNOWN,
            },
        },
    }
    schema = _kind_schema(version, "PersistentVolume", "v1")
    obj = concrete(pv, schema, version)
    assert obj["metadata"] == {
        "name": "placeholder",
        "generation": 0,
        "labels": {"a": "placeholder"},
    }
    assert obj["spec"]["capacity"] == {"storage": "placeholder"}
    assert obj["spec"]["accessModes"] == ["placeholder"]
    assert obj["spec"]["mountOptions"] == []
    assert obj["spec"]["csi"]["volumeHandle"] == SECRET_PLACEHOLDER
    assert obj["spec"]["csi"]["readOnly"] is False
    assert obj["spec"]["csi"]["volumeAttributes"] == {}
    secret = concrete(
        {"apiVersion": "v1", "kind": "Secret", "stringData": Secret({"k": "v", "j": "w"})},
        _kind_schema(version, "Secret", "v1"),
        version,
    )
    assert secret["stringData"] == {"k": SECRET_PLACEHOLDER, "j": SECRET_PLACEHOLDER}
