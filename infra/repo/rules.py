"""A repository's delivery rules, kept as data in ``[tool.infra]`` of its ``pyproject.toml``.

Read by ``infra`` (which stacks a change affects, in which order they deploy), by the
workflows' scripts and by the docs generator alike, so each rule is declared once::

    [tool.infra]
    deploy-order = ["dev", "staging", "prod"]   # then any other stack, alphabetically
    smoke-after-deploy = ["staging", "prod"]    # deploys that end with `infra smoke`
    strict-diff = ["staging", "prod"]           # PR diffs that block on stateful risks
    strict-scan = ["staging", "prod"]           # PRs that fail on an unwaived Checkov check

    [tool.infra.affects]                        # gitignore-style patterns (pathspec)
    stack-files = ["/stacks/Pulumi.{stack}.yaml"]  # a stack's own file: that stack (or
                                                   # none, once the stack is deleted)
    one-stack = ["/policies/config/{stack}.json"]  # about one existing stack: that stack
    no-stack = ["*.md", "/docs/", "/tests/"]       # anything else affects every stack

A project without the table gets the safe defaults: its stack files affect their stack,
every other change affects every stack, and stacks come in alphabetical order.

``python -m infra.repo.rules KEY`` prints one list as JSON; ``python -m infra.repo.rules KEY NAME``
exits 0 when NAME is in it and 1 when not (for shell scripts).
"""

from __future__ import annotations

import sys
import tomllib
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

import pathspec

from infra.engine.files import read_text
from infra.errors import UsageError

STACK_PLACEHOLDER = "{stack}"
LIST_KEYS = ("deploy-order", "smoke-after-deploy", "strict-diff", "strict-scan")
AFFECTS_KEYS = ("stack-files", "one-stack", "no-stack")


@dataclass(frozen=True)
class RepoRules:
    deploy_order: tuple[str, ...] = ()
    smoke_after_deploy: tuple[str, ...] = ()
    strict_diff: tuple[str, ...] = ()
    strict_scan: tuple[str, ...] = ()
    # None: the project states no rule, and the caller's default (its stack files) applies.
    stack_files: tuple[str, ...] | None = None
    one_stack: tuple[str, ...] = ()
    no_stack: tuple[str, ...] = ()
    _specs: dict[str, pathspec.PathSpec] = field(default_factory=dict, compare=False, repr=False)

    def stack_order(self, name: str) -> tuple[int, str]:
        """Sort key: the deploy order first, then any other stack alphabetically."""
        order = self.deploy_order
        return (order.index(name) if name in order else len(order), name)

    def sorted_stacks(self, names: Iterable[str]) -> list[str]:
        return sorted(set(names), key=self.stack_order)

    def _matches(self, patterns: Sequence[str], stack: str, path: str) -> bool:
        lines = [p.replace(STACK_PLACEHOLDER, stack) for p in patterns]
        key = "\0".join(lines)
        if key not in self._specs:
            self._specs[key] = pathspec.GitIgnoreSpec.from_lines(lines)
        return self._specs[key].match_file(path)

    def stacks_of(
        self,
        path: PurePosixPath,
        stacks: Iterable[str],
        default_stack_files: Sequence[str],
        stack_name: Callable[[str], bool],
    ) -> set[str] | None:
        """The stacks ``path`` (relative, ``/``-separated) affects; None means every stack.

        ``stack_name`` tells a valid stack name: a stack file of a valid name that is not
        among ``stacks`` belongs to a deleted stack, and affects none."""
        text = path.as_posix()
        stack_files = self.stack_files if self.stack_files is not None else default_stack_files
        patterns = (*stack_files, *self.one_stack)
        touched = {stack for stack in stacks if self._matches(patterns, stack, text)}
        if touched:
            return touched
        if self._matches(stack_files, "*", text):
            name = _stack_named_by(stack_files, text)
            if name is not None and stack_name(name):
                return set()
        if self._matches(self.no_stack, "", text):
            return set()
        return None


def _stack_named_by(patterns: Sequence[str], path: str) -> str | None:
    """The stack name a stack-file path carries, read through the pattern it matches."""
    for pattern in patterns:
        head, _, tail = pattern.lstrip("/").partition(STACK_PLACEHOLDER)
        if _ and path.startswith(head) and path.endswith(tail) and len(path) > len(head + tail):
            return path[len(head) : len(path) - len(tail)]
    return None


def _strings(value: object, where: str) -> tuple[str, ...]:
    if not isinstance(value, list) or not all(isinstance(v, str) and v for v in value):
        raise UsageError(f"{where} must be a list of non-empty strings")
    return tuple(value)


def load_rules(project_root: Path) -> RepoRules:
    """``[tool.infra]`` of ``project_root/pyproject.toml``; defaults when either is absent."""
    path = project_root / "pyproject.toml"
    if not path.exists():
        return RepoRules()
    text = read_text(path, what="pyproject.toml")
    try:
        doc = tomllib.loads(text)
    except (tomllib.TOMLDecodeError, RecursionError) as error:
        reason = error if isinstance(error, tomllib.TOMLDecodeError) else "nested too deeply"
        raise UsageError(f"{path}: not readable TOML ({reason})") from None
    table = doc.get("tool", {}).get("infra", {})
    if not isinstance(table, dict):
        raise UsageError(f"{path}: [tool.infra] must be a table")
    unknown = set(table) - {*LIST_KEYS, "affects", "permissions", "same-kinds"}
    if unknown:
        raise UsageError(f"{path}: [tool.infra] has unknown keys {', '.join(sorted(unknown))}")
    affects = table.get("affects", {})
    if not isinstance(affects, dict) or set(affects) - set(AFFECTS_KEYS):
        raise UsageError(f"{path}: [tool.infra.affects] may hold only {', '.join(AFFECTS_KEYS)}")
    values = {
        key: _strings(table[key], f"{path}: [tool.infra] {key}")
        for key in LIST_KEYS
        if key in table
    }
    stack_files = affects.get("stack-files")
    return RepoRules(
        deploy_order=values.get("deploy-order", ()),
        smoke_after_deploy=values.get("smoke-after-deploy", ()),
        strict_diff=values.get("strict-diff", ()),
        strict_scan=values.get("strict-scan", ()),
        stack_files=None
        if stack_files is None
        else _strings(stack_files, f"{path}: [tool.infra.affects] stack-files"),
        one_stack=_strings(affects.get("one-stack", []), f"{path}: [tool.infra.affects] one-stack"),
        no_stack=_strings(affects.get("no-stack", []), f"{path}: [tool.infra.affects] no-stack"),
    )


def main(argv: Sequence[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    if not 1 <= len(args) <= 2 or args[0] not in LIST_KEYS:
        print(
            f"usage: python -m infra.repo.rules {{{'|'.join(LIST_KEYS)}}} [NAME]", file=sys.stderr
        )
        return 2
    try:
        rules = load_rules(Path.cwd())
    except UsageError as error:
        print(f"infra.repo.rules: error: {error}", file=sys.stderr)
        return 2
    values = getattr(rules, args[0].replace("-", "_"))
    if len(args) == 2:
        return 0 if args[1] in values else 1
    import json

    print(json.dumps(list(values)))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
