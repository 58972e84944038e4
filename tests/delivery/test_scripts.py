"""The CI helper scripts in scripts/, run as the workflows run them, with fake `gh`,
`pulumi`, `kubectl` and `infra` where the real ones would need GitHub or Azure."""

from __future__ import annotations

import json
import os
import shutil
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import STACKS
from tests.delivery._workflows import REPO_ROOT, SCRIPTS, env_with

sys.path.insert(0, str(SCRIPTS))
import build_pr_comment
import ci_kube

PYTHON = sys.executable


def sh(
    *cmd: str, cwd: Path = REPO_ROOT, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        list(cmd),
        cwd=cwd,
        env=env or env_with(),
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def fake(bin_dir: Path, name: str, body: str) -> Path:
    bin_dir.mkdir(parents=True, exist_ok=True)
    path = bin_dir / name
    path.write_text("#!/usr/bin/env bash\nset -euo pipefail\n" + body)
    path.chmod(path.stat().st_mode | stat.S_IXUSR)
    return path


def git(repo: Path, *args: str) -> str:
    env = env_with(
        GIT_AUTHOR_NAME="t",
        GIT_AUTHOR_EMAIL="t@example.invalid",
        GIT_COMMITTER_NAME="t",
        GIT_COMMITTER_EMAIL="t@example.invalid",
        GIT_CONFIG_NOSYSTEM="1",
        HOME=str(repo),
    )
    done = subprocess.run(
        ["git", "-C", str(repo), *args], env=env, capture_output=True, text=True, check=True
    )
    return done.stdout.strip()


# --- ci-offline-diff.sh ----------------------------------------------------------------

HEAD = "a" * 40
AT_RISK = {
    "stacks": [
        {
            "stack": "prod",
            "changes": [{"urn": "urn:pulumi:prod::p::t::share", "name": "share"}],
            "statefulRisks": ["urn:pulumi:prod::p::t::share"],
        }
    ]
}


def _fake_infra(tmp_path: Path, exit_code: int) -> Path:
    """Logs each call; --report FILE writes AT_RISK there; a blocked run (3) passes once --ack
    is given."""
    diff = tmp_path / "diff.json"
    diff.write_text(json.dumps(AT_RISK))
    return fake(
        tmp_path / "bin",
        "infra",
        f"""echo "$*" >>"{tmp_path}/calls"
previous=''
for arg in "$@"; do
  if [[ $previous == --report ]]; then cp "{diff}" "$arg"; fi
  previous=$arg
done
echo "### report for $7"
if [[ {exit_code} == 3 && $* == *--ack* ]]; then exit 0; fi
exit {exit_code}
""",
    )


def _offline_diff(
    tmp_path: Path, stack: str, exit_code: int, reviews: list[dict[str, object]]
) -> tuple[subprocess.CompletedProcess[str], list[list[str]], Path]:
    (tmp_path / "reviews.json").write_text(json.dumps([reviews]))  # gh api --slurp: pages
    author = {"login": "author", "type": "User"}
    commits = [[{"sha": HEAD, "author": author, "committer": author}]]
    (tmp_path / "commits.json").write_text(json.dumps(commits))
    env = env_with(
        INFRA=str(_fake_infra(tmp_path, exit_code)),
        PYTHON=PYTHON,
        REVIEWS=str(tmp_path / "reviews.json"),
        COMMITS=str(tmp_path / "commits.json"),
        PR_AUTHOR="author",
        HEAD_SHA=HEAD,
    )
    out = tmp_path / "out"
    done = sh(str(SCRIPTS / "ci-offline-diff.sh"), stack, "origin/main", "HEAD", str(out), env=env)
    calls = [line.split() for line in (tmp_path / "calls").read_text().splitlines()]
    return done, calls, out


APPROVAL = {
    "id": 7,
    "user": {"login": "maintainer", "type": "User"},
    "state": "APPROVED",
    "author_association": "MEMBER",
    "commit_id": HEAD,
    "body": "Acknowledge-Replacement: prod: share",
}


@pytest.mark.parametrize(
    ("stack", "exit_code", "expect_strict"),
    [("dev", 0, False), ("staging", 1, True), ("prod", 0, True), ("qa", 2, False)],
)
def test_offline_diff(tmp_path: Path, stack: str, exit_code: int, expect_strict: bool) -> None:
    done, calls, out = _offline_diff(tmp_path, stack, exit_code, [APPROVAL])
    assert done.returncode == exit_code
    # Not blocked: one run, and nobody is asked for an acknowledgement.
    [args] = calls
    assert args[:7] == ["diff", "--base", "origin/main", "--head", "HEAD", "--stack", stack]
    assert ("--strict" in args) == expect_strict
    assert "--ack" not in args and "--markdown" in args
    assert args[args.index("--report") + 1] == str(out.resolve() / f"{stack}.json")
    assert (out / f"{stack}.md").read_text() == f"### report for {stack}\n"
    assert (out / f"{stack}.rc").read_text().strip() == str(exit_code)
    assert sorted(p.name for p in out.iterdir()) == [f"{stack}.md", f"{stack}.rc"]


def test_offline_diff_acknowledged_by_a_maintainers_approval(tmp_path: Path) -> None:
    done, calls, out = _offline_diff(tmp_path, "prod", 3, [APPROVAL])
    assert done.returncode == 0, done.stderr
    # One run for the report and the resources at risk, one more once acknowledged.
    first, acknowledged = calls
    assert "--report" in first and "--ack" not in first
    assert "--ack" in acknowledged and "--strict" in acknowledged
    assert "--report" not in acknowledged and acknowledged[-1] == "--markdown"
    report = (out / "prod.md").read_text()
    assert report.startswith("### report for prod\n")
    assert "> acknowledged by @maintainer (review 7 of aaaaaaaaaaaa): share in prod" in report
    assert (out / "prod.rc").read_text().strip() == "0"
    assert sorted(p.name for p in out.iterdir()) == ["prod.md", "prod.rc"]


@pytest.mark.parametrize(
    "review",
    [
        pytest.param({**APPROVAL, "user": {"login": "Author"}}, id="author's own approval"),
        pytest.param({**APPROVAL, "commit_id": "b" * 40}, id="older commit"),
        pytest.param({**APPROVAL, "body": "Acknowledge-Replacement: prod"}, id="no resources"),
    ],
)
def test_offline_diff_stays_blocked(tmp_path: Path, review: dict[str, object]) -> None:
    done, calls, out = _offline_diff(tmp_path, "prod", 3, [review])
    assert done.returncode == 3
    [args] = calls
    assert "--report" in args and "--ack" not in args
    report = (out / "prod.md").read_text()
    assert "> not acknowledged (" in report
    assert "`Acknowledge-Replacement: prod: share`" in report
    assert (out / "prod.rc").read_text().strip() == "3"


def test_offline_diff_without_reviews_stays_blocked(tmp_path: Path) -> None:
    infra = _fake_infra(tmp_path, 3)
    out = tmp_path / "out"
    done = sh(
        str(SCRIPTS / "ci-offline-diff.sh"),
        "prod",
        "origin/main",
        "HEAD",
        str(out),
        env=env_with(INFRA=str(infra), PYTHON=PYTHON),
    )
    assert done.returncode == 3
    assert "> not acknowledged: " in (out / "prod.md").read_text()


def test_offline_diff_error_before_any_report(tmp_path: Path) -> None:
    infra = fake(tmp_path / "bin", "infra", 'echo "infra: error: no such stack" >&2\nexit 2\n')
    out = tmp_path / "out"
    done = sh(
        str(SCRIPTS / "ci-offline-diff.sh"),
        "dev",
        "origin/main",
        "HEAD",
        str(out),
        env=env_with(INFRA=str(infra)),
    )
    assert done.returncode == 2
    assert "infra: error: no such stack" in done.stderr
    report = (out / "dev.md").read_text()
    assert "exited 2 before printing a report" in report
    assert "infra: error: no such stack" in report


def test_offline_diff_rejects_a_bad_stack_name(tmp_path: Path) -> None:
    done = sh(str(SCRIPTS / "ci-offline-diff.sh"), "../x", "origin/main", "HEAD", str(tmp_path))
    assert done.returncode == 2
    assert list(tmp_path.iterdir()) == []


# --- build_pr_comment.py ---------------------------------------------------------------


def _results(tmp_path: Path, results: dict[str, tuple[int | None, str]]) -> Path:
    folder = tmp_path / "results"
    folder.mkdir()
    for stack, (rc, md) in results.items():
        if rc is not None:
            (folder / f"{stack}.rc").write_text(f"{rc}\n")
        (folder / f"{stack}.md").write_text(md)
    return folder


def test_comment_gathers_every_stack_under_one_marker(tmp_path: Path) -> None:
    folder = _results(
        tmp_path,
        {
            "prod": (3, "### prod\nreplace `rwx-share` <!-- infra-diff -->\n"),
            "dev": (
                0,
                "### dev\n+ 2 to create\n\n💰 **Estimated cost:** $73.00 → $146.00 a month "
                "(+$73.00); 4 item(s) not priced\n",
            ),
            "staging": (None, ""),
        },
    )
    out = tmp_path / "comment.md"
    assert (
        build_pr_comment.main(
            [
                "--results",
                str(folder),
                "--out",
                str(out),
                "--stacks",
                '["prod", "dev", "staging"]',
                "--sha",
                "0123456789abcdef0123",
                "--run-url",
                "https://example.invalid/run/1",
            ]
        )
        == 0
    )
    text = out.read_text()
    assert text.startswith("<!-- infra-diff -->\n")
    assert text.count("<!-- infra-diff -->") == 1
    assert "`0123456789ab`" in text and "(https://example.invalid/run/1)" in text
    rows = [line for line in text.splitlines() if line.startswith("| `")]
    assert [r.split("`")[1] for r in rows] == ["dev", "staging", "prod"]
    assert "✅" in rows[0] and "💥" in rows[1] and "⚠️" in rows[2] and "exit 3" in rows[2]
    assert rows[0].endswith("| $73.00 → $146.00 a month (+$73.00); 4 item(s) not priced |")
    assert rows[1].endswith("| — |")
    assert "`Acknowledge-Replacement: prod: <resource>, ...`" in text
    assert "<details><summary>✅ <code>dev</code></summary>" in text
    assert "<details open><summary>⚠️ <code>prod</code></summary>" in text
    assert "+ 2 to create" in text


def _stack_report(stack: str, reasons: list[list[str]], ack: str = "") -> str:
    marker = json.dumps({"stack": stack, "reasons": reasons, "acknowledge": ack})
    return f"<!-- infra-diff-reasons: {marker} -->\n### `{stack}`\n\nbody of {stack}\n"


def test_the_first_line_names_every_reason_the_check_is_red_in_order(tmp_path: Path) -> None:
    # prod blocks on a stateful risk (exit 3) AND has a mandatory violation: the exit code
    # alone would hide the violation; the permissions job and prod's Checkov scan fail too.
    ack = "Acknowledge-Replacement: prod: shared-storage-account"
    folder = _results(
        tmp_path,
        {
            "prod": (
                3,
                _stack_report(
                    "prod",
                    [
                        ["mandatory", "1 mandatory policy violation(s)"],
                        ["stateful", "1 stateful resource(s) at risk, unacknowledged"],
                    ],
                    ack,
                ),
            ),
            "dev": (0, _stack_report("dev", [])),
        },
    )
    permissions = tmp_path / "permissions"
    permissions.mkdir()
    (permissions / "permissions.rc").write_text("1\n")
    (permissions / "permissions.txt").write_text("deploy-prod lacks Microsoft.Storage/x/write\n")
    scans = tmp_path / "scans"
    scans.mkdir()
    (scans / "prod.rc").write_text("1\n")
    (scans / "dev.rc").write_text("0\n")
    text = build_pr_comment.build(["dev", "prod"], folder, permissions=permissions, scans=scans)
    lines = text.splitlines()
    assert lines[0] == "<!-- infra-diff -->"
    first = lines[1]
    order = [
        "`prod`: 1 mandatory policy violation(s)",
        "`prod`: 1 stateful resource(s) at risk, unacknowledged",
        "identity permissions: ",
        "`prod`: scanner findings (Checkov)",
    ]
    positions = [first.find(part) for part in order]
    assert all(p > 0 for p in positions) and positions == sorted(positions), first
    assert first.startswith("## ❌ ") and "dev" not in first
    # The acknowledgement comes right under it, with the exact line for the stack.
    assert lines[3].startswith("**To merge past the stateful risk:**")
    assert lines[4] == f"- `{ack}`"
    prod_row = next(line for line in lines if line.startswith("| `prod`"))
    assert "mandatory" in prod_row and "stateful" in prod_row and "Checkov" in prod_row


def test_a_green_comment_says_so_first(tmp_path: Path) -> None:
    folder = _results(tmp_path, {"dev": (0, _stack_report("dev", []))})
    text = build_pr_comment.build(["dev"], folder)
    assert text.splitlines()[1] == "## ✅ nothing blocks the merge"
    assert "To merge" not in text


def test_make_diff_prints_the_comment_ci_posts_byte_for_byte(tmp_path: Path) -> None:
    # `make diff BASE=...` runs scripts/pr-comment.sh: the CI steps in order, then the
    # comment. On the same per-stack reports and verdicts it prints exactly what
    # build_pr_comment.py writes for the PR (CI's call adds only --run-url).
    report = tmp_path / "report.md"
    report.write_text(_stack_report("dev", [["mandatory", "1 mandatory policy violation(s)"]]))
    infra = fake(
        tmp_path / "bin",
        "infra",
        "case $1 in\n"
        """  affected) echo '{"version": 1, "stacks": ["dev"]}' ;;\n"""
        f"  diff) cat '{report}'; exit 1 ;;\n"
        '  permissions) echo "every identity holds what it needs" ;;\n'
        "esac\n",
    )
    out = tmp_path / "out"
    done = sh(
        str(SCRIPTS / "pr-comment.sh"),
        "HEAD",
        str(out),
        env=env_with(INFRA=str(infra), CHECKOV=str(tmp_path / "no-checkov")),
    )
    assert done.returncode == 1, done.stderr
    sha = subprocess.run(
        ["git", "rev-parse", "HEAD"], cwd=REPO_ROOT, capture_output=True, text=True, check=True
    ).stdout.strip()
    expected = build_pr_comment.build(
        ["dev"], out / "diff", sha=sha, permissions=out / "permissions"
    )
    assert done.stdout == expected
    assert done.stdout.splitlines()[1] == "## ❌ `dev`: 1 mandatory policy violation(s)"
    assert "leaves out Checkov" in done.stderr


def test_comment_without_affected_stacks(tmp_path: Path) -> None:
    out = tmp_path / "c.md"
    assert (
        build_pr_comment.main(
            ["--results", str(tmp_path / "none"), "--out", str(out), "--stacks", "[]"]
        )
        == 0
    )
    text = out.read_text()
    assert text.startswith("<!-- infra-diff -->")
    assert "No stack is affected" in text


def test_comment_stays_under_githubs_limit(tmp_path: Path) -> None:
    huge = "```\n" + ("x" * 100 + "\n") * 2000  # an unterminated fence, 200 kB
    folder = _results(tmp_path, {s: (1, huge) for s in ("dev", "staging", "prod")})
    out = tmp_path / "c.md"
    build_pr_comment.main(["--results", str(folder), "--out", str(out)])
    text = out.read_text()
    assert len(text) < 65_000
    assert text.count("truncated") == 3
    assert text.count("```") % 2 == 0


def test_comment_rejects_bad_stack_lists(tmp_path: Path) -> None:
    out = tmp_path / "c.md"
    for stacks in ('{"a": 1}', '["ok", "../../etc"]'):
        assert (
            build_pr_comment.main(
                ["--results", str(tmp_path), "--out", str(out), "--stacks", stacks]
            )
            == 2
        )
    assert not out.exists()


# --- ci_kube.py ------------------------------------------------------------------------


def _json(tmp_path: Path, name: str, doc: object) -> str:
    path = tmp_path / name
    path.write_text(json.dumps(doc))
    return str(path)


def test_outputs_sanity(tmp_path: Path) -> None:
    good = _json(tmp_path, "good.json", {"kubeconfig": "[secret]", "shareName": "data"})
    assert ci_kube.check_outputs(good, ["kubeconfig", "shareName"]) == []
    assert ci_kube.check_outputs(good, ["storageAccount"]) == [
        "stack output 'storageAccount' is missing or empty"
    ]
    assert ci_kube.check_outputs(_json(tmp_path, "e.json", {}), [])[0].startswith(
        "the stack has no outputs"
    )
    bad = tmp_path / "bad.json"
    bad.write_text("warning: not json")
    assert ci_kube.check_outputs(str(bad), [])[0].startswith("stack outputs are not valid JSON")


KUBECONFIG = """\
apiVersion: v1
clusters:
- cluster:
    certificate-authority-data: Q0FDQUNBQ0E=
    server: https://aks-dev-abc.hcp.westeurope.azmk8s.io:443
  name: aks-dev
users:
- name: clusterUser_rg_aks-dev
  user:
    client-certificate-data: Q0VSVENFUlRDRVJU
    client-key-data: "S0VZS0VZS0VZS0VZ"
    token: 0123456789abcdef0123456789abcdef
"""


def test_mask_lines_cover_the_credentials(tmp_path: Path) -> None:
    path = tmp_path / "kubeconfig"
    path.write_text(KUBECONFIG)
    assert ci_kube.mask_lines(str(path)) == sorted(
        f"::add-mask::{v}"
        for v in ("Q0VSVENFUlRDRVJU", "S0VZS0VZS0VZS0VZ", "0123456789abcdef0123456789abcdef")
    )


def _pvc(name: str, phase: str, sc: str = "azurefile-rwx") -> dict[str, object]:
    return {
        "metadata": {"namespace": "training", "name": name},
        "spec": {"storageClassName": sc, "accessModes": ["ReadWriteMany"]},
        "status": {"phase": phase},
    }


def test_pvcs_bound(tmp_path: Path) -> None:
    classes = _json(
        tmp_path,
        "sc.json",
        {
            "items": [
                {"metadata": {"name": "azurefile-rwx"}, "volumeBindingMode": "Immediate"},
                {"metadata": {"name": "managed-csi"}, "volumeBindingMode": "WaitForFirstConsumer"},
            ]
        },
    )
    ok = _json(
        tmp_path,
        "ok.json",
        {"items": [_pvc("data", "Bound"), _pvc("scratch", "Pending", "managed-csi")]},
    )
    report, problems = ci_kube.check_pvcs(ok, classes)
    assert problems == []
    assert report[0] == (
        "training/data: Bound storageClass=azurefile-rwx accessModes=ReadWriteMany"
    )
    bad = _json(
        tmp_path,
        "bad.json",
        {"items": [_pvc("data", "Pending"), _pvc("old", "Lost"), _pvc("x", "Pending", "gone")]},
    )
    _, problems = ci_kube.check_pvcs(bad, classes)
    assert problems == [
        "PVC training/data is Pending (storageClass azurefile-rwx)",
        "PVC training/old is Lost (storageClass azurefile-rwx)",
        "PVC training/x is Pending (storageClass gone)",
    ]
    empty = _json(tmp_path, "empty.json", {"items": []})
    assert ci_kube.check_pvcs(empty, classes) == (["no PersistentVolumeClaims in the cluster"], [])


# --- ci-post-deploy.sh -----------------------------------------------------------------


@pytest.fixture
def cloud(tmp_path: Path) -> dict[str, str]:
    """Fake pulumi, kubectl and infra that log their calls to tmp_path/calls."""
    bin_dir = tmp_path / "bin"
    calls = tmp_path / "calls"
    (tmp_path / "kubeconfig.src").write_text(KUBECONFIG)
    fake(
        bin_dir,
        "pulumi",
        f"""echo "pulumi $*" >>"{calls}"
if [[ $* == *--show-secrets* ]]; then cat "{tmp_path}/kubeconfig.src"; exit 0; fi
echo '{{"kubeconfig": "[secret]", "shareName": "data"}}'
""",
    )
    fake(
        bin_dir,
        "kubectl",
        f"""echo "kubectl $* mode=$(stat -c %a "$KUBECONFIG") kc=$KUBECONFIG" >>"{calls}"
cp "$KUBECONFIG" "{tmp_path}/kubeconfig.seen"
if [[ $* == *pvc* ]]; then
  echo '{{"items": [{{"metadata": {{"namespace": "t", "name": "data"}},
         "spec": {{"storageClassName": "azurefile-rwx"}}, "status": {{"phase": "Bound"}}}}]}}'
else
  echo '{{"items": [{{"metadata": {{"name": "azurefile-rwx"}}}}]}}'
fi
""",
    )
    infra = fake(bin_dir, "infra", f'echo "infra $* kc=$KUBECONFIG" >>"{calls}"\n')
    runner_temp = tmp_path / "runner-temp"
    runner_temp.mkdir()
    return env_with(
        PATH=f"{bin_dir}{os.pathsep}{os.environ['PATH']}",
        INFRA=str(infra),
        RUNNER_TEMP=str(runner_temp),
        GITHUB_ACTIONS="true",
    )


def test_post_deploy_with_smoke(tmp_path: Path, cloud: dict[str, str]) -> None:
    done = sh(str(SCRIPTS / "ci-post-deploy.sh"), "staging", "--smoke", env=cloud)
    assert done.returncode == 0, done.stdout + done.stderr
    calls = (tmp_path / "calls").read_text().splitlines()
    assert calls[0] == "pulumi stack output --stack staging --json"
    assert calls[1] == "pulumi stack output kubeconfig --stack staging --show-secrets"
    assert calls[2].startswith("kubectl get pvc --all-namespaces --output json mode=600 ")
    assert calls[3].startswith("kubectl get storageclass --output json mode=600 ")
    assert calls[4].startswith("infra smoke --stack staging kc=")
    kubeconfig = calls[4].split("kc=")[1]
    assert kubeconfig.startswith(cloud["RUNNER_TEMP"])
    assert not Path(kubeconfig).exists()  # removed on exit
    assert list(Path(cloud["RUNNER_TEMP"]).iterdir()) == []
    assert (tmp_path / "kubeconfig.seen").read_text() == KUBECONFIG
    # Credentials appear in the log only inside ::add-mask:: commands (which the runner hides).
    log = done.stdout + done.stderr
    for secret in ("S0VZS0VZS0VZS0VZ", "0123456789abcdef0123456789abcdef"):
        assert f"::add-mask::{secret}" in log
        assert log.count(secret) == 1
    assert "stack outputs: ok" in log
    assert "t/data: Bound" in log


def test_post_deploy_without_smoke(tmp_path: Path, cloud: dict[str, str]) -> None:
    done = sh(str(SCRIPTS / "ci-post-deploy.sh"), "dev", env=cloud)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "infra smoke" not in (tmp_path / "calls").read_text()


def test_post_deploy_fails_on_missing_outputs(tmp_path: Path, cloud: dict[str, str]) -> None:
    cloud["REQUIRED_OUTPUTS"] = "kubeconfig storageAccountName"
    done = sh(str(SCRIPTS / "ci-post-deploy.sh"), "prod", "--smoke", env=cloud)
    assert done.returncode == 1
    assert "::error::stack output 'storageAccountName' is missing or empty" in done.stdout
    assert "kubectl" not in (tmp_path / "calls").read_text()
    assert list(Path(cloud["RUNNER_TEMP"]).iterdir()) == []


# --- drift-issue.sh --------------------------------------------------------------------


@pytest.fixture
def gh(tmp_path: Path) -> tuple[dict[str, str], Path]:
    calls = tmp_path / "gh-calls"
    issues = tmp_path / "issues.json"
    issues.write_text("[]")
    fake(
        tmp_path / "bin",
        "gh",
        f"""printf '%s\\n' "gh $*" >>"{calls}"
if [[ "$1 $2" == "issue list" ]]; then cat "{issues}"; fi
""",
    )
    env = env_with(PATH=f"{tmp_path / 'bin'}{os.pathsep}{os.environ['PATH']}", GH_REPO="o/r")
    return env, issues


def _drift(tmp_path: Path, env: dict[str, str], outcome: str) -> list[str]:
    done = sh(
        str(SCRIPTS / "drift-issue.sh"), "prod", outcome, "https://example.invalid/run/9", env=env
    )
    assert done.returncode == 0, done.stderr
    calls = tmp_path / "gh-calls"
    lines = calls.read_text().splitlines() if calls.exists() else []
    return [line for line in lines if line.startswith("gh ")]


OPEN = [
    {"number": 7, "title": "Drift detected: prod-eu"},
    {"number": 8, "title": "Drift detected: prod"},
]


def test_drift_opens_an_issue(tmp_path: Path, gh: tuple[dict[str, str], Path]) -> None:
    env, issues = gh
    issues.write_text(json.dumps(OPEN[:1]))  # only another stack's issue is open
    calls = _drift(tmp_path, env, "failure")
    assert calls[0].startswith("gh issue list --state open --label drift")
    assert calls[1].startswith("gh label create drift")
    assert calls[2].startswith("gh issue create --title Drift detected: prod --label drift --body")
    assert "[workflow run](https://example.invalid/run/9)" in (tmp_path / "gh-calls").read_text()


def test_drift_updates_the_open_issue(tmp_path: Path, gh: tuple[dict[str, str], Path]) -> None:
    env, issues = gh
    issues.write_text(json.dumps(OPEN))
    calls = _drift(tmp_path, env, "failure")
    assert calls[1].startswith("gh issue edit 8 --body")
    assert not any("issue create" in c for c in calls)


def test_no_drift_closes_the_issue(tmp_path: Path, gh: tuple[dict[str, str], Path]) -> None:
    env, issues = gh
    issues.write_text(json.dumps(OPEN))
    calls = _drift(tmp_path, env, "success")
    assert calls[1].startswith("gh issue close 8 --reason completed --comment No drift")
    assert len(calls) == 2


@pytest.mark.parametrize("outcome", ["success", "skipped", "cancelled"])
def test_nothing_to_do(tmp_path: Path, gh: tuple[dict[str, str], Path], outcome: str) -> None:
    env, issues = gh
    issues.write_text(json.dumps(OPEN[:1]) if outcome == "success" else json.dumps(OPEN))
    calls = _drift(tmp_path, env, outcome)
    assert [c.split()[1:3] for c in calls] == [["issue", "list"]]


# --- ci-affected.sh and the pre-commit policy gate, in a temporary repository -----------


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    root = tmp_path / "repo"
    root.mkdir()
    git(root, "init", "-q", "-b", "main")
    # This repository's rules ([tool.infra]): deploy order and which paths touch which stack.
    shutil.copy(REPO_ROOT / "pyproject.toml", root / "pyproject.toml")
    for rel in (
        *(f"stacks/Pulumi.{stack}.yaml" for stack in STACKS),
        "stacks/__main__.py",
        "docs/a.md",
    ):
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text("x\n")
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "one")
    return root


