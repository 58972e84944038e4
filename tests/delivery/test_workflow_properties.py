"""Security and delivery properties of the workflows, read from their YAML.

These are the rules a reviewer would otherwise have to re-check by eye on every change:
pinned actions, least privilege, no credential persistence, fork safety, the
chain of deploys in the deploy order, and the policy pack on every Pulumi operation.
"""

from __future__ import annotations

import re
import sys
from typing import Any

import pytest
import yaml

from infra.repo.affected import discover_stacks
from tests.delivery._workflows import (
    DEPLOY_ORDER,
    PRE_COMMIT_CONFIG,
    REPO_ROOT,
    SCRIPTS,
    SMOKE_STACKS,
    VENV_BIN,
    WORKFLOW_FILES,
    action,
    all_workflows,
    steps,
    triggers,
    uses,
    workflow,
)

sys.path.insert(0, str(SCRIPTS))
import gen_deploy_jobs

WORKFLOWS = all_workflows()
PINNED = re.compile(
    r"^\s*-?\s*uses:\s*(?P<ref>[A-Za-z0-9_.-]+/[A-Za-z0-9_./-]+)@(?P<sha>[0-9a-f]{40})"
    r"\s+#\s*(?P<version>v\d+(?:\.\d+){0,2})\s*$"
)
USES_LINE = re.compile(r"^\s*-?\s*uses:\s*(?P<value>\S+)")
# Untrusted-input-free rule: `run:` and github-script `script:` never expand `${{ }}`;
# values reach them through `env:` only.
EXPANSION = re.compile(r"\$\{\{")
WORKFLOW_IDS = [p.name for p in WORKFLOW_FILES]


def _perm(job: dict[str, Any], scope: str) -> str | None:
    perms = job.get("permissions")
    return perms.get(scope) if isinstance(perms, dict) else None


def _is_false(value: Any) -> bool:
    return value is False or str(value).lower() == "false"


@pytest.mark.parametrize("path", WORKFLOW_FILES, ids=WORKFLOW_IDS)
def test_every_remote_action_is_pinned_to_a_sha_with_a_version_comment(path: Any) -> None:
    lines = path.read_text(encoding="utf-8").splitlines()
    remote = []
    for line in lines:
        match = USES_LINE.match(line)
        if not match or match["value"].startswith("./"):
            continue
        assert not match["value"].startswith("docker://"), f"unpinned docker image: {line}"
        assert PINNED.match(line), f"{path.name}: not pinned to a 40-hex SHA + # vX.Y.Z: {line}"
        remote.append(line)
    # The line scan saw every `uses:` that YAML sees.
    parsed = [s for _, s in steps(WORKFLOWS[path.name]) if "uses" in s]
    assert len(remote) == len([s for s in parsed if not uses(s).startswith("./")])


def test_one_version_per_action() -> None:
    """The same action is pinned to the same SHA everywhere (one Dependabot bump each)."""
    pins: dict[str, set[str]] = {}
    for _name, doc in WORKFLOWS.items():
        for _, step in steps(doc):
            if "@" in uses(step):
                pins.setdefault(action(step), set()).add(uses(step).split("@")[1])
    assert {a: s for a, s in pins.items() if len(s) > 1} == {}


@pytest.mark.parametrize("name", WORKFLOW_IDS)
def test_top_level_permissions_are_restrictive(name: str) -> None:
    perms = WORKFLOWS[name].get("permissions")
    assert perms in ({}, {"contents": "read"}), f"{name}: top-level permissions {perms!r}"


@pytest.mark.parametrize("name", WORKFLOW_IDS)
def test_every_job_declares_permissions_and_a_timeout(name: str) -> None:
    for job_id, job in WORKFLOWS[name]["jobs"].items():
        assert "permissions" in job, f"{name}: job {job_id} has no permissions"
        # A job calling a reusable workflow cannot set one; the called jobs do.
        if "uses" not in job:
            assert isinstance(job.get("timeout-minutes"), int), f"{name}: job {job_id} timeout"
        for scope, level in (job["permissions"] or {}).items():
            assert level in ("read", "write", "none"), (name, job_id, scope, level)


