"""Which stacks a change touches: the input of every CI matrix over stacks.

The rules, first match wins (paths are relative to the project root, `/`-separated):

1. `<stack_config_dir>/Pulumi.<name>.yaml` (or `.yml`): stack `<name>` only.
2. `policies/config/<name>.json` where `<name>` is an existing stack: that stack only
   (each stack is checked with its own policy config); anything else under `policies/`
   touches every stack.
3. Documentation (`*.md`, `*.rst`, `docs/`, `LICENSE*`) and tests (`tests/`): no stack.
4. Delivery tooling that does not change any stack's desired state: `.github/`, `infra/`
   (the offline preview/diff tool), `scripts/`, `benchmarks/`, `.ci/`, `Makefile`,
   `.pre-commit-config.yaml` and the dot-files below: no stack. A bad tooling change is
   caught by the PR's checks, not by a deploy; deploying a stack is never needed for it.
5. Everything else touches every stack: the program (`stacks/*.py` and anything else in
   `stacks/`), `components/`, `requirements.lock`, `pyproject.toml`, `Pulumi.yaml`, and
   any path this list does not know (fail safe: an unknown file may be read by the
   program, so an extra preview/deploy is cheaper than a missed one).

Only stacks that exist now (`Pulumi.<name>.yaml` present under `stack_config_dir`) are
returned: a deleted stack file names a stack that no longer exists, and nothing in CI can
preview or deploy it (removing its resources is a manual `pulumi destroy`, see
docs/delivery.md). Each one is named on stderr, and `--with-removed` lists it too, so the
pull request's diff can say that its resources stay. Stacks come back in deploy order:
dev, staging, prod, then any others alphabetically.

Stack names must match `[A-Za-z0-9][A-Za-z0-9_.-]*` (Pulumi's own rule, minus the
organisation/project prefix); files with other names are not stacks. This also keeps every
name safe to use as a CI matrix value, artifact name or file name.
"""

from __future__ import annotations

import argparse
import json
import re
import subprocess
import sys
from collections.abc import Iterable, Sequence
from pathlib import Path, PurePosixPath

from infra.errors import UsageError
from infra.project import STACK_NAME, STACK_REMOVED_NOTE

DEPLOY_ORDER = ("dev", "staging", "prod")
_STACK_FILE = re.compile(r"Pulumi\.(?P<name>.+)\.ya?ml")

# Top-level files and directories that hold no desired state (rules 3 and 4).
_NO_STACK_DIRS = frozenset(
    {
        "docs",
        "tests",
        ".github",
        "infra",
        "scripts",
        "benchmarks",
        ".ci",
        ".vscode",
        ".devcontainer",
    }
)
_NO_STACK_FILES = frozenset(
    {
        "Makefile",
        ".pre-commit-config.yaml",
        ".gitignore",
        ".gitattributes",
        ".editorconfig",
        ".python-version",
        "CODEOWNERS",
    }
)
_DOC_SUFFIXES = frozenset({".md", ".rst"})


class AffectedError(UsageError, ValueError):
    """A git problem (unknown ref, not a repository, git missing); the message is one line."""


def stack_order(name: str) -> tuple[int, str]:
    """Sort key: dev, staging, prod first (in that order), then the rest alphabetically."""
    return (DEPLOY_ORDER.index(name) if name in DEPLOY_ORDER else len(DEPLOY_ORDER), name)


def _stack_from_file(filename: str) -> str | None:
    match = _STACK_FILE.fullmatch(filename)
    if match is None or not STACK_NAME.fullmatch(match["name"]):
        return None
    return match["name"]


def discover_stacks(project_root: Path, stack_config_dir: str = "stacks") -> list[str]:
    """The stacks that exist: one per `Pulumi.<name>.yaml` in the stack config directory."""
    config_dir = Path(project_root) / stack_config_dir
    if not config_dir.is_dir():
        return []
    names = {
        name
        for path in config_dir.iterdir()
        if path.is_file() and (name := _stack_from_file(path.name)) is not None
    }
    return sorted(names, key=stack_order)