def _shim(tmp_path: Path) -> dict[str, str]:
    """`infra affected ...` -> `python -m infra affected ...` (the same console entry point)."""
    infra = fake(tmp_path / "bin", "infra", f'exec "{PYTHON}" -m infra "$@"\n')
    return env_with(INFRA=str(infra), PYTHON=PYTHON)


# ci-affected.sh's answer when every stack is affected: all of them, in deploy order.
EVERY_STACK = json.dumps(list(STACKS), separators=(",", ":"))


def _affected(repo: Path, env: dict[str, str], *args: str) -> tuple[int, str, str]:
    done = sh(str(SCRIPTS / "ci-affected.sh"), *args, cwd=repo, env=env)
    return done.returncode, done.stdout.strip(), done.stderr


def test_ci_affected(tmp_path: Path, repo: Path) -> None:
    env = _shim(tmp_path)
    first = git(repo, "rev-parse", "HEAD")
    (repo / "stacks/Pulumi.prod.yaml").write_text("y\n")
    git(repo, "commit", "-q", "-am", "two")
    head = git(repo, "rev-parse", "HEAD")

    assert _affected(repo, env, "--only", "all")[:2] == (0, EVERY_STACK)
    assert _affected(repo, env, "--only", "staging")[:2] == (0, '["staging"]')
    assert _affected(repo, env, "--only", "no-such-stack")[0] != 0
    assert _affected(repo, env, "--head", head, "--base", first)[:2] == (0, '["prod"]')
    # A new branch's all-zero "before", an empty candidate and an unknown SHA are skipped.
    rc, out, err = _affected(
        repo,
        env,
        "--head",
        head,
        "--require-ancestor",
        "--base",
        "",
        "--base",
        "0" * 40,
        "--base",
        "f" * 40,
        "--base",
        first,
    )
    assert (rc, out) == (0, '["prod"]')
    assert "not in the clone" in err
    # Nothing usable: every stack.
    assert _affected(repo, env, "--head", head, "--base", "0" * 40)[:2] == (0, EVERY_STACK)