def test_write_scopes_are_only_where_needed() -> None:
    allowed = {
        "id-token": {
            ("pull-request.yml", "live-preview"),
            *(("deploy.yml", f"deploy-{stack}") for stack in discover_stacks(REPO_ROOT)),
            ("deploy-stack.yml", "deploy"),
            ("drift.yml", "drift"),
        },
        "pull-requests": {("pr-comment.yml", "comment"), ("pull-request.yml", "live-preview")},
        "issues": {("drift.yml", "drift")},
        "security-events": {("pull-request.yml", "code-scanning")},
    }
    for name, doc in WORKFLOWS.items():
        for job_id, job in doc["jobs"].items():
            for scope, level in (job.get("permissions") or {}).items():
                if level != "write":
                    continue
                assert (name, job_id) in allowed.get(scope, set()), (
                    f"{name}: job {job_id} must not have {scope}: write"
                )


def _logs_in_to_azure(job: dict[str, Any]) -> bool:
    if "uses" in job:  # a caller grants what the reusable workflow's jobs need
        called = workflow(job["uses"].split("#")[0].strip().removeprefix("./.github/workflows/"))
        return any(_logs_in_to_azure(j) for j in called["jobs"].values())
    return any(action(s) == "azure/login" for s in job.get("steps", []))


def test_id_token_only_in_jobs_that_log_in_to_azure() -> None:
    for name, doc in WORKFLOWS.items():
        for job_id, job in doc["jobs"].items():
            assert (_perm(job, "id-token") == "write") == _logs_in_to_azure(job), (name, job_id)


def test_only_jobs_without_credentials_restore_a_cache() -> None:
    # A job that deploys or previews live must not run code restored from a cache that
    # another run wrote; the unprivileged PR jobs may, to set up in seconds.
    cached = set()
    for name, doc in WORKFLOWS.items():
        for job_id, job in doc["jobs"].items():
            if any(action(s) == "actions/cache" for s in job.get("steps", [])):
                assert not _logs_in_to_azure(job), (name, job_id)
                assert set(job["permissions"].values()) == {"read"}, (name, job_id)
                cached.add(job_id)
    assert "checks" in cached
    assert not cached & set(GATE_JOBS)


# The jobs whose result the required check reports, or whose output the PR comment shows,
# and whose code and data come from the base revision (issue 26.4). The report job's comment
# builder is standard library only: it needs no venv.
GATE_JOBS = ("affected", "offline-diff", "checkov", "permissions", "report")
GATE = '"$RUNNER_TEMP/gate'
GATE_SETUP = "set up the gate from the base revision"


def _gate_setup(job: dict[str, Any]) -> dict[str, Any]:
    return next(s for s in job["steps"] if s.get("name") == GATE_SETUP)


@pytest.mark.parametrize("job_id", GATE_JOBS)
def test_the_gate_jobs_run_the_base_revisions_code_never_the_prs(job_id: str) -> None:
    # The PR's checkout is data: its Makefile, venv and scripts never run in these jobs; the
    # base revision, checked out beside it, installs from its own lock (no cache another run
    # wrote) and runs its own scripts.
    job = workflow("pull-request.yml")["jobs"][job_id]
    runs = [str(s["run"]) for s in job["steps"] if "run" in s]
    setup = _gate_setup(job)
    checkout = next(s for s in job["steps"] if action(s) == "actions/checkout")
    assert checkout["with"]["fetch-depth"] == 0  # the base branch is there to add
    assert runs[0] == setup["run"]
    assert 'git worktree add --detach "$RUNNER_TEMP/gate"' in setup["run"]
    assert "origin/$BASE_REF^{commit}" in setup["run"]
    assert ('make -C "$RUNNER_TEMP/gate" venv' in setup["run"]) == (job_id != "report")
    assert not any(action(s) == "actions/cache" for s in job["steps"])
    for run in runs[1:]:
        assert "make " not in run and ".venv/bin/infra" not in run, run
        for line in run.splitlines():
            if "scripts/" in line:
                assert GATE in line or line.lstrip().startswith(("stacks=", "diff_stacks=")), line
            if "-m infra" in line:
                assert f"cd {GATE}" in line, line


def test_the_permissions_verdict_judges_the_prs_head_with_the_bases_accepted_excess() -> None:
    job = workflow("pull-request.yml")["jobs"]["permissions"]
    [step] = [s for s in job["steps"] if s.get("name") == "infra permissions"]
    assert "head=$(git rev-parse HEAD)" in step["run"]
    assert '-m infra permissions --head "$head"' in step["run"]


