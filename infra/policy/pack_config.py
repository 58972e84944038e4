"""Policy packs' folders and config files, reconciled with what each pack declares, as the
Pulumi CLI does (`pkg/resource/analyzer/config.go`)."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import jsonschema
import jsonschema.exceptions
import yaml
from google.protobuf import json_format
from pulumi.runtime.proto import analyzer_pb2

from infra.engine.files import parse_json, read_text
from infra.engine.model import PolicyPackInfo, PolicyRule
from infra.errors import UsageError
from infra.policy.common import (
    LEVELS,
    PROTO_TO_LEVEL,
    PolicyPackError,
    integral,
    json_type,
    short_json,
)

# --------------------------------------------------------------------------------------------
# Pack folder and config file


def check_pack_folder(path: Path) -> None:
    label = f"policy pack {path}"
    if not path.exists():
        raise PolicyPackError(f"{label}: folder not found")
    if not path.is_dir():
        raise PolicyPackError(f"{label}: not a folder")
    manifest = path / "PulumiPolicy.yaml"
    if not manifest.is_file():
        raise PolicyPackError(f"{label}: no PulumiPolicy.yaml in the folder")
    try:
        doc = yaml.safe_load(manifest.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as e:
        raise PolicyPackError(f"{label}: cannot read PulumiPolicy.yaml: {e}") from e
    except yaml.YAMLError as e:
        raise PolicyPackError(f"{label}: PulumiPolicy.yaml is not valid YAML: {e}") from e
    except RecursionError:
        raise PolicyPackError(f"{label}: PulumiPolicy.yaml is nested too deeply to read") from None
    if not isinstance(doc, dict):
        raise PolicyPackError(f"{label}: PulumiPolicy.yaml must be a mapping")
    runtime = doc.get("runtime")
    name = runtime.get("name") if isinstance(runtime, dict) else runtime
    if name is None:
        raise PolicyPackError(f"{label}: PulumiPolicy.yaml has no runtime")
    if name != "python":
        raise PolicyPackError(
            f"{label}: runtime {json.dumps(name)} in PulumiPolicy.yaml is not supported "
            "(only python packs can run here)"
        )


@dataclass
class PolicyConfig:
    level: str | None  # one of LEVELS, or None when not set
    properties: dict[str, Any] | None


def load_config_file(path: Path, label: str) -> dict[str, PolicyConfig]:
    """Parse a `--policy-pack-config` file as the CLI does (`parsePolicyPackConfig`)."""
    where = f"{label}: config file {path}"
    try:
        text = read_text(path, where)
        if not text.strip():  # the CLI accepts an empty file as "no config"
            return {}
        doc = parse_json(text, where)
    except UsageError as e:
        raise PolicyPackError(str(e)) from None
    if not isinstance(doc, dict):
        raise PolicyPackError(
            f"{where}: must be a JSON object mapping policy names to settings, not {json_type(doc)}"
        )
    result: dict[str, PolicyConfig] = {}
    for name, value in doc.items():
        if isinstance(value, str):
            level: str | None = check_level(value, where, name)
            properties: dict[str, Any] | None = None
        elif isinstance(value, dict):
            properties = dict(value)
            raw_level = properties.pop("enforcementLevel", None)
            level = None
            if "enforcementLevel" in value:
                if not isinstance(raw_level, str):
                    raise PolicyPackError(
                        f'{where}: policy "{name}": enforcementLevel {short_json(raw_level)} is '
                        "not a valid enforcement level; must be a string"
                    )
                level = check_level(raw_level, where, name)
            if name == "all" and properties:
                raise PolicyPackError(
                    f'{where}: "all" takes only an enforcement level, not settings '
                    f"({', '.join(sorted(properties))})"
                )
            properties = properties or None
        else:
            raise PolicyPackError(
                f'{where}: policy "{name}": {short_json(value)} is not a valid value; '
                "must be an enforcement level string or an object"
            )
        if level is None and not properties:  # the CLI drops empty entries
            continue
        result[name] = PolicyConfig(level, properties)
    return result


def check_level(value: str, where: str, name: str) -> str:
    if value not in LEVELS:
        raise PolicyPackError(
            f'{where}: policy "{name}": "{value}" is not a valid enforcement level '
            f"(expected one of {', '.join(LEVELS)})"
        )
    return value


@dataclass
class PolicyMeta:
    name: str
    level: str
    schema: dict[str, Any] | None  # {"properties": ..., "required": [...]} or None


def policies_from_info(info: Any) -> list[PolicyMeta]:
    out: list[PolicyMeta] = []
    for p in info.policies:
        schema: dict[str, Any] | None = None
        if info.supportsConfig and p.HasField("configSchema"):
            schema = {
                "properties": integral(json_format.MessageToDict(p.configSchema.properties)),
                "required": list(p.configSchema.required),
            }
        out.append(PolicyMeta(p.name, PROTO_TO_LEVEL.get(p.enforcementLevel, "advisory"), schema))
    return out


# A policy tag naming a stack-file key whose value can cause the policy's verdict
# (`stack-key:gpuPool.maxCount`); `stack-key:none` says no stack setting can.
STACK_KEY_TAG = "stack-key:"
NO_STACK_KEY = "none"


def _stack_keys(tags: Sequence[str]) -> tuple[str, ...] | None:
    keys = [tag.removeprefix(STACK_KEY_TAG) for tag in tags if tag.startswith(STACK_KEY_TAG)]
    if not keys:
        return None
    return tuple(key for key in keys if key != NO_STACK_KEY)


def pack_info(info: Any, fallback_name: str) -> PolicyPackInfo:
    """The pack's name, version and every policy's metadata, as GetAnalyzerInfo declares them."""
    rules = []
    for p in info.policies:
        # PolicySeverity's names are POLICY_SEVERITY_<LEVEL>; UNSPECIFIED means none declared.
        severity = analyzer_pb2.PolicySeverity.Name(p.severity).rsplit("_", 1)[-1].lower()
        framework = (
            " ".join(part for part in (p.framework.name, p.framework.reference) if part)
            if p.HasField("framework")
            else ""
        )
        rules.append(
            PolicyRule(
                name=p.name,
                description=p.description,
                severity="" if severity == "unspecified" else severity,
                remediation=p.remediation_steps,
                url=p.url,
                anchor=framework,
                tags=tuple(tag for tag in p.tags if not tag.startswith(STACK_KEY_TAG)),
                stack_keys=_stack_keys(p.tags),
            )
        )
    return PolicyPackInfo(info.name or fallback_name, info.version, rules)


def initial_config_from_info(info: Any) -> dict[str, PolicyConfig]:
    out: dict[str, PolicyConfig] = {}
    for name, cfg in info.initialConfig.items():
        level = PROTO_TO_LEVEL.get(cfg.enforcementLevel)
        # proto3 has no presence for enums: ADVISORY (0) is what an unset level looks like.
        if level == "advisory":
            level = None
        props = json_format.MessageToDict(cfg.properties) or None
        out[name] = PolicyConfig(level, props)
    return out


def reconcile(
    policies: list[PolicyMeta],
    initial: dict[str, PolicyConfig],
    given: dict[str, PolicyConfig],
) -> dict[str, PolicyConfig]:
    """The CLI's `ReconcilePolicyPackConfig`, minus validation: defaults, initial, then given."""
    result: dict[str, PolicyConfig] = {}
    for p in policies:
        defaults = None
        if p.schema is not None:
            defaults = {
                k: v["default"]
                for k, v in p.schema["properties"].items()
                if isinstance(v, dict) and "default" in v
            } or None
        result[p.name] = PolicyConfig(p.level, defaults)
    for layer in (initial, given):
        everything = layer.get("all")
        if everything is not None and everything.level is not None:
            for name, cfg in result.items():
                result[name] = PolicyConfig(everything.level, cfg.properties)
        for name, cfg in layer.items():
            if name == "all" or name not in result:
                continue
            current = result[name]
            props = dict(current.properties or {})
            props.update(cfg.properties or {})
            result[name] = PolicyConfig(cfg.level or current.level, props or None)
    return result


