"""Bad stack config never crashes: it previews, or stops with one config-error line.

Property-based: each real stack file (dev, staging, prod) is mutated by hypothesis (keys
dropped, unknown keys and typos added, types swapped, integers at and past their bounds, random
enum strings, volume lists with duplicates and invalid names, quota and throughput both or
neither, nulls, `secure:` wrappers), written as `stacks/Pulumi.<stack>.yaml` into a temporary
copy of the project and previewed in this process with `infra.engine.run_stack`.  A sample goes
end to end through `infra preview --no-policy`.  Table-driven cases pin the messages: malformed
YAML, an empty file, missing and unknown stacks, wrong types, unknown keys (did-you-mean) and
values at and past every bound read from `stacks/config.py`.

Counts (docs/verification.md quotes them): HYPOTHESIS_EXAMPLES mutated and HYPOTHESIS_VALID_EXAMPLES
schema-valid configs per base stack in process, E2E_EXAMPLES per base stack through the CLI,
and the len() of each *_CASES table.
Set RELIABILITY_STATS_FILE=<path> to get one line per generated config with its outcome.
"""

from __future__ import annotations

import copy
import enum
import hashlib
import json
import os
import re
import resource
import shutil
import subprocess
import sys
import typing
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from pydantic import BaseModel

from azure_facts import files as azure_files
from azure_facts.vm_sizes import vm_size
from infra import commands as cli
from infra.engine.runtime import ConfigError
from infra.errors import UsageError
from stacks import config as stack_config
from tests.conftest import run_infra
from tests.reliability._support import (
    PROJECT,
    STACKS,
    config_with_own_names,
    copy_project,
    evict_repo_program_modules,
    one_line_error,
    preview,
    project_defaults,
    stack_file_config,
    with_own_names,
)

# Property-based: hundreds of generated stack configs, each previewed, some through the CLI.
pytestmark = pytest.mark.slow

HYPOTHESIS_EXAMPLES = 30  # mutated configs per base stack, previewed in process
HYPOTHESIS_VALID_EXAMPLES = 15  # schema-valid configs per base stack: each must preview
E2E_EXAMPLES = 2  # generated configs per base stack, previewed through `infra preview`
CLI_TIMEOUT = 60.0  # seconds; a run that takes longer counts as a hang

KEY_KINDS: dict[str, str] = stack_config.KEY_KINDS
QUALIFIED = f"{PROJECT}:"

_SETTINGS = settings(
    max_examples=HYPOTHESIS_EXAMPLES,
    deadline=None,
    derandomize=True,  # the same configs on every run: the counts above are reproducible
    database=None,
    # No shrinking: each step is a preview (about 0.3 s); a failure reports the example as
    # generated (its config and the operations applied), not a minimal one.
    phases=[Phase.explicit, Phase.generate],
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)


def _record(kind: str, stack: str, outcome: str, written: Path) -> None:
    """One line per generated config (kind, base stack, outcome, digest of the file) to
    $RELIABILITY_STATS_FILE, when set: how docs/verification.md's counts are measured."""
    path = os.environ.get("RELIABILITY_STATS_FILE")
    if path:
        digest = hashlib.sha256(written.read_bytes()).hexdigest()[:12]
        with open(path, "a") as f:
            f.write(f"{kind} {stack} {outcome} {digest}\n")


# --------------------------------------------------------------------------------------------
# What the schema allows, read from stacks/config.py


def _aliases(model: type[Any]) -> dict[str, Any]:
    """Key -> field; StackConfig's keys are the flat stack-file keys of its sub-models."""
    if model is stack_config.StackConfig:
        return {key: info for key, (_, info) in stack_config.DECLARED_KEYS.items()}
    return {info.alias or name: info for name, info in model.model_fields.items()}


def _int_bounds(model: type[Any]) -> dict[str, tuple[int, int]]:
    bounds = {}
    for alias, info in _aliases(model).items():
        low = next((m.ge for m in info.metadata if hasattr(m, "ge")), None)
        high = next((m.le for m in info.metadata if hasattr(m, "le")), None)
        if low is not None and high is not None:
            bounds[alias] = (int(low), int(high))
    return bounds


def _enum_values(model: type[Any]) -> dict[str, tuple[str, ...]]:
    out = {}
    for alias, info in _aliases(model).items():
        if typing.get_origin(info.annotation) is typing.Literal:
            out[alias] = tuple(str(v) for v in typing.get_args(info.annotation))
        elif isinstance(info.annotation, type) and issubclass(info.annotation, enum.Enum):
            out[alias] = tuple(str(v.value) for v in info.annotation)
    return out


def _model_of(annotation: Any) -> type[Any] | None:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    for arg in typing.get_args(annotation):
        found = _model_of(arg)
        if found is not None:
            return found
    return None


# Object-valued keys with a model of their own (gpuPool, ...) and the list of volume models.
OBJECT_MODELS: dict[str, type[Any]] = {
    alias: model
    for alias, info in _aliases(stack_config.StackConfig).items()
    if KEY_KINDS.get(alias) == "object" and (model := _model_of(info.annotation)) is not None
}
TOP_INT_BOUNDS = _int_bounds(stack_config.StackConfig)
OBJECT_INT_BOUNDS = {key: _int_bounds(model) for key, model in OBJECT_MODELS.items()}
GPU_INT_BOUNDS = OBJECT_INT_BOUNDS["gpuPool"]
VOLUME_INT_BOUNDS = _int_bounds(stack_config.VolumeConfig)
ENUMS = _enum_values(stack_config.StackConfig)
GPU_FIELDS = tuple(_aliases(stack_config.GpuPoolConfig))
VOLUME_FIELDS = tuple(_aliases(stack_config.VolumeConfig))
V2_SSD = azure_files.V2_LIMITS[azure_files.BillingModel.PROVISIONED_V2_SSD]
V2_QUOTA = (V2_SSD.min_gib, V2_SSD.max_gib)
V2_THROUGHPUT = (V2_SSD.min_mibps, V2_SSD.max_mibps)
V2_IOPS = (V2_SSD.min_iops, V2_SSD.max_iops)
PREMIUM_QUOTA = (azure_files.PREMIUM_MIN_GIB, azure_files.PREMIUM_MAX_GIB)
STANDARD_QUOTA = (azure_files.STANDARD_MIN_GIB, azure_files.STANDARD_MAX_GIB)
THROUGHPUT = (1, azure_files.PREMIUM_MAX_THROUGHPUT_MIBPS)

