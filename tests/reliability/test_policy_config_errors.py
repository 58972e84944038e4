"""A bad `--policy-pack-config` file stops `infra preview` with one line (exit 2).

Each case is a copy of `policies/config/dev.json` with one defect, passed with
`--policy-pack-config` to a preview of the dev stack against the real pack (`policies/`).
The line names the config file and, where the defect is in one policy's entry, that policy;
no pack process outlives the run.  Every case runs `infra.commands.main` in this process (the
console script's code); E2E_CASES also run as a subprocess.

Counts: len(POLICY_CONFIG_CASES) cases, by kind in CASE_KINDS.
"""

from __future__ import annotations

import copy
import json
import uuid
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from infra import commands as cli
from tests.conftest import REPO_ROOT, run_infra
from tests.reliability._support import copy_project, live_processes_matching, one_line_error

DEV_CONFIG = json.loads((REPO_ROOT / "policies" / "config" / "dev.json").read_text())
PACK = REPO_ROOT / "policies"
SOFT_DELETE = "azure-native-storage-fileserviceproperties-share-soft-delete"
SKUS = "azure-native-storage-storageaccount-replication-allowed"
TAGS = "azure-native-storage-storageaccount-required-tags"
NODES = "azure-native-containerservice-managedcluster-node-count-limits"
LOCAL = "azure-native-containerservice-managedcluster-local-accounts-disabled"
LEVELS = "advisory, mandatory, remediate, disabled"

Edit = Callable[[dict[str, Any]], Any]


def _set(policy: str, value: Any) -> Edit:
    def edit(doc: dict[str, Any]) -> dict[str, Any]:
        doc[policy] = value
        return doc

    return edit


def _setting(policy: str, key: str, value: Any) -> Edit:
    def edit(doc: dict[str, Any]) -> dict[str, Any]:
        doc[policy][key] = value
        return doc

    return edit


def _text(text: str) -> Edit:
    return lambda doc: text


GOOD_TEXT = json.dumps(DEV_CONFIG, indent=2)

# (case id, kind, edit of the dev config (or the file text), what the line must contain after
# "infra: error: policy pack "; "{file}" is the config file's path)
POLICY_CONFIG_CASES: list[tuple[str, str, Edit, list[str]]] = [
    (
        "truncated",
        "malformed-json",
        _text(GOOD_TEXT[:-3]),
        ["config file {file}: invalid JSON at line "],
    ),
    (
        "trailing-comma",
        "malformed-json",
        _text(GOOD_TEXT[:-2] + ",\n}"),
        ["config file {file}: invalid JSON at line "],
    ),
    (
        "single-quotes",
        "malformed-json",
        _text("{'all': 'mandatory'}"),
        ["config file {file}: invalid JSON at line 1, column 2"],
    ),
    (
        "not-utf8",
        "malformed-json",
        _text('{"all": "mandatory\udce9"}'),
        ["config file {file}: cannot read it"],
    ),
    (
        "top-level-array",
        "malformed-json",
        _text("[1, 2]"),
        [
            "config file {file}: must be a JSON object mapping policy names to settings, "
            "not an array"
        ],
    ),
    (
        "unknown-policy",
        "unknown-policy",
        _set("no-such-policy", "mandatory"),
        ["config file {file}: ", 'policy "no-such-policy" not in pack aks-rwx-training'],
    ),
    (
        "policy-name-typo",
        "unknown-policy",
        _set(SOFT_DELETE[:-1], {"minimumDays": 7}),
        ["config file {file}: ", f'policy "{SOFT_DELETE[:-1]}" not in pack aks-rwx-training'],
    ),
    (
        "integer-setting-as-string",
        "wrong-setting-type",
        _setting(SOFT_DELETE, "minimumDays", "7"),
        ["config file {file}: ", f'policy "{SOFT_DELETE}": minimumDays: ', "is not of type"],
    ),
    (
        "array-setting-as-string",
        "wrong-setting-type",
        _setting(SKUS, "allowedSkus", "Standard_LRS"),
        ["config file {file}: ", f'policy "{SKUS}": allowedSkus: ', "is not of type 'array'"],
    ),
    (
        "array-of-numbers",
        "wrong-setting-type",
        _setting(TAGS, "requiredTags", [1, 2]),
        ["config file {file}: ", f'policy "{TAGS}": requiredTags.', "is not of type 'string'"],
    ),
    (
        "nested-setting-wrong",
        "wrong-setting-type",
        _setting(NODES, "systemPool", {"min": "1", "max": 5}),
        ["config file {file}: ", f'policy "{NODES}": systemPool.min: '],
    ),
    (
        "settings-not-an-object",
        "wrong-setting-type",
        _set(SOFT_DELETE, 7),
        ["config file {file}: ", f'policy "{SOFT_DELETE}": 7 is not a valid value'],
    ),
    (
        "unknown-level",
        "invalid-level",
        _set(LOCAL, "blocking"),
        [
            "config file {file}: ",
            f'policy "{LOCAL}": "blocking" is not a valid enforcement level',
            LEVELS,
        ],
    ),
    (
        "level-wrong-case",
        "invalid-level",
        _set(LOCAL, "Mandatory"),
        ["config file {file}: ", f'policy "{LOCAL}": "Mandatory" is not a valid enforcement level'],
    ),
    (
        "level-not-a-string",
        "invalid-level",
        _setting(SOFT_DELETE, "enforcementLevel", 1),
        ["config file {file}: ", f'policy "{SOFT_DELETE}": enforcementLevel 1 is not a valid'],
    ),
    (
        "all-unknown-level",
        "invalid-level",
        _set("all", "warn"),
        ["config file {file}: ", 'policy "all": "warn" is not a valid enforcement level'],
    ),
    (
        "all-with-settings",
        "invalid-level",
        _set("all", {"enforcementLevel": "mandatory", "x": 1}),
        ["config file {file}: ", '"all" takes only an enforcement level'],
    ),
]
CASE_KINDS = Counter(kind for _, kind, _, _ in POLICY_CONFIG_CASES)
E2E_CASES = ("truncated", "integer-setting-as-string")


