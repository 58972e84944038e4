"""`infra diff` between two committed revisions of a small project in a temporary repo."""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml

from infra.compare import diff_plans
from infra.engine.model import Resource, StackPlan
from infra.render.diff import COMMENT_LIMIT, render_diff_markdown
from tests.conftest import FIXTURES, git_as_ci

PROJECT = FIXTURES / "projects" / "volumes"


def _write_config(repo: Path, volumes: list[dict], **extra: str) -> None:
    config = {"volumes:volumes": volumes, **{f"volumes:{k}": v for k, v in extra.items()}}
    (repo / "Pulumi.test.yaml").write_text(yaml.safe_dump({"config": config}))


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    target = tmp_path / "repo"
    shutil.copytree(PROJECT, target)
    _write_config(target, [{"name": "datasets", "quota": 100}])
    git_as_ci(target, "init", "-q", "-b", "main")
    git_as_ci(target, "add", "-A")
    git_as_ci(target, "commit", "-qm", "base")
    return target


def _commit(repo: Path, volumes: list[dict], **extra: str) -> None:
    _write_config(repo, volumes, **extra)
    git_as_ci(repo, "commit", "-qam", "change")


def _diff(infra, repo: Path, *flags: str):
    result = infra("diff", "--base", "HEAD~1", "--head", "HEAD", "-C", str(repo), "--json", *flags)
    doc = json.loads(result.stdout) if result.stdout else None
    return result, doc


def _actions(doc) -> set[tuple[str, str]]:
    (stack,) = doc["stacks"]
    return {(c["action"], c["name"]) for c in stack["changes"]}


def test_added_volume(infra, repo):
    _commit(repo, [{"name": "datasets", "quota": 100}, {"name": "checkpoints", "quota": 50}])
    result, doc = _diff(infra, repo)
    assert result.returncode == 0, result.stderr
    assert _actions(doc) == {("add", "checkpoints-share"), ("add", "checkpoints-pv")}
    assert doc["stacks"][0]["summary"] == {"add": 2, "update": 0, "replace": 0, "remove": 0}


def test_changed_quota_is_an_update_not_a_replacement(infra, repo):
    _commit(repo, [{"name": "datasets", "quota": 200}])
    result, doc = _diff(infra, repo, "--strict")
    assert result.returncode == 0, result.stderr
    changes = {c["name"]: c for c in doc["stacks"][0]["changes"]}
    assert set(changes) == {"datasets-share", "datasets-pv"}
    assert changes["datasets-share"]["action"] == "update"
    assert changes["datasets-share"]["changes"] == [{"path": "shareQuota", "old": 100, "new": 200}]
    assert changes["datasets-pv"]["changes"] == [
        {"path": "spec.capacity.storage", "old": "100Gi", "new": "200Gi"}
    ]
    assert doc["stacks"][0]["statefulRisks"] == []


def test_removed_volume_is_a_stateful_deletion_blocked_in_strict_mode(infra, repo):
    _commit(repo, [])
    result, doc = _diff(infra, repo, "--strict")
    assert result.returncode == 3
    assert _actions(doc) == {("remove", "datasets-share"), ("remove", "datasets-pv")}
    assert len(doc["stacks"][0]["statefulRisks"]) == 2
    assert doc["blocked"] is True
    assert "a maintainer's approving review must acknowledge them" in result.stderr
    acknowledged, doc = _diff(infra, repo, "--strict", "--ack")
    assert acknowledged.returncode == 0
    assert doc["blocked"] is False


def test_the_report_file_holds_the_json_of_the_same_run(infra, repo, tmp_path):
    _commit(repo, [])
    report = tmp_path / "report.json"
    flags = ("diff", "--base", "HEAD~1", "--head", "HEAD", "-C", str(repo), "--strict")
    shown = infra(*flags, "--markdown", "--report", str(report))
    assert shown.returncode == 3
    assert "datasets-share" in shown.stdout and not shown.stdout.startswith("{")
    _, doc = _diff(infra, repo, "--strict")
    assert json.loads(report.read_text()) == doc
    nowhere = tmp_path / "no-such-folder" / "report.json"
    refused = infra(*flags, "--report", str(nowhere))
    assert refused.returncode == 2
    assert refused.stderr.strip().splitlines() == [
        f"infra: error: --report {nowhere}: No such file or directory"
    ]