SUBNET = (
    "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg-net/providers/"
    "Microsoft.Network/virtualNetworks/vnet/subnets/{}"
)


# --------------------------------------------------------------------------------------------
# Strategies

_PRINTABLE = st.characters(blacklist_categories=("Cc", "Cs", "Zl", "Zp"))
scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**70), max_value=2**70),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=30),
)
any_values = st.recursive(
    scalars,
    lambda children: (
        st.lists(children, max_size=3)
        | st.dictionaries(st.text(_PRINTABLE, max_size=8), children, max_size=3)
    ),
    max_leaves=8,
)


def _edge_ints(low: int, high: int) -> st.SearchStrategy[Any]:
    return st.one_of(
        st.sampled_from([low - 1, low, high, high + 1, -1, 0, 2**31, 2**63, 10**30]),
        st.integers(min_value=low, max_value=high),
        st.sampled_from([float(low), low + 0.5, str(low), True, None]),
    )


def _typo(key: str) -> st.SearchStrategy[str]:
    def edit(args: tuple[int, str, int]) -> str:
        i, char, kind = args
        i %= len(key)
        if kind == 0:
            return key[:i] + key[i + 1 :] or key + "x"
        if kind == 1:
            return key[:i] + char + key[i:]
        if kind == 2:
            return key.lower() if key != key.lower() else key.upper()
        return key + "s"

    return st.tuples(st.integers(0, 63), st.sampled_from("abxyz_-."), st.integers(0, 3)).map(edit)


def _unknown_key(known: tuple[str, ...]) -> st.SearchStrategy[str]:
    return st.one_of(
        st.sampled_from(known).flatmap(_typo),
        st.text(_PRINTABLE, min_size=1, max_size=20),
    ).filter(lambda k: k not in known)


volume_names = st.one_of(
    st.sampled_from(
        [
            "datasets",
            "checkpoints",
            "ab",
            "abc",
            "a" * 63,
            "a" * 64,
            "Data",
            "da--ta",
            "-data",
            "data-",
            "dat\u00e4",
            "x y",
            "",
        ]
    ),
    st.from_regex(r"[a-z0-9][a-z0-9-]{1,61}[a-z0-9]", fullmatch=True),
    st.text(max_size=70),
)
namespaces = st.one_of(
    st.sampled_from(["training", "eval", "a" * 63, "a" * 64, "Training", "-x", ""]),
    st.text(max_size=20),
)
modes = st.one_of(st.sampled_from(["0770", "0755", "770", "0778", "07700"]), st.integers(0, 1000))


@st.composite
def volume_entries(draw: st.DrawFn) -> Any:
    if draw(st.integers(0, 9)) == 0:
        return draw(any_values)  # not even an object
    entry: dict[str, Any] = {}
    if draw(st.integers(0, 9)) > 0:
        entry["name"] = draw(volume_names)
    optional: dict[str, st.SearchStrategy[Any]] = {
        "namespace": namespaces,
        "createNamespace": st.booleans() | scalars,
        "quotaGiB": _edge_ints(*V2_QUOTA)
        | _edge_ints(*PREMIUM_QUOTA)
        | _edge_ints(*STANDARD_QUOTA),
        "throughputMiBps": _edge_ints(*V2_THROUGHPUT) | _edge_ints(*THROUGHPUT),
        "iops": _edge_ints(*V2_IOPS),
        "uid": _edge_ints(*VOLUME_INT_BOUNDS["uid"]),
        "gid": _edge_ints(*VOLUME_INT_BOUNDS["gid"]),
        "dirMode": modes,
        "fileMode": modes,
    }
    for key, strategy in optional.items():
        if draw(st.booleans()):
            entry[key] = draw(strategy)
    if draw(st.integers(0, 4)) == 0:
        entry[draw(_unknown_key(VOLUME_FIELDS))] = draw(any_values)
    return entry


@st.composite
def volume_lists(draw: st.DrawFn) -> list[Any]:
    entries = draw(st.lists(volume_entries(), max_size=4))
    if entries and draw(st.booleans()):
        entries.append(copy.deepcopy(draw(st.sampled_from(entries))))  # a duplicate
    return entries


@st.composite
def gpu_pools(draw: st.DrawFn) -> Any:
    if draw(st.integers(0, 5)) == 0:
        return draw(any_values)
    pool: dict[str, Any] = {}
    candidates: dict[str, st.SearchStrategy[Any]] = {
        "enabled": st.booleans() | scalars,
        "vmSize": st.sampled_from(["Standard_NC24ads_A100_v4", "NC24", "Standard_x"])
        | st.text(max_size=20),
        "minCount": _edge_ints(*GPU_INT_BOUNDS["minCount"]),
        "maxCount": _edge_ints(*GPU_INT_BOUNDS["maxCount"]),
        "zones": st.none() | st.lists(st.sampled_from(["1", "2", "3", "4", 1, ""]), max_size=4),
    }
    for key, strategy in candidates.items():
        if draw(st.booleans()):
            pool[key] = draw(strategy)
    if draw(st.integers(0, 4)) == 0:
        pool[draw(_unknown_key(GPU_FIELDS))] = draw(any_values)
    return pool


list_items = st.one_of(
    st.sampled_from(
        [
            "10.0.0.0/8",
            "192.168.1.0/24",
            "203.0.113.0/24",
            "203.0.113.7/32",
            "203.0.113.6/31",
            "203.0.113.0/33",
            "::1",
            "1",
            "2",
            "3",
            "4",
            "00000000-0000-0000-0000-00000000a001",
            "not-a-guid",
            SUBNET.format("a"),
            SUBNET.format("A b"),
            "",
        ]
    ),
    st.text(max_size=30),
    scalars,
)


@st.composite
def enum_values(draw: st.DrawFn, key: str) -> Any:
    allowed = ENUMS[key]
    choice = draw(st.sampled_from(allowed))
    return draw(
        st.sampled_from([choice.lower(), choice.upper(), choice + " ", " " + choice, choice[:-1]])
        | st.text(max_size=20)
    )


@st.composite
def strings_near_bounds(draw: st.DrawFn) -> str:
    length = draw(st.sampled_from([0, 1, 2, 3, 24, 25, 53, 54, 55, 63, 64, 89, 90, 91, 257]))
    return draw(st.sampled_from(["a", "z", "0", "-", "A", "."])) * length


