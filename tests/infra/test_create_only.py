"""infra/engine/create_only.json: the Azure REST API specs' create-only properties, derived."""

from __future__ import annotations

import hashlib
import json
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import yaml

from infra import compare
from infra.engine import arm
from tests.conftest import REPO_ROOT

sys.path.insert(0, str(REPO_ROOT / "scripts"))
import gen_arm_types
import gen_create_only

FIXTURE = REPO_ROOT / "tests" / "fixtures" / "azure-specs"
MSI = (
    "specification/msi/resource-manager/Microsoft.ManagedIdentity/ManagedIdentity/stable/"
    "2023-01-31/ManagedIdentity.json"
)
COMMON = "specification/common-types/resource-management/v4/types.json"
LOCKS = (
    "specification/resources/resource-manager/Microsoft.Authorization/stable/2020-05-01/locks.json"
)
LOCK = "azure-native:authorization:ManagementLockByScope"
IDENTITY = "azure-native:managedidentity:UserAssignedIdentity"
CREDENTIAL = "azure-native:managedidentity:FederatedIdentityCredential"


def _readme_rows() -> dict[str, tuple[str, str]]:
    """path -> (commit, sha256), from the fixture's README table."""
    text = (FIXTURE / "README.md").read_text()
    rows = re.findall(r"^\| `([^`]+)` \| `(\w{40})` \| `\w{40}` \| `(\w{64})` \|$", text, re.M)
    return {path: (commit, sha) for path, commit, sha in rows}


def test_the_vendored_spec_files_are_the_ones_the_readme_names():
    rows = _readme_rows()
    assert set(rows) == {MSI, COMMON, LOCKS}
    for path, (_, sha) in rows.items():
        assert hashlib.sha256((FIXTURE / path).read_bytes()).hexdigest() == sha, path


def test_the_real_managed_identity_spec_gives_location_only():
    data = gen_create_only.build(FIXTURE, {}, "c")["types"]
    # Hand-checked in the two files: an identity's body is `Identity`, allOf common-types v4
    # TrackedResource, whose `location` is x-ms-mutability [read, create]; its flattened
    # `properties` are read-only. A credential's body is ProxyResource (read-only id, name,
    # type, systemData) plus flattened issuer/subject/audiences, none with x-ms-mutability.
    assert data[IDENTITY]["createOnly"] == ["location"]
    assert data[CREDENTIAL]["createOnly"] == []
    assert data[IDENTITY]["spec"] == f"{MSI}@c"
    assert data[IDENTITY]["alsoRead"] == [f"{COMMON}@c"]


def test_the_real_lock_spec_is_found_by_its_scope_path_and_has_no_create_only_property():
    # The SDK's path starts with `{scope}`, the spec's with `/{scope}`; the body is
    # ManagementLockObject: read-only id/type/name/systemData and flattened level, notes and
    # owners[*].applicationId, none with x-ms-mutability (hand-checked).
    entry = gen_create_only.build(FIXTURE, {}, "c")["types"][LOCK]
    assert entry == {
        "apiVersion": "2020-05-01",
        "spec": f"{LOCKS}@c",
        "alsoRead": [],
        "createOnly": [],
    }


def test_the_derived_list_follows_the_fixtures_own_mutability():
    # Read the mutability of TrackedResource.location from the vendored common types directly:
    # the generator must list `location` exactly when the file says it lacks "update".
    common = json.loads((FIXTURE / COMMON).read_text())
    mutability = common["definitions"]["TrackedResource"]["properties"]["location"][
        "x-ms-mutability"
    ]
    derived = gen_create_only.build(FIXTURE, {}, "c")["types"][IDENTITY]["createOnly"]
    assert ("location" in derived) == ("update" not in mutability)


def test_the_committed_data_is_what_the_vendored_files_say():
    assert gen_create_only.check(FIXTURE) == []
    data = json.loads(gen_create_only.DATA.read_text())
    rows = _readme_rows()
    for entry in data["types"].values():
        for source in [entry["spec"], *entry["alsoRead"]]:
            path, _, commit = source.rpartition("@")
            assert rows[path][0] == commit, source