def test_protocol_change_forces_replacement(infra, repo):
    _commit(repo, [{"name": "datasets", "quota": 100, "protocol": "NFS"}])
    result, doc = _diff(infra, repo, "--strict")
    assert result.returncode == 3
    share = next(c for c in doc["stacks"][0]["changes"] if c["name"] == "datasets-share")
    assert share["action"] == "replace"
    assert share["replaceReasons"] == ["enabledProtocols"]


def test_rename_without_alias_deletes_the_share(infra, repo):
    _commit(repo, [{"name": "corpus", "quota": 100, "shareName": "datasets"}])
    result, doc = _diff(infra, repo, "--strict")
    assert result.returncode == 3
    assert ("remove", "datasets-share") in _actions(doc)
    assert ("add", "corpus-share") in _actions(doc)


def test_rename_with_alias_keeps_the_share(infra, repo):
    _commit(
        repo,
        [
            {
                "name": "corpus",
                "quota": 100,
                "shareName": "datasets",
                "aliased": True,
                "renamedFrom": "datasets",
            }
        ],
    )
    _, doc = _diff(infra, repo, "--strict")
    share = next(c for c in doc["stacks"][0]["changes"] if c["name"] == "corpus-share")
    assert share["action"] == "update"
    assert share["oldUrn"].endswith("azure-native:storage:FileShare::datasets-share")
    assert share["changes"] == []
    assert not any(
        r.endswith("::corpus-share") or r.endswith("::datasets-share")
        for r in doc["stacks"][0]["statefulRisks"]
    )


def test_new_policy_violation_appears(infra, repo):
    _commit(repo, [{"name": "datasets", "quota": 2000}])
    result, doc = _diff(infra, repo)
    assert result.returncode == 1
    (added,) = doc["stacks"][0]["violationsAdded"]
    assert added["policy"] == "share-quota-budget"
    assert added["enforcementLevel"] == "mandatory"
    assert added["message"] == (
        "File shares stay within the 1000 GiB budget.\n"
        "share quota 2000 GiB is above the 1000 GiB budget"
    )
    assert doc["stacks"][0]["violationsRemoved"] == []


def test_secrets_stay_masked_in_every_format(infra, repo):
    _commit(repo, [{"name": "datasets", "quota": 100}], tokenValue="very-secret-token-v2")
    _, doc = _diff(infra, repo)
    secret = next(c for c in doc["stacks"][0]["changes"] if c["name"] == "credentials")
    assert secret["changes"] == [{"path": "stringData", "old": "[secret]", "new": "[secret]"}]
    for fmt in ("--json", "--markdown", None):
        args = ["diff", "--base", "HEAD~1", "-C", str(repo)] + ([fmt] if fmt else [])
        out = infra(*args)
        assert "very-secret-token-v2" not in out.stdout + out.stderr
        assert "plain-token-v1" not in out.stdout + out.stderr


def test_unknown_base_ref_is_one_line(infra, repo):
    result = infra("diff", "--base", "no-such-ref", "-C", str(repo))
    assert result.returncode == 2
    assert len(result.stderr.strip().splitlines()) == 1
    assert "no-such-ref" in result.stderr


def _resource(name: str, quota: int) -> Resource:
    return Resource(
        urn=f"urn:pulumi:test::p::azure-native:storage:FileShare::{name}",
        type="azure-native:storage:FileShare",
        name=name,
        custom=True,
        parent=None,
        provider=None,
        inputs={
            "shareName": name,
            "shareQuota": quota,
            "metadata": {"labels": {"a" * 40: "b" * 80}},
        },
    )


