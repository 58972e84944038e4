"""Which stacks a change touches: the input of every CI matrix over stacks.

The rules are the repository's data, `[tool.infra.affects]` in its pyproject.toml (see
`infra.repo.rules`): a path matched by `stack-files` or `one-stack` (with `{stack}` standing
for a stack's name) touches that stack, and a deleted stack's own file touches none; a path
matched by `no-stack` touches none; any other path touches every stack (fail safe: an
unknown file may be read by the program, so an extra preview or deploy is cheaper than a
missed one). Without the table, a stack's own file (`<stack_config_dir>/Pulumi.<name>.yaml`)
touches that stack and anything else every stack.

Only stacks that exist now (`Pulumi.<name>.yaml` present under `stack_config_dir`) are
returned: a deleted stack file names a stack that nothing in CI can preview or deploy
(removing its resources is a manual `pulumi destroy`, docs/delivery.md). `removed_stacks`
names them, so that the pull request's diff can say that their resources stay. Stacks come
back in the deploy order of `[tool.infra]`, then alphabetically.

A stack file whose name is not a valid stack name (`infra.engine.project.STACK_NAME`) is
not a stack; `invalid_stack_files` names it so the command can say so.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from pathlib import Path, PurePosixPath

from infra.engine.project import STACK_NAME
from infra.git import git, names, verify_ref
from infra.repo.rules import RepoRules, load_rules

_STACK_FILE = re.compile(r"Pulumi\.(?P<name>.+)\.ya?ml")


def _stack_from_file(filename: str) -> str | None:
    match = _STACK_FILE.fullmatch(filename)
    if match is None or not STACK_NAME.fullmatch(match["name"]):
        return None
    return match["name"]


def _stack_files(project_root: Path, stack_config_dir: str) -> list[Path]:
    config_dir = Path(project_root) / stack_config_dir
    if not config_dir.is_dir():
        return []
    return [
        path
        for path in config_dir.iterdir()
        if path.is_file() and _STACK_FILE.fullmatch(path.name) and path.name != "Pulumi.yaml"
    ]


def discover_stacks(
    project_root: Path, stack_config_dir: str = "stacks", rules: RepoRules | None = None
) -> list[str]:
    """The stacks that exist: one per `Pulumi.<name>.yaml` in the stack config directory."""
    rules = rules if rules is not None else load_rules(Path(project_root))
    found = (_stack_from_file(p.name) for p in _stack_files(project_root, stack_config_dir))
    return rules.sorted_stacks(name for name in found if name is not None)


def invalid_stack_files(project_root: Path, stack_config_dir: str = "stacks") -> list[str]:
    """Stack-file names in the config directory whose stack name Pulumi would refuse."""
    return sorted(
        p.name
        for p in _stack_files(project_root, stack_config_dir)
        if _stack_from_file(p.name) is None
    )


def _valid_name(name: str) -> bool:
    return STACK_NAME.fullmatch(name) is not None


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


def _default_stack_files(stack_config_dir: str) -> tuple[str, ...]:
    parts = [p for p in PurePosixPath(stack_config_dir).parts if p not in ("", ".")]
    prefix = "/" + "".join(f"{p}/" for p in parts)
    return (f"{prefix}Pulumi.{{stack}}.yaml", f"{prefix}Pulumi.{{stack}}.yml")


def affected_stacks(
    changed_paths: Iterable[str],
    project_root: Path,
    stack_config_dir: str = "stacks",
    *,
    all_stacks: Sequence[str] | None = None,
    rules: RepoRules | None = None,
) -> list[str]:
    """The existing stacks that `changed_paths` touch, in deploy order (see module doc).

    `all_stacks` is the list of stacks that exist; by default it is discovered from
    `project_root / stack_config_dir`. `rules` default to the project's `[tool.infra]`.
    Paths may be relative to `project_root` or absolute.
    """
    rules = rules if rules is not None else load_rules(Path(project_root))
    existing = set(
        discover_stacks(project_root, stack_config_dir, rules) if all_stacks is None else all_stacks
    )
    default = _default_stack_files(stack_config_dir)
    touched: set[str] = set()
    for raw in changed_paths:
        path = _normalise(raw, project_root)
        if path is None:
            continue
        stacks = rules.stacks_of(path, existing, default, _valid_name)
        if stacks is None:
            return rules.sorted_stacks(existing)
        touched |= stacks
    return rules.sorted_stacks(touched)


def removed_stacks(
    changed_paths: Iterable[str],
    project_root: Path,
    stack_config_dir: str,
    existing: Sequence[str],
    rules: RepoRules | None = None,
) -> list[str]:
    """Stacks whose file is among the changed paths but no longer exists."""
    rules = rules if rules is not None else load_rules(Path(project_root))
    config_dir = PurePosixPath(*[p for p in PurePosixPath(stack_config_dir).parts if p != "."])
    found = set()
    for raw in changed_paths:
        path = _normalise(raw, project_root)
        if path is not None and path.parent == config_dir:
            name = _stack_from_file(path.name)
            if name is not None and name not in existing:
                found.add(name)
    return rules.sorted_stacks(found)


def changed_paths_between(repo: Path, base: str, head: str | None = None) -> list[str]:
    """Paths (relative to the repository root) that differ between `base` and `head`.

    With `head`, this is `git diff --name-only base...head`: the changes on `head` since
    it forked from `base` (what a pull request shows). Without `head`, it is every change
    in the work tree and index relative to `base`, plus untracked files that are not
    ignored (what a commit made now could contain). Renames count as a deletion plus an
    addition, so both names are listed. Raises `GitError` for an unknown ref.
    """
    repo = Path(repo)
    base_sha = verify_ref(repo, base)
    if head is not None:
        head_sha = verify_ref(repo, head)
        out = git(repo, "diff", "--name-only", "--no-renames", "-z", f"{base_sha}...{head_sha}")
        return sorted(set(names(out)))
    found = set(names(git(repo, "diff", "--name-only", "--no-renames", "-z", base_sha)))
    found |= set(
        names(git(repo, "diff", "--cached", "--name-only", "--no-renames", "-z", base_sha))
    )
    found |= set(names(git(repo, "ls-files", "--others", "--exclude-standard", "-z")))
    return sorted(found)


def staged_paths(repo: Path) -> list[str]:
    """Paths in the index that differ from HEAD (all staged paths before the first commit)."""
    return sorted(
        set(names(git(Path(repo), "diff", "--cached", "--name-only", "--no-renames", "-z")))
    )
