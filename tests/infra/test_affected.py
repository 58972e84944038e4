"""`infra.repo.affected`: which stacks a change touches, and which paths git says changed."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from infra.commands import main as infra_main
from infra.errors import UsageError
from infra.git import GitError
from infra.repo.affected import (
    affected_stacks,
    changed_paths_between,
    discover_stacks,
    invalid_stack_files,
    staged_paths,
)
from infra.repo.rules import RepoRules, load_rules
from tests.conftest import REPO_ROOT, STACKS

# This repository's [tool.infra] rules: the cases below are its documented behaviour.
REPO_RULES = load_rules(REPO_ROOT)
ALL = ["dev", "staging", "prod"]

# (changed paths, stacks that exist) -> affected stacks, in deploy order.
CASES: list[tuple[str, list[str], list[str], list[str]]] = [
    ("nothing changed", [], ALL, []),
    ("one stack file", ["stacks/Pulumi.staging.yaml"], ALL, ["staging"]),
    ("stack file, .yml", ["stacks/Pulumi.prod.yml"], ALL, ["prod"]),
    (
        "two stack files come back in deploy order",
        ["stacks/Pulumi.prod.yaml", "stacks/Pulumi.dev.yaml"],
        ALL,
        ["dev", "prod"],
    ),
    ("program", ["stacks/__main__.py"], ALL, ALL),
    ("program helper module", ["stacks/naming.py"], ALL, ALL),
    ("other file next to the program", ["stacks/manifests/smoke-job.yaml"], ALL, ALL),
    ("component", ["components/rwx_volume.py"], ALL, ALL),
    ("lock file", ["requirements.lock"], ALL, ALL),
    ("pyproject", ["pyproject.toml"], ALL, ALL),
    ("project file", ["Pulumi.yaml"], ALL, ALL),
    ("policy rule", ["policies/rules/storage/rwx.py"], ALL, ALL),
    ("policy pack entry point", ["policies/__main__.py"], ALL, ALL),
    ("one stack's policy config", ["policies/config/prod.json"], ALL, ["prod"]),
    ("policy config of no stack", ["policies/config/shared.json"], ALL, ALL),
    ("markdown anywhere", ["README.md", "components/README.md", "stacks/NOTES.md"], ALL, []),
    ("docs folder", ["docs/delivery.md", "docs/img/flow.png"], ALL, []),
    ("tests", ["tests/infra/test_affected.py", "tests/fixtures/x/Pulumi.yaml"], ALL, []),
    ("workflows", [".github/workflows/deploy.yml", ".github/dependabot.yml"], ALL, []),
    ("the offline tool", ["infra/affected.py", "infra/cli.py"], ALL, []),
    (
        "the delivery control plane",
        ["bootstrap/delivery/roles.py", "bootstrap/Pulumi.yaml"],
        ALL,
        [],
    ),
    ("scripts and CI entry", ["scripts/ci-affected.sh", ".ci/run", "Makefile"], ALL, []),
    ("pre-commit config", [".pre-commit-config.yaml", ".gitignore"], ALL, []),
    ("unknown top-level path fails safe", ["manifests/storageclass.yaml"], ALL, ALL),
    ("docs plus a stack file", ["docs/x.md", "stacks/Pulumi.dev.yaml"], ALL, ["dev"]),
    (
        "a stack file plus the program is everything",
        ["stacks/Pulumi.dev.yaml", "components/a.py"],
        ALL,
        ALL,
    ),
    ("deleted stack is not returned", ["stacks/Pulumi.qa.yaml"], ALL, []),
    ("new stack (file exists) is returned", ["stacks/Pulumi.qa.yaml"], [*ALL, "qa"], ["qa"]),
    (
        "other stacks after prod, alphabetically",
        ["components/aks.py"],
        ["zeta", "prod", "alpha", "dev", "staging"],
        ["dev", "staging", "prod", "alpha", "zeta"],
    ),
    ("a stack file in the root is not a stack", ["Pulumi.dev.yaml"], ALL, ALL),
    ("a stack file deeper down is not a stack", ["stacks/old/Pulumi.dev.yaml"], ALL, ALL),
    ("leading ./ is ignored", ["./stacks/Pulumi.dev.yaml"], ALL, ["dev"]),
    ("blank lines are ignored", ["", "  "], ALL, []),
    ("invalid stack name is not a stack", ["stacks/Pulumi.$(reboot).yaml"], ALL, ALL),
]


@pytest.mark.parametrize(
    ("paths", "existing", "expected"),
    [pytest.param(paths, existing, expected, id=name) for name, paths, existing, expected in CASES],
)
def test_affected_stacks(paths: list[str], existing: list[str], expected: list[str]) -> None:
    assert affected_stacks(paths, Path("/nonexistent"), all_stacks=existing, rules=REPO_RULES) == (
        expected
    )


def test_custom_stack_config_dir_without_rules() -> None:
    # A project with no [tool.infra]: its stack files touch their stack, anything else all.
    none = RepoRules()

    def affected(path: str, config_dir: str) -> list[str]:
        return affected_stacks([path], Path("."), config_dir, all_stacks=ALL, rules=none)

    assert affected("config/Pulumi.dev.yaml", "config") == ["dev"]
    assert affected("./config/Pulumi.dev.yaml", "./config") == ["dev"]
    # With stacks in the project root, a root Pulumi.<stack>.yaml is a stack file.
    assert affected("Pulumi.prod.yaml", ".") == ["prod"]
    assert affected("docs/x.md", "config") == sorted(ALL)


def test_absolute_paths_inside_and_outside_the_project(tmp_path: Path) -> None:
    inside = str(tmp_path / "stacks" / "Pulumi.dev.yaml")
    outside = str(tmp_path.parent / "elsewhere" / "components" / "x.py")
    assert affected_stacks([inside, outside], tmp_path, all_stacks=ALL) == ["dev"]


def test_existing_stacks_are_discovered_from_the_project(tmp_path: Path) -> None:
    stacks = tmp_path / "stacks"
    stacks.mkdir()
    for name in ("prod", "dev", "qa", "staging"):
        (stacks / f"Pulumi.{name}.yaml").write_text("config: {}\n")
    (stacks / "Pulumi.bad name.yaml").write_text("config: {}\n")
    (stacks / "__main__.py").write_text("")
    # No [tool.infra]: alphabetical.
    assert discover_stacks(tmp_path) == ["dev", "prod", "qa", "staging"]
    assert invalid_stack_files(tmp_path) == ["Pulumi.bad name.yaml"]
    # The project's deploy order, as data.
    (tmp_path / "pyproject.toml").write_text(
        '[tool.infra]\ndeploy-order = ["dev", "staging", "prod"]\n'
    )
    assert discover_stacks(tmp_path) == ["dev", "staging", "prod", "qa"]
    assert affected_stacks(["components/a.py"], tmp_path) == ["dev", "staging", "prod", "qa"]
    assert affected_stacks(["stacks/Pulumi.gone.yaml"], tmp_path) == []
    assert discover_stacks(tmp_path / "missing") == []


def test_stack_order_is_deploy_order() -> None:
    assert REPO_RULES.sorted_stacks(["b", "prod", "a", "staging", "dev"]) == [
        "dev",
        "staging",
        "prod",
        "a",
        "b",
    ]


def test_every_result_is_a_safe_matrix_value() -> None:
    names = affected_stacks(["components/x.py"], Path("."), all_stacks=["dev", "a.b-c_d"])
    assert all(re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9_.-]*", n) for n in names)
    assert json.loads(json.dumps(names)) == names


def test_the_program_does_not_import_the_tooling() -> None:
    """Rule 4 says `infra/` changes touch no stack: true only while the Pulumi program and
    its components do not import the `infra` package."""
    offenders = []
    for folder in ("stacks", "components"):
        for source in sorted((REPO_ROOT / folder).rglob("*.py")):
            text = source.read_text(encoding="utf-8")
            if re.search(r"^\s*(from\s+infra[\s.]|import\s+infra\b)", text, re.MULTILINE):
                offenders.append(str(source.relative_to(REPO_ROOT)))
    assert offenders == [], "the program imports infra/; make infra/ changes touch every stack"


# --- changed_paths_between, against a real temporary repository ---------------------------


def _git(repo: Path, *args: str) -> str:
    env = {
        **os.environ,
        "GIT_AUTHOR_NAME": "t",
        "GIT_AUTHOR_EMAIL": "t@example.invalid",
        "GIT_COMMITTER_NAME": "t",
        "GIT_COMMITTER_EMAIL": "t@example.invalid",
        "GIT_CONFIG_NOSYSTEM": "1",
        "HOME": str(repo),
    }
    done = subprocess.run(
        ["git", "-C", str(repo), *args], capture_output=True, text=True, env=env, check=True
    )
    return done.stdout.strip()


def _write(repo: Path, rel: str, text: str = "x\n") -> None:
    path = repo / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    if shutil.which("git") is None:  # pragma: no cover - git is a documented requirement
        pytest.fail("git is required")
    root = tmp_path / "repo"
    root.mkdir()
    _git(root, "init", "-q", "-b", "main")
    # The repository's own rules ([tool.infra]), so the repo behaves like this one.
    shutil.copy(REPO_ROOT / "pyproject.toml", root / "pyproject.toml")
    for rel in (
        "Pulumi.yaml",
        "stacks/__main__.py",
        *(f"stacks/Pulumi.{stack}.yaml" for stack in STACKS),
        "components/volume.py",
        "docs/delivery.md",
        "old name.txt",
    ):
        _write(root, rel)
    _git(root, "add", "-A")
    _git(root, "commit", "-q", "-m", "base")
    _git(root, "tag", "base")
    return root


def test_changes_between_two_refs(repo: Path) -> None:
    _git(repo, "switch", "-q", "-c", "feature")
    _write(repo, "stacks/Pulumi.prod.yaml", "changed\n")
    _write(repo, "docs/delivery.md", "changed\n")
    _git(repo, "mv", "old name.txt", "new name.txt")
    _git(repo, "commit", "-q", "-am", "change")
    paths = changed_paths_between(repo, "main", "feature")
    assert paths == ["docs/delivery.md", "new name.txt", "old name.txt", "stacks/Pulumi.prod.yaml"]
    assert affected_stacks(paths, repo) == list(STACKS)  # unknown *.txt: all
    assert changed_paths_between(repo, "main", "main") == []


def test_three_dot_ignores_what_the_base_did_since_the_fork(repo: Path) -> None:
    _git(repo, "switch", "-q", "-c", "feature")
    _write(repo, "stacks/Pulumi.dev.yaml", "feature\n")
    _git(repo, "commit", "-q", "-am", "feature")
    _git(repo, "switch", "-q", "main")
    _write(repo, "components/volume.py", "main moved on\n")
    _git(repo, "commit", "-q", "-am", "main")
    paths = changed_paths_between(repo, "main", "feature")
    assert paths == ["stacks/Pulumi.dev.yaml"]
    assert affected_stacks(paths, repo) == ["dev"]


def test_work_tree_index_and_untracked_files_without_head(repo: Path) -> None:
    _write(repo, "stacks/Pulumi.staging.yaml", "unstaged\n")
    _write(repo, "docs/new.md", "untracked\n")
    _write(repo, "ignored.log", "ignored\n")
    _write(repo, ".gitignore", "*.log\n")
    _git(repo, "rm", "-q", "stacks/Pulumi.prod.yaml")
    paths = changed_paths_between(repo, "HEAD")
    assert paths == [
        ".gitignore",
        "docs/new.md",
        "stacks/Pulumi.prod.yaml",
        "stacks/Pulumi.staging.yaml",
    ]
    # prod's file is deleted: that stack no longer exists, so it is not returned.
    assert affected_stacks(paths, repo) == ["staging"]


def test_staged_paths(repo: Path) -> None:
    _write(repo, "stacks/Pulumi.dev.yaml", "staged\n")
    _write(repo, "components/volume.py", "not staged\n")
    _git(repo, "add", "stacks/Pulumi.dev.yaml")
    assert staged_paths(repo) == ["stacks/Pulumi.dev.yaml"]


def test_staged_paths_before_the_first_commit(tmp_path: Path) -> None:
    _git(tmp_path, "init", "-q", "-b", "main")
    _write(tmp_path, "stacks/Pulumi.dev.yaml")
    _git(tmp_path, "add", "-A")
    assert staged_paths(tmp_path) == ["stacks/Pulumi.dev.yaml"]


@pytest.mark.parametrize(
    ("base", "head"),
    [
        ("no-such-branch", None),
        ("main", "no-such-branch"),
        ("0000000000000000000000000000000000000000", "main"),
        ("--output=/tmp/x", None),
        ("", None),
    ],
)
def test_unknown_ref_is_one_clear_line(repo: Path, base: str, head: str | None) -> None:
    with pytest.raises(GitError) as caught:
        changed_paths_between(repo, base, head)
    message = str(caught.value)
    assert "unknown git ref" in message
    assert "\n" not in message
    # The CLI prints UsageError as one line and exits 2; ValueError for library callers.
    assert isinstance(caught.value, UsageError)
    assert isinstance(caught.value, ValueError)


def test_not_a_repository(tmp_path: Path) -> None:
    with pytest.raises(GitError, match="not a git repository"):
        changed_paths_between(tmp_path, "HEAD")


# --- the command line (`infra affected`, also `python -m infra affected`) -------------------


def main(argv: list[str]) -> int:
    return infra_main(["affected", *argv])


def test_cli_json_between_refs(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    _git(repo, "switch", "-q", "-c", "feature")
    _write(repo, "stacks/Pulumi.staging.yaml", "changed\n")
    _write(repo, "stacks/Pulumi.dev.yaml", "changed\n")
    _git(repo, "commit", "-q", "-am", "change")
    assert main(["-C", str(repo), "--base", "main", "--head", "feature", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["stacks"] == ["dev", "staging"]


def test_cli_from_the_base_checkout_judges_the_head_by_the_base_rules(
    repo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # The PR gate runs in the base's checkout (issue 26.4): a PR that declares its stack
    # changes and itself "no stack" in its own [tool.infra.affects] still affects every stack
    # (by the base's rules pyproject.toml may be read by the program), the one it adds too.
    _git(repo, "switch", "-q", "-c", "feature")
    _write(repo, "stacks/Pulumi.prod.yaml", "changed\n")
    _write(repo, "stacks/Pulumi.qa.yaml", "new\n")
    pyproject = repo / "pyproject.toml"
    text = pyproject.read_text().replace("/stacks/Pulumi.{stack}", "/elsewhere/Pulumi.{stack}")
    pyproject.write_text(
        text.replace("no-stack = [", 'no-stack = ["/stacks/", "/pyproject.toml", ')
    )
    _git(repo, "add", "-A")
    _git(repo, "commit", "-q", "-m", "change")
    assert main(["-C", str(repo), "--base", "main", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["stacks"] == []  # the PR judging itself
    _git(repo, "switch", "-q", "main")
    assert main(["-C", str(repo), "--base", "main", "--head", "feature", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["stacks"] == ["dev", "staging", "prod", "qa"]


def test_cli_modes(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["-C", str(repo), "--all", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["stacks"] == list(STACKS)
    assert main(["-C", str(repo), "stacks/Pulumi.prod.yaml", "docs/x.md"]) == 0
    assert capsys.readouterr().out == "prod\n"
    assert main(["-C", str(repo), "--base", "base", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["stacks"] == []
    _write(repo, "policies/config/dev.json", "{}\n")
    _git(repo, "add", "-A")
    assert main(["-C", str(repo), "--staged", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["stacks"] == ["dev"]


def test_cli_errors_are_one_line_exit_2(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["-C", str(repo), "--base", "nope", "--json"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("infra: error: unknown git ref 'nope'")
    assert err.count("\n") == 1
    assert main(["-C", str(repo), "--all", "--staged"]) == 2
    assert "exactly one of" in capsys.readouterr().err
    assert main(["-C", str(repo), "--head", "main", "x.py"]) == 2
    assert "--head needs --base" in capsys.readouterr().err


def test_a_deleted_stack_file_is_named_and_listed_on_request(tmp_path):
    import subprocess
    import sys

    repo = tmp_path / "repo"
    (repo / "stacks").mkdir(parents=True)
    for name in ("dev", "qa"):
        (repo / "stacks" / f"Pulumi.{name}.yaml").write_text("config: {}\n")
    git = ["git", "-c", "user.email=ci@example.com", "-c", "user.name=ci", "-C", str(repo)]
    subprocess.run([*git, "init", "-q", "-b", "main"], check=True)
    subprocess.run([*git, "add", "-A"], check=True)
    subprocess.run([*git, "commit", "-qm", "base"], check=True)
    subprocess.run([*git, "rm", "-q", "stacks/Pulumi.qa.yaml"], check=True)
    subprocess.run([*git, "commit", "-qm", "drop qa"], check=True)

    def affected(*flags):
        return subprocess.run(
            [
                sys.executable,
                "-m",
                "infra",
                "affected",
                "--base",
                "HEAD~1",
                "--head",
                "HEAD",
                "-C",
                str(repo),
                "--json",
                *flags,
            ],
            capture_output=True,
            text=True,
            timeout=60,
        )

    plain = affected()
    assert plain.returncode == 0, plain.stderr
    assert json.loads(plain.stdout)["stacks"] == []  # nothing to deploy
    assert "qa: stack removed: its resources stay until someone runs `pulumi destroy`" in (
        plain.stderr
    )
    assert json.loads(affected("--with-removed").stdout)["stacks"] == ["qa"]