def _in_range(low: int, high: int) -> st.SearchStrategy[int]:
    """An accepted integer, the bounds themselves half of the time."""
    return st.sampled_from([low, high]) | st.integers(low, high)


@st.composite
def valid_volume_lists(draw: st.DrawFn, model: str, nfs: bool) -> list[dict[str, Any]]:
    names = draw(
        st.lists(
            st.from_regex(r"[a-z0-9]([a-z0-9]|-(?!-)){1,20}[a-z0-9]", fullmatch=True),
            min_size=1,
            max_size=4,
            unique=True,
        )
    )
    volumes, owners = [], set()
    for name in names:
        namespace = draw(st.sampled_from(["training", "eval", "n" * 63]))
        volume: dict[str, Any] = {
            "name": name,
            "namespace": namespace,
            "createNamespace": namespace not in owners,
        }
        owners.add(namespace)
        if model == "provisioned-v2-ssd":
            # Up to 4 volumes share one account's 10340 MiB/s and 102400 IOPS.
            volume["quotaGiB"] = draw(_in_range(V2_QUOTA[0], 20_000))
            if draw(st.booleans()):
                volume["throughputMiBps"] = draw(_in_range(V2_THROUGHPUT[0], 2_500))
            if draw(st.booleans()):
                volume["iops"] = draw(_in_range(V2_IOPS[0], 20_000))
        elif model == "provisioned-v1-ssd" and draw(st.booleans()):
            volume["throughputMiBps"] = draw(_in_range(*THROUGHPUT))
        else:
            volume["quotaGiB"] = draw(_in_range(*PREMIUM_QUOTA))
        if not nfs and draw(st.booleans()):
            volume["uid"] = draw(_in_range(*VOLUME_INT_BOUNDS["uid"]))
            volume["gid"] = draw(_in_range(*VOLUME_INT_BOUNDS["gid"]))
            volume["dirMode"] = draw(st.from_regex(r"0[0-7]{3}", fullmatch=True))
        volumes.append(volume)
    return volumes


@st.composite
def valid_settings(draw: st.DrawFn, cfg: dict[str, Any]) -> tuple[str, Any]:
    """One setting with a value the schema accepts (so more examples reach the components)."""
    model = str(cfg.get("fileBillingModel", "provisioned-v2-ssd"))
    nfs = cfg.get("fileProtocol") == "nfs"
    choice = draw(st.sampled_from(["int", "enum", "volumes", "gpu", "object", "zones", "ips"]))
    if choice == "int":
        key = draw(st.sampled_from(sorted(TOP_INT_BOUNDS)))
        return key, draw(_in_range(*TOP_INT_BOUNDS[key]))
    if choice == "enum":
        key = draw(
            st.sampled_from(
                sorted(
                    k
                    for k in ENUMS
                    if k not in ("fileBillingModel", "storageRedundancy", "fileProtocol")
                )
            )
        )
        return key, draw(st.sampled_from(ENUMS[key]))
    if choice == "volumes":
        return "volumes", draw(valid_volume_lists(model, nfs))
    if choice == "gpu":
        low = draw(_in_range(*GPU_INT_BOUNDS["minCount"]))
        high = draw(st.integers(max(low, 1), GPU_INT_BOUNDS["maxCount"][1]))
        return "gpuPool", {
            "enabled": draw(st.booleans()),
            "minCount": low,
            "maxCount": high,
            "zones": draw(st.none() | st.lists(st.sampled_from(["1", "2", "3"]), unique=True)),
        }
    if choice == "object":  # any object-valued key with a model: in-range ints, flags on/off
        key = draw(st.sampled_from(sorted(OBJECT_MODELS)))
        value: dict[str, Any] = {}
        for field, info in _aliases(OBJECT_MODELS[key]).items():
            bounds = OBJECT_INT_BOUNDS[key].get(field)
            if bounds and draw(st.booleans()):
                value[field] = draw(_in_range(*bounds))
            elif info.annotation is bool:
                value[field] = draw(st.booleans())
        if key == "gpuPool":  # keep minCount <= maxCount (default 4)
            low, high = value.get("minCount", 0), value.get("maxCount", 4)
            value["minCount"], value["maxCount"] = min(low, high), max(low, high, 1)
        if key == "backup":
            _fit_backup_retention(value)
        return key, value
    if choice == "zones":
        return "availabilityZones", draw(st.lists(st.sampled_from(["1", "2", "3"]), unique=True))
    ips = draw(
        st.lists(
            st.sampled_from(["203.0.113.0/24", "198.51.100.7", "198.51.100.8/29"]), unique=True
        )
    )
    if ips:  # IP rules only apply to the public endpoint, which the private endpoint turns off
        cfg["storagePrivateEndpoint"] = False
    return "allowedIpRanges", ips


ROOMY_POD_CIDR = "100.64.0.0/10"


@st.composite
def valid_configs(draw: st.DrawFn, base_stack: str) -> tuple[str, dict[str, Any], list[str]]:
    """The stack file with 1 to 4 settings changed to values the schema accepts."""
    cfg = {
        k[len(QUALIFIED) :] if k.startswith(QUALIFIED) else k: v
        for k, v in stack_file_config(base_stack).items()
    }
    # A pod range with a /24 for every node the schema allows (100 system + 1000 GPU nodes).
    cfg["podCidr"] = ROOMY_POD_CIDR
    done = []
    for _ in range(draw(st.integers(1, 4))):
        key, value = draw(valid_settings(cfg))
        cfg[key] = value
        done.append(f"{key}")
    _fit_teams(cfg)
    return base_stack, {QUALIFIED + k: v for k, v in cfg.items()}, done


def _fit_teams(cfg: dict[str, Any]) -> None:
    """Keep the stack's teams valid beside settings drawn without them (the team rules of
    stacks/config.py): without the GPU pool there are no teams; a volume in a team's
    namespace leaves creating it to the team; a team shares only volumes that exist outside
    its namespace; and quotas beyond a smaller pool queue there knowingly (allowGpuOvercommit)."""
    teams = cfg.get("teams") or {}
    members = teams.get("members") or []
    if not members:
        return
    gpu = {**project_defaults()["gpuPool"], **(cfg.get("gpuPool") or {})}
    if not gpu["enabled"]:
        cfg["teams"] = {**teams, "members": []}
        return
    names = {team["name"] for team in members}
    _with_default_volumes(cfg)
    volumes = {volume["name"]: volume for volume in cfg["volumes"]}
    default_namespace = stack_config.VolumeConfig.model_fields["namespace"].default
    namespace = {name: v.get("namespace", default_namespace) for name, v in volumes.items()}
    for name, volume in volumes.items():
        if namespace[name] in names:
            volume["createNamespace"] = False
    for team in members:
        team["sharedVolumes"] = [
            shared
            for shared in team.get("sharedVolumes", [])
            if shared in volumes and namespace[shared] != team["name"]
        ]
    pool = gpu["maxCount"] * vm_size(gpu["vmSize"]).gpus
    if sum(team["gpus"] for team in members) > pool:
        teams["allowGpuOvercommit"] = True