def test_markdown_fits_a_pr_comment_with_a_large_diff():
    base = StackPlan("p", "prod", [_resource(f"share{i}", 100) for i in range(2000)], {})
    head = StackPlan("p", "prod", [_resource(f"share{i}", 200) for i in range(2000)], {})
    diffs = [diff_plans(base, head), diff_plans(None, head)]
    text = render_diff_markdown(diffs)
    assert len(text) <= COMMENT_LIMIT
    assert text.splitlines()[1] == "### ✅ `prod`: nothing blocks the merge"
    assert "\n0 to create, 2000 to update, 0 to replace, 0 to delete.\n" in text
    # 4,000 rows cannot all be listed: creates, then updates, are counted instead.
    assert "_Create and update rows counted, not listed" in text
    assert "| 🟢 create | | _2000 not shown_ | |" in text


def test_markdown_keeps_details_when_small():
    base = StackPlan("p", "dev", [_resource("share", 100)], {})
    head = StackPlan("p", "dev", [_resource("share", 200)], {})
    text = render_diff_markdown([diff_plans(base, head)])
    assert "| `shareQuota` | `100` | `200` |" in text
    assert "omitted" not in text


BROKEN_CONFIG = "config:\n  volumes:volumes: 12\n"


def test_a_broken_base_never_reports_nothing_at_risk(infra, repo):
    # What the deployed stack holds is unknown when no revision of the base's history
    # previews (the head may repair it and drop a volume): every stateful resource of the
    # head is at risk, so --strict blocks until a maintainer acknowledges them by name
    # (issue 26.6).
    (repo / "Pulumi.test.yaml").write_text(BROKEN_CONFIG)
    git_as_ci(repo, "commit", "-q", "--amend", "-am", "broken from the start")
    _commit(repo, [{"name": "datasets", "quota": 100}])
    result, doc = _diff(infra, repo, "--strict")
    assert result.returncode == 3, result.stderr
    (stack,) = doc["stacks"]
    assert stack["baseError"].startswith("base revision HEAD~1 does not preview: ")
    assert {c["action"] for c in stack["changes"]} == {"add"}
    stateful = {c["urn"] for c in stack["changes"] if c["stateful"]}
    assert stateful and set(stack["statefulRisks"]) == stateful
    acknowledged, _ = _diff(infra, repo, "--strict", "--ack")
    assert acknowledged.returncode == 0, acknowledged.stderr
    markdown = infra("diff", "--base", "HEAD~1", "-C", str(repo), "--markdown").stdout
    assert "base revision HEAD~1 does not preview" in markdown
    assert "the head's full plan is shown as all creates" in markdown


def test_a_broken_base_is_compared_with_the_last_revision_that_previews(infra, repo):
    # Three commits: two volumes; main broken; the PR repairs main and drops a volume. The
    # drop is named, against the last revision of the base's first-parent history that
    # previews, and nothing else counts as at risk (issue 26.6).
    _commit(repo, [{"name": "datasets", "quota": 100}, {"name": "checkpoints", "quota": 50}])
    good = subprocess.run(
        ["git", "rev-parse", "HEAD"], cwd=repo, capture_output=True, text=True, check=True
    ).stdout.strip()
    (repo / "Pulumi.test.yaml").write_text(BROKEN_CONFIG)
    git_as_ci(repo, "commit", "-qam", "break main")
    _commit(repo, [{"name": "datasets", "quota": 100}])
    result, doc = _diff(infra, repo, "--strict")
    assert result.returncode == 3, result.stderr
    (stack,) = doc["stacks"]
    assert stack["baseError"] is None
    assert stack["comparedWith"].startswith("base revision HEAD~1 does not preview: ")
    assert stack["comparedWith"].endswith(f"; compared with {good[:12]} (1 commit before HEAD~1)")
    assert _actions(doc) == {("remove", "checkpoints-share"), ("remove", "checkpoints-pv")}
    assert set(stack["statefulRisks"]) == {c["urn"] for c in stack["changes"]}
    text = infra("diff", "--base", "HEAD~1", "-C", str(repo)).stdout
    assert f"compared with {good[:12]} (1 commit before HEAD~1)" in text


