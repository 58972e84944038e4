"""Load a Pulumi Python project and its stack config files the way the CLI does."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from infra.engine.files import StrictLoader, load_yaml, read_text
from infra.errors import UsageError

SECRET_PLACEHOLDER = "offline-secret-placeholder"
# Pulumi's rule for stack names (pulumi/pulumi `validateStackName`: [A-Za-z0-9_.-]{1,100}),
# matched whole: without '/' a name cannot lead its stack file out of the config directory.
STACK_NAME = re.compile(r"[A-Za-z0-9_.-]{1,100}")
STACK_NAME_RULE = "Pulumi stack names are 1-100 letters, digits, '-', '_' or '.'"
# What deleting a stack's file does to its resources: nothing; only `pulumi destroy` deletes them.
STACK_REMOVED_NOTE = "stack removed: its resources stay until someone runs `pulumi destroy`"


class ConfigError(UsageError):
    """A stack's config is invalid (found by the loader or by the program): one line, exit 2."""


class ProgramError(Exception):
    """The program raised: the message carries its traceback, as `pulumi` shows it."""


@dataclass(frozen=True)
class Project:
    root: Path
    name: str
    main: Path
    stack_config_dir: Path
    config_declarations: dict[str, Any]

    def stack_file(self, stack: str) -> Path:
        return self.stack_config_dir / f"Pulumi.{stack}.yaml"

    def stacks(self) -> list[str]:
        names = []
        for path in self.stack_config_dir.glob("Pulumi.*.yaml"):
            if path.resolve() == (self.root / "Pulumi.yaml").resolve():
                continue
            name = path.name[len("Pulumi.") : -len(".yaml")]
            if not STACK_NAME.fullmatch(name):
                raise UsageError(
                    f"{self.relative(path)}: {name!r} is not a valid stack name "
                    f"({STACK_NAME_RULE}); rename or remove the file"
                )
            names.append(name)
        return sorted(names)

    def defaults(self) -> dict[str, Any]:
        """``ns:key -> default`` of every key ``Pulumi.yaml`` gives a default (as YAML read it),
        which the CLI applies where a stack file sets nothing."""
        out = {}
        for key, declaration in self.config_declarations.items():
            if isinstance(declaration, dict):
                default = declaration.get("value", declaration.get("default"))
            else:
                default = declaration
            if default is not None:
                out[key if ":" in key else f"{self.name}:{key}"] = default
        return out

    def relative(self, path: Path) -> str:
        try:
            return str(path.resolve().relative_to(self.root.resolve()))
        except ValueError:
            return str(path)


@dataclass(frozen=True)
class StackConfig:
    """A stack's config as the engine hands it to the program: `ns:key` -> string."""

    path: Path
    values: dict[str, str]
    secret_keys: list[str] = field(default_factory=list)


# A YAML file can expand a few aliases into billions of nodes; config is never that big.
MAX_CONFIG_NODES = 100_000


class _ConfigLoader(StrictLoader):
    """YAML as the Pulumi CLI reads config: a date or timestamp stays the string it is."""


_ConfigLoader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


def _check_plain(value: Any, where: str) -> None:
    """Only what JSON can hold, without cycles, and of a sane size once aliases expand."""
    seen = 0
    stack: list[tuple[Any, tuple[int, ...]]] = [(value, ())]
    while stack:
        item, ancestors = stack.pop()
        seen += 1
        if seen > MAX_CONFIG_NODES:
            raise UsageError(
                f"{where}: more than {MAX_CONFIG_NODES:,} values once YAML aliases expand"
            )
        if isinstance(item, (dict, list)):
            if id(item) in ancestors:
                raise UsageError(f"{where}: a YAML alias refers to itself")
            children = item.values() if isinstance(item, dict) else item
            if isinstance(item, dict) and not all(isinstance(k, str) for k in item):
                raise UsageError(f"{where}: every mapping key must be a string")
            stack.extend((child, (*ancestors, id(item))) for child in children)
        elif not isinstance(item, (str, int, float, bool, type(None))):
            raise UsageError(
                f"{where}: a {type(item).__name__} value (YAML !!set, !!binary, ...) is not valid "
                "config; quote it as a string"
            )


def _read_yaml(path: Path, what: str, shown: str | None = None) -> Any:
    shown = shown or str(path)
    doc = load_yaml(path, shown, what, _ConfigLoader)
    _check_plain(doc, shown)
    return doc


def load_project(cwd: Path) -> Project:
    root = cwd.resolve()
    candidates = [root / "Pulumi.yaml", root / "Pulumi.yml"]
    project_file = next((p for p in candidates if p.exists()), None)
    if project_file is None:
        raise UsageError(f"{root}: no Pulumi.yaml here; pass --cwd with a Pulumi project directory")
    doc = _read_yaml(project_file, "project file")
    if not isinstance(doc, dict) or not isinstance(doc.get("name"), str):
        raise UsageError(f"{project_file}: must be a mapping with a string 'name'")
    runtime = doc.get("runtime")
    runtime_name = runtime.get("name") if isinstance(runtime, dict) else runtime
    if runtime_name != "python":
        raise UsageError(
            f"{project_file}: runtime is {runtime_name!r}; infra previews Python projects only"
        )
    main = root / str(doc.get("main") or ".")
    if main.is_dir():
        main = main / "__main__.py"
    if not main.exists():
        raise UsageError(f"{project_file}: program {main} not found (check 'main')")
    config_dir = root / str(doc.get("stackConfigDir") or ".")
    declarations = doc.get("config") or {}
    if not isinstance(declarations, dict):
        raise UsageError(f"{project_file}: 'config' must be a mapping of key to declaration")
    return Project(root, doc["name"], main, config_dir, declarations)