# Operations a generated example applies (1 to 4 of them); "valid" is weighted up so that a
# good share of examples get through validation and exercise the components.
OPERATIONS = (
    "valid",
    "valid",
    "valid",
    "drop",
    "unknown",
    "null",
    "swap",
    "bound",
    "enum",
    "volumes",
    "volume-field",
    "gpu",
    "object-field",
    "secure",
    "list",
    "string",
    "cross",
)


@st.composite
def mutated_configs(draw: st.DrawFn, base_stack: str) -> tuple[str, dict[str, Any], list[str]]:
    """(stack name, the `config:` mapping to write, what was done) for one example."""
    base = stack_file_config(base_stack)
    cfg: dict[str, Any] = {
        k[len(QUALIFIED) :] if k.startswith(QUALIFIED) else k: v for k, v in base.items()
    }
    done: list[str] = []
    known = tuple(KEY_KINDS)
    for _ in range(draw(st.integers(1, 4))):
        op = draw(st.sampled_from(OPERATIONS))
        done.append(op)
        if op == "valid":
            key, value = draw(valid_settings(cfg))
            cfg[key] = value
        elif op == "drop" and cfg:
            del cfg[draw(st.sampled_from(sorted(cfg)))]
        elif op == "unknown":
            cfg[draw(_unknown_key(known))] = draw(any_values)
        elif op == "null":
            cfg[draw(st.sampled_from(known))] = None
        elif op == "swap":
            cfg[draw(st.sampled_from(known))] = draw(any_values)
        elif op == "bound":
            key = draw(st.sampled_from(sorted(TOP_INT_BOUNDS)))
            cfg[key] = draw(_edge_ints(*TOP_INT_BOUNDS[key]))
        elif op == "enum":
            key = draw(st.sampled_from(sorted(ENUMS)))
            cfg[key] = draw(enum_values(key))
        elif op == "volumes":
            cfg["volumes"] = draw(volume_lists())
        elif op == "volume-field":
            volumes = cfg.get("volumes")
            if not isinstance(volumes, list) or not volumes:
                volumes = cfg["volumes"] = [{"name": "datasets", "quotaGiB": 1024}]
            target = draw(st.sampled_from(volumes))
            if isinstance(target, dict):
                field = draw(st.sampled_from(VOLUME_FIELDS))
                if draw(st.booleans()):
                    target.pop(field, None)
                else:
                    target[field] = draw(any_values)
        elif op == "gpu":
            cfg["gpuPool"] = draw(gpu_pools())
        elif op == "object-field":
            key = draw(st.sampled_from(sorted(OBJECT_MODELS)))
            target = cfg[key] if isinstance(cfg.get(key), dict) else cfg.setdefault(key, {})
            if not isinstance(target, dict):
                target = cfg[key] = {}
            field = draw(st.sampled_from(sorted(_aliases(OBJECT_MODELS[key]))))
            bounds = OBJECT_INT_BOUNDS[key].get(field)
            target[field] = draw(_edge_ints(*bounds) if bounds else any_values)
        elif op == "secure":
            key = draw(st.sampled_from(known))
            cfg[key] = {"secure": draw(st.text(_PRINTABLE, max_size=12))}
        elif op == "list":
            key = draw(st.sampled_from([k for k, kind in KEY_KINDS.items() if kind == "array"]))
            cfg[key] = draw(st.lists(list_items, max_size=4))
        elif op == "string":
            key = draw(st.sampled_from([k for k, kind in KEY_KINDS.items() if kind == "string"]))
            cfg[key] = draw(strings_near_bounds() | st.text(max_size=40))
        elif op == "cross":
            key, value = draw(
                st.sampled_from(
                    [
                        ("privateCluster", False),
                        ("privateCluster", True),
                        ("entraId", False),
                        ("disableLocalAccounts", False),
                        ("allowUnrestrictedApiServer", True),
                        ("fileProtocol", "nfs"),
                        ("fileBillingModel", "provisioned-v1-ssd"),
                        ("fileBillingModel", "pay-as-you-go-hdd"),
                        ("storageRedundancy", "LRS"),
                        ("protectData", False),
                        ("lockStorage", False),
                        ("adminGroupObjectIds", []),
                        ("authorizedIpRanges", ["203.0.113.0/24"]),
                        ("tags", {"owner": "x", "cost-center": "y", "environment": "prod"}),
                        ("tags", {"owner": "x"}),
                        ("tags", {"owner": "", "cost-center": "y"}),
                    ]
                )
            )
            cfg[key] = value
    name = draw(st.sampled_from([base_stack, base_stack, "extra", "perf-1"]))
    # Keys are written qualified (as `pulumi config set` does) or bare, both valid.
    written = {
        (k if ":" in k or draw(st.integers(0, 4)) == 0 else QUALIFIED + k): v
        for k, v in cfg.items()
    }
    return name, written, done


# --------------------------------------------------------------------------------------------
# Helpers


def _give_policy_config(project: Path, name: str) -> None:
    """Every stack needs its policies/config/<stack>.json: a new one gets dev's."""
    target = project / "policies" / "config" / f"{name}.json"
    if not target.exists():
        shutil.copyfile(project / "policies" / "config" / "dev.json", target)


def _write_stack(project: Path, name: str, config: Any, raw: str | None = None) -> Path:
    _give_policy_config(project, name)
    path = project / "stacks" / f"Pulumi.{name}.yaml"
    if raw is None and name not in STACKS:
        config = config_with_own_names(config, name)
    text = raw if raw is not None else yaml.safe_dump({"config": config}, allow_unicode=True)
    path.write_text(text, encoding="utf-8")
    return path


def _expect_config_error(error: ConfigError, name: str) -> str:
    message = str(error)
    assert message.startswith(f"stacks/Pulumi.{name}.yaml: config key '{PROJECT}:"), message
    assert "\n" not in message
    # The engine keeps only the first line; the program's own message must have had one.
    original = error.__context__
    if original is not None:
        assert "\n" not in str(original).strip(), f"multi-line config error: {original!s}"
    return message