def test_a_stack_the_base_cannot_preview_leaves_the_others_compared_with_it(infra, repo):
    # A revision's stacks preview in one child; when one stack stops it, each is previewed
    # alone: only that stack is reported, and the others' changes are against their base.
    (repo / "Pulumi.other.yaml").write_text(BROKEN_CONFIG)
    git_as_ci(repo, "add", "-A")
    git_as_ci(repo, "commit", "-qm", "a second stack, broken")
    shutil.copy(repo / "Pulumi.test.yaml", repo / "Pulumi.other.yaml")
    _commit(repo, [{"name": "datasets", "quota": 100}, {"name": "checkpoints", "quota": 50}])
    result, doc = _diff(infra, repo)
    assert result.returncode == 0, result.stderr
    stacks = {s["stack"]: s for s in doc["stacks"]}
    assert stacks["other"]["baseError"].startswith("base revision HEAD~1 does not preview: ")
    assert stacks["test"]["baseError"] is None and stacks["test"]["comparedWith"] is None
    changes = {(c["action"], c["name"]) for c in stacks["test"]["changes"]}
    assert changes == {("add", "checkpoints-share"), ("add", "checkpoints-pv")}


def test_a_broken_head_is_still_an_error(infra, repo):
    (repo / "Pulumi.test.yaml").write_text("config:\n  volumes:volumes: 12\n")
    git_as_ci(repo, "commit", "-qam", "break it")
    result, _ = _diff(infra, repo)
    assert result.returncode == 2
    assert "base revision" not in result.stderr


def test_a_removed_stack_says_its_resources_stay(infra, repo):
    shutil.copy(repo / "Pulumi.test.yaml", repo / "Pulumi.other.yaml")
    git_as_ci(repo, "add", "-A")
    git_as_ci(repo, "commit", "-qm", "second stack")
    git_as_ci(repo, "rm", "-q", "Pulumi.other.yaml")
    git_as_ci(repo, "commit", "-qm", "remove it")
    result, doc = _diff(infra, repo, "--strict")
    assert result.returncode == 0, result.stderr
    removed = next(s for s in doc["stacks"] if s["stack"] == "other")
    assert removed["removed"] is True and removed["changes"] == []
    for fmt in ("--markdown", None):
        args = ["diff", "--base", "HEAD~1", "-C", str(repo), "-s", "other"] + ([fmt] if fmt else [])
        out = infra(*args)
        assert out.returncode == 0, out.stderr
        assert "stack removed: its resources stay until someone runs `pulumi destroy`" in out.stdout


def _share(name: str, quota: int) -> Resource:
    resource = _resource(name, quota)
    resource.inputs["metadata"] = {"labels": {"x" * 200: "y" * 200}}
    return resource


def test_cutting_a_long_diff_keeps_every_delete_and_replace_row_and_the_verdicts():
    from infra.engine.model import Violation

    kept = [_share(f"kept{i}", 100) for i in range(1500)]
    doomed = [_share(f"doomed{i}", 100) for i in range(40)]
    base = StackPlan("p", "prod", kept + doomed, {})
    grown = [_share(f"kept{i}", 200) for i in range(1500)]
    new = [_share(f"new{i}", 100) for i in range(1500)]
    verdict = Violation("pack", "no-deletes", "mandatory", doomed[0].urn, "deleting shares")
    head = StackPlan("p", "prod", grown + new, {}, violations=[verdict])
    text = render_diff_markdown([diff_plans(base, head)])
    assert len(text) <= COMMENT_LIMIT
    for i in range(40):
        assert f"| 🔴 delete ⚠️ | `azure-native:storage:FileShare` | `doomed{i}` |" in text
    assert "| new | mandatory |  | `no-deletes` |" in text
    assert "_Diff truncated" not in text
    assert "| 🟢 create | | _1500 not shown_ | |" in text


# --- Azure Backup: removals and shorter retention are stateful risks --------------------------

BACKUP_POLICY = "azure-native:recoveryservices:ProtectionPolicy"


def _backup(type_: str, name: str, **inputs) -> Resource:
    return Resource(
        urn=f"urn:pulumi:prod::p::{type_}::{name}",
        type=type_,
        name=name,
        custom=True,
        parent=None,
        provider=None,
        inputs={"resourceGroupName": "rg", "vaultName": "rsv", **inputs},
    )


