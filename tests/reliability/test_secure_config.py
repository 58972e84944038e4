"""A `secure:` config value stays secret: in every output, and in every error.

* `infra preview` of a stack whose file marks `resourceGroupName` and the `owner` tag
  `secure:` prints `[secret]` wherever they (or values built from them: ARM ids, the stack
  outputs) land, never the value `infra` previews them with nor the ciphertext;
* a secure value the program rejects is named by file and key, never shown;
* under the real CLI the program gets the decrypted value and the list of secret keys
  (`PULUMI_CONFIG_SECRET_KEYS`): that value never reaches a resource input, an output or an
  error in plain text;
* only text can be kept secret: a secure true/false or number is rejected.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest

from infra import commands as cli
from infra.engine.model import SECRET_MASK
from infra.engine.project import SECRET_PLACEHOLDER, ConfigError
from infra.engine.values import masked
from tests.reliability._support import (
    PROJECT,
    copy_project,
    evict_repo_program_modules,
    preview,
    with_own_names,
)

CIPHERTEXT = "v1:c2VjcmV0LWNpcGhlcnRleHQtdGhhdC1tdXN0LW5ldmVyLXByaW50"
ACCOUNT = "azure-native:storage:StorageAccount"


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return copy_project(tmp_path_factory.mktemp("secure") / "project")


def _stack_text(project: Path, **replacements: str) -> str:
    text = (project / "stacks" / "Pulumi.dev.yaml").read_text()
    for old, new in replacements.items():
        line = f"  {PROJECT}:{old}"
        assert line in text, old
        text = text.replace(line, f"  {PROJECT}:{new}")
    return text


def _write(project: Path, name: str, text: str) -> None:
    (project / "stacks" / f"Pulumi.{name}.yaml").write_text(with_own_names(text, name))
    policy = project / "policies" / "config"
    (policy / f"{name}.json").write_text((policy / "dev.json").read_text())


@pytest.fixture(scope="module")
def secure_stack(project: Path) -> str:
    secure_group = f"resourceGroupName:\n    secure: {CIPHERTEXT}"
    text = _stack_text(project, **{"resourceGroupName: rg-aks-rwx-training-dev": secure_group})
    text += f"  {PROJECT}:tags:\n    owner:\n      secure: {CIPHERTEXT}\n    cost-center: ml\n"
    _write(project, "sec", text)
    return "sec"


def _json_preview(
    project: Path, stack: str, capsys: pytest.CaptureFixture[str]
) -> tuple[dict[str, Any], str]:
    evict_repo_program_modules()
    code = cli.main(["preview", "-C", str(project), "-s", stack, "--no-policy", "--json"])
    out, err = capsys.readouterr()
    assert code == 0, err
    return json.loads(out)["stacks"][0], out + err


def test_secure_values_print_as_secret_in_json(
    project: Path, secure_stack: str, capsys: pytest.CaptureFixture[str]
) -> None:
    stack, printed = _json_preview(project, secure_stack, capsys)
    assert SECRET_PLACEHOLDER not in printed
    assert CIPHERTEXT not in printed
    by_type = {r["type"]: r for r in stack["resources"]}
    # Values built from the secure ones are secret too: the account's group and its tags.
    assert by_type[ACCOUNT]["inputs"]["resourceGroupName"] == SECRET_MASK
    assert by_type[ACCOUNT]["inputs"]["tags"] == SECRET_MASK
    assert stack["outputs"]["resourceGroupName"] == SECRET_MASK
    # What no secure value reaches stays readable.
    assert (
        by_type[ACCOUNT]["inputs"]["accountName"]
        == with_own_names(f"{PROJECT}:storageAccountName: staksrwxtrainingdev\n", "sec")
        .split(": ")[1]
        .strip()
    )


def test_secure_values_print_as_secret_in_text(
    project: Path, secure_stack: str, capsys: pytest.CaptureFixture[str]
) -> None:
    evict_repo_program_modules()
    code = cli.main(["preview", "-C", str(project), "-s", secure_stack, "--no-policy"])
    out, err = capsys.readouterr()
    assert code == 0, err
    assert SECRET_PLACEHOLDER not in out + err
    assert CIPHERTEXT not in out + err
    assert re.search(rf"^    resourceGroupName *: {re.escape(SECRET_MASK)}$", out, re.MULTILINE), (
        out
    )


def test_a_secure_value_the_program_rejects_is_not_shown(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    text = _stack_text(
        project, **{"fileBillingModel: pay-as-you-go-hdd": f"location:\n    secure: {CIPHERTEXT}"}
    )
    _write(project, "badsec", text)
    evict_repo_program_modules()
    code = cli.main(["preview", "-C", str(project), "-s", "badsec", "--no-policy"])
    _, err = capsys.readouterr()
    assert code == 2, err
    assert len(err.splitlines()) == 1, err
    assert err.startswith(
        f"infra: error: stacks/Pulumi.badsec.yaml: config key '{PROJECT}:location' must be "
    ), err
    assert "(got [secret])" in err
    assert err.endswith(
        " (infra cannot decrypt secure values: it previews them as a placeholder)\n"
    ), err
    assert SECRET_PLACEHOLDER not in err and CIPHERTEXT not in err


# --------------------------------------------------------------------------------------------
# Under the real CLI: decrypted values plus PULUMI_CONFIG_SECRET_KEYS


DECRYPTED_GROUP = "rg-decrypted-secret-name"


def _all_text(plan: Any) -> str:
    """What the program hands the engine: every resource's inputs, the stack outputs. (What
    the provider answers, such as ARM ids, is the provider's: Pulumi never makes an id secret.)"""
    inputs = [{"urn": r.urn, "inputs": masked(r.inputs)} for r in plan.resources]
    return json.dumps({"resources": inputs, "outputs": masked(plan.outputs)})