def _preview_or_config_error(project: Path, name: str) -> tuple[str, str]:
    try:
        plan = preview(project, name)
    except ConfigError as error:
        return "config-error", _expect_config_error(error, name)
    assert plan.resources, "a stack that previews registers resources"
    assert plan.stack == name
    return "plan", ""


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return copy_project(tmp_path_factory.mktemp("config-properties") / "project")


# --------------------------------------------------------------------------------------------
# Property-based tests


@pytest.mark.parametrize("base_stack", STACKS)
def test_mutated_stack_config_previews_or_stops_with_one_config_error(
    project: Path, base_stack: str
) -> None:
    @_SETTINGS
    @given(example=mutated_configs(base_stack))
    def check(example: tuple[str, dict[str, Any], list[str]]) -> None:
        name, config, _ = example
        path = _write_stack(project, name, config)
        try:
            outcome, _message = _preview_or_config_error(project, name)
            _record("in-process", base_stack, outcome, path)
        finally:
            path.unlink()

    check()


@pytest.mark.parametrize("base_stack", STACKS)
def test_schema_valid_stack_config_always_previews(project: Path, base_stack: str) -> None:
    """Accepted by the schema => accepted by the components: no config error, no crash."""

    @settings(_SETTINGS, max_examples=HYPOTHESIS_VALID_EXAMPLES)
    @given(example=valid_configs(base_stack))
    def check(example: tuple[str, dict[str, Any], list[str]]) -> None:
        name, config, _ = example
        path = _write_stack(project, name, config)
        try:
            outcome, message = _preview_or_config_error(project, name)
            _record("valid", base_stack, outcome, path)
        finally:
            path.unlink()
        assert outcome == "plan", message

    check()


@pytest.mark.parametrize("base_stack", STACKS)
def test_mutated_stack_config_through_the_cli(project: Path, base_stack: str) -> None:
    @settings(_SETTINGS, max_examples=E2E_EXAMPLES)
    @given(example=mutated_configs(base_stack))
    def check(example: tuple[str, dict[str, Any], list[str]]) -> None:
        name, config, _ = example
        path = _write_stack(project, name, config)
        try:
            result = run_infra(
                "preview", "-C", str(project), "-s", name, "--no-policy", timeout=CLI_TIMEOUT
            )
            outcome = "plan" if result.returncode == 0 else "config-error"
            _record("cli", base_stack, outcome, path)
        finally:
            path.unlink()
        assert "Traceback" not in result.stderr + result.stdout, result.stderr
        if result.returncode == 0:
            assert result.stdout.startswith(f"Stack {PROJECT}/{name}\n"), result.stdout[:200]
            assert result.stderr == ""
        else:
            assert result.returncode == 2, (result.returncode, result.stderr)
            line = one_line_error(result)
            assert line.startswith(
                f"infra: error: stacks/Pulumi.{name}.yaml: config key '{PROJECT}:"
            ), line

    check()


# --------------------------------------------------------------------------------------------
# Table-driven: malformed files and stacks.  Every case runs `infra.commands.main` in this process
# (the console script's code path, exit code and stderr); E2E_FILE_CASES also run as a
# subprocess.

BASE = stack_file_config("dev")
BASE_YAML = yaml.safe_dump({"config": BASE})


def _alias_bomb(levels: int) -> str:
    lines = ["config:", f"  {PROJECT}:x0: &a0 [" + ",".join(["lol"] * 10) + "]"]
    for i in range(1, levels + 1):
        lines.append(f"  {PROJECT}:x{i}: &a{i} [" + ",".join([f"*a{i - 1}"] * 10) + "]")
    return "\n".join(lines) + "\n"


# (case id, stack file text: None for no file, "<dir>" for a folder; -s argument; expected
# start of the message after "infra: error: ", "{root}" being the project's absolute path)
FILE_CASES: list[tuple[str, str | None, str, str]] = [
    (
        "unclosed-flow-list",
        BASE_YAML + f"  {PROJECT}:allowedIpRanges: [1, 2\n",
        "bad",
        "stacks/Pulumi.bad.yaml: line ",
    ),
    (
        "tab-indentation",
        "config:\n\taks-rwx-training:location: westeurope\n",
        "bad",
        "stacks/Pulumi.bad.yaml: line ",
    ),
    (
        "bad-indentation",
        "config:\n  a: 1\n    b: 2\n",
        "bad",
        "stacks/Pulumi.bad.yaml: line ",
    ),
    (
        "unterminated-quote",
        'config:\n  aks-rwx-training:location: "westeurope\n',
        "bad",
        "stacks/Pulumi.bad.yaml: line ",
    ),
    (
        "unhashable-key",
        "config:\n  ? [a, b]\n  : x\n",
        "bad",
        "stacks/Pulumi.bad.yaml: line ",
    ),
    (
        "undefined-alias",
        "config:\n  aks-rwx-training:location: *nowhere\n",
        "bad",
        "stacks/Pulumi.bad.yaml: line ",
    ),
    (
        "not-utf8",
        "config:\n  aks-rwx-training:location: caf\udce9\n",
        "bad",
        "stacks/Pulumi.bad.yaml: ",
    ),
    (
        "document-is-a-list",
        "- config\n",
        "bad",
        "stacks/Pulumi.bad.yaml: must be a mapping with a 'config' key",
    ),
    (
        "config-is-a-list",
        "config: [a, b]\n",
        "bad",
        "stacks/Pulumi.bad.yaml: 'config' must be a mapping of key to value",
    ),
    ("empty-file", "", "empty", f"stacks/Pulumi.empty.yaml: config key '{PROJECT}:"),
    (
        "only-a-comment",
        "# nothing yet\n",
        "empty",
        f"stacks/Pulumi.empty.yaml: config key '{PROJECT}:",
    ),
    ("empty-config", "config: {}\n", "empty", f"stacks/Pulumi.empty.yaml: config key '{PROJECT}:"),
    (
        "unknown-stack",
        None,
        "nosuch",
        "stacks/Pulumi.nosuch.yaml: no such stack 'nosuch' (stacks here: dev, prod, staging",
    ),
    (
        "stack-file-is-a-folder",
        "<dir>",
        "folder",
        "stacks/Pulumi.folder.yaml: cannot read stack config",
    ),
    (
        "wrong-type-in-file",
        BASE_YAML.replace("systemNodeCount: 1", "systemNodeCount: one"),
        "bad",
        f"stacks/Pulumi.bad.yaml: config key '{PROJECT}:systemNodeCount' must be an integer",
    ),
    (
        "unknown-key-in-file",
        BASE_YAML.replace("shareSoftDeleteDays", "shareSoftDeleteDay"),
        "bad",
        f"stacks/Pulumi.bad.yaml: config key '{PROJECT}:shareSoftDeleteDay' is not a known "
        "key; did you mean 'shareSoftDeleteDays'?",
    ),
    # YAML that PyYAML turns into values JSON cannot hold; Pulumi reads them as strings.
    (
        "yaml-datetime-value",
        BASE_YAML + f"  {PROJECT}:location: 2024-05-01T10:00:00Z\n",
        "bad",
        "stacks/Pulumi.bad.yaml",
    ),
    (
        "yaml-set-value",
        BASE_YAML + f"  {PROJECT}:allowedIpRanges: !!set {{a, b}}\n",
        "bad",
        "stacks/Pulumi.bad.yaml",
    ),
    (
        "yaml-binary-value",
        BASE_YAML + f"  {PROJECT}:location: !!binary aGVsbG8=\n",
        "bad",
        "stacks/Pulumi.bad.yaml",
    ),
    (
        "recursive-alias",
        "config:\n  aks-rwx-training:location: &a [*a]\n",
        "bad",
        "stacks/Pulumi.bad.yaml",
    ),
]
E2E_FILE_CASES = ("unclosed-flow-list", "empty-file", "unknown-stack", "unknown-key-in-file")