def _policy(daily: int, weekly: int | None = 12, unit: str = "Days") -> Resource:
    retention: dict = {
        "retentionPolicyType": "LongTermRetentionPolicy",
        "dailySchedule": {"retentionDuration": {"count": daily, "durationType": unit}},
    }
    if weekly is not None:
        retention["weeklySchedule"] = {
            "daysOfTheWeek": ["Sunday"],
            "retentionDuration": {"count": weekly, "durationType": "Weeks"},
        }
    return _backup(
        BACKUP_POLICY,
        "policy",
        policyName="azure-files-daily",
        properties={"backupManagementType": "AzureStorage", "retentionPolicy": retention},
    )


def _backup_plan(*resources: Resource) -> StackPlan:
    return StackPlan("p", "prod", list(resources), {})


def _item(share: str) -> Resource:
    return _backup(
        "azure:backup/protectedFileShare:ProtectedFileShare",
        f"item-{share}",
        recoveryVaultName="rsv",
        sourceFileShareName=share,
    )


@pytest.mark.parametrize(
    "removed",
    [
        _backup("azure-native:recoveryservices:Vault", "vault"),
        _policy(30),
        _backup("azure-native:recoveryservices:ProtectionContainer", "container"),
        _item("datasets"),
    ],
    ids=lambda r: r.type.rsplit(":", 1)[1],
)
def test_removing_a_backup_resource_is_a_stateful_deletion(removed: Resource):
    diff = diff_plans(_backup_plan(removed, _item("other")), _backup_plan(_item("other")))
    (change,) = diff.changes
    assert (change.action, change.stateful_risk) == ("remove", True)
    text = render_diff_markdown([diff])
    assert f"| 🔴 delete ⚠️ | `{removed.type}` | `{removed.name}` | deletes stateful data |" in text


@pytest.mark.parametrize(
    ("head", "shortened"),
    [
        (_policy(14), ["properties.retentionPolicy.dailySchedule.retentionDuration"]),
        (_policy(30, weekly=4), ["properties.retentionPolicy.weeklySchedule.retentionDuration"]),
        (_policy(30, weekly=None), ["properties.retentionPolicy.weeklySchedule.retentionDuration"]),
        (_policy(2, unit="Weeks"), ["properties.retentionPolicy.dailySchedule.retentionDuration"]),
    ],
    ids=["fewer-days", "fewer-weeks", "weekly-dropped", "smaller-unit"],
)
def test_shortening_backup_retention_is_a_stateful_risk(head: Resource, shortened: list[str]):
    diff = diff_plans(_backup_plan(_policy(30)), _backup_plan(head))
    (change,) = diff.changes
    assert (change.action, change.shortened_retention, change.stateful_risk) == (
        "update",
        shortened,
        True,
    )
    assert diff.as_json()["statefulRisks"] == [head.urn]
    text = render_diff_markdown([diff])
    why = "shortens retention: " + ", ".join(f"`{p}`" for p in shortened)
    assert f"| 🟡 update ⚠️ | `{BACKUP_POLICY}` | `policy` | {why} |" in text


def test_longer_backup_retention_is_a_plain_update():
    diff = diff_plans(_backup_plan(_policy(30)), _backup_plan(_policy(60, weekly=52)))
    (change,) = diff.changes
    assert (change.action, change.shortened_retention, change.stateful_risk) == (
        "update",
        [],
        False,
    )
    assert diff.stateful_risks == []


def test_strict_diff_exits_3_on_shorter_backup_retention(monkeypatch, capsys):
    from infra.commands import diff as diff_command
    from infra.exit_codes import ExitCode

    diff = diff_plans(_backup_plan(_policy(30)), _backup_plan(_policy(7)))
    monkeypatch.setattr(diff_command, "diff_stacks", lambda *args, **kwargs: [diff])
    from infra.commands import build_parser

    args = build_parser().parse_args(["diff", "--base", "HEAD~1", "--strict", "--no-policy"])
    assert diff_command.run(args) == ExitCode.STATEFUL_RISK == 3
    out, err = capsys.readouterr()
    assert "[STATEFUL: data at risk]" in out
    assert "shorter retention" in err
    assert diff_command.run(argparse.Namespace(**{**vars(args), "ack": True})) == ExitCode.OK