def test_the_comment_is_built_by_the_bases_builder() -> None:
    job = workflow("pull-request.yml")["jobs"]["report"]
    [step] = [s for s in job["steps"] if s.get("name") == "build the comment"]
    assert step["run"].count("build_pr_comment.py") == 1
    assert f'python3 {GATE}/scripts/build_pr_comment.py"' in step["run"]
    # Set up whenever the builder runs.
    assert _gate_setup(job)["if"] == step["if"]


def test_the_live_preview_runs_the_bases_policy_pack_and_config() -> None:
    # Pulumi runs the PR's program (what would deploy) against the base's pack and config:
    # a PR relaxing policies/ is judged by the policies it relaxes.
    job = workflow("pull-request.yml")["jobs"]["live-preview"]
    names = [s.get("name") or s.get("run") or action(s) for s in job["steps"]]
    setup = _gate_setup(job)
    assert 'make -C "$RUNNER_TEMP/gate" venv' in setup["run"]
    assert names.index(GATE_SETUP) < names.index("make venv") < names.index("pulumi/actions")
    [pulumi] = [s for s in job["steps"] if action(s) == "pulumi/actions"]
    assert pulumi["with"]["policyPacks"] == "${{ runner.temp }}/gate/policies"
    assert pulumi["with"]["policyPackConfigs"] == (
        "${{ runner.temp }}/gate/policies/config/${{ matrix.stack }}.json"
    )


@pytest.mark.parametrize("name", WORKFLOW_IDS)
def test_every_checkout_drops_credentials(name: str) -> None:
    for job_id, step in steps(WORKFLOWS[name]):
        if action(step) == "actions/checkout":
            with_ = step.get("with") or {}
            assert _is_false(with_.get("persist-credentials")), f"{name}: {job_id} checkout"


@pytest.mark.parametrize("name", WORKFLOW_IDS)
def test_no_pull_request_target(name: str) -> None:
    assert "pull_request_target" not in triggers(WORKFLOWS[name])
    assert "pull_request_target" not in (REPO_ROOT / ".github" / "workflows" / name).read_text()


@pytest.mark.parametrize("name", WORKFLOW_IDS)
def test_no_expression_expansion_inside_scripts(name: str) -> None:
    for job_id, step in steps(WORKFLOWS[name]):
        if "run" in step:
            assert not EXPANSION.search(step["run"]), f"{name}: {job_id}: ${{{{ }}}} in run"
        if action(step) == "actions/github-script":
            assert not EXPANSION.search(step["with"]["script"]), f"{name}: {job_id}: script"


def test_the_deploy_jobs_are_generated_from_the_deploy_order() -> None:
    assert gen_deploy_jobs.main(["--check"]) == 0, "run make generate"


def test_deploy_jobs_run_in_the_deploy_order() -> None:
    doc = workflow("deploy.yml")
    assert triggers(doc) == {"push", "workflow_dispatch"}
    assert doc["on"]["push"]["branches"] == ["main"]
    jobs = doc["jobs"]
    assert jobs["affected"]["if"] == "github.ref == 'refs/heads/main'"
    deploys = [j for j in jobs if j.startswith("deploy-")]
    assert deploys == [f"deploy-{env}" for env in DEPLOY_ORDER]
    previous = None
    for env in DEPLOY_ORDER:
        job = jobs[f"deploy-{env}"]
        assert job["uses"] == "./.github/workflows/deploy-stack.yml"
        assert job["with"] == {"stack": env, "smoke": env in SMOKE_STACKS}
        assert job["concurrency"]["group"] == f"deploy-{env}"
        assert job["concurrency"]["cancel-in-progress"] is False
        needs = job["needs"] if isinstance(job["needs"], list) else [job["needs"]]
        condition = " ".join(str(job["if"]).split())
        assert "affected" in needs
        assert f"contains(fromJSON(needs.affected.outputs.stacks), '{env}')" in condition
        assert "needs.affected.result == 'success'" in condition
        if previous:
            assert f"deploy-{previous}" in needs
            # Runs after the previous stage succeeded, or when it had nothing to do.
            assert "!cancelled()" in condition
            assert f"needs.deploy-{previous}.result == 'success'" in condition
            assert f"needs.deploy-{previous}.result == 'skipped'" in condition
            assert "always()" not in condition
        previous = env