def test_check_fails_when_the_sdk_moved_to_another_api_version(tmp_path, monkeypatch):
    data = json.loads(gen_create_only.DATA.read_text())
    data["types"][IDENTITY]["apiVersion"] = "2018-11-30"
    stale = tmp_path / "create_only.json"
    stale.write_text(json.dumps(data))
    monkeypatch.setattr(gen_create_only, "DATA", stale)
    monkeypatch.setattr(gen_create_only, "ROOT", tmp_path)
    assert gen_create_only.check(None) == [
        f"{IDENTITY}: derived for API version 2018-11-30, the SDK uses 2023-01-31: "
        "run scripts/gen_create_only.py on the specs"
    ]


def test_check_fails_when_the_specs_say_otherwise(tmp_path, monkeypatch):
    data = json.loads(gen_create_only.DATA.read_text())
    data["types"][CREDENTIAL]["createOnly"] = ["issuer"]
    stale = tmp_path / "create_only.json"
    stale.write_text(json.dumps(data))
    monkeypatch.setattr(gen_create_only, "DATA", stale)
    monkeypatch.setattr(gen_create_only, "ROOT", tmp_path)
    (problem,) = gen_create_only.check(FIXTURE)
    assert problem.startswith(f"{CREDENTIAL}: create_only.json differs from what ")


# --- synthetic specs: what the walk must follow -------------------------------------------

_PATH = "/subscriptions/{subscriptionId}/resourceGroups/{rg}/providers/Microsoft.Test/things/{n}"
_TOKEN = "azure-native:test:Thing"


def _write(root: Path, relative: str, document: dict[str, Any]) -> None:
    path = root / relative
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(document))


def _create_only(root: Path, monkeypatch, version: str = "2025-01-01") -> list[str] | None:
    monkeypatch.setattr(
        gen_create_only,
        "_arm_types",
        lambda: {
            _TOKEN: {"path": _PATH.replace("{rg}", "{resourceGroupName}"), "apiVersion": version}
        },
    )
    entry = gen_create_only.build(root, {}, "c")["types"].get(_TOKEN)
    return entry["createOnly"] if entry else None


CREATE = {"x-ms-mutability": ["read", "create"]}


def _thing_spec(body_ref: str) -> dict[str, Any]:
    return {
        "swagger": "2.0",
        "info": {"version": "2025-01-01"},
        "paths": {
            _PATH: {
                "put": {
                    "parameters": [
                        {"$ref": "#/parameters/Body"},
                    ]
                }
            }
        },
        "parameters": {"Body": {"name": "p", "in": "body", "schema": {"$ref": body_ref}}},
        "definitions": {},
    }


def test_refs_across_files_allof_flatten_nesting_and_arrays(tmp_path, monkeypatch):
    spec = _thing_spec("./models/thing.json#/definitions/Thing")
    _write(
        tmp_path,
        "specification/test/resource-manager/Microsoft.Test/stable/2025-01-01/t.json",
        spec,
    )
    _write(
        tmp_path,
        "specification/test/resource-manager/Microsoft.Test/stable/2025-01-01/models/thing.json",
        {
            "definitions": {
                "Thing": {
                    "allOf": [{"$ref": "../../../../../../common/base.json#/definitions/Base"}],
                    "properties": {
                        "properties": {"x-ms-client-flatten": True, "$ref": "#/definitions/Props"},
                        "sku": {"$ref": "#/definitions/Sku"},
                    },
                },
                "Props": {
                    "properties": {
                        "zone": {"type": "string", **CREATE},
                        "size": {"type": "string", "x-ms-mutability": ["read", "create", "update"]},
                        "secret": {"type": "string", "x-ms-mutability": ["create"]},
                        "status": {"type": "string", "readOnly": True, **CREATE},
                        "observed": {"type": "string", "x-ms-mutability": ["read"]},
                        "network": {
                            "type": "object",
                            "properties": {
                                "cidr": {"type": "string", **CREATE},
                                "mode": {"$ref": "#/definitions/Mode"},
                            },
                        },
                        "pools": {"type": "array", "items": {"$ref": "#/definitions/Pool"}},
                        "tagsList": {"type": "array", "items": {"type": "string", **CREATE}},
                        "wholeObject": {"$ref": "#/definitions/Pool", **CREATE},
                        "tree": {"$ref": "#/definitions/Node"},
                        "policy": {"$ref": "#/definitions/Policy"},
                    },
                },
                "Mode": {"type": "string", **CREATE},
                # A polymorphic schema: each subtype's create-only properties are inputs.
                "Policy": {
                    "discriminator": "policyType",
                    "required": ["policyType"],
                    "properties": {"policyType": {"type": "string"}},
                },
                "SharePolicy": {
                    "allOf": [{"$ref": "#/definitions/Policy"}],
                    "x-ms-discriminator-value": "Share",
                    "properties": {"workloadType": {"type": "string", **CREATE}},
                },
                "Sku": {"properties": {"name": {"type": "string", **CREATE}}},
                "Pool": {
                    "allOf": [{"$ref": "#/definitions/PoolBase"}],
                    "properties": {"vmSize": {"type": "string", **CREATE}},
                },
                "PoolBase": {"properties": {"osDisk": {"type": "string", **CREATE}}},
                # A recursive schema: walked once, its create-only name listed once per level.
                "Node": {
                    "properties": {
                        "kind": {"type": "string", **CREATE},
                        "children": {"type": "array", "items": {"$ref": "#/definitions/Node"}},
                    }
                },
            }
        },
    )
    _write(
        tmp_path,
        "specification/common/base.json",
        {"definitions": {"Base": {"properties": {"location": {"type": "string", **CREATE}}}}},
    )
    assert _create_only(tmp_path, monkeypatch) == [
        "location",
        "network.cidr",
        "network.mode",
        "policy.workloadType",
        "pools[*].osDisk",
        "pools[*].vmSize",
        "secret",
        "sku.name",
        "tagsList[*]",
        "tree.kind",
        "wholeObject",
        "zone",
    ]