def test_a_decrypted_secret_never_reaches_a_plan_in_plain_text(
    project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    text = _stack_text(
        project,
        **{"resourceGroupName: rg-aks-rwx-training-dev": f"resourceGroupName: {DECRYPTED_GROUP}"},
    )
    _write(project, "decrypted", text)
    monkeypatch.setenv("PULUMI_CONFIG_SECRET_KEYS", json.dumps([f"{PROJECT}:resourceGroupName"]))
    plan = preview(project, "decrypted")
    printed = _all_text(plan)
    assert DECRYPTED_GROUP not in printed
    # So is what the provider answers from it, where the program passes it on: the group's
    # name reaches the account and the shares as an Output of the group.
    account = next(r for r in plan.resources if r.type == ACCOUNT)
    assert masked(account.inputs)["resourceGroupName"] == SECRET_MASK
    share = next(r for r in plan.resources if r.type == "azure-native:storage:FileShare")
    assert masked(share.inputs)["resourceGroupName"] == SECRET_MASK


@pytest.mark.parametrize(
    ("key", "old", "new", "shown"),
    [
        (
            "clusterName",
            "clusterName: aks-rwx-training-dev",
            "clusterName: Not_A_Valid_Cluster_Name",
            "Not_A_Valid_Cluster_Name",
        ),
        (
            "adminGroupObjectIds",
            "adminGroupObjectIds:\n    - 00000000-0000-0000-0000-00000000a001",
            "adminGroupObjectIds: [not-a-guid-but-a-secret]",
            "not-a-guid-but-a-secret",
        ),
    ],
)
def test_a_decrypted_secret_is_never_echoed_in_an_error(
    project: Path, monkeypatch: pytest.MonkeyPatch, key: str, old: str, new: str, shown: str
) -> None:
    _write(project, "echo", _stack_text(project, **{old: new}))
    monkeypatch.setenv("PULUMI_CONFIG_SECRET_KEYS", json.dumps([f"{PROJECT}:{key}"]))
    with pytest.raises(ConfigError) as error:
        preview(project, "echo")
    message = str(error.value)
    assert message.startswith(f"stacks/Pulumi.echo.yaml: config key '{PROJECT}:{key}"), message
    assert shown not in message
    assert "[secret]" in message


def test_only_text_can_be_secret(project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _write(project, "flag", (project / "stacks" / "Pulumi.dev.yaml").read_text())
    monkeypatch.setenv("PULUMI_CONFIG_SECRET_KEYS", json.dumps([f"{PROJECT}:protectData"]))
    with pytest.raises(ConfigError) as error:
        preview(project, "flag")
    assert str(error.value) == (
        f"stacks/Pulumi.flag.yaml: config key '{PROJECT}:protectData' is secure, but only text "
        "can stay secret and this value holds true/false; set it in plain text"
    )


def test_cost_of_a_stack_with_secure_values_prices_what_it_may_and_hides_the_rest(
    project: Path, secure_stack: str, capsys: pytest.CaptureFixture[str]
) -> None:
    # A secure tag reaches the node pools (their node tags), so the whole pool list is secret:
    # `infra cost` once crashed iterating it (TypeError, exit 1 as if a policy had failed).
    evict_repo_program_modules()
    code = cli.main(["cost", "-C", str(project), "-s", secure_stack])
    out, err = capsys.readouterr()
    assert code == 0, err
    assert "Traceback" not in out + err
    assert re.search(r"not priced +node pools: their settings are secret$", out, re.MULTILINE), out
    assert CIPHERTEXT not in out + err
    assert SECRET_PLACEHOLDER not in out + err