def _prepare_file_case(project: Path, text: str | None, stack: str) -> None:
    _give_policy_config(project, stack)
    path = project / "stacks" / f"Pulumi.{stack}.yaml"
    if text == "<dir>":
        path.mkdir()
    elif text is not None:
        path.write_bytes(text.encode("utf-8", "surrogateescape"))


def _expected_line(expected: str, root: Path) -> str:
    return "infra: error: " + expected.format(root=root.resolve())


@pytest.fixture
def scratch_project(tmp_path: Path) -> Path:
    return copy_project(tmp_path / "project")


@pytest.mark.parametrize(
    ("text", "stack", "expected"),
    [pytest.param(text, stack, expected, id=case) for case, text, stack, expected in FILE_CASES],
)
def test_malformed_stack_files_stop_with_one_line(
    scratch_project: Path,
    capsys: pytest.CaptureFixture[str],
    text: str | None,
    stack: str,
    expected: str,
) -> None:
    _prepare_file_case(scratch_project, text, stack)
    evict_repo_program_modules()
    code = cli.main(["preview", "-C", str(scratch_project), "-s", stack, "--no-policy"])
    out, err = capsys.readouterr()
    assert code == 2, (code, err[-2000:])
    assert out == ""
    assert len(err.splitlines()) == 1, err
    assert err.startswith(_expected_line(expected, scratch_project)), err


def test_yaml_dates_stay_strings_as_under_the_cli(scratch_project: Path) -> None:
    text = with_own_names(
        BASE_YAML
        + f"  {PROJECT}:tags:\n    owner: a\n    cost-center: b\n    created: 2024-05-01\n",
        "dated",
    )
    _prepare_file_case(scratch_project, text, "dated")
    result = run_infra(
        "preview",
        "-C",
        str(scratch_project),
        "-s",
        "dated",
        "--no-policy",
        "--json",
        timeout=CLI_TIMEOUT,
    )
    assert result.returncode == 0, result.stderr
    resources = json.loads(result.stdout)["stacks"][0]["resources"]
    account = next(r for r in resources if r["type"] == "azure-native:storage:StorageAccount")
    assert account["inputs"]["tags"]["created"] == "2024-05-01"


@pytest.mark.parametrize(
    ("text", "stack", "expected"),
    [
        pytest.param(text, stack, expected, id=case)
        for case, text, stack, expected in FILE_CASES
        if case in E2E_FILE_CASES
    ],
)
def test_malformed_stack_files_through_the_console_script(
    scratch_project: Path, text: str | None, stack: str, expected: str
) -> None:
    _prepare_file_case(scratch_project, text, stack)
    result = run_infra(
        "preview", "-C", str(scratch_project), "-s", stack, "--no-policy", timeout=CLI_TIMEOUT
    )
    assert result.returncode == 2, (result.returncode, result.stderr[-2000:])
    assert result.stdout == ""
    assert one_line_error(result).startswith(_expected_line(expected, scratch_project))