def test_a_spec_of_another_api_version_is_not_used(tmp_path, monkeypatch):
    spec = _thing_spec("#/definitions/Thing")
    spec["definitions"]["Thing"] = {"properties": {"zone": {"type": "string", **CREATE}}}
    _write(
        tmp_path,
        "specification/test/resource-manager/Microsoft.Test/stable/2025-01-01/t.json",
        spec,
    )
    assert _create_only(tmp_path, monkeypatch) == ["zone"]
    assert _create_only(tmp_path, monkeypatch, version="2026-01-01") is None


def test_a_reference_that_leads_nowhere_is_one_line_naming_the_file(tmp_path, monkeypatch, capsys):
    spec = _thing_spec("./missing.json#/definitions/Thing")
    _write(
        tmp_path,
        "specification/test/resource-manager/Microsoft.Test/stable/2025-01-01/t.json",
        spec,
    )
    monkeypatch.setattr(
        gen_create_only,
        "_arm_types",
        lambda: {_TOKEN: {"path": _PATH, "apiVersion": "2025-01-01"}},
    )
    assert gen_create_only.main(["--specs", str(tmp_path), "--spec-commit", "c"]) == 1
    (line,) = capsys.readouterr().err.splitlines()
    assert (
        "specification/test/resource-manager/Microsoft.Test/stable/2025-01-01/missing.json" in line
    )


# --- the compare uses it ------------------------------------------------------------------


def test_the_diff_replaces_on_a_spec_create_only_path(monkeypatch):
    monkeypatch.setattr(
        arm,
        "_spec_data",
        lambda: {"types": {CREDENTIAL: {"createOnly": ["issuer", "pools[*].vmSize"]}}},
    )
    compare.replace_rules.cache_clear()
    try:
        assert compare._replaces("issuer", CREDENTIAL)
        assert compare._replaces("pools[3].vmSize", CREDENTIAL)
        assert not compare._replaces("subject", CREDENTIAL)
        assert not compare._replaces("pools[3].count", CREDENTIAL)
    finally:
        compare.replace_rules.cache_clear()


def test_the_committed_spec_data_feeds_the_replacement_rules():
    compare.replace_rules.cache_clear()
    paths, _ = compare.replace_rules(IDENTITY)
    assert set(arm.spec_create_only(IDENTITY) or ()) <= set(paths)
    assert arm.spec_create_only("azure-native:storage:StorageAccount") is None


def test_no_hand_rule_repeats_what_the_spec_data_says():
    # A hand rule is kept only for what the specs do not say; once the spec data of its type
    # lists the path, the hand rule must go.
    data = json.loads(gen_create_only.DATA.read_text())["types"]
    hand = {
        **{t: list(p) for t, p in compare._HAND_REPLACE_ON_CHANGE.items()},
        **{t: list(n) for t, n in gen_arm_types.SPEC_CREATE_ONLY.items()},
    }
    for token, paths in hand.items():
        if token in data:
            covered = set(paths) & set(data[token]["createOnly"])
            assert not covered, f"{token}: {sorted(covered)} is in create_only.json"