def test_a_long_diff_keeps_the_row_of_a_shorter_backup_retention():
    base = StackPlan("p", "prod", [_share(f"s{i}", 100) for i in range(1500)] + [_policy(30)], {})
    grown = [_share(f"s{i}", 200) for i in range(1500)]
    new = [_share(f"new{i}", 100) for i in range(1500)]
    head = StackPlan("p", "prod", [*grown, *new, _policy(7)], {})
    text = render_diff_markdown([diff_plans(base, head)])
    assert len(text) <= COMMENT_LIMIT
    assert f"| 🟡 update ⚠️ | `{BACKUP_POLICY}` | `policy` | shortens retention: " in text
    assert "| 🟡 update | | _1500 not shown_ | |" in text


def test_a_protected_share_moved_to_another_share_or_vault_is_replaced():
    """azurerm forces a new protected item on another share, account or vault; another
    backup policy is an update in place."""
    base = _item("datasets")
    moved = _backup(base.type, base.name, recoveryVaultName="rsv", sourceFileShareName="other")
    (change,) = diff_plans(_backup_plan(base), _backup_plan(moved)).changes
    assert (change.action, change.stateful_risk) == ("replace", True)
    repoliced = _backup(
        base.type,
        base.name,
        recoveryVaultName="rsv",
        sourceFileShareName="datasets",
        backupPolicyId="/policies/other",
    )
    (change,) = diff_plans(_backup_plan(base), _backup_plan(repoliced)).changes
    assert change.action == "update"


def test_the_graph_shows_only_when_resources_come_or_go_and_only_those_that_change():
    kept, grown, added, dropped = (
        _resource("kept", 100),
        _resource("grown", 100),
        _resource("added", 100),
        _resource("dropped", 100),
    )
    base = StackPlan("p", "prod", [kept, grown, dropped], {})
    updated = StackPlan("p", "prod", [kept, _resource("grown", 200), dropped], {})
    assert "mermaid" not in render_diff_markdown([diff_plans(base, updated)])
    head = StackPlan("p", "prod", [kept, _resource("grown", 200), added], {})
    text = render_diff_markdown([diff_plans(base, head)])
    graph = text[text.index("```mermaid") : text.index("```", text.index("```mermaid") + 3)]
    assert "<details><summary>Graph of the resources that change</summary>" in text
    assert all(name in graph for name in ("grown", "added", "dropped"))
    assert "kept" not in graph


def test_a_violation_shows_once_per_resource_and_names_the_stack_key_behind_it():
    from infra.engine.model import Violation
    from infra.engine.project import Setting
    from infra.readers.config_origin import once_per_resource, stack_keys_behind
    from infra.render.diff import render_diff_text

    share = _resource("datasets", 100)
    head = StackPlan("p", "prod", [share], {})
    policy = "kubernetes-version-supported"
    reported = [
        Violation("pack", policy, "mandatory", share.urn, f"{where} runs 1.28, past support")
        for where in ("the cluster", "pool system", "pool gpu", "pool gpu")
    ]
    reported.append(
        Violation("pack", "quota-limit", "mandatory", share.urn, "shareQuota 100 is too small")
    )
    head.violations = once_per_resource(reported)
    assert [v.policy for v in head.violations] == [policy, "quota-limit"]
    settings = [Setting("p:volumes[0].name", "datasets", 30), Setting("p:quota", "100", 31)]
    for v in head.violations:
        v.stack_keys = stack_keys_behind(v, share, settings, {}, "p", "stacks/Pulumi.prod.yaml")
    diff = diff_plans(StackPlan("p", "prod", [share], {}), head)
    text = render_diff_markdown([diff])
    assert text.count(f"`{policy}`") == 1
    assert text.count("pool gpu runs 1.28") == 1
    assert text.splitlines()[1] == "### ❌ `prod`: 2 mandatory policy violation(s)"
    # The quota's value is in the message and the share's inputs: its key is the fix; the
    # share's name only names the resource.
    assert "**Fix:** change `quota` (line 31) in `stacks/Pulumi.prod.yaml`" in text
    assert "`volumes[0].name`" not in text
    assert "fix: stacks/Pulumi.prod.yaml:31: quota" in render_diff_text([diff])
