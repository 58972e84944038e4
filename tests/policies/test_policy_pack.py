"""The pack's entry point, manifest and requirements, and the analyzer service built from it."""

from __future__ import annotations

import ast
import json
import runpy
from pathlib import Path
from typing import Any

import pulumi_policy
import pytest
import yaml
from google.protobuf import empty_pb2, struct_pb2
from policy_fixtures import PV, PV_TYPE, STORAGE_ACCOUNT, STORAGE_ACCOUNT_TYPE, good_stack
from policy_harness import UNKNOWN, urn
from pulumi.runtime import proto
from pulumi_policy import EnforcementLevel
from pulumi_policy.policy import _PolicyAnalyzerServicer

from policies.registry import ALL_POLICIES

PACK_DIR = Path(__file__).resolve().parents[2] / "policies"


def test_manifest_runs_python_in_the_repo_virtualenv() -> None:
    manifest = yaml.safe_load((PACK_DIR / "PulumiPolicy.yaml").read_text())
    assert manifest["runtime"] == {"name": "python", "options": {"virtualenv": "../.venv"}}
    assert str(manifest["version"]) == "0.1.0"
    assert manifest["description"].strip()


def test_requirements_use_the_packs_own_lock() -> None:
    lines = [
        line.strip()
        for line in (PACK_DIR / "requirements.txt").read_text().splitlines()
        if line.strip() and not line.lstrip().startswith("#")
    ]
    assert "-r requirements.lock" in lines
    assert (PACK_DIR / "requirements.lock").is_file()


def test_package_and_main_exist() -> None:
    assert (PACK_DIR / "__init__.py").is_file()
    assert (PACK_DIR / "__main__.py").is_file()


def test_main_builds_the_pack_from_the_registry_ast() -> None:
    tree = ast.parse((PACK_DIR / "__main__.py").read_text())
    imports = {
        (node.module, alias.name)
        for node in ast.walk(tree)
        if isinstance(node, ast.ImportFrom)
        for alias in node.names
    }
    assert ("policies.registry", "ALL_POLICIES") in imports
    calls = [
        node
        for node in ast.walk(tree)
        if isinstance(node, ast.Call)
        and isinstance(node.func, ast.Name)
        and node.func.id == "PolicyPack"
    ]
    assert len(calls) == 1
    kwargs = {kw.arg: ast.unparse(kw.value) for kw in calls[0].keywords}
    assert kwargs == {
        "name": "'aks-rwx-training'",
        "policies": "ALL_POLICIES",
        "enforcement_level": "EnforcementLevel.MANDATORY",
    }


def test_main_runs_like_the_cli_with_a_patched_policy_pack(monkeypatch: pytest.MonkeyPatch) -> None:
    """``python -m pulumi.policy <addr> .`` is ``runpy.run_path(".")`` in policies/."""
    created: list[dict[str, Any]] = []

    class RecordingPolicyPack:
        def __init__(self, **kwargs: Any) -> None:
            created.append(kwargs)

    monkeypatch.setattr(pulumi_policy, "PolicyPack", RecordingPolicyPack)
    monkeypatch.chdir(PACK_DIR)
    runpy.run_path(".", run_name="__main__")
    assert len(created) == 1
    assert created[0]["name"] == "aks-rwx-training"
    # By name: another test may have made Python import the registry afresh since.
    assert [p.name for p in created[0]["policies"]] == [p.name for p in ALL_POLICIES]
    assert created[0]["enforcement_level"] is EnforcementLevel.MANDATORY


def servicer() -> _PolicyAnalyzerServicer:
    """What ``PolicyPack(...)`` serves, without starting the gRPC server."""
    return _PolicyAnalyzerServicer(
        "aks-rwx-training", "0.1.0", ALL_POLICIES, EnforcementLevel.MANDATORY
    )


def test_analyzer_info_describes_every_policy() -> None:
    info = servicer().GetAnalyzerInfo(empty_pb2.Empty(), None)
    assert [p.name for p in info.policies] == [p.name for p in ALL_POLICIES]
    assert info.supportsConfig
    by_name = {p.name: p for p in info.policies}
    mount = by_name["kubernetes-core-persistentvolume-smb-mount-options"]
    assert mount.enforcementLevel == proto.ADVISORY
    assert by_name["pulumi-resourceoptions-storage-protect"].enforcementLevel == proto.MANDATORY
    sku = by_name["azure-native-storage-storageaccount-replication-allowed"]
    assert "allowedSkus" in sku.configSchema.properties
    assert sku.framework.reference == "CKV_AZURE_206"
    assert all(p.remediation_steps for p in info.policies)