def test_each_stack_deploys_in_its_environment_and_checks_the_result() -> None:
    doc = workflow("deploy-stack.yml")
    assert triggers(doc) == {"workflow_call"}
    inputs = doc["on"]["workflow_call"]["inputs"]
    assert {k: (v["type"], v["required"]) for k, v in inputs.items()} == {
        "stack": ("string", True),
        "smoke": ("boolean", True),
    }
    (job,) = doc["jobs"].values()
    assert job["environment"] == "${{ inputs.stack }}"
    (post,) = [s for s in job["steps"] if "scripts/ci-post-deploy.sh" in s.get("run", "")]
    assert post["env"]["STACK"] == "${{ inputs.stack }}"
    assert post["env"]["SMOKE"] == "${{ inputs.smoke }}"
    assert 'scripts/ci-post-deploy.sh "$STACK" --smoke' in post["run"]


def test_dispatch_choices_and_deploy_jobs_cover_every_stack() -> None:
    doc = workflow("deploy.yml")
    options = doc["on"]["workflow_dispatch"]["inputs"]["stacks"]["options"]
    assert options == ["all", *DEPLOY_ORDER]
    for stack in discover_stacks(REPO_ROOT):
        assert f"deploy-{stack}" in doc["jobs"], f"stack {stack} has no deploy job"
    assert sorted(discover_stacks(REPO_ROOT)) == sorted(DEPLOY_ORDER)


def _pulumi_steps() -> list[tuple[str, str, dict[str, Any]]]:
    found = []
    for name, doc in WORKFLOWS.items():
        for job_id, step in steps(doc):
            if action(step) == "pulumi/actions":
                found.append((name, job_id, step))
    return found


def test_pulumi_operations_run_the_policy_pack_with_the_stacks_config() -> None:
    found = _pulumi_steps()
    assert {(n, j) for n, j, _ in found} == {
        ("pull-request.yml", "live-preview"),
        ("deploy-stack.yml", "deploy"),
        ("drift.yml", "drift"),
    }
    for name, job_id, step in found:
        with_ = step["with"]
        assert with_["command"] in ("preview", "up"), (name, job_id)
        stack = with_["stack-name"]
        # A pull request's preview takes them from the base revision (issue 26.4).
        packs = "${{ runner.temp }}/gate/policies" if job_id == "live-preview" else "policies"
        assert with_["policyPacks"] == packs, (name, job_id)
        assert with_["policyPackConfigs"] == f"{packs}/config/{stack}.json", (name, job_id)
        assert with_["work-dir"] == "."
        assert with_["cloud-url"] == "${{ vars.PULUMI_BACKEND_URL }}"
        if name == "deploy-stack.yml":
            assert with_["command"] == "up"
            assert stack == "${{ inputs.stack }}"
            assert "upsert" not in with_  # a typo must not create a new stack
        else:
            assert with_["command"] == "preview"
            assert stack == "${{ matrix.stack }}"


def test_pulumi_cli_matches_the_locked_sdk() -> None:
    lock = (REPO_ROOT / "requirements.lock").read_text(encoding="utf-8")
    sdk = re.search(r"^pulumi==(\S+)", lock, re.MULTILINE)
    assert sdk
    for name, job_id, step in _pulumi_steps():
        assert str(step["with"]["pulumi-version"]) == sdk[1], (name, job_id)


def test_drift_detection_expects_no_changes_after_refresh() -> None:
    doc = workflow("drift.yml")
    assert {"schedule", "workflow_dispatch"} == triggers(doc)
    [(_, _, step)] = [f for f in _pulumi_steps() if f[0] == "drift.yml"]
    assert step["with"]["expect-no-changes"] is True
    assert step["with"]["refresh"] is True
    assert step["continue-on-error"] is True
    job = doc["jobs"]["drift"]
    assert "environment" not in job  # prod's reviewers must not block a nightly check
    runs = " ".join(s.get("run", "") for s in job["steps"])
    assert "scripts/drift-issue.sh" in runs