def _normalise(path: str, project_root: Path) -> PurePosixPath | None:
    text = path.strip().replace("\\", "/")
    if not text:
        return None
    pure = PurePosixPath(text)
    if pure.is_absolute():
        try:
            pure = PurePosixPath(Path(text).resolve().relative_to(Path(project_root).resolve()))
        except ValueError:
            return None  # outside the project: not ours
    parts = [p for p in pure.parts if p not in ("", ".")]
    return PurePosixPath(*parts) if parts else None


def _classify(
    path: PurePosixPath, stack_config_dir: PurePosixPath, existing: set[str]
) -> set[str] | None:
    """The stacks `path` touches; `None` means every stack."""
    parts = path.parts
    if path.parent == stack_config_dir and (name := _stack_from_file(path.name)) is not None:
        return {name} & existing
    if parts[0] == "policies":
        is_config = len(parts) == 3 and parts[1] == "config" and path.suffix == ".json"
        return {path.stem} if is_config and path.stem in existing else None
    if path.suffix.lower() in _DOC_SUFFIXES or path.name.startswith("LICENSE"):
        return set()
    if len(parts) > 1 and parts[0] in _NO_STACK_DIRS:
        return set()
    if len(parts) == 1 and parts[0] in _NO_STACK_FILES:
        return set()
    return None


def affected_stacks(
    changed_paths: Iterable[str],
    project_root: Path,
    stack_config_dir: str = "stacks",
    *,
    all_stacks: Sequence[str] | None = None,
) -> list[str]:
    """The existing stacks that `changed_paths` touch, in deploy order (see module doc).

    `all_stacks` is the list of stacks that exist; by default it is discovered from
    `project_root / stack_config_dir`. Paths may be relative to `project_root` or absolute.
    """
    existing = set(
        discover_stacks(project_root, stack_config_dir) if all_stacks is None else all_stacks
    )
    config_dir = PurePosixPath(*[p for p in PurePosixPath(stack_config_dir).parts if p != "."])
    touched: set[str] = set()
    for raw in changed_paths:
        path = _normalise(raw, project_root)
        if path is None:
            continue
        stacks = _classify(path, config_dir, existing)
        if stacks is None:
            return sorted(existing, key=stack_order)
        touched |= stacks
    return sorted(touched, key=stack_order)


def _removed_stacks(
    changed_paths: Iterable[str], project_root: Path, stack_config_dir: str, existing: list[str]
) -> list[str]:
    """Stacks whose file is among the changed paths but no longer exists."""
    config_dir = PurePosixPath(*[p for p in PurePosixPath(stack_config_dir).parts if p != "."])
    names = set()
    for raw in changed_paths:
        path = _normalise(raw, project_root)
        if path is not None and path.parent == config_dir:
            name = _stack_from_file(path.name)
            if name is not None and name not in existing:
                names.add(name)
    return sorted(names, key=stack_order)


def _git(repo: Path, *args: str) -> str:
    try:
        done = subprocess.run(
            ["git", "-C", str(repo), *args],
            capture_output=True,
            text=True,
            check=False,
        )
    except FileNotFoundError:
        raise AffectedError("git is not installed (needed to list changed files)") from None
    if done.returncode != 0:
        first = (done.stderr.strip().splitlines() or ["(no message)"])[0]
        raise AffectedError(f"git {args[0]} failed in {repo}: {first}")
    return done.stdout


def _verify_ref(repo: Path, ref: str) -> str:
    if not ref or ref.startswith("-"):
        raise AffectedError(f"unknown git ref {ref!r} in {repo}")
    try:
        done = subprocess.run(
            ["git", "-C", str(repo), "rev-parse", "--verify", "--quiet", f"{ref}^{{commit}}"],
            capture_output=True,
            text=True,
            check=False,
        )
    except FileNotFoundError:
        raise AffectedError("git is not installed (needed to list changed files)") from None
    if done.returncode != 0:
        if "not a git repository" in done.stderr:
            raise AffectedError(f"{repo} is not a git repository")
        raise AffectedError(
            f"unknown git ref {ref!r} in {repo} (fetch it first, e.g. actions/checkout "
            "with fetch-depth: 0)"
        )
    return done.stdout.strip()


def _names(output: str) -> list[str]:
    return [name for name in output.split("\0") if name]