def _write_config(tmp_path: Path, edit: Edit) -> Path:
    result = edit(copy.deepcopy(DEV_CONFIG))
    path = tmp_path / "dev-policy-config.json"
    text = result if isinstance(result, str) else json.dumps(result, indent=2)
    path.write_bytes(text.encode("utf-8", "surrogateescape"))
    return path


@pytest.fixture
def marker(monkeypatch: pytest.MonkeyPatch) -> str:
    """A value every process this test starts inherits, to find leftovers afterwards."""
    value = f"reliability-{uuid.uuid4()}"
    monkeypatch.setenv("RELIABILITY_TEST_MARKER", value)
    return value


def _check_line(line: str, expected: list[str], config: Path) -> None:
    assert line.startswith(f"infra: error: policy pack aks-rwx-training ({PACK})") or (
        line.startswith(f"infra: error: policy pack {PACK}")
    ), line
    for part in expected:
        assert part.format(file=config) in line, (part, line)


@pytest.mark.parametrize(
    ("edit", "expected"),
    [
        pytest.param(edit, expected, id=f"{kind}-{case}")
        for case, kind, edit, expected in POLICY_CONFIG_CASES
    ],
)
def test_bad_policy_pack_config_is_one_line(
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    marker: str,
    edit: Edit,
    expected: list[str],
) -> None:
    config = _write_config(tmp_path, edit)
    code = cli.main(
        ["preview", "-C", str(REPO_ROOT), "-s", "dev", "--policy-pack-config", str(config)]
    )
    out, err = capsys.readouterr()
    assert code == 2, (code, err)
    assert out == ""
    assert "Traceback" not in err
    assert len(err.splitlines()) == 1, err
    _check_line(err.rstrip("\n"), expected, config)
    assert live_processes_matching(markers=[marker]) == []


@pytest.mark.slow  # a process of the console script each, and no pack process left behind
@pytest.mark.parametrize(
    ("edit", "expected"),
    [
        pytest.param(edit, expected, id=case)
        for case, _, edit, expected in POLICY_CONFIG_CASES
        if case in E2E_CASES
    ],
)
def test_bad_policy_pack_config_through_the_console_script(
    tmp_path: Path, marker: str, edit: Edit, expected: list[str]
) -> None:
    config = _write_config(tmp_path, edit)
    result = run_infra("preview", "-s", "dev", "--policy-pack-config", str(config), timeout=120)
    assert result.returncode == 2, (result.returncode, result.stderr)
    assert result.stdout == ""
    _check_line(one_line_error(result), expected, config)
    assert live_processes_matching(markers=[marker]) == []


def test_the_unedited_dev_config_is_accepted(tmp_path: Path, marker: str) -> None:
    """Sanity for the cases above: the copy itself passes (exit 0, no violations)."""
    config = _write_config(tmp_path, lambda doc: doc)
    result = run_infra("preview", "-s", "dev", "--policy-pack-config", str(config), timeout=120)
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""
    assert live_processes_matching(markers=[marker]) == []


def test_a_malformed_stack_policy_config_is_named_before_any_program_runs(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # The whole file replaced leaves no allowed registries either. The program reads that
    # setting, so without the shape checked first the line blamed the smoke image's registry.
    project = copy_project(tmp_path / "project")
    config = project / "policies" / "config" / "dev.json"
    config.write_text('{"all": "sometimes"}\n')
    code = cli.main(["preview", "-C", str(project), "-s", "dev"])
    out, err = capsys.readouterr()
    assert (code, out) == (2, "")
    assert err == (
        f"infra: error: policy pack {project / 'policies'}: config file {config}: policy "
        '"all": "sometimes" is not a valid enforcement level (expected one of advisory, '
        "mandatory, remediate, disabled)\n"
    )