def test_pull_request_workflow_uses_no_secrets() -> None:
    text = (REPO_ROOT / ".github" / "workflows" / "pull-request.yml").read_text()
    code = "\n".join(line.split("#", 1)[0] for line in text.splitlines())
    assert "secrets." not in code
    assert "secrets[" not in code
    doc = workflow("pull-request.yml")
    assert triggers(doc) == {"pull_request", "pull_request_review"}


def test_pull_request_jobs() -> None:
    jobs = workflow("pull-request.yml")["jobs"]
    assert {"checks", "affected", "offline-diff", "report", "live-preview"} <= set(jobs)
    checks = " ".join(s.get("run", "") for s in jobs["checks"]["steps"])
    for target in ("make lint", "make typecheck", "make test"):
        assert target in checks
    checkout = next(s for s in jobs["checks"]["steps"] if action(s) == "actions/checkout")
    assert checkout["with"]["fetch-depth"] == 0
    for job_id in ("checks", "affected", "offline-diff", "report"):
        assert set(jobs[job_id]["permissions"]) <= {"contents", "pull-requests"}, job_id
        assert set(jobs[job_id]["permissions"].values()) == {"read"}, job_id
        assert "environment" not in jobs[job_id]
    diff = jobs["offline-diff"]
    # Stacks whose file the PR deletes get an offline diff ("their resources stay"), never
    # a live preview.
    assert diff["strategy"]["matrix"]["stack"] == (
        "${{ fromJSON(needs.affected.outputs.diff-stacks) }}"
    )
    live = jobs["live-preview"]
    assert live["strategy"]["matrix"]["stack"] == "${{ fromJSON(needs.affected.outputs.stacks) }}"
    assert diff["if"] == "needs.affected.outputs.diff-stacks != '[]'"
    diff_run = next(s for s in diff["steps"] if s.get("id") == "diff")
    assert "scripts/ci-offline-diff.sh" in diff_run["run"]
    assert "GITHUB_STEP_SUMMARY" in diff_run["run"]
    uploads = [s for s in diff["steps"] if action(s) == "actions/upload-artifact"]
    assert uploads and uploads[0]["with"]["name"] == "infra-diff-${{ matrix.stack }}"
    report = jobs["report"]
    assert report["if"] == "${{ !cancelled() }}"  # never "skipped": it is the required check
    gate = report["steps"][-1]
    assert gate["run"].rstrip().endswith("exit 1")
    gate_if = " ".join(gate["if"].split())
    assert "needs.affected.result != 'success'" in gate_if
    assert "needs.offline-diff.result != 'success'" in gate_if
    names = [s["with"]["name"] for s in report["steps"] if action(s) == "actions/upload-artifact"]
    assert names == ["pr-comment-infra-diff"]


def test_code_scanning_uploads_the_offline_sarif_without_running_pr_code() -> None:
    jobs = workflow("pull-request.yml")["jobs"]
    diff_steps = jobs["offline-diff"]["steps"]
    sarif = next(s for s in diff_steps if "--format sarif" in s.get("run", ""))
    assert "infra preview" in sarif["run"]
    job = jobs["code-scanning"]
    assert job["needs"] == "offline-diff"
    condition = " ".join(job["if"].split())
    assert "github.event.pull_request.head.repo.full_name == github.repository" in condition
    assert "github.event_name == 'pull_request'" in condition
    assert not any("run" in step for step in job["steps"]), "the write job runs no PR code"
    upload = next(s for s in job["steps"] if action(s) == "github/codeql-action/upload-sarif")
    download = next(s for s in job["steps"] if action(s) == "actions/download-artifact")
    assert upload["with"]["sarif_file"] == download["with"]["path"].rstrip("/")


