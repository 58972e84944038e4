"""An error names the place to fix: the file that holds the bad value, the flag, the stack.

* a bad value is reported against the file that holds it: a `Pulumi.yaml` default against
  `Pulumi.yaml`, a stack file's value against the stack file;
* an unquoted YAML scalar that is not a string (`location: no`, `kubernetesVersion: 1.30`)
  for a key `Pulumi.yaml` declares `type: string` is rejected, not turned into "false"/"1.3";
* a key whose namespace is a near miss of the project's (`aks-rwx-trainig:location`) is
  rejected, not ignored;
* a `--policy-pack-config` without a `--policy-pack` to pair with is rejected, not dropped;
* `-s` and discovered `Pulumi.<stack>.yaml` files must be valid Pulumi stack names, for
  every command (preview, diff, smoke).

Each failure is one line on stderr, exit 2.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from infra import commands as cli
from tests.conftest import REPO_ROOT
from tests.reliability._support import (
    PROJECT,
    copy_project,
    evict_repo_program_modules,
    with_own_names,
)

RULE = "Pulumi stack names are 1-100 letters, digits, '-', '_' or '.'"


@pytest.fixture
def project(tmp_path: Path) -> Path:
    return copy_project(tmp_path / "project")


def _edit(path: Path, old: str, new: str) -> None:
    text = path.read_text()
    assert text.count(old) == 1, old
    path.write_text(text.replace(old, new))


def _fails(capsys: pytest.CaptureFixture[str], *argv: str) -> str:
    """Run `infra <argv>` in process; assert exit 2 with one stderr line and return it."""
    evict_repo_program_modules()
    code = cli.main(list(argv))
    out, err = capsys.readouterr()
    assert code == 2, (code, err[-2000:])
    assert out == ""
    assert "Traceback" not in err
    assert len(err.splitlines()) == 1, err
    return err.rstrip("\n")


# --------------------------------------------------------------------------------------------
# The file that holds the value


def test_a_bad_default_is_reported_against_pulumi_yaml(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # prod sets no shareSoftDeleteDays: the Pulumi.yaml default is the bad value.
    _edit(project / "Pulumi.yaml", "    default: 30\n", "    default: 0\n")
    line = _fails(capsys, "preview", "-C", str(project), "-s", "prod", "--no-policy")
    assert line == (
        f"infra: error: Pulumi.yaml: config key '{PROJECT}:shareSoftDeleteDays' must be an "
        "integer between 1 and 365 (got 0)"
    )


def test_a_bad_stack_value_is_reported_against_the_stack_file(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _edit(
        project / "stacks" / "Pulumi.dev.yaml",
        f"  {PROJECT}:shareSoftDeleteDays: 7\n",
        f"  {PROJECT}:shareSoftDeleteDays: 0\n",
    )
    line = _fails(capsys, "preview", "-C", str(project), "-s", "dev", "--no-policy")
    assert line.startswith(
        f"infra: error: stacks/Pulumi.dev.yaml: config key '{PROJECT}:shareSoftDeleteDays' "
    ), line


@pytest.mark.parametrize(
    ("written", "read_as"),
    [
        ("no", "the boolean false"),
        ("on", "the boolean true"),
        ("1.30", "the number 1.3"),
        ("~", "null"),
    ],
)
def test_an_unquoted_non_string_for_a_string_key_is_rejected(
    project: Path, capsys: pytest.CaptureFixture[str], written: str, read_as: str
) -> None:
    stack = project / "stacks" / "Pulumi.dev.yaml"
    stack.write_text(stack.read_text() + f"  {PROJECT}:location: {written}\n")
    line = _fails(capsys, "preview", "-C", str(project), "-s", "dev", "--no-policy")
    assert line == (
        f"infra: error: stacks/Pulumi.dev.yaml: config key '{PROJECT}:location' must be a "
        "string (Pulumi.yaml declares type: string), but YAML reads the unquoted value as "
        f"{read_as}; quote it"
    )


def test_an_unquoted_non_string_default_names_pulumi_yaml(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _edit(project / "Pulumi.yaml", "    default: westeurope\n", "    default: no\n")
    line = _fails(capsys, "preview", "-C", str(project), "-s", "prod", "--no-policy")
    assert line == (
        f"infra: error: Pulumi.yaml: config key '{PROJECT}:location' must be a string "
        "(Pulumi.yaml declares type: string), but YAML reads the unquoted value as the boolean "
        "false; quote it"
    )


@pytest.mark.parametrize("namespace", ["aks-rwx-trainig", "aks-rwx-trainings", "AKS-RWX-Training"])
def test_a_misspelt_project_namespace_is_rejected(
    project: Path, capsys: pytest.CaptureFixture[str], namespace: str
) -> None:
    stack = project / "stacks" / "Pulumi.dev.yaml"
    stack.write_text(stack.read_text() + f"  {namespace}:location: northeurope\n")
    line = _fails(capsys, "preview", "-C", str(project), "-s", "dev", "--no-policy")
    assert line == (
        f"infra: error: stacks/Pulumi.dev.yaml: config key '{namespace}:location' is not in "
        f"the project's namespace '{PROJECT}'; did you mean '{PROJECT}:location'?"
    )


def test_a_misspelt_namespace_in_pulumi_yaml_names_pulumi_yaml(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = project / "Pulumi.yaml"
    path.write_text(path.read_text() + "  aks-rwx-trainig:location:\n    default: northeurope\n")
    line = _fails(capsys, "preview", "-C", str(project), "-s", "prod", "--no-policy")
    assert line.startswith(
        "infra: error: Pulumi.yaml: config key 'aks-rwx-trainig:location' is not in the "
        f"project's namespace '{PROJECT}'"
    ), line


# --------------------------------------------------------------------------------------------
# Flags that come in pairs


def test_a_policy_pack_config_without_a_pack_is_rejected(
    capsys: pytest.CaptureFixture[str],
) -> None:
    # The first config pairs with the project's own pack (policies/); the second has none.
    line = _fails(
        capsys,
        "preview",
        "-C",
        str(REPO_ROOT),
        "-s",
        "dev",
        "--policy-pack-config",
        "policies/config/dev.json",
        "--policy-pack-config",
        "policies/config/prod.json",
    )
    assert line == (
        "infra: error: --policy-pack-config policies/config/prod.json has no --policy-pack to "
        "pair with (2 configs for 1 pack: policies); give one config per pack, in the same "
        "order"
    )


def test_more_configs_than_explicit_packs_name_the_unpaired_config(
    capsys: pytest.CaptureFixture[str],
) -> None:
    line = _fails(
        capsys,
        "preview",
        "-C",
        str(REPO_ROOT),
        "-s",
        "dev",
        "--policy-pack",
        "policies",
        "--policy-pack-config",
        "policies/config/dev.json",
        "--policy-pack-config",
        "policies/config/prod.json",
    )
    assert line.startswith(
        "infra: error: --policy-pack-config policies/config/prod.json has no --policy-pack to "
        "pair with (2 configs for 1 pack: policies)"
    ), line


# --------------------------------------------------------------------------------------------
# Stack names


BAD_NAMES = ["x/../../../evil", "../stacks/Pulumi.dev", "bad name", "a" * 101, ""]


@pytest.mark.parametrize("name", BAD_NAMES)
def test_preview_rejects_an_invalid_stack_name(
    capsys: pytest.CaptureFixture[str], name: str
) -> None:
    line = _fails(capsys, "preview", "-C", str(REPO_ROOT), "-s", name, "--no-policy")
    assert line == f"infra: error: --stack {name!r}: not a valid stack name; {RULE}"


def test_diff_rejects_an_invalid_stack_name(capsys: pytest.CaptureFixture[str]) -> None:
    line = _fails(
        capsys, "diff", "-C", str(REPO_ROOT), "--base", "HEAD", "-s", "x/../../evil", "--no-policy"
    )
    assert line == f"infra: error: --stack 'x/../../evil': not a valid stack name; {RULE}"


def test_smoke_rejects_an_invalid_stack_name(capsys: pytest.CaptureFixture[str]) -> None:
    line = _fails(capsys, "smoke", "-C", str(REPO_ROOT), "-s", "bad name")
    assert "'bad name'" in line and "stack name" in line, line


def test_a_stack_file_with_an_invalid_name_is_reported(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    stacks = project / "stacks"
    shutil.copyfile(stacks / "Pulumi.dev.yaml", stacks / "Pulumi.bad name.yaml")
    line = _fails(capsys, "preview", "-C", str(project), "--no-policy")
    assert line == (
        "infra: error: stacks/Pulumi.bad name.yaml: 'bad name' is not a valid stack name "
        f"({RULE}); rename or remove the file"
    )


# ("Prod" beside "prod" is refused: GitHub environment names ignore case.)
@pytest.mark.parametrize("name", ["qa-1", "feature_x", "v1.2", "UAT"])
def test_valid_stack_names_are_accepted(
    project: Path, capsys: pytest.CaptureFixture[str], name: str
) -> None:
    stacks, configs = project / "stacks", project / "policies" / "config"
    text = with_own_names((stacks / "Pulumi.dev.yaml").read_text(), name)
    (stacks / f"Pulumi.{name}.yaml").write_text(text)
    shutil.copyfile(configs / "dev.json", configs / f"{name}.json")
    evict_repo_program_modules()
    code = cli.main(["preview", "-C", str(project), "-s", name, "--no-policy", "--json"])
    out, err = capsys.readouterr()
    assert code == 0, err
    assert f'"stack": "{name}"' in out