def changed_paths_between(repo: Path, base: str, head: str | None = None) -> list[str]:
    """Paths (relative to the repository root) that differ between `base` and `head`.

    With `head`, this is `git diff --name-only base...head`: the changes on `head` since
    it forked from `base` (what a pull request shows). Without `head`, it is every change
    in the work tree and index relative to `base`, plus untracked files that are not
    ignored (what a commit made now could contain). Renames count as a deletion plus an
    addition, so both names are listed. Raises `AffectedError` for an unknown ref.
    """
    repo = Path(repo)
    base_sha = _verify_ref(repo, base)
    if head is not None:
        head_sha = _verify_ref(repo, head)
        out = _git(repo, "diff", "--name-only", "--no-renames", "-z", f"{base_sha}...{head_sha}")
        return sorted(set(_names(out)))
    names = set(_names(_git(repo, "diff", "--name-only", "--no-renames", "-z", base_sha)))
    names |= set(
        _names(_git(repo, "diff", "--cached", "--name-only", "--no-renames", "-z", base_sha))
    )
    names |= set(_names(_git(repo, "ls-files", "--others", "--exclude-standard", "-z")))
    return sorted(names)


def staged_paths(repo: Path) -> list[str]:
    """Paths in the index that differ from HEAD (all staged paths before the first commit)."""
    out = _git(Path(repo), "diff", "--cached", "--name-only", "--no-renames", "-z")
    return sorted(set(_names(out)))


# ---------------------------------------------------------------------------------------
# Command line: `infra affected` (wired by infra/cli.py) and `python -m infra.affected`.


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """The `infra affected` flags; `run(args)` executes them."""
    parser.add_argument("--base", metavar="REF", help="compare against this git ref")
    parser.add_argument(
        "--head",
        metavar="REF",
        help="the changed ref (default: the work tree and index, untracked files included)",
    )
    parser.add_argument(
        "--staged", action="store_true", help="use the staged files (for a pre-commit hook)"
    )
    parser.add_argument("--all", action="store_true", help="list every existing stack")
    parser.add_argument(
        "-C",
        "--cwd",
        type=Path,
        default=Path.cwd(),
        metavar="DIR",
        help="the Pulumi project directory (default: the current directory)",
    )
    parser.add_argument(
        "--stack-config-dir",
        default="stacks",
        metavar="DIR",
        help="where Pulumi.<stack>.yaml files live, relative to --cwd (default: stacks)",
    )
    parser.add_argument(
        "--json", action="store_true", help="print a JSON list (default: one stack per line)"
    )
    parser.add_argument(
        "--with-removed",
        action="store_true",
        help="also list stacks whose file the change deletes (for the PR diff, never a deploy)",
    )
    parser.add_argument(
        "paths", nargs="*", metavar="PATH", help="changed paths (instead of --base/--staged)"
    )


def run(args: argparse.Namespace) -> int:
    """Print the affected stacks; returns the exit code (0). Raises AffectedError."""
    root: Path = args.cwd
    modes = sum([bool(args.base), bool(args.staged), bool(args.all), bool(args.paths)])
    if modes != 1:
        raise AffectedError("affected: give exactly one of --base REF, --staged, --all or PATHs")
    if args.head and not args.base:
        raise AffectedError("affected: --head needs --base")
    existing = discover_stacks(root, args.stack_config_dir)
    if args.all:
        stacks = existing
    else:
        if args.base:
            paths = changed_paths_between(root, args.base, args.head)
        elif args.staged:
            paths = staged_paths(root)
        else:
            paths = list(args.paths)
        removed = _removed_stacks(paths, root, args.stack_config_dir, existing)
        for name in removed:
            print(f"infra affected: {name}: {STACK_REMOVED_NOTE}", file=sys.stderr)
        known = existing + removed if args.with_removed else existing
        stacks = affected_stacks(paths, root, args.stack_config_dir, all_stacks=known)
    if args.json:
        print(json.dumps(stacks))
    else:
        for stack in stacks:
            print(stack)
    return 0


def add_subparser(sub: argparse._SubParsersAction) -> None:
    """Register `affected` on infra/cli.py's subparsers (sets `handler=run`)."""
    parser = sub.add_parser(
        "affected",
        help="list the stacks a change touches, in deploy order",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    add_arguments(parser)
    parser.set_defaults(handler=run)