def test_stateful_replacements_are_acknowledged_by_someone_elses_approval() -> None:
    """Only a review can acknowledge (scripts/ci_ack.py): the author's own text and labels
    are not read, reviews re-run the gate, and the reviews are fetched fresh, as data."""
    doc = workflow("pull-request.yml")
    text = (REPO_ROOT / ".github" / "workflows" / "pull-request.yml").read_text()
    code = "\n".join(line.split("#", 1)[0] for line in text.splitlines())
    for unread in ("pull_request.body", "pull_request.labels", "pull_request.title"):
        assert unread not in code
    # Empty for pull_request_review runs: the base comes from the event's pull_request.
    assert "github.base_ref" not in code
    assert set(doc["on"]["pull_request_review"]["types"]) == {"submitted", "edited", "dismissed"}
    assert {"labeled", "unlabeled"}.isdisjoint(doc["on"]["pull_request"]["types"])
    # A review never cancels a run in progress; a push does.
    concurrency = doc["concurrency"]
    assert concurrency["group"] == "pull-request-${{ github.event.pull_request.number }}"
    assert concurrency["cancel-in-progress"] == (
        "${{ github.event_name != 'pull_request_review' }}"
    )

    job = doc["jobs"]["offline-diff"]
    assert job["permissions"] == {"contents": "read", "pull-requests": "read"}
    names = [s.get("name") for s in job["steps"]]
    assert names.index("list the reviews and commits") < names.index("infra diff")
    fetch = job["steps"][names.index("list the reviews and commits")]
    assert fetch["env"]["GH_TOKEN"] == "${{ github.token }}"
    assert "gh api --paginate --slurp" in fetch["run"]
    assert '"repos/$REPO/pulls/$PR_NUMBER/reviews?per_page=100"' in fetch["run"]
    assert '"repos/$REPO/pulls/$PR_NUMBER/commits?per_page=100"' in fetch["run"]
    diff = job["steps"][names.index("infra diff")]
    assert diff["env"] == {
        "STACK": "${{ matrix.stack }}",
        "REVIEWS": "${{ runner.temp }}/reviews.json",
        "COMMITS": "${{ runner.temp }}/commits.json",
        "PR_AUTHOR": "${{ github.event.pull_request.user.login }}",
        "HEAD_SHA": "${{ github.event.pull_request.head.sha }}",
    }
    assert not (REPO_ROOT / "scripts" / "ci-ack.sh").exists()
    offline_diff = (REPO_ROOT / "scripts" / "ci-offline-diff.sh").read_text()
    assert '"$here/ci_ack.py"' in offline_diff
    for gone in ("PR_BODY", "ACK_LABEL"):
        assert gone not in offline_diff


def test_live_preview_only_for_branches_of_this_repository() -> None:
    job = workflow("pull-request.yml")["jobs"]["live-preview"]
    condition = " ".join(str(job["if"]).split())
    assert condition.startswith("github.event_name == 'pull_request' &&")
    assert "github.event.pull_request.head.repo.full_name == github.repository" in condition
    assert "vars.LIVE_PREVIEW == 'true'" in condition
    assert "&&" in condition and "||" not in condition
    assert "environment" not in job
    env = job["env"]
    assert env["ARM_USE_OIDC"] == "true"
    for key in ("ARM_CLIENT_ID", "ARM_TENANT_ID", "ARM_SUBSCRIPTION_ID", "PULUMI_BACKEND_URL"):
        assert env[key].startswith("${{ vars."), key
    [step] = [s for s in job["steps"] if action(s) == "pulumi/actions"]
    with_ = step["with"]
    assert with_["diff"] is True and with_["refresh"] is True
    assert with_["comment-on-pr"] is True


def test_only_the_live_preview_touches_the_cloud_on_pull_requests() -> None:
    jobs = workflow("pull-request.yml")["jobs"]
    for job_id, job in jobs.items():
        cloud = [s for s in job.get("steps", []) if action(s) in ("azure/login", "pulumi/actions")]
        assert bool(cloud) == (job_id == "live-preview"), job_id


def test_comment_workflow_never_runs_pr_code() -> None:
    doc = workflow("pr-comment.yml")
    assert triggers(doc) == {"workflow_run"}
    assert doc["on"]["workflow_run"]["workflows"] == [workflow("pull-request.yml")["name"]]
    assert doc["on"]["workflow_run"]["types"] == ["completed"]
    [job] = doc["jobs"].values()
    condition = " ".join(job["if"].split())
    assert condition.startswith(
        "(github.event.workflow_run.event == 'pull_request' "
        "|| github.event.workflow_run.event == 'pull_request_review') && "
    )
    assert all(action(s) != "actions/checkout" for s in job["steps"])
    assert all("run" not in s for s in job["steps"])
    download = next(s for s in job["steps"] if action(s) == "actions/download-artifact")
    assert download["with"]["run-id"] == "${{ github.event.workflow_run.id }}"
    assert download["with"]["name"] == "pr-comment-infra-diff"
    script = next(s for s in job["steps"] if action(s) == "actions/github-script")["with"]
    assert "<!-- infra-diff -->" in script["script"]
    assert "updateComment" in script["script"] and "createComment" in script["script"]
    assert "process.env.HEAD_SHA" in script["script"]  # PR number verified, not trusted