def _struct(value: dict[str, Any]) -> struct_pb2.Struct:
    message = struct_pb2.Struct()
    message.update(value)
    return message


def configure(service: _PolicyAnalyzerServicer, env: str) -> None:
    """Send a config file the way the CLI does: "all" expanded, properties per policy."""
    config = json.loads((PACK_DIR / "config" / f"{env}.json").read_text())
    levels = {"advisory": proto.ADVISORY, "mandatory": proto.MANDATORY, "disabled": proto.DISABLED}
    request = proto.ConfigureAnalyzerRequest()
    for policy in ALL_POLICIES:
        entry = config.get(policy.name, config["all"])
        level = entry if isinstance(entry, str) else entry.get("enforcementLevel", config["all"])
        properties = (
            {k: v for k, v in entry.items() if k != "enforcementLevel"}
            if isinstance(entry, dict)
            else {}
        )
        request.policyConfig[policy.name].CopyFrom(
            proto.PolicyConfig(enforcementLevel=levels[level], properties=_struct(properties))
        )
    service.Configure(request, None)


def test_analyze_through_the_servicer_uses_config_levels_and_settings() -> None:
    service = servicer()
    configure(service, "dev")
    account = dict(STORAGE_ACCOUNT, sku={"name": "Standard_GRS"})
    request = proto.AnalyzeRequest(
        type=STORAGE_ACCOUNT_TYPE,
        properties=_struct(account),
        urn=urn(STORAGE_ACCOUNT_TYPE, "account"),
        name="account",
        options=proto.AnalyzerResourceOptions(protect=False),
    )
    response = service.Analyze(request, None)
    found = {(d.policyName, d.enforcementLevel) for d in response.diagnostics}
    # protect is disabled in dev; the SKU is outside dev's allowedSkus setting.
    assert found == {("azure-native-storage-storageaccount-replication-allowed", proto.MANDATORY)}
    (diagnostic,) = response.diagnostics
    assert diagnostic.message == (
        "Storage accounts use an allowed replication SKU.\n"
        "StorageAccount 'sttrainprod001' uses sku 'Standard_GRS', which is not allowed; allowed "
        "SKUs: Standard_LRS, Standard_ZRS, Premium_LRS, Premium_ZRS, StandardV2_LRS, "
        "StandardV2_ZRS, PremiumV2_LRS, PremiumV2_ZRS, Standard_GZRS, StandardV2_GZRS."
    )


def test_analyze_with_unknowns_reports_nothing() -> None:
    service = servicer()
    configure(service, "prod")
    pv = json.loads(json.dumps(PV))
    pv["spec"]["csi"]["driver"] = UNKNOWN
    pv["spec"]["persistentVolumeReclaimPolicy"] = "Delete"
    request = proto.AnalyzeRequest(
        type=PV_TYPE, properties=_struct(pv), urn=urn(PV_TYPE, "pv"), name="pv"
    )
    response = service.Analyze(request, None)
    assert list(response.diagnostics) == []


def test_analyze_stack_through_the_servicer() -> None:
    service = servicer()
    configure(service, "prod")
    stack = good_stack()
    del stack["account-lock"]
    request = proto.AnalyzeStackRequest()
    for res in stack.values():
        request.resources.append(
            proto.AnalyzerResource(
                type=res.type,
                properties=_struct(res.props),
                urn=res.urn,
                name=res.name,
                options=proto.AnalyzerResourceOptions(protect=res.protect),
                propertyDependencies={
                    prop: proto.AnalyzerPropertyDependencies(urns=[stack[n].urn for n in names])
                    for prop, names in res.property_dependencies.items()
                    if all(n in stack for n in names)
                },
            )
        )
    response = service.AnalyzeStack(request, None)
    assert [(d.policyName, d.urn, d.enforcementLevel) for d in response.diagnostics] == [
        (
            "azure-native-storage-storageaccount-delete-lock",
            stack["account"].urn,
            proto.MANDATORY,
        )
    ]
