"""The one way `infra` runs git: list arguments, no shell, and one-line errors."""

from __future__ import annotations

import contextlib
import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path

from infra.errors import UsageError

FETCH_HINT = "fetch it first: actions/checkout with fetch-depth: 0, or git fetch origin REF"


class GitError(UsageError, ValueError):
    """git is missing, the folder is not a repository, or a ref is unknown: one line."""


def git(repo: Path, *args: str) -> str:
    """git's stdout (not stripped: NUL-separated listings keep their shape)."""
    try:
        done = subprocess.run(
            ["git", "-C", str(repo), *args], capture_output=True, text=True, check=False
        )
    except FileNotFoundError:
        raise GitError("git is not installed") from None
    if done.returncode != 0:
        first = (done.stderr.strip().splitlines() or ["(no message)"])[0]
        if "not a git repository" in done.stderr:
            raise GitError(f"{repo} is not a git repository")
        raise GitError(f"git {args[0]} failed in {repo}: {first}")
    return done.stdout


def verify_ref(repo: Path, ref: str) -> str:
    """The commit `ref` names; an unknown ref (or one that looks like a flag) is an error."""
    if not ref or ref.startswith("-"):
        raise GitError(f"unknown git ref {ref!r} ({FETCH_HINT})")
    try:
        return git(repo, "rev-parse", "--verify", "--quiet", f"{ref}^{{commit}}").strip()
    except GitError as error:
        if "not a git repository" in str(error):
            raise
        raise GitError(f"unknown git ref {ref!r} ({FETCH_HINT})") from None


def names(output: str) -> list[str]:
    """The paths of a `-z` listing."""
    return [name for name in output.split("\0") if name]


@contextlib.contextmanager
def revision_checkout(project_dir: Path, ref: str) -> Iterator[Path | None]:
    """The project directory as of `ref`, in a temporary worktree (None if absent there)."""
    top = Path(git(project_dir, "rev-parse", "--show-toplevel").strip()).resolve()
    commit = verify_ref(top, ref)
    relative = project_dir.resolve().relative_to(top)
    with tempfile.TemporaryDirectory(prefix="infra-diff-") as tmp:
        worktree = Path(tmp) / "base"
        git(top, "worktree", "add", "--detach", "--quiet", str(worktree), commit)
        try:
            checkout = worktree / relative
            yield checkout if (checkout / "Pulumi.yaml").exists() else None
        finally:
            git(top, "worktree", "remove", "--force", str(worktree))
