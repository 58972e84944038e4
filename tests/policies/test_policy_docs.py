"""The policy table in policies/README.md is generated from the pack and kept current."""

from __future__ import annotations

import importlib
import json
import sys
from pathlib import Path

import pytest

from policies import registry
from tests.conftest import REPO_ROOT, STACKS

sys.path.insert(0, str(REPO_ROOT / "scripts"))
import gen_policy_docs

NEW_RULE = """
from pulumi_policy import EnforcementLevel, ResourceValidationPolicy, Severity

POLICY = ResourceValidationPolicy(
    name="kubernetes-core-configmap-size-limited",
    description="ConfigMaps stay small.",
    validate=lambda args, report: None,
    enforcement_level=EnforcementLevel.ADVISORY,
    severity=Severity.LOW,
    remediation_steps="Move large data to a volume instead of a ConfigMap.",
    url="https://kubernetes.io/docs/concepts/configuration/configmap/",
)
STACK_KEYS = ()
"""


def _extend_rules_path(monkeypatch: pytest.MonkeyPatch, folder: Path) -> None:
    """Add `folder` to where rule modules are found. A program run by an earlier test may have
    re-imported `policies` (the engine forgets other projects' modules), so the package the
    registry holds and the one `import` resolves can differ: extend both."""
    packages = {id(p): p for p in (registry.rules, sys.modules.get("policies.rules")) if p}
    for package in packages.values():
        monkeypatch.setattr(package, "__path__", [*package.__path__, str(folder)])


def test_the_readme_tables_are_current():
    assert gen_policy_docs.main(["--check"]) == 0, "run python scripts/gen_policy_docs.py"


def _levels(row: str) -> dict[str, str]:
    """A table row's levels column (`off/M/M`), per environment."""
    levels = row.split(" | ")[5].split("/")
    assert len(levels) == len(STACKS), row
    return dict(zip(STACKS, levels, strict=True))


def test_every_policy_has_a_row_with_its_levels():
    table = gen_policy_docs.table()
    # One column per environment, in deploy order.
    assert table.splitlines()[0].split(" | ")[5] == "/".join(STACKS)
    for policy in registry.ALL_POLICIES:
        assert f"| `{policy.name}` |" in table
    # dev relaxes the storage protection that staging and prod enforce.
    assert "| `pulumi-resourceoptions-storage-protect` | resource |" in table
    row = next(line for line in table.splitlines() if "storage-protect`" in line)
    assert {env: _levels(row)[env] for env in ("dev", "staging", "prod")} == {
        "dev": "off",
        "staging": "M",
        "prod": "M",
    }


def test_a_new_rule_module_is_discovered_and_documented(tmp_path: Path, monkeypatch):
    group = tmp_path / "extra"
    group.mkdir()
    (group / "__init__.py").write_text("")
    (group / "configmap_size_limited.py").write_text(NEW_RULE)
    _extend_rules_path(monkeypatch, tmp_path)
    try:
        modules = registry.rule_modules()
        names = [m.POLICY.name for m in modules]
        assert "kubernetes-core-configmap-size-limited" in names
        monkeypatch.setattr(gen_policy_docs, "ALL_POLICIES", [m.POLICY for m in modules])
        row = next(
            line for line in gen_policy_docs.table().splitlines() if "configmap-size" in line
        )
        # A new policy takes each environment's "all" level.
        inherited = "/".join(
            gen_policy_docs.LEVELS[json.loads(config.read_text())["all"]]
            for config in (REPO_ROOT / "policies" / "config" / f"{env}.json" for env in STACKS)
        )
        assert row == (
            "| `kubernetes-core-configmap-size-limited` | resource | ConfigMaps stay small. "
            f"| none (code) | low | {inherited} "
            "| [k8s docs](https://kubernetes.io/docs/concepts/configuration/configmap/) |"
        )
    finally:
        for name in [n for n in sys.modules if n.startswith("policies.rules.extra")]:
            del sys.modules[name]


def test_a_module_without_a_policy_is_an_error(tmp_path: Path, monkeypatch):
    group = tmp_path / "broken"
    group.mkdir()
    (group / "__init__.py").write_text("")
    (group / "nothing_here.py").write_text("RULE = None\n")
    _extend_rules_path(monkeypatch, tmp_path)
    try:
        with pytest.raises(TypeError, match=r"policies\.rules\.broken\.nothing_here defines no"):
            registry.rule_modules()
    finally:
        for name in [n for n in sys.modules if n.startswith("policies.rules.broken")]:
            del sys.modules[name]
    importlib.invalidate_caches()


def test_a_module_without_stack_keys_is_an_error(tmp_path: Path, monkeypatch):
    """Whether a stack setting can cause the verdict is decided for every policy, never left
    out: an undeclared module stops the pack."""
    group = tmp_path / "undeclared"
    group.mkdir()
    (group / "__init__.py").write_text("")
    (group / "configmap_size_limited.py").write_text(NEW_RULE.replace("STACK_KEYS = ()", ""))
    _extend_rules_path(monkeypatch, tmp_path)
    try:
        with pytest.raises(TypeError, match=r"configmap_size_limited declares no module-level STA"):
            registry.rule_modules()
    finally:
        for name in [n for n in sys.modules if n.startswith("policies.rules.undeclared")]:
            del sys.modules[name]
    importlib.invalidate_caches()