def test_no_stack_files_and_no_stack_named(
    scratch_project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    for path in (scratch_project / "stacks").glob("Pulumi.*.yaml"):
        path.unlink()
    assert cli.main(["preview", "-C", str(scratch_project), "--no-policy"]) == 2
    assert capsys.readouterr().err == (
        "infra: error: stacks: no Pulumi.<stack>.yaml files; create one or pass --stack\n"
    )


ALIAS_BOMB_LEVELS = 9  # 10**9 list items from a 629-byte file
ALIAS_BOMB_TIMEOUT = 10.0  # a small config error takes about 1.5 s end to end
ALIAS_BOMB_MEMORY = 2 * 1024**3  # address-space cap for the run, so the machine is safe


def test_alias_expansion_bomb_is_rejected_quickly(scratch_project: Path) -> None:
    """Pulumi's YAML reader refuses excessive aliasing; a tiny file must not hang a CI job."""
    _prepare_file_case(scratch_project, _alias_bomb(ALIAS_BOMB_LEVELS), "bomb")

    def cap_memory() -> None:
        resource.setrlimit(resource.RLIMIT_AS, (ALIAS_BOMB_MEMORY, ALIAS_BOMB_MEMORY))

    infra = str(Path(sys.executable).parent / "infra")
    try:
        result = subprocess.run(
            [infra, "preview", "-C", str(scratch_project), "-s", "bomb", "--no-policy"],
            capture_output=True,
            text=True,
            timeout=ALIAS_BOMB_TIMEOUT,
            preexec_fn=cap_memory,
            check=False,
        )
    except subprocess.TimeoutExpired:
        pytest.fail(
            f"infra preview still running after {ALIAS_BOMB_TIMEOUT:g}s on a "
            f"{len(_alias_bomb(ALIAS_BOMB_LEVELS))}-byte stack file (YAML alias expansion)"
        )
    assert "Traceback" not in result.stderr, result.stderr[-1500:]
    assert result.returncode == 2
    assert len(result.stderr.splitlines()) == 1, result.stderr[-1500:]
    assert "stacks/Pulumi.bomb.yaml" in result.stderr


# --------------------------------------------------------------------------------------------
# Table-driven, in process: wrong types, unknown keys, bounds

WRONG_VALUES: dict[str, list[Any]] = {
    "string": [{"not": "a string"}, ["a", "list"]],
    "integer": ["many", 7.5, True],
    "boolean": ["yes", 1, None],
    "array": ["not-a-list", {"a": 1}, 5],
    "object": [["a", "b"], "text", 5],
}


def _wrong_type_cases() -> list[tuple[str, Any]]:
    """Every key once, the wrong values of its kind taken in turn; every value at least once."""
    cases: list[tuple[str, Any]] = []
    for kind, values in WRONG_VALUES.items():
        keys = [key for key, k in KEY_KINDS.items() if k == kind]
        for i in range(max(len(keys), len(values))):
            cases.append((keys[i % len(keys)], values[i % len(values)]))
    return cases


WRONG_TYPE_CASES = _wrong_type_cases()


def _unqualified(config: dict[str, Any]) -> dict[str, Any]:
    return {k[len(QUALIFIED) :] if k.startswith(QUALIFIED) else k: v for k, v in config.items()}


def _run_override(
    project: Path, base_stack: str, mutate: Callable[[dict[str, Any]], None], name: str = "case"
) -> tuple[str, str]:
    cfg = _unqualified(stack_file_config(base_stack))
    mutate(cfg)
    path = _write_stack(project, name, {QUALIFIED + k: v for k, v in cfg.items()})
    try:
        return _preview_or_config_error(project, name)
    finally:
        path.unlink()


@pytest.mark.parametrize(("key", "value"), WRONG_TYPE_CASES)
def test_wrong_type_names_the_key(project: Path, key: str, value: Any) -> None:
    outcome, message = _run_override(project, "prod", lambda cfg: cfg.__setitem__(key, value))
    assert outcome == "config-error"
    assert message.startswith(f"stacks/Pulumi.case.yaml: config key '{PROJECT}:{key}"), message


def _typo_of(key: str) -> str:
    return key[:-1] if len(key) > 4 else key + "s"


TYPO_SAMPLE = (
    "shareSoftDeleteDays",
    "protectData",
    "lockStorage",
    "fileBillingModel",
    "volumes",
    "tags",
    "privateCluster",
    "kubernetesVersion",
)
UNKNOWN_KEY_CASES: list[tuple[str, str, str]] = [
    *[
        (_typo_of(key), f"'{PROJECT}:{_typo_of(key)}'", f"did you mean '{key}'?")
        for key in TYPO_SAMPLE
    ],
    ("zzz", f"'{PROJECT}:zzz'", "the known keys are documented in Pulumi.yaml"),
    ("gpuPool.minCont", f"'{PROJECT}:gpuPool.minCont'", "did you mean 'minCount'?"),
    ("volumes[0].quotaGB", f"'{PROJECT}:volumes[0].quotaGB'", "did you mean 'quotaGiB'?"),
    ("volumes[1].namspace", f"'{PROJECT}:volumes[1].namspace'", "did you mean 'namespace'?"),
]


def test_every_key_typo_gets_a_did_you_mean_for_that_key() -> None:
    """The hint for a one-letter typo of each of the KEY_KINDS points back at the key."""
    import difflib

    for key in KEY_KINDS:
        close = difflib.get_close_matches(_typo_of(key), list(KEY_KINDS), n=1, cutoff=0.6)
        assert close == [key], (key, close)


def _set_path(cfg: dict[str, Any], path: str, value: Any) -> None:
    match = re.fullmatch(r"(\w+)(?:\[(\d+)\])?(?:\.(\w+))?", path)
    assert match, path
    key, index, field = match.groups()
    if index is not None:
        cfg[key][int(index)][field] = value
    elif field is not None:
        cfg.setdefault(key, {})
        cfg[key][field] = value
    else:
        cfg[key] = value


@pytest.mark.parametrize(("path", "shown", "hint"), UNKNOWN_KEY_CASES)
def test_unknown_key_is_named_with_a_hint(project: Path, path: str, shown: str, hint: str) -> None:
    outcome, message = _run_override(project, "prod", lambda cfg: _set_path(cfg, path, 1))
    assert outcome == "config-error"
    assert message == f"stacks/Pulumi.case.yaml: config key {shown} is not a known key; {hint}"


# (case id, base stack, config path, low, high): every integer bound of stacks/config.py.
INT_BOUNDS: list[tuple[str, str, str, int, int]] = [
    *[(key, "prod", key, low, high) for key, (low, high) in sorted(TOP_INT_BOUNDS.items())],
    *[
        (f"{obj}.{key}", "prod", f"{obj}.{key}", low, high)
        for obj, bounds in sorted(OBJECT_INT_BOUNDS.items())
        for key, (low, high) in sorted(bounds.items())
    ],
    *[
        (f"volumes.{key}", "prod", f"volumes[0].{key}", low, high)
        for key, (low, high) in sorted(VOLUME_INT_BOUNDS.items())
    ],
    ("volumes.quotaGiB-v2", "prod", "volumes[0].quotaGiB", *V2_QUOTA),
    ("volumes.throughputMiBps-v2", "prod", "volumes[0].throughputMiBps", *V2_THROUGHPUT),
    ("volumes.iops-v2", "prod", "volumes[0].iops", *V2_IOPS),
    ("volumes.quotaGiB-standard", "dev", "volumes[0].quotaGiB", *STANDARD_QUOTA),
]
# Past each bound: one case per value (the program reports the first problem only).
INT_PAST_BOUND_CASES: list[tuple[str, str, str, int, int]] = [
    (f"{case}={value}", stack, path, value, bound)
    for case, stack, path, low, high in INT_BOUNDS
    for value, bound in ((low - 1, low), (high + 1, high))
]


def _fit_backup_retention(backup: dict[str, Any]) -> None:
    """Each backup retention may sit at its bound, but together they keep at most 200
    snapshots per share (a cross-field rule of stacks/config.py): the daily count gives way
    first, then the weekly one."""
    daily = backup.get("dailyRetentionDays", 30)
    weekly = backup.get("weeklyRetentionWeeks", 12)
    monthly = backup.get("monthlyRetentionMonths", 12)
    weekly = min(weekly, stack_config.MAX_SNAPSHOTS_PER_SHARE - 1 - monthly)
    daily = min(daily, stack_config.MAX_SNAPSHOTS_PER_SHARE - weekly - monthly)
    backup.update(
        {
            "dailyRetentionDays": daily,
            "weeklyRetentionWeeks": weekly,
            "monthlyRetentionMonths": monthly,
        }
    )


def _with_default_volumes(cfg: dict[str, Any]) -> None:
    """dev and staging take `volumes` from Pulumi.yaml; make them explicit to edit them."""
    cfg.setdefault("volumes", copy.deepcopy(project_defaults()["volumes"]))


def _at_bounds(stack: str, side: str) -> Callable[[dict[str, Any]], None]:
    def mutate(cfg: dict[str, Any]) -> None:
        _with_default_volumes(cfg)
        if stack == "prod":
            # One v2 share at the per-share maximum takes the whole account's IOPS and
            # throughput: a second share would push the account past its limits.
            del cfg["volumes"][1:]
        cfg["podCidr"] = ROOMY_POD_CIDR
        for key, model in OBJECT_MODELS.items():  # turn optional features on, to exercise them
            if "enabled" in _aliases(model):
                _set_path(cfg, f"{key}.enabled", True)
        for _, base, path, low, high in INT_BOUNDS:
            if base == stack:
                _set_path(cfg, path, low if side == "low" else high)
        _fit_backup_retention(cfg["backup"])
        _fit_teams(cfg)

    return mutate


@pytest.mark.parametrize(
    ("stack", "side"), [(s, side) for s in ("prod", "dev") for side in ("low", "high")]
)
def test_integers_at_their_bounds_preview(project: Path, stack: str, side: str) -> None:
    """All bounds of a stack at once (low or high): one preview per combination."""
    outcome, message = _run_override(project, stack, _at_bounds(stack, side))
    assert outcome == "plan", message


@pytest.mark.parametrize(
    ("stack", "path", "value", "bound"),
    [pytest.param(*case[1:], id=case[0]) for case in INT_PAST_BOUND_CASES],
)
def test_integers_past_their_bounds_are_named(
    project: Path, stack: str, path: str, value: int, bound: int
) -> None:
    def mutate(cfg: dict[str, Any]) -> None:
        _with_default_volumes(cfg)
        if path == "gpuPool.minCount":
            cfg["gpuPool"]["maxCount"] = GPU_INT_BOUNDS["maxCount"][1]  # keep min <= max
        _set_path(cfg, path, value)

    outcome, message = _run_override(project, stack, mutate)
    assert outcome == "config-error"
    assert f"config key '{PROJECT}:{path}' must be an integer between " in message, message
    assert f"(got {value})" in message, message
    assert str(bound) in message, message


# (config path, value at the bound that previews, value past it that does not)
STRING_BOUNDS: list[tuple[str, str, str]] = [
    ("storageAccountName", "abc", "ab"),
    ("storageAccountName", "s" * 24, "s" * 25),
    ("clusterName", "ab", "a"),
    ("clusterName", "c" * 54, "c" * 55),
    ("resourceGroupName", "r", ""),
    ("resourceGroupName", "r" * 90, "r" * 91),
    ("volumes[1].name", "abc", "ab"),
    ("volumes[1].name", "v" * 63, "v" * 64),
    ("volumes[1].namespace", "n", ""),
    ("volumes[1].namespace", "n" * 63, "n" * 64),
]
STRING_PAST_BOUND_CASES = [(path, past) for path, _, past in STRING_BOUNDS]


def _own_namespace(cfg: dict[str, Any]) -> None:
    cfg["volumes"][1]["createNamespace"] = True


@pytest.mark.parametrize("side", [0, 1])
def test_strings_at_their_length_bounds_preview(project: Path, side: int) -> None:
    """Side 0: every minimum length at once; side 1: every maximum."""

    def mutate(cfg: dict[str, Any]) -> None:
        _own_namespace(cfg)
        for path, at, _ in STRING_BOUNDS[side::2]:
            _set_path(cfg, path, at)

    outcome, message = _run_override(project, "prod", mutate)
    assert outcome == "plan", message


@pytest.mark.parametrize(
    ("path", "past"),
    STRING_PAST_BOUND_CASES,
    ids=[f"{path}-{len(past)}" for path, past in STRING_PAST_BOUND_CASES],
)
def test_strings_past_their_length_bounds_are_named(project: Path, path: str, past: str) -> None:
    def mutate(cfg: dict[str, Any]) -> None:
        _own_namespace(cfg)
        _set_path(cfg, path, past)

    outcome, message = _run_override(project, "prod", mutate)
    assert outcome == "config-error"
    assert f"config key '{PROJECT}:{path}' must be " in message, message


# (case id, tags, previews). Tag names: 128 characters, the storage account's limit (the
# tags land on it); 512 holds for other resource types only.
TAG_BOUND_CASES: list[tuple[str, dict[str, str], bool]] = [
    (
        "value-256-key-128",
        {"owner": "o", "cost-center": "c", "note": "v" * 256, "k" * 128: "v"},
        True,
    ),
    ("value-257", {"owner": "o", "cost-center": "c", "note": "v" * 257}, False),
    ("key-129", {"owner": "o", "cost-center": "c", "k" * 129: "v"}, False),
    ("key-513", {"owner": "o", "cost-center": "c", "k" * 513: "v"}, False),
    ("key-empty", {"owner": "o", "cost-center": "c", "": "v"}, False),
]


@pytest.mark.parametrize(
    ("tags", "ok"), [c[1:] for c in TAG_BOUND_CASES], ids=[c[0] for c in TAG_BOUND_CASES]
)
def test_tag_bounds(project: Path, tags: dict[str, str], ok: bool) -> None:
    outcome, message = _run_override(project, "dev", lambda cfg: cfg.__setitem__("tags", tags))
    if ok:
        assert outcome == "plan", message
    else:
        assert message.startswith(f"stacks/Pulumi.case.yaml: config key '{PROJECT}:tags"), message


def test_usage_errors_are_not_config_errors(project: Path) -> None:
    """A missing stack file is a UsageError from the loader, not the program's ConfigError."""
    with pytest.raises(UsageError) as error:
        preview(project, "does-not-exist")
    assert not isinstance(error.value, ConfigError)
    assert "no such stack 'does-not-exist'" in str(error.value)
