"""A repository's delivery rules, kept as data in ``[tool.infra]`` of its ``pyproject.toml``.

Read by ``infra`` (which stacks a change affects, in which order they deploy), by the
workflows' scripts and by the docs generator alike, so each rule is declared once::

    [tool.infra]
    deploy-order = ["dev", "staging", "prod"]   # then any other stack, alphabetically
    smoke-after-deploy = ["staging", "prod"]    # deploys that end with `infra smoke`
    strict-diff = ["staging", "prod"]           # PR diffs that block on stateful risks

    [tool.infra.affects]                        # gitignore-style patterns (pathspec)
    one-stack = ["/stacks/Pulumi.{stack}.yaml", "/policies/config/{stack}.json"]
    no-stack = ["*.md", "/docs/", "/tests/"]    # anything else affects every stack

A project without the table gets the safe defaults: its stack files affect their stack,
every other change affects every stack, and stacks come in alphabetical order.

``python -m infra.rules KEY`` prints one list as JSON; ``python -m infra.rules KEY NAME``
exits 0 when NAME is in it and 1 when not (for shell scripts).
"""

from __future__ import annotations

import sys
import tomllib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

import pathspec

from infra.errors import UsageError
from infra.files import read_text

STACK_PLACEHOLDER = "{stack}"
LIST_KEYS = ("deploy-order", "smoke-after-deploy", "strict-diff")
AFFECTS_KEYS = ("one-stack", "no-stack")


@dataclass(frozen=True)
class RepoRules:
    deploy_order: tuple[str, ...] = ()
    smoke_after_deploy: tuple[str, ...] = ()
    strict_diff: tuple[str, ...] = ()
    # None: the project states no rule, and the caller's default applies.
    one_stack: tuple[str, ...] | None = None
    no_stack: tuple[str, ...] = ()
    _specs: dict[str, pathspec.PathSpec] = field(default_factory=dict, compare=False, repr=False)

    def stack_order(self, name: str) -> tuple[int, str]:
        """Sort key: the deploy order first, then any other stack alphabetically."""
        order = self.deploy_order
        return (order.index(name) if name in order else len(order), name)

    def sorted_stacks(self, names: Iterable[str]) -> list[str]:
        return sorted(set(names), key=self.stack_order)

    def _spec(self, patterns: Sequence[str]) -> pathspec.PathSpec:
        key = "\0".join(patterns)
        if key not in self._specs:
            self._specs[key] = pathspec.GitIgnoreSpec.from_lines(patterns)
        return self._specs[key]

    def stacks_of(
        self, path: PurePosixPath, stacks: Iterable[str], default_one_stack: Sequence[str]
    ) -> set[str] | None:
        """The stacks ``path`` (relative, ``/``-separated) affects; None means every stack."""
        text = path.as_posix()
        one_stack = self.one_stack if self.one_stack is not None else default_one_stack
        touched = {
            stack
            for stack in stacks
            if self._spec([p.replace(STACK_PLACEHOLDER, stack) for p in one_stack]).match_file(text)
        }
        if touched:
            return touched
        if self._spec(self.no_stack).match_file(text):
            return set()
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
    unknown = set(table) - {*LIST_KEYS, "affects"}
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
    one_stack = affects.get("one-stack")
    return RepoRules(
        deploy_order=values.get("deploy-order", ()),
        smoke_after_deploy=values.get("smoke-after-deploy", ()),
        strict_diff=values.get("strict-diff", ()),
        one_stack=None
        if one_stack is None
        else _strings(one_stack, f"{path}: [tool.infra.affects] one-stack"),
        no_stack=_strings(affects.get("no-stack", []), f"{path}: [tool.infra.affects] no-stack"),
    )


def main(argv: Sequence[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    if not 1 <= len(args) <= 2 or args[0] not in LIST_KEYS:
        print(f"usage: python -m infra.rules {{{'|'.join(LIST_KEYS)}}} [NAME]", file=sys.stderr)
        return 2
    try:
        rules = load_rules(Path.cwd())
    except UsageError as error:
        print(f"infra.rules: error: {error}", file=sys.stderr)
        return 2
    values = getattr(rules, args[0].replace("-", "_"))
    if len(args) == 2:
        return 0 if args[1] in values else 1
    import json

    print(json.dumps(list(values)))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