def test_ci_affected_after_a_force_push(tmp_path: Path, repo: Path) -> None:
    env = _shim(tmp_path)
    base = git(repo, "rev-parse", "HEAD")
    (repo / "stacks/Pulumi.dev.yaml").write_text("rewritten\n")
    git(repo, "commit", "-q", "-am", "old history")
    old = git(repo, "rev-parse", "HEAD")
    git(repo, "reset", "-q", "--hard", base)
    (repo / "docs/a.md").write_text("new history\n")
    git(repo, "commit", "-q", "-am", "new history")
    head = git(repo, "rev-parse", "HEAD")
    rc, out, err = _affected(repo, env, "--head", head, "--require-ancestor", "--base", old)
    assert (rc, out) == (0, EVERY_STACK)
    assert "not an ancestor" in err
    # Without --require-ancestor (pull requests), the merge base is used.
    assert _affected(repo, env, "--head", head, "--base", old)[:2] == (0, "[]")


def test_ci_affected_rejects_bad_output(tmp_path: Path, repo: Path) -> None:
    infra = fake(
        tmp_path / "bin", "infra", """echo '{"version": 1, "stacks": ["dev; reboot"]}'\n"""
    )
    env = env_with(INFRA=str(infra), PYTHON=PYTHON)
    head = git(repo, "rev-parse", "HEAD")
    rc, out, _ = _affected(repo, env, "--head", head, "--base", head)
    assert rc != 0 and out == ""