def test_pr_comment_marker_matches_the_builder() -> None:
    builder = (REPO_ROOT / "scripts" / "build_pr_comment.py").read_text()
    assert 'MARKER = "<!-- infra-diff -->"' in builder


def test_matrix_jobs_are_guarded_against_an_empty_list() -> None:
    for name, doc in WORKFLOWS.items():
        for job_id, job in doc["jobs"].items():
            matrix = (job.get("strategy") or {}).get("matrix") or {}
            for value in matrix.values():
                if isinstance(value, str) and "fromJSON(" in value:
                    assert "!= '[]'" in str(job.get("if", "")), (name, job_id)
                    assert job["strategy"]["fail-fast"] is False, (name, job_id)


# --- pre-commit ------------------------------------------------------------------------


def test_pre_commit_has_only_local_system_hooks() -> None:
    config = yaml.safe_load(PRE_COMMIT_CONFIG.read_text(encoding="utf-8"))
    repos = config["repos"]
    assert [r["repo"] for r in repos] == ["local"]
    ids = set()
    for hook in repos[0]["hooks"]:
        ids.add(hook["id"])
        assert hook["language"] == "system", hook["id"]
        program = hook["entry"].split()[0]
        assert program.startswith((".venv/bin/", "scripts/")), hook["id"]
        if program.startswith(".venv/bin/"):
            assert (VENV_BIN / program.removeprefix(".venv/bin/")).exists(), hook["id"]
        else:
            assert (REPO_ROOT / program).is_file(), hook["id"]
    assert {
        "ruff-format",
        "ruff-check",
        "mypy",
        "check-yaml",
        "check-json",
        "actionlint",
        "zizmor",
        "policy-gate",
    } <= ids
    zizmor = next(h for h in repos[0]["hooks"] if h["id"] == "zizmor")
    assert "--offline" in zizmor["entry"].split()


def test_cloud_jobs_run_where_the_clusters_are_reachable() -> None:
    """Jobs that talk to Azure/AKS run on `vars.INFRA_RUNNER` (a runner with line of sight to
    private API servers) and install kubelogin before Pulumi; everything else is hosted."""
    for name, doc in WORKFLOWS.items():
        for job_id, job in doc["jobs"].items():
            actions = [action(s) for s in job.get("steps", [])]
            if "pulumi/actions" in actions:
                assert job["runs-on"] == "${{ vars.INFRA_RUNNER || 'ubuntu-24.04' }}", job_id
                order = [a for a in actions if a.startswith(("azure/", "pulumi/"))]
                assert order == ["azure/login", "azure/use-kubelogin", "pulumi/actions"], job_id
            elif "uses" not in job:  # a caller runs nowhere itself
                assert job["runs-on"] == "ubuntu-24.04", (name, job_id)


AKS_SERVER_APP_ID = "6dae42f8-4368-4678-94ff-3960e28e3630"
PRE_WARM = f"az account get-access-token --resource {AKS_SERVER_APP_ID} --output none"


def test_every_azure_login_pre_warms_the_aks_token_before_pulumi() -> None:
    """The GitHub OIDC assertion behind azure/login expires minutes after login and az cannot
    renew it (Azure/login#180, #372, Azure/azure-cli#28708): the AKS token kubelogin needs
    (after a fresh cluster is created) must be in az's cache before Pulumi starts."""
    logins = 0
    for name, doc in WORKFLOWS.items():
        for job_id, job in doc["jobs"].items():
            job_steps = job.get("steps", [])
            for index, step in enumerate(job_steps):
                if action(step) != "azure/login":
                    continue
                logins += 1
                following = job_steps[index + 1] if index + 1 < len(job_steps) else {}
                assert str(following.get("run", "")).strip() == PRE_WARM, (name, job_id)
                actions = [action(s) for s in job_steps]
                if "pulumi/actions" in actions:
                    assert index + 1 < actions.index("pulumi/actions"), (name, job_id)
    assert logins >= 3