def _qualify(project: Project, key: str) -> str:
    return key if ":" in key else f"{project.name}:{key}"


def _as_config_string(value: Any) -> str:
    # The engine passes every config value to the program as a string; structured
    # values as JSON, as `pulumi config set --path` stores them.
    if isinstance(value, str):
        return value
    return json.dumps(value)


def _contains_secure(value: Any) -> bool:
    if isinstance(value, dict):
        return set(value) == {"secure"} or any(_contains_secure(v) for v in value.values())
    if isinstance(value, list):
        return any(_contains_secure(v) for v in value)
    return False


def _replace_secure(value: Any) -> Any:
    if isinstance(value, dict):
        if set(value) == {"secure"}:
            return SECRET_PLACEHOLDER
        return {k: _replace_secure(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_replace_secure(v) for v in value]
    return value


def _yaml_reading(value: Any) -> str:
    if isinstance(value, bool):
        return f"the boolean {json.dumps(value)}"
    if value is None:
        return "null"
    return f"the number {value}"


def _check_declared_type(key: str, declaration: Any, value: Any, where: str) -> None:
    """A `type: string` key must hold a YAML string: unquoted, YAML 1.1 reads `no` as false
    and `1.30` as 1.3, and the program would get "false" or "1.3" instead of what was meant."""
    declared = declaration.get("type") if isinstance(declaration, dict) else None
    if declared == "string" and (value is None or isinstance(value, (bool, int, float))):
        raise ConfigError(
            f"{where}: config key '{key}' must be a string (Pulumi.yaml declares type: string), "
            f"but YAML reads the unquoted value as {_yaml_reading(value)}; quote it"
        )


def load_stack_config(project: Project, stack: str) -> StackConfig:
    if not STACK_NAME.fullmatch(stack):
        raise UsageError(f"--stack {stack!r}: not a valid stack name; {STACK_NAME_RULE}")
    path = project.stack_file(stack)
    if not path.exists():
        known = ", ".join(project.stacks()) or "none"
        raise UsageError(
            f"{project.relative(path)}: no such stack {stack!r} (stacks here: {known})"
        )
    doc = _read_yaml(path, "stack config", project.relative(path)) or {}
    if not isinstance(doc, dict):
        raise UsageError(f"{project.relative(path)}: must be a mapping with a 'config' key")
    config = doc.get("config") or {}
    if not isinstance(config, dict):
        raise UsageError(f"{project.relative(path)}: 'config' must be a mapping of key to value")

    values: dict[str, str] = {}
    secret_keys: list[str] = []
    declarations = {_qualify(project, k): d for k, d in project.config_declarations.items()}
    # Project-level defaults apply where the stack sets nothing, as in the CLI.
    for key, default in project.defaults().items():
        _check_declared_type(key, declarations.get(key), default, "Pulumi.yaml")
        values[key] = _as_config_string(default)
    for key, value in config.items():
        qualified = _qualify(project, str(key))
        if _contains_secure(value):
            secret_keys.append(qualified)
            value = _replace_secure(value)
        else:
            _check_declared_type(
                qualified, declarations.get(qualified), value, project.relative(path)
            )
        values[qualified] = _as_config_string(value)
    return StackConfig(path, values, secret_keys)


@dataclass(frozen=True)
class Setting:
    """One scalar a stack file sets: its key path (`ns:key.sub[0]`), its text and its line."""

    key: str
    text: str
    line: int


def _settings_under(node: yaml.Node, key: str) -> list[Setting]:
    if isinstance(node, yaml.ScalarNode):
        return [Setting(key, str(node.value), node.start_mark.line + 1)]
    if isinstance(node, yaml.SequenceNode):
        return [
            s for i, item in enumerate(node.value) for s in _settings_under(item, f"{key}[{i}]")
        ]
    if isinstance(node, yaml.MappingNode):
        keys = {k.value for k, _ in node.value if isinstance(k, yaml.ScalarNode)}
        if keys == {"secure"}:  # a secret: never matched, never shown
            return []
        return [
            s
            for k, v in node.value
            if isinstance(k, yaml.ScalarNode)
            for s in _settings_under(v, f"{key}.{k.value}" if key else str(k.value))
        ]
    return []


def stack_file_settings(project: Project, stack: str) -> list[Setting]:
    """Every scalar under `config:` in the stack file, with the line that sets it: where a
    reviewer changes a value, so where a verdict that value causes belongs."""
    path = project.stack_file(stack)
    shown = project.relative(path)
    load_stack_config(project, stack)  # the same checks (size, depth, duplicate keys) first
    root = yaml.compose(read_text(path, shown, "stack config"), Loader=_ConfigLoader)
    if not isinstance(root, yaml.MappingNode):
        return []
    for key, value in root.value:
        if isinstance(key, yaml.ScalarNode) and key.value == "config":
            return _settings_under(value, "")
    return []