def test_policy_gate_previews_the_staged_stacks(tmp_path: Path, repo: Path) -> None:
    calls = tmp_path / "calls"
    infra = fake(tmp_path / "bin", "infra", f'echo "infra $*" >>"{calls}"\n')
    env = env_with(INFRA=str(infra), PYTHON=PYTHON)
    gate = str(SCRIPTS / "precommit-policy-gate.sh")

    (repo / "docs/a.md").write_text("docs only\n")
    git(repo, "add", "-A")
    assert sh(gate, cwd=repo, env=env).returncode == 0
    assert not calls.exists()

    (repo / "stacks/Pulumi.prod.yaml").write_text("changed\n")
    (repo / "stacks/Pulumi.dev.yaml").write_text("changed\n")
    git(repo, "add", "stacks/Pulumi.prod.yaml")  # dev's change is not staged
    assert sh(gate, cwd=repo / "stacks", env=env).returncode == 0
    assert calls.read_text() == "infra preview --stack prod --violations-only\n"

    git(repo, "rm", "-q", "--cached", "stacks/__main__.py")  # a staged deletion counts
    calls.unlink()
    failing = fake(tmp_path / "bin", "infra", f'echo "infra $*" >>"{calls}"\nexit 1\n')
    assert sh(gate, cwd=repo, env=env_with(INFRA=str(failing), PYTHON=PYTHON)).returncode == 1
    assert calls.read_text() == (
        "infra preview --stack dev --stack staging --stack prod --violations-only\n"
    )