def test_the_weekly_regeneration_runs_the_generator_with_flags_it_takes():
    workflow = yaml.safe_load((REPO_ROOT / ".github" / "workflows" / "arm-types.yml").read_text())
    steps = workflow["jobs"]["regenerate"]["steps"]
    scripts = [s["run"] for s in steps if "gen_create_only.py" in s.get("run", "")]
    used = {token for script in scripts for token in script.split() if token.startswith("--")}
    parser_flags = {
        f for action in gen_create_only.build_parser()._actions for f in action.option_strings
    }
    assert used >= {"--sparse-checkout", "--specs", "--spec-commit", "--check"}
    assert used <= parser_flags, used - parser_flags
    (checkout,) = (
        s for s in steps if s.get("with", {}).get("repository") == "Azure/azure-rest-api-specs"
    )
    assert checkout["with"]["ref"] == "${{ env.AZURE_REST_API_SPECS_COMMIT }}"
    assert re.fullmatch(r"[0-9a-f]{40}", workflow["env"]["AZURE_REST_API_SPECS_COMMIT"])
    assert checkout["with"]["sparse-checkout-cone-mode"] is False


def test_the_sparse_checkout_covers_every_type_at_its_api_version():
    patterns = gen_create_only.sparse_patterns()
    for token, entry in json.loads(arm.DATA.read_text())["types"].items():
        expected = (
            f"specification/*/resource-manager/{gen_create_only.namespace(entry['path'])}/**/"
            f"{entry['apiVersion']}/*.json"
        )
        assert expected in patterns, token
    assert (
        "specification/*/resource-manager/Microsoft.ManagedIdentity/**/2023-01-31/*.json"
        in patterns
    )


def test_the_offline_limits_name_what_is_derived_and_what_is_hand_kept():
    text = " ".join((REPO_ROOT / "docs" / "offline-limits.md").read_text().split())
    for token in json.loads(gen_create_only.DATA.read_text())["types"]:
        assert f"`{token.removeprefix('azure-native:')}`" in text, token
    for table in (
        "SPEC_CREATE_ONLY",
        "_HAND_REPLACE_ON_CHANGE",
        "_CLASSIC_REPLACE_ON_CHANGE",
        "REPLACE_ON_KEY_CHANGE",
    ):
        assert f"`{table}`" in text
    hand = [*compare._HAND_REPLACE_ON_CHANGE, *gen_arm_types.SPEC_CREATE_ONLY]
    for token in (t for t in hand if t.startswith("azure-native:")):
        assert f"{token.rsplit(':', 1)[1]}'s" in text, token


def test_git_checks_out_what_the_patterns_name_and_no_examples(tmp_path):
    # The patterns are git's non-cone sparse-checkout patterns (gitignore syntax: `*` stops at
    # a `/`, `**` spans directories), as actions/checkout passes them to `git sparse-checkout
    # set --no-cone`; run git on a repository laid out like azure-rest-api-specs.
    files = [
        MSI,
        COMMON,
        LOCKS,
        MSI.replace("ManagedIdentity.json", "examples/IdentityCreate.json"),
        MSI.replace("2023-01-31", "2024-11-30"),
        "specification/storage/resource-manager/Microsoft.Storage/stable/2024-01-01/file.json",
        "specification/storage/resource-manager/Microsoft.Storage/stable/2023-05-01/file.json",
        "specification/compute/resource-manager/Microsoft.Compute/stable/2024-01-01/disk.json",
    ]
    for relative in files:
        (tmp_path / relative).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / relative).write_text("{}")

    def git(*args: str) -> str:
        return subprocess.run(
            ["git", "-c", "user.name=t", "-c", "user.email=t@t", *args],
            cwd=tmp_path,
            check=True,
            capture_output=True,
            text=True,
        ).stdout

    git("init", "-q")
    git("add", ".")
    git("commit", "-qm", "specs")
    git("sparse-checkout", "set", "--no-cone", *gen_create_only.sparse_patterns())
    present = {p.relative_to(tmp_path).as_posix() for p in tmp_path.rglob("*.json")}
    assert present == {
        MSI,
        COMMON,
        LOCKS,
        "specification/storage/resource-manager/Microsoft.Storage/stable/2024-01-01/file.json",
    }