def validate_settings(
    policies: list[PolicyMeta], config: dict[str, PolicyConfig], where: str
) -> None:
    for p in policies:
        settings = config[p.name].properties or {}
        known = set((p.schema or {}).get("properties") or {})
        unknown = sorted(set(settings) - known)
        if unknown:
            # The CLI ignores settings a policy does not declare; a typo ("minimumDay") would
            # then silently leave the default in force, so it is an error here.
            allowed = ", ".join(sorted(known)) or "none"
            raise PolicyPackError(
                f'{where}: policy "{p.name}" has no setting "{unknown[0]}" (settings: {allowed})'
            )
        if p.schema is None:
            continue
        schema: dict[str, Any] = {"type": "object"}
        if p.schema["properties"]:
            schema["properties"] = p.schema["properties"]
        if p.schema["required"]:
            schema["required"] = p.schema["required"]
        cls = jsonschema.validators.validator_for(schema, default=jsonschema.Draft7Validator)
        try:
            cls.check_schema(schema)
        except jsonschema.exceptions.SchemaError as e:
            raise PolicyPackError(
                f'{where}: policy "{p.name}" has an invalid configSchema: {e.message}'
            ) from e
        errors = list(cls(schema).iter_errors(settings))
        if errors:
            best = jsonschema.exceptions.best_match(errors)
            at = ".".join(str(part) for part in best.absolute_path)
            more = f" (and {len(errors) - 1} more)" if len(errors) > 1 else ""
            raise PolicyPackError(
                f'{where}: policy "{p.name}": {at + ": " if at else ""}{best.message}{more}'
            )