def _permissions(tmp_path: Path, rc: int | None, text: str) -> Path:
    folder = tmp_path / "infra-permissions"
    folder.mkdir()
    if rc is not None:
        (folder / "permissions.rc").write_text(f"{rc}\n")
    (folder / "permissions.txt").write_text(text)
    return folder


@pytest.mark.parametrize(
    ("rc", "verdict", "shows_lines"),
    [
        (0, "✅ every identity holds what every stack needs", False),
        (1, "❌ an identity lacks an action a stack needs, or plan may write (exit 1)", True),
        (None, "💥 no result: the permissions job failed before it finished", True),
    ],
)
def test_comment_heads_with_the_permissions_verdict(
    tmp_path: Path, rc: int | None, verdict: str, shows_lines: bool
) -> None:
    missing = (
        "dev: deploy-identity: invoke x: missing Microsoft.Storage/storageAccounts/listKeys/action"
    )
    folder = _permissions(tmp_path, rc, f"summary\n{missing}\n")
    out = tmp_path / "c.md"
    args = ["--results", str(tmp_path / "none"), "--out", str(out), "--stacks", "[]"]
    assert build_pr_comment.main([*args, "--permissions", str(folder)]) == 0
    text = out.read_text()
    assert f"**Identity permissions** (`infra permissions`): {verdict}" in text
    assert (missing in text) is shows_lines
    assert text.count("```") % 2 == 0
