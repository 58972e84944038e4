"""The PR gate judges a pull request with the BASE revision's code and data (issue 26.4).

Each test builds a repository of two commits - a base, and a pull request that drops a
volume (or breaks a policy) AND switches off a piece of the gate - then runs
scripts/ci-offline-diff.sh twice: from a checkout of the pull request, where the change
passes (so the bypass is real), and from a checkout of the base, as the workflow does, where
it is blocked. The project is tests/fixtures/projects/volumes with this repository's own
infra/, ci-offline-diff.sh and ci_ack.py beside it.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
import yaml

from tests.conftest import FIXTURES
from tests.delivery._workflows import REPO_ROOT, env_with

# End to end: two git checkouts, the CI script and `infra` processes per test (~10-40 s each).
pytestmark = pytest.mark.slow

PROJECT = FIXTURES / "projects" / "volumes"
STACK = "test"
TWO_VOLUMES = [{"name": "datasets", "quota": 100}, {"name": "checkpoints", "quota": 50}]
ONE_VOLUME = TWO_VOLUMES[:1]
PR_AUTHOR = "author"


def _git(repo: Path, *args: str) -> str:
    done = subprocess.run(
        ["git", "-c", "user.email=ci@example.com", "-c", "user.name=ci", *args],
        cwd=repo,
        check=True,
        capture_output=True,
        text=True,
    )
    return done.stdout.strip()


def _volumes(repo: Path, volumes: list[dict]) -> None:
    (repo / f"Pulumi.{STACK}.yaml").write_text(
        yaml.safe_dump({"config": {"volumes:volumes": volumes}})
    )


def _policy_config(repo: Path, level: str) -> None:
    (repo / "policies" / "config" / f"{STACK}.json").write_text(
        json.dumps({"share-quota-budget": level})
    )


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    """The base: two volumes, the share budget mandatory, the stack strict."""
    root = tmp_path / "repo"
    root.mkdir()
    for name in ("Pulumi.yaml", "__main__.py"):
        shutil.copy(PROJECT / name, root / name)
    shutil.copytree(
        REPO_ROOT / "infra", root / "infra", ignore=shutil.ignore_patterns("__pycache__")
    )
    (root / "policies" / "config").mkdir(parents=True)
    for name in ("PulumiPolicy.yaml", "__main__.py"):
        shutil.copy(PROJECT / "policies" / name, root / "policies" / name)
    for name in ("__init__.py", "aks_versions.py"):  # infra imports them
        shutil.copy(REPO_ROOT / "policies" / name, root / "policies" / name)
    (root / "scripts").mkdir()
    for name in ("ci-offline-diff.sh", "ci_ack.py"):
        shutil.copy(REPO_ROOT / "scripts" / name, root / "scripts" / name)
    (root / "pyproject.toml").write_text(f'[tool.infra]\nstrict-diff = ["{STACK}"]\n')
    _volumes(root, TWO_VOLUMES)
    _policy_config(root, "mandatory")
    _git(root, "init", "-q", "-b", "main")
    _git(root, "add", "-A")
    _git(root, "commit", "-qm", "base")
    return root


def _gate(repo: Path, pr: Callable[[Path], None]) -> tuple[int, int, str]:
    """Commit ``pr`` on the base; the exit codes of the gate run from the pull request's
    checkout and from the base's, and the base's report."""
    base = _git(repo, "rev-parse", "HEAD")
    pr(repo)
    _git(repo, "add", "-A")
    _git(repo, "commit", "-qm", "pr")
    head = _git(repo, "rev-parse", "HEAD")
    tmp = repo.parent
    (tmp / "reviews.json").write_text("[[]]")
    author = {"login": PR_AUTHOR, "type": "User"}
    (tmp / "commits.json").write_text(json.dumps([[{"sha": head, "author": author}]]))
    env = env_with(
        PYTHON=sys.executable,
        REVIEWS=str(tmp / "reviews.json"),
        COMMITS=str(tmp / "commits.json"),
        PR_AUTHOR=PR_AUTHOR,
        HEAD_SHA=head,
    )
    env.pop("INFRA", None)
    _git(repo, "worktree", "add", "-q", "--detach", str(tmp / "gate"), base)
    codes = []
    for checkout in (repo, tmp / "gate"):
        out = tmp / f"out-{checkout.name}"
        done = subprocess.run(
            [str(checkout / "scripts" / "ci-offline-diff.sh"), STACK, base, head, str(out)],
            cwd=repo,
            env=env,
            capture_output=True,
            text=True,
            timeout=300,
            check=False,
        )
        assert "Traceback" not in done.stderr, done.stderr
        codes.append(done.returncode)
    return codes[0], codes[1], (tmp / "out-gate" / f"{STACK}.md").read_text()


def _drop_a_volume(repo: Path) -> None:
    _volumes(repo, ONE_VOLUME)


def test_a_pr_that_drops_a_volume_and_unlists_its_stack_from_strict_diff_is_blocked(repo):
    def pr(repo: Path) -> None:
        _drop_a_volume(repo)
        (repo / "pyproject.toml").write_text("[tool.infra]\nstrict-diff = []\n")

    from_head, from_base, report = _gate(repo, pr)
    assert (from_head, from_base) == (0, 3)
    assert "checkpoints-share" in report


def test_a_pr_that_drops_a_volume_and_rewrites_ci_ack_is_blocked(repo):
    def pr(repo: Path) -> None:
        _drop_a_volume(repo)
        (repo / "scripts" / "ci_ack.py").write_text("print('acknowledged by everyone')\n")

    from_head, from_base, report = _gate(repo, pr)
    assert (from_head, from_base) == (0, 3)
    assert "> not acknowledged" in report


def test_a_pr_that_drops_a_volume_and_empties_the_stateful_types_is_blocked(repo):
    def pr(repo: Path) -> None:
        _drop_a_volume(repo)
        with (repo / "infra" / "compare.py").open("a") as compare:
            compare.write("\nSTATEFUL_TYPES = frozenset()\n")

    from_head, from_base, _ = _gate(repo, pr)
    assert (from_head, from_base) == (0, 3)


def test_a_pr_that_breaks_a_policy_and_relaxes_its_config_is_blocked(repo):
    def pr(repo: Path) -> None:
        _volumes(repo, [{"name": "datasets", "quota": 2000}, TWO_VOLUMES[1]])
        _policy_config(repo, "disabled")

    from_head, from_base, report = _gate(repo, pr)
    assert (from_head, from_base) == (0, 1)
    assert "share quota 2000 GiB is above the 1000 GiB budget" in report


def test_a_pr_that_breaks_a_policy_and_rewrites_the_pack_is_blocked(repo):
    def pr(repo: Path) -> None:
        _volumes(repo, [{"name": "datasets", "quota": 2000}, TWO_VOLUMES[1]])
        pack = repo / "policies" / "__main__.py"
        pack.write_text(pack.read_text().replace("quota > 1000", "quota > 10**9"))

    from_head, from_base, report = _gate(repo, pr)
    assert (from_head, from_base) == (0, 1)
    assert "share quota 2000 GiB is above the 1000 GiB budget" in report


# The program under review runs in a process of its own and returns only its plan, so the
# judge never runs in the process the program can patch (infra/engine/apart.py). These
# programs would have passed when the program ran inside the gate's process.
_PATCH_THE_JUDGE = """
import infra.compare
infra.compare.STATEFUL_TYPES = frozenset()
infra.compare.StackDiff.stateful_risks = property(lambda self: [])
"""


def test_a_pr_whose_program_patches_the_judge_still_exits_3(repo):
    def pr(repo: Path) -> None:
        _drop_a_volume(repo)
        with (repo / "__main__.py").open("a") as program:
            program.write(_PATCH_THE_JUDGE)

    _, from_base, report = _gate(repo, pr)
    assert from_base == 3
    assert "checkpoints-share" in report


def test_a_pr_whose_program_exits_early_is_an_error_not_a_pass(repo):
    def pr(repo: Path) -> None:
        _drop_a_volume(repo)
        program = repo / "__main__.py"
        program.write_text("import os\nos._exit(0)\n" + program.read_text())

    _, from_base, report = _gate(repo, pr)
    assert from_base == 2
    assert "the program stopped the preview before it finished (exit code 0)" in report


# --- the PR comment: the base's builder writes it ------------------------------------------


def test_a_pr_that_rewrites_the_comment_builder_does_not_turn_its_comment_green(tmp_path):
    root = tmp_path / "repo"
    (root / "scripts").mkdir(parents=True)
    shutil.copy(REPO_ROOT / "scripts" / "build_pr_comment.py", root / "scripts")
    shutil.copy(REPO_ROOT / "pyproject.toml", root)
    shutil.copytree(
        REPO_ROOT / "infra", root / "infra", ignore=shutil.ignore_patterns("__pycache__")
    )
    _git(root, "init", "-q", "-b", "main")
    _git(root, "add", "-A")
    _git(root, "commit", "-qm", "base")
    base = _git(root, "rev-parse", "HEAD")
    (root / "scripts" / "build_pr_comment.py").write_text(
        "import sys\n"
        "out = sys.argv[sys.argv.index('--out') + 1]\n"
        "open(out, 'w').write('<!-- infra-diff -->\\n## ✅ nothing blocks the merge\\n')\n"
    )
    _git(root, "commit", "-qam", "pr")
    _git(root, "worktree", "add", "-q", "--detach", str(tmp_path / "gate"), base)
    results = tmp_path / "infra-diff"
    results.mkdir()
    (results / f"{STACK}.rc").write_text("3\n")
    (results / f"{STACK}.md").write_text(f"### `{STACK}`\n\n- delete `checkpoints-share`\n")
    first_lines = []
    for checkout in (root, tmp_path / "gate"):
        out = tmp_path / f"comment-{checkout.name}.md"
        subprocess.run(
            [
                sys.executable,
                str(checkout / "scripts" / "build_pr_comment.py"),
                "--results",
                str(results),
                "--out",
                str(out),
                "--stacks",
                f'["{STACK}"]',
            ],
            cwd=root,
            check=True,
            capture_output=True,
            timeout=60,
        )
        first_lines.append(out.read_text(encoding="utf-8").splitlines()[1])
    from_head, from_base = first_lines
    assert from_head == "## ✅ nothing blocks the merge"
    assert from_base == (
        f"## ⚠️ `{STACK}`: unacknowledged replacement or deletion of a stateful resource"
    )


# --- infra permissions: the base's accepted-excess list judges ----------------------------


def test_a_pr_that_grants_an_excess_and_accepts_it_itself_is_reported(tmp_path):
    from infra.commands import main
    from infra.exit_codes import ExitCode
    from tests.infra.test_permissions import _edit, _grant_to_plan

    root = tmp_path / "repo"
    root.mkdir()
    for name in ("Pulumi.yaml", "pyproject.toml"):
        shutil.copy(REPO_ROOT / name, root / name)
    for name in ("stacks", "components", "bootstrap", "policies", "azure_facts"):
        shutil.copytree(REPO_ROOT / name, root / name, ignore=shutil.ignore_patterns("__pycache__"))
    _git(root, "init", "-q", "-b", "main")
    _git(root, "add", "-A")
    _git(root, "commit", "-qm", "base")
    base = _git(root, "rev-parse", "HEAD")
    excess = "Microsoft.Compute/virtualMachines/read"
    _grant_to_plan(root, excess, False)
    _edit(
        root,
        Path("pyproject.toml"),
        "[tool.infra.permissions.accepted-excess.plan]\n",
        f'[tool.infra.permissions.accepted-excess.plan]\n"{excess}" = "the PR says so"\n',
    )
    _git(root, "commit", "-qam", "pr")
    head = _git(root, "rev-parse", "HEAD")
    gate = tmp_path / "gate"
    _git(root, "worktree", "add", "-q", "--detach", str(gate), base)
    assert main(["permissions", "-C", str(root), "-s", "dev"]) == ExitCode.OK
    assert main(["permissions", "-C", str(gate), "-s", "dev", "--head", head]) == ExitCode.FAILED
