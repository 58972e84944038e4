"""Typed, validated stack configuration.

Every key of the project's namespace is read from Pulumi's runtime config, decoded (Pulumi
hands structured values to the program as JSON strings), validated with strict pydantic models
and cross-checked. Any problem raises :class:`pulumi.RunError` with one line naming the file
that holds the value (the stack file, or ``Pulumi.yaml`` for a default)::

    stacks/Pulumi.<stack>.yaml: config key '<project>:<key>[.<path>]' <what is wrong>; <allowed>

Nothing here registers resources, so a bad config never reaches the engine.

Keys the stack marks ``secure:`` are validated like any other (the plain text is needed for
that), but never shown: an error prints ``[secret]`` in place of their value, and
:attr:`LoadedConfig.secrets` lets the program turn every resource input and output that holds
their text into a secret Output, as ``Config.get_secret`` would.
Each key is declared once, on its field of a :class:`StackConfig` sub-model: type, default,
rule and (as the field's docstring) description. ``Pulumi.yaml``'s ``config:`` block is
generated from them (``scripts/gen_pulumi_config.py``), and :data:`KEY_KINDS` is derived.
"""

from __future__ import annotations

import difflib
import ipaddress
import json
import re
from collections.abc import Callable, Collection, Iterator, Sequence
from contextvars import ContextVar
from dataclasses import dataclass
from pathlib import Path
from types import UnionType
from typing import Annotated, Any, Literal, Union, get_args, get_origin

import annotated_types
import pulumi
import pulumi.runtime.config as runtime_config
import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator
from pydantic.alias_generators import to_camel, to_snake
from pydantic.fields import FieldInfo
from tzlocal.windows_tz import win_tz

from azure_facts.files import BillingModel, Redundancy, account_sku, regions_offering
from azure_facts.regions import AZURE_REGIONS
from azure_facts.vm_sizes import VM_SIZES, VM_SIZES_READ, VmSize, vm_size
from components.backup import (
    MAX_DAILY_DAYS,
    MAX_MONTHLY_MONTHS,
    MAX_SNAPSHOTS_PER_SHARE,
    MAX_WEEKLY_WEEKS,
    SCHEDULE_TIME_RE,
    TIME_ZONE_RE,
    BackupRetention,
    Immutability,
    VaultRedundancy,
)
from components.cluster import (
    CLUSTER_NAME_RE,
    DEFAULT_DNS_SERVICE_IP,
    DEFAULT_MAX_PODS,
    DEFAULT_POD_CIDR,
    DEFAULT_SERVICE_CIDR,
    GUID_RE,
    IDENTITY_ID_RE,
    K8S_VERSION_RE,
    MAX_MAX_PODS,
    MIN_MAX_PODS,
    PRIVATE_DNS_ZONE_ID_RE,
    PRIVATE_DNS_ZONE_MODES,
    SUBNET_ID_RE,
    UPGRADE_SURGE_NODES,
    NetworkPolicy,
    NodeOsUpgradeChannel,
    UpgradeChannel,
    peak_node_count,
    pod_cidr_node_capacity,
)
from components.cluster import SkuTier as ClusterSkuTier
from components.kubeconfig import KubeloginMode
from components.monitoring import (
    DEFAULT_RETENTION_DAYS,
    MAX_RETENTION_DAYS,
    MIN_RETENTION_DAYS,
)
from components.node_disks import (
    TRAINING_IMAGE_GIB,
    image_storage_gib,
    os_disk_for,
    training_image_footprint_gib,
)
from components.sizing import (
    SharePerformance,
    SizingError,
    check_account_totals,
    resolve_share,
)
from components.smoke import (
    DEFAULT_DEADLINE_SECONDS,
    DEFAULT_IMAGE,
    DEFAULT_PARALLELISM,
    IMAGE_RE,
    MAX_DEADLINE_SECONDS,
    MAX_PARALLELISM,
    MIN_DEADLINE_SECONDS,
    MIN_PARALLELISM,
)
from components.storage import (
    ACCOUNT_NAME_RE,
    SHARE_NAME_RE,
    FileProtocol,
)
from components.teams import max_gpus_of
from components.training import (
    CPU_RE,
    DEFAULT_BACKOFF_LIMIT,
    DEFAULT_CPU,
    DEFAULT_GPUS,
    DEFAULT_MEMORY,
    DEFAULT_SHM_SIZE,
    DEFAULT_WORKERS,
    ENV_NAME_RE,
    JOB_NAME_RE,
    MAX_BACKOFF_LIMIT,
    MAX_GPUS,
    MAX_TTL_SECONDS,
    MAX_WORKERS,
    MEMORY_RE,
    MIN_GPUS,
    MIN_WORKERS,
    MOUNT_PATH_RE,
    RESERVED_ENV,
    RESERVED_PATHS,
    SHM_PATH,
    memory_bytes,
)
from components.training import DEFAULT_DEADLINE_SECONDS as DEFAULT_JOB_DEADLINE_SECONDS
from components.training import MAX_DEADLINE_SECONDS as MAX_JOB_DEADLINE_SECONDS
from components.training import MIN_DEADLINE_SECONDS as MIN_JOB_DEADLINE_SECONDS
from components.volume import DNS1123_LABEL_RE, MODE_RE
from stacks.policy_config import PolicyConfigError, image_rejection

STACKS_DIR = Path(__file__).resolve().parent
PROJECT_FILE = "Pulumi.yaml"
# How close (difflib ratio) a config namespace must be to the project's to count as its typo;
# provider namespaces such as azure-native or kubernetes are far below it.
NAMESPACE_TYPO_CUTOFF = 0.8

Zone = Literal["1", "2", "3"]

REQUIRED_TAGS = ("owner", "cost-center")
ENVIRONMENT_TAG = "environment"
# Patterns are applied with fullmatch: `$` would also accept a trailing newline.
RESOURCE_GROUP_RE = re.compile(r"[-\w.()]{0,89}[-\w()]")
RESOURCE_GROUP_RULE = "1-90 letters, digits, '-', '_', '.', '(' or ')', not ending in '.'"
_VM_SIZE_RE = re.compile(r"Standard_[A-Za-z0-9_]{2,60}")
# Azure tag limits (https://learn.microsoft.com/azure/azure-resource-manager/management/
# tag-resources#limitations): 50 tags per resource; names up to 512 characters, 128 on storage
# accounts (every tag here lands on the storage account too); values up to 256 characters;
# names without < > % & \ ? /.
MAX_TAGS_PER_RESOURCE = 50
MAX_TAG_NAME_LENGTH = 128
MAX_TAG_VALUE_LENGTH = 256
_TAG_NAME_FORBIDDEN = set("<>%&\\?/")
_RFC1918 = [ipaddress.IPv4Network(n) for n in ("10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16")]


class ConfigError(Exception):
    """A config problem at ``path`` (``key`` or ``key.sub[0].field``) of ``namespace`` (the
    project's unless given); ``related`` names the other keys a conflict involves."""

    def __init__(
        self,
        path: str,
        message: str,
        *,
        namespace: str | None = None,
        related: tuple[str, ...] = (),
    ) -> None:
        super().__init__(f"{path}: {message}")
        self.path = path
        self.message = message
        self.namespace = namespace
        self.related = related


@dataclass(frozen=True)
class Rule:
    """Annotated metadata: what a field must be, used to phrase errors."""

    text: str


def one_of(literal: Any) -> Rule:
    return Rule("must be one of " + ", ".join(str(v) for v in get_args(literal)))


def _pattern(regex: re.Pattern[str], what: str) -> Callable[[str], str]:
    """A check for ``regex``; its error message says ``what`` the value must be."""

    def check(value: str) -> str:
        if not regex.fullmatch(value):
            raise ValueError(f"must be {what} (got {_show(value)})")
        return value

    return check


SECRET_SHOWN = "[secret]"


def scalars(value: Any) -> Iterator[Any]:
    """Every scalar within ``value``: mapping keys and values, list items, the fields of
    Pulumi input types (``...Args`` objects); Outputs and resources are scalars here."""
    if isinstance(value, dict):
        for key, item in value.items():
            yield from scalars(key)
            yield from scalars(item)
    elif isinstance(value, (list, tuple)):
        for item in value:
            yield from scalars(item)
    elif hasattr(type(value), "_pulumi_input_type"):
        yield from scalars(list(vars(value).values()))
    else:
        yield value


@dataclass(frozen=True)
class Secrets:
    """The text of what a stack marks secure. ``texts`` (secure strings and the items of
    secure lists) are found inside longer strings too, such as the ARM ids built from a secure
    name; ``words`` (the names and values within a secure object, e.g. tags) only where used
    whole, so a short tag value does not hide every string that happens to contain it."""

    texts: frozenset[str] = frozenset()
    words: frozenset[str] = frozenset()

    def __bool__(self) -> bool:
        return bool(self.texts or self.words)

    def found_in(self, value: Any) -> bool:
        return any(
            isinstance(item, str)
            and (item in self.words or any(text in item for text in self.texts))
            for item in scalars(value)
        )


NO_SECRETS = Secrets()
# The secure values being validated, so no message ever shows them.
_SECRETS: ContextVar[Secrets] = ContextVar("secret_config", default=NO_SECRETS)


def _show(value: Any) -> str:
    if _SECRETS.get().found_in(value):
        return SECRET_SHOWN
    text = repr(value) if isinstance(value, str) else json.dumps(value, separators=(",", ":"))
    return text if len(text) <= 80 else text[:77] + "..."


class _Model(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        strict=True,
        frozen=True,
        alias_generator=to_camel,
        validate_by_alias=True,
        validate_by_name=False,
        validate_default=False,
        # Not use_attribute_docstrings: a field's docstring is its description, but only
        # scripts/gen_pulumi_config.py reads it (from the source), and pydantic's reading
        # walks the stack of frames for each model, ~0.17 s of every preview's start.
    )


class GpuPoolConfig(_Model):
    """``gpuPool``: optional autoscaled GPU training pool."""

    enabled: Annotated[bool, Rule("must be true or false")] = False
    vm_size: Annotated[str, Rule("must be an Azure VM size like 'Standard_NC24ads_A100_v4'")] = (
        "Standard_NC24ads_A100_v4"
    )
    min_count: Annotated[int, Field(ge=0, le=1000)] = 0
    max_count: Annotated[int, Field(ge=1, le=1000)] = 4
    zones: Annotated[
        list[Zone] | None, Rule("must be null (use availabilityZones) or a list of '1', '2', '3'")
    ] = None

    @field_validator("vm_size")
    @classmethod
    def _vm_size(cls, value: str) -> str:
        return _pattern(_VM_SIZE_RE, "an Azure VM size like 'Standard_NC24ads_A100_v4'")(value)

    @field_validator("zones")
    @classmethod
    def _zones(cls, values: list[str] | None) -> list[str] | None:
        return None if values is None else _distinct_zones(values)


class VolumeConfig(_Model):
    """One entry of ``volumes``: an Azure Files share exposed as a RWX PVC."""

    name: Annotated[
        str,
        Rule(
            "must be 3-63 lowercase letters, digits and single hyphens, starting and ending "
            "with a letter or digit"
        ),
    ]
    namespace: Annotated[str, Rule("must be a DNS-1123 label")] = "training"
    create_namespace: Annotated[bool, Rule("must be true or false")] = True
    quota_gib: Annotated[
        int | None, Field(alias="quotaGiB"), Rule("must be an integer number of GiB")
    ] = None
    throughput_mibps: Annotated[
        int | None, Field(alias="throughputMiBps"), Rule("must be an integer number of MiB/s")
    ] = None
    iops: Annotated[int | None, Rule("must be an integer number of IOPS")] = None
    # Not 0: a root-owned mount makes every pod that writes to the share root-equivalent on
    # the data, and the smoke Job (runAsNonRoot) runs as this uid/gid.
    uid: Annotated[int, Field(ge=1, le=2_147_483_647)] = 1000
    gid: Annotated[int, Field(ge=1, le=2_147_483_647)] = 1000
    dir_mode: Annotated[str, Rule("must be 4 octal digits like '0770' (quote it in YAML)")] = "0770"
    file_mode: Annotated[str, Rule("must be 4 octal digits like '0770' (quote it in YAML)")] = (
        "0770"
    )

    @field_validator("name")
    @classmethod
    def _name(cls, value: str) -> str:
        if not SHARE_NAME_RE.fullmatch(value):
            raise ValueError(
                "must be 3-63 lowercase letters, digits and single hyphens, starting and ending "
                f"with a letter or digit (got {_show(value)})"
            )
        return value

    @field_validator("namespace")
    @classmethod
    def _namespace(cls, value: str) -> str:
        if not DNS1123_LABEL_RE.fullmatch(value):
            raise ValueError(
                "must be a DNS-1123 label (1-63 lowercase letters, digits, '-') "
                f"(got {_show(value)})"
            )
        return value

    @field_validator("dir_mode", "file_mode")
    @classmethod
    def _mode(cls, value: str) -> str:
        if not MODE_RE.fullmatch(value):
            raise ValueError(
                f"must be 4 octal digits like '0770' (quote it in YAML) (got {_show(value)})"
            )
        return value


_PINNED_IMAGE = "an image pinned by digest like 'registry/name:tag@sha256:<64 hex>'"


def _distinct_zones(values: list[str]) -> list[str]:
    """A zone list naming each zone once: AKS rejects a node pool listing a zone twice."""
    for index, zone in enumerate(values):
        if zone in values[:index]:
            raise _ItemError(
                index, f"duplicates zone {_show(zone)} (earlier in the list); list each zone once"
            )
    return values


class SmokeTestConfig(_Model):
    """``smokeTest``: the RWX smoke Job (``components/smoke.py``) run by ``infra smoke``."""

    parallelism: Annotated[
        int,
        Field(ge=MIN_PARALLELISM, le=MAX_PARALLELISM),
    ] = DEFAULT_PARALLELISM
    deadline_seconds: Annotated[
        int,
        Field(ge=MIN_DEADLINE_SECONDS, le=MAX_DEADLINE_SECONDS),
    ] = DEFAULT_DEADLINE_SECONDS
    image: Annotated[str, Rule(f"must be {_PINNED_IMAGE}")] = DEFAULT_IMAGE

    @field_validator("image")
    @classmethod
    def _image(cls, value: str) -> str:
        return _pattern(IMAGE_RE, _PINNED_IMAGE)(value)


_JOB_NAME = (
    "must be 1-52 lowercase letters, digits and '-', starting with a letter and ending with a "
    "letter or digit"
)
_MOUNT_PATH = "must be an absolute path like '/data'"
# Where a volume must not be mounted, nor below: the kernel's filesystems the runtime mounts
# itself (/dev, /proc, /sys; runc refuses mounts into /proc), the image's programs and libraries
# (/bin, /lib, /lib64, /sbin, /usr), /etc (the kubelet mounts the pod's hosts, hostname and
# resolv.conf there) and /run and /var/run (the service account token's directory). A share
# over any of them breaks the container or never starts it.
SYSTEM_PATHS = (
    "/bin",
    "/dev",
    "/etc",
    "/lib",
    "/lib64",
    "/proc",
    "/run",
    "/sbin",
    "/sys",
    "/usr",
    "/var/run",
)
_MEMORY = "must be a whole number of Mi, Gi or Ti like '64Gi'"
_COMMAND = (
    "must be a non-empty list of non-empty strings: the script torchrun starts and its arguments"
)
_TTL = f"must be null (keep the finished Job) or an integer between 0 and {MAX_TTL_SECONDS}"


class TrainingMountConfig(_Model):
    """One entry of ``trainingJobs[].mounts``: a volume of ``volumes`` in the job's pods."""

    volume: Annotated[str, Rule("must be the name of an entry of volumes")]
    mount_path: Annotated[str, Rule(_MOUNT_PATH)]
    read_only: Annotated[bool, Rule("must be true or false")] = True

    @field_validator("mount_path")
    @classmethod
    def _mount_path(cls, value: str) -> str:
        if not MOUNT_PATH_RE.fullmatch(value) or any(
            part in (".", "..") for part in value.split("/")
        ):
            raise ValueError(f"{_MOUNT_PATH} (got {_show(value)})")
        if value in RESERVED_PATHS:
            raise ValueError(
                f"must not be one of the pod's own paths {', '.join(RESERVED_PATHS)} "
                f"(got {_show(value)})"
            )
        if value.startswith(SHM_PATH + "/"):
            raise ValueError(
                f"must not be under {SHM_PATH}, the memory-backed volume the job's pods get "
                f"(shmSize) (got {_show(value)})"
            )
        for system in SYSTEM_PATHS:
            if value == system or value.startswith(system + "/"):
                raise ValueError(
                    f"must not be {system} or below it: it would hide what the container needs "
                    f"there (system paths: {', '.join(SYSTEM_PATHS)}) (got {_show(value)})"
                )
        return value


class TrainingJobConfig(_Model):
    """One entry of ``trainingJobs``: distributed PyTorch training (``components/training.py``)."""

    name: Annotated[str, Rule(_JOB_NAME)]
    image: Annotated[str, Rule(f"must be {_PINNED_IMAGE}")]
    command: Annotated[list[str], Field(min_length=1), Rule(_COMMAND)]
    mounts: Annotated[
        list[TrainingMountConfig],
        Field(min_length=1),
        Rule("must be a non-empty list of mount objects {volume, mountPath, readOnly}"),
    ]
    workers: Annotated[int, Field(ge=MIN_WORKERS, le=MAX_WORKERS)] = DEFAULT_WORKERS
    gpus_per_worker: Annotated[int, Field(ge=MIN_GPUS, le=MAX_GPUS)] = DEFAULT_GPUS
    image_gib: Annotated[
        int, Field(alias="imageGiB", ge=1, le=1024), Rule("must be an integer number of GiB")
    ] = TRAINING_IMAGE_GIB
    cpu: Annotated[str, Rule("must be whole cores or millicores like '8' or '500m'")] = DEFAULT_CPU
    memory: Annotated[str, Rule(_MEMORY)] = DEFAULT_MEMORY
    shm_size: Annotated[str, Rule(_MEMORY)] = DEFAULT_SHM_SIZE
    env: Annotated[
        dict[str, str], Rule("must be an object of environment variable names to string values")
    ] = {}
    example_script: Annotated[bool, Rule("must be true or false")] = False
    backoff_limit: Annotated[int, Field(ge=0, le=MAX_BACKOFF_LIMIT)] = DEFAULT_BACKOFF_LIMIT
    active_deadline_seconds: Annotated[
        int, Field(ge=MIN_JOB_DEADLINE_SECONDS, le=MAX_JOB_DEADLINE_SECONDS)
    ] = DEFAULT_JOB_DEADLINE_SECONDS
    ttl_seconds_after_finished: Annotated[int | None, Rule(_TTL)] = None
    team: Annotated[
        str | None, Rule("must be null (no queue) or the name of an entry of teams.members")
    ] = None

    @field_validator("name")
    @classmethod
    def _name(cls, value: str) -> str:
        return _pattern(JOB_NAME_RE, _JOB_NAME.removeprefix("must be "))(value)

    @field_validator("image")
    @classmethod
    def _image(cls, value: str) -> str:
        return _pattern(IMAGE_RE, _PINNED_IMAGE)(value)

    @field_validator("command")
    @classmethod
    def _command(cls, values: list[str]) -> list[str]:
        for index, value in enumerate(values):
            if not value:
                raise _ItemError(index, "must be a non-empty string")
        return values

    @field_validator("cpu")
    @classmethod
    def _cpu(cls, value: str) -> str:
        return _pattern(CPU_RE, "whole cores or millicores like '8' or '500m'")(value)

    @field_validator("memory", "shm_size")
    @classmethod
    def _memory(cls, value: str) -> str:
        return _pattern(MEMORY_RE, _MEMORY.removeprefix("must be "))(value)

    @field_validator("env")
    @classmethod
    def _env(cls, values: dict[str, str]) -> dict[str, str]:
        for name in values:
            if not ENV_NAME_RE.fullmatch(name):
                raise ValueError(
                    "names must be letters, digits and '_', not starting with a digit "
                    f"(got {_show(name)})"
                )
            if name in RESERVED_ENV:
                raise ValueError(f"must not set {_show(name)}: the Job sets it itself")
        return values

    @field_validator("ttl_seconds_after_finished")
    @classmethod
    def _ttl(cls, value: int | None) -> int | None:
        if value is not None and not 0 <= value <= MAX_TTL_SECONDS:
            raise ValueError(f"{_TTL} (got {_show(value)})")
        return value


_DNS_LABEL = "a DNS-1123 label (1-63 lowercase letters, digits, '-')"
# Namespaces a team must never take over: Kubernetes' own and Kueue's.
RESERVED_NAMESPACES = ("default", "kube-node-lease", "kube-public", "kube-system", "kueue-system")


class TeamConfig(_Model):
    """One entry of ``teams.members``: a namespace, its Entra group and its share of the GPU
    pool (components/teams.py)."""

    name: Annotated[str, Rule(f"must be {_DNS_LABEL}")]
    entra_group_object_id: Annotated[str, Rule("must be an Entra ID group object id (GUID)")]
    gpus: Annotated[int, Field(ge=0, le=8000)]
    cpu: Annotated[str, Rule("must be whole cores or millicores like '96' or '500m'")]
    memory: Annotated[str, Rule(_MEMORY)]
    borrowing_limit_gpus: Annotated[
        int | None, Rule("must be null (borrow any unused GPU) or an integer 0-8000")
    ] = None
    lending_limit_gpus: Annotated[
        int | None, Rule("must be null (lend every unused GPU) or an integer 0-8000")
    ] = None
    shared_volumes: Annotated[
        list[str], Rule("must be a list of names of volumes in other namespaces")
    ] = []

    @field_validator("name")
    @classmethod
    def _name(cls, value: str) -> str:
        _pattern(DNS1123_LABEL_RE, _DNS_LABEL)(value)
        if value in RESERVED_NAMESPACES:
            raise ValueError(
                f"must not be a system namespace ({', '.join(RESERVED_NAMESPACES)}) "
                f"(got {_show(value)})"
            )
        return value

    @field_validator("entra_group_object_id")
    @classmethod
    def _group(cls, value: str) -> str:
        return _pattern(GUID_RE, "an Entra ID group object id (GUID)")(value)

    @field_validator("cpu")
    @classmethod
    def _cpu(cls, value: str) -> str:
        return _pattern(CPU_RE, "whole cores or millicores like '96' or '500m'")(value)

    @field_validator("memory")
    @classmethod
    def _memory(cls, value: str) -> str:
        return _pattern(MEMORY_RE, _MEMORY.removeprefix("must be "))(value)

    @field_validator("borrowing_limit_gpus", "lending_limit_gpus")
    @classmethod
    def _limit(cls, value: int | None) -> int | None:
        if value is not None and not 0 <= value <= 8000:
            raise ValueError(f"must be null or an integer 0-8000 (got {_show(value)})")
        return value


class TeamsConfig(_Model):
    """``teams``: ML teams sharing the GPU pool through Kueue queues (components/teams.py)."""

    allow_gpu_overcommit: Annotated[bool, Rule("must be true or false")] = False
    members: Annotated[list[TeamConfig], Rule("must be a list of team objects")] = []


class BackupConfig(_Model):
    """``backup``: Azure Backup (snapshot tier) of the volumes' shares (components/backup.py)."""

    enabled: Annotated[bool, Rule("must be true or false")] = True
    schedule_time: Annotated[str, Rule("must be a 24-hour time 'HH:MM' like '02:00'")] = "02:00"
    time_zone: Annotated[str, Rule("must be a Windows time zone id like 'UTC'")] = "UTC"
    daily_retention_days: Annotated[int, Field(ge=1, le=MAX_DAILY_DAYS)] = 30
    weekly_retention_weeks: Annotated[int, Field(ge=0, le=MAX_WEEKLY_WEEKS)] = 12
    monthly_retention_months: Annotated[int, Field(ge=0, le=MAX_MONTHLY_MONTHS)] = 12
    vault_redundancy: Annotated[VaultRedundancy, one_of(VaultRedundancy)] = "GeoRedundant"
    immutability: Annotated[Immutability, one_of(Immutability)] = "Unlocked"

    @field_validator("schedule_time")
    @classmethod
    def _schedule_time(cls, value: str) -> str:
        return _pattern(SCHEDULE_TIME_RE, "a 24-hour time 'HH:MM' like '02:00'")(value)

    @field_validator("time_zone")
    @classmethod
    def _time_zone(cls, value: str) -> str:
        _pattern(TIME_ZONE_RE, "a Windows time zone id like 'UTC'")(value)
        if value not in win_tz:
            close = difflib.get_close_matches(value, list(win_tz), n=1, cutoff=0.6)
            hint = f"did you mean {_show(close[0])}?" if close else "such as 'UTC'"
            raise ValueError(
                f"must be a Windows time zone id (CLDR windowsZones, as tzlocal ships it), "
                f"{hint} (got {_show(value)})"
            )
        return value

    @property
    def retention(self) -> BackupRetention:
        return BackupRetention(
            daily_days=self.daily_retention_days,
            weekly_weeks=self.weekly_retention_weeks,
            monthly_months=self.monthly_retention_months,
        )


_REGION = "a string region name of the Azure public cloud like 'westeurope'"
_NETWORK_CIDR = "an IPv4 network CIDR like '10.244.0.0/16' (no host bits set)"
_IPV4_ADDRESS = "an IPv4 address like '10.0.0.10'"
_PRIVATE_DNS_ZONE = (
    "'system', 'none' or a private DNS zone resource id '/subscriptions/<guid>/resourceGroups/"
    "<rg>/providers/Microsoft.Network/privateDnsZones/[<subzone>.]privatelink.<region>."
    "azmk8s.io'"
)


class PlacementConfig(_Model):
    """Naming and placement: where everything goes and what it carries."""

    location: Annotated[str, Rule(f"must be {_REGION}")] = "westeurope"
    """Azure region of every resource: a public-cloud region name such as westeurope (the list is
    azure_facts/regions.py).
    """
    resource_group_name: Annotated[
        str, Rule("must be 1-90 letters, digits, '-', '_', '.', '(' or ')', not ending in '.'")
    ]
    """Required. Name of the resource group the program deploys into (1-90 letters, digits, '-',
    '_', '.', '(', ')'; not ending in '.'). bootstrap/ creates it, with this stack's location
    and tags, and is its only owner: run it before the first deploy to a new name.
    """
    node_subnet_id: Annotated[str, Rule("must be a subnet resource id")]
    """Required. Resource id of the existing subnet for the AKS nodes (Azure CNI overlay). It needs
    the Microsoft.Storage service endpoint: it is always allowed through the storage firewall.
    """
    tags: Annotated[dict[str, str], Rule("must be an object of string tag values")] = {
        "owner": "ml-platform",
        "cost-center": "ml-training",
    }
    """Object of string tags applied to every taggable Azure resource. Must contain 'owner' and
    'cost-center'; 'environment' is added from the stack name and must not be set. At most 49
    tags (Azure's 50 per resource, less 'environment'), names of 1-128 characters without < > %
    & \\ ? / (the storage account's limit), values of at most 256.
    """
    protect_data: Annotated[bool, Rule("must be true or false")] = True
    """Mark the resource group, storage account, file service, shares, namespaces, PVs and PVCs
    protect + retainOnDelete, so neither a destroy nor a replacement deletes the data.
    """

    @field_validator("location")
    @classmethod
    def _location(cls, value: str) -> str:
        if value not in AZURE_REGIONS:
            raise ValueError(
                f"must be {_REGION} (got {_show(value)}); the list is azure_facts/regions.py"
            )
        return value

    @field_validator("resource_group_name")
    @classmethod
    def _resource_group_name(cls, value: str) -> str:
        return _pattern(RESOURCE_GROUP_RE, RESOURCE_GROUP_RULE)(value)

    @field_validator("node_subnet_id")
    @classmethod
    def _node_subnet_id(cls, value: str) -> str:
        return _subnet_id(value)

    @field_validator("tags")
    @classmethod
    def _tags(cls, values: dict[str, str]) -> dict[str, str]:
        if len(values) > MAX_TAGS_PER_RESOURCE - 1:
            raise ValueError(
                f"must hold at most {MAX_TAGS_PER_RESOURCE - 1} tags: Azure allows "
                f"{MAX_TAGS_PER_RESOURCE} per resource and the program adds '{ENVIRONMENT_TAG}' "
                f"(got {len(values)})"
            )
        for key, value in values.items():
            if not key or len(key) > MAX_TAG_NAME_LENGTH or _TAG_NAME_FORBIDDEN & set(key):
                raise ValueError(
                    f"tag names must be 1-{MAX_TAG_NAME_LENGTH} characters (the storage "
                    f"account's limit) without < > % & \\ ? / (got {_show(key)})"
                )
            if len(value) > MAX_TAG_VALUE_LENGTH:
                raise ValueError(
                    f"tag values must be at most {MAX_TAG_VALUE_LENGTH} characters "
                    f"(tag {_show(key)})"
                )
        return values


class StorageConfig(_Model):
    """Shared storage (Azure Files): the account, its shares and their backup."""

    storage_account_name: Annotated[
        str, Rule("must be 3-24 lowercase letters and digits (globally unique)")
    ]
    """Required. Storage account name for the shares: 3-24 lowercase letters and digits, globally
    unique in Azure. Renaming replaces the account (and its data).
    """
    # Not strict: the stack file names the model by its value ("provisioned-v2-ssd").
    file_billing_model: Annotated[
        BillingModel,
        Field(strict=False),
        Rule("must be one of " + ", ".join(BillingModel)),
    ] = BillingModel.PROVISIONED_V2_SSD
    """How the shares are billed and provisioned (components/sizing.py) - provisioned-v2-ssd or
    provisioned-v2-hdd (FileStorage, PremiumV2_*/StandardV2_*: size, IOPS and throughput
    provisioned separately per volume), provisioned-v1-ssd (FileStorage, Premium_*: IOPS and
    throughput scale with the size) or pay-as-you-go-hdd (StorageV2, Standard_*, large file
    shares: nothing provisioned). The region must offer it with storageRedundancy
    (azure_facts/files.py). Changing it on a deployed stack needs a new storage
    account and a data copy: docs/migrate-billing-model.md.
    """
    storage_redundancy: Annotated[Redundancy, one_of(Redundancy)] = "ZRS"
    """LRS or ZRS, and for the -hdd fileBillingModels also GRS or GZRS (a copy in the region's
    pair; SSD shares are not offered geo-redundant): how the storage account replicates (with
    fileBillingModel it makes the SKU, e.g. PremiumV2_ZRS, Standard_GZRS).
    """
    file_protocol: Annotated[FileProtocol, one_of(FileProtocol)] = "smb"
    """smb or nfs. nfs needs an -ssd fileBillingModel, has no in-transit encryption (HTTPS-only is
    turned off for the account) and relies on subnet isolation; uid/gid/dirMode/fileMode do not
    apply to it.
    """
    share_soft_delete_days: Annotated[int, Field(ge=1, le=365)] = 30
    """Days deleted shares stay recoverable (share soft delete), 1-365."""
    storage_private_endpoint: Annotated[bool, Rule("must be true or false")] = True
    """Reach the storage account only through a private endpoint in the node subnet, with the
    privatelink.file.core.windows.net private DNS zone linked to the node VNet
    (components/private_endpoint.py); the account's public network access is disabled, so
    allowedSubnetIds and allowedIpRanges must be empty. false keeps the public endpoint behind
    the firewall.
    """
    allowed_subnet_ids: Annotated[list[str], Rule("must be a list of subnet resource ids")] = []
    """Extra subnet resource ids allowed through the storage firewall (default action Deny),
    besides nodeSubnetId. Each needs the Microsoft.Storage service endpoint.
    """
    allowed_ip_ranges: Annotated[
        list[str], Rule("must be a list of public IPv4 addresses or CIDRs")
    ] = []
    """Public IPv4 addresses/CIDRs allowed through the storage firewall (e.g. a data-loading host).
    Private RFC 1918 ranges and /31 are rejected; /32 is written as an address.
    """
    lock_storage: Annotated[bool, Rule("must be true or false")] = True
    """Add a CanNotDelete management lock on the storage account."""
    backup: Annotated[
        BackupConfig,
        Rule(
            "must be an object with enabled, scheduleTime, timeZone, dailyRetentionDays, "
            "weeklyRetentionWeeks, monthlyRetentionMonths, vaultRedundancy and immutability"
        ),
    ] = BackupConfig()
    """Object configuring Azure Backup of the volumes' shares (components/backup.py,
    docs/restore.md) - a Recovery Services vault (soft delete on, protect + retainOnDelete with
    protectData, locked with lockStorage), an Azure Files policy (snapshot tier) and one
    protected item per volume. Fields - enabled (bool; false creates none of it), scheduleTime
    (daily backup, 'HH:MM' 24 h), timeZone (Windows time zone id, e.g. 'UTC' or 'W. Europe
    Standard Time'; no daylight-saving shift), dailyRetentionDays (1-200), weeklyRetentionWeeks
    (0-200, Sunday's backup, 0 keeps none), monthlyRetentionMonths (0-120, the first Sunday's, 0
    keeps none) - the three together at most 200 (snapshots per share), vaultRedundancy
    (LocallyRedundant, ZoneRedundant or GeoRedundant), immutability (Disabled, Unlocked or
    Locked - Locked can never be undone). Not with fileProtocol nfs (Azure Backup has no NFS
    support).
    """
    volumes: Annotated[
        list[VolumeConfig],
        Field(min_length=1),
        Rule("must be a non-empty list of volume objects"),
    ] = [
        VolumeConfig.model_validate(
            {"name": "datasets", "namespace": "training", "quotaGiB": 1024}
        ),
        VolumeConfig.model_validate(
            {
                "name": "checkpoints",
                "namespace": "training",
                "createNamespace": False,
                "quotaGiB": 1024,
            }
        ),
    ]
    """Non-empty list of volume objects; each becomes a file share plus a RWX PV/PVC. Fields - name
    (required; 3-63 lowercase letters, digits, single hyphens; share, PVC and volume name,
    unique), namespace (DNS-1123 label, default 'training'), createNamespace (bool, default
    true; exactly one volume per namespace may create it), quotaGiB, throughputMiBps and iops
    (ints) as the fileBillingModel takes them - provisioned-v2: quotaGiB (32-262144) required,
    throughputMiBps (SSD 100-10340, HDD 60-5120) and iops (SSD 3000-102400, HDD 500-50000)
    optional, Azure's recommendation for the size when missing, and all volumes together within
    one account's limits; provisioned-v1-ssd: exactly one of quotaGiB (100-102400) or
    throughputMiBps (the quota becomes the smallest one whose throughput meets it), no iops;
    pay-as-you-go-hdd: quotaGiB (1-102400) only. uid and gid (int 1+, default 1000), dirMode and
    fileMode (quoted 4-digit octal strings, default '0770'); the last four apply to SMB only.
    """

    @field_validator("storage_account_name")
    @classmethod
    def _storage_account_name(cls, value: str) -> str:
        return _pattern(ACCOUNT_NAME_RE, "3-24 lowercase letters and digits (globally unique)")(
            value
        )

    @field_validator("allowed_subnet_ids")
    @classmethod
    def _allowed_subnet_ids(cls, values: list[str]) -> list[str]:
        for index, value in enumerate(values):
            _check_item(index, value, _subnet_id)
        return values

    @field_validator("allowed_ip_ranges")
    @classmethod
    def _allowed_ip_ranges(cls, values: list[str]) -> list[str]:
        return [_check_item(index, value, _storage_ip_rule) for index, value in enumerate(values)]


class ClusterConfig(_Model):
    """AKS cluster: the cluster, its node pools and who signs in."""

    cluster_name: Annotated[
        str,
        Rule("must be 2-54 lowercase letters, digits and hyphens, starting/ending alphanumeric"),
    ]
    """Required. AKS cluster name, also its DNS prefix (2-54 lowercase letters, digits and
    hyphens). The node resource group is '<resourceGroupName>-<clusterName>-nodes'.
    """
    kubernetes_version: Annotated[
        str, Rule("must be a pinned 'major.minor' or 'major.minor.patch' like '1.36'")
    ] = "1.36"
    """Pinned Kubernetes version, 'major.minor' or 'major.minor.patch'."""
    upgrade_channel: Annotated[UpgradeChannel, one_of(UpgradeChannel)] = "patch"
    """AKS auto-upgrade channel - patch, stable, rapid, node-image or none."""
    node_os_upgrade_channel: Annotated[NodeOsUpgradeChannel, one_of(NodeOsUpgradeChannel)] = (
        "NodeImage"
    )
    """Node OS upgrade channel - NodeImage, SecurityPatch, Unmanaged or None."""
    cluster_sku_tier: Annotated[ClusterSkuTier, one_of(ClusterSkuTier)] = "Standard"
    """AKS tier - Free (no SLA), Standard (uptime SLA) or Premium."""
    system_vm_size: Annotated[str, Rule("must be an Azure VM size like 'Standard_D4ds_v5'")] = (
        "Standard_D4ds_v5"
    )
    """VM size of the system node pool."""
    system_node_count: Annotated[int, Field(ge=1, le=100)] = 3
    """Node count of the system pool, 1-100."""
    availability_zones: Annotated[
        list[Zone], Rule("must be a list of '1', '2', '3' (empty for a regional deployment)")
    ] = ["1", "2", "3"]
    """Availability zones ('1', '2', '3') for the node pools; empty for a regional (non-zonal)
    deployment.
    """
    gpu_pool: Annotated[
        GpuPoolConfig | None,
        Rule("must be an object {enabled, vmSize, minCount, maxCount, zones} or null"),
    ] = GpuPoolConfig()
    """Object describing the autoscaled GPU training pool (mode User, taint
    nvidia.com/gpu=present:NoSchedule, labels workload=training and accelerator=nvidia) -
    enabled (bool), vmSize (string), minCount (int >= 0, may be 0), maxCount (int >= minCount,
    <= 1000), zones (list of '1'/'2'/'3', or null to use availabilityZones). null or enabled
    false means no GPU pool.
    """
    entra_id: Annotated[bool, Rule("must be true or false")] = True
    """Managed Entra ID integration with Azure RBAC for Kubernetes authorization."""
    admin_group_object_ids: Annotated[
        list[str], Rule("must be a list of Entra ID group object ids (GUIDs)")
    ] = []
    """Entra ID group object ids (GUIDs) that get cluster-admin; at least one is required while
    disableLocalAccounts is true.
    """
    disable_local_accounts: Annotated[bool, Rule("must be true or false")] = True
    """Disable the static local (client certificate) accounts; needs entraId."""
    kubelogin_mode: Annotated[KubeloginMode, one_of(KubeloginMode)] = "azurecli"
    """How the deployment's Kubernetes provider gets Entra ID tokens (the kubeconfig's kubelogin
    exec is rewritten to it) - azurecli, workloadidentity, spn or msi. Requires kubelogin on the
    machine running Pulumi.
    """
    user_assigned_identity_id: Annotated[
        str, Rule("must be empty (SystemAssigned) or a userAssignedIdentities resource id")
    ] = ""
    """Resource id of a user-assigned managed identity for the control plane; empty for a
    SystemAssigned identity. A user-assigned identity must already have Network Contributor on
    nodeSubnetId.
    """
    assign_subnet_role: Annotated[bool, Rule("must be true or false")] = True
    """With a SystemAssigned identity, grant it Network Contributor on nodeSubnetId (the deploying
    principal needs permission to create role assignments there).
    """
    max_pods: Annotated[int, Field(ge=MIN_MAX_PODS, le=MAX_MAX_PODS)] = DEFAULT_MAX_PODS
    """Pods per node on every pool, 30-250 (Azure CNI overlay's range; a system pool needs 30).
    podCidr must hold a /24 for every node the pools can reach, one upgrade surge node per pool
    included.
    """
    encryption_at_host: Annotated[bool, Rule("must be true or false")] = True
    """Encrypt each node's temp disk, OS and data disk caches and their flows to storage at the VM
    host, on every pool. Needs the subscription's Microsoft.Compute/EncryptionAtHost feature
    registered once.
    """

    @field_validator("cluster_name")
    @classmethod
    def _cluster_name(cls, value: str) -> str:
        return _pattern(
            CLUSTER_NAME_RE,
            "2-54 lowercase letters, digits and hyphens, starting/ending alphanumeric",
        )(value)

    @field_validator("availability_zones")
    @classmethod
    def _availability_zones(cls, values: list[str]) -> list[str]:
        return _distinct_zones(values)

    @field_validator("kubernetes_version")
    @classmethod
    def _kubernetes_version(cls, value: str) -> str:
        return _pattern(
            K8S_VERSION_RE, "a pinned 'major.minor' or 'major.minor.patch' like '1.36'"
        )(value)

    @field_validator("system_vm_size")
    @classmethod
    def _system_vm_size(cls, value: str) -> str:
        return _pattern(_VM_SIZE_RE, "an Azure VM size like 'Standard_D4ds_v5'")(value)

    @field_validator("admin_group_object_ids")
    @classmethod
    def _admin_groups(cls, values: list[str]) -> list[str]:
        for index, value in enumerate(values):
            _check_item(index, value, _pattern(GUID_RE, "an Entra ID group object id (a GUID)"))
        return values

    @field_validator("user_assigned_identity_id")
    @classmethod
    def _user_assigned_identity_id(cls, value: str) -> str:
        if value and not IDENTITY_ID_RE.fullmatch(value):
            raise ValueError(
                "must be empty (SystemAssigned) or a userAssignedIdentities resource id "
                f"(got {_show(value)})"
            )
        return value


class NetworkConfig(_Model):
    """Cluster network: its address ranges and how the API server is reached."""

    network_policy: Annotated[NetworkPolicy, one_of(NetworkPolicy)] = "cilium"
    """Network policy engine - azure, calico or cilium (cilium also selects the Cilium dataplane).
    The network plugin is always Azure CNI in overlay mode.
    """
    pod_cidr: Annotated[str, Rule(f"must be {_NETWORK_CIDR}")] = DEFAULT_POD_CIDR
    """Azure CNI overlay range the pod IPs come from (IPv4 network CIDR). It must not overlap the
    cluster's virtual network (nodeSubnetCidr), serviceCidr, or networks the pods reach (peered
    VNets, on-premises), nor the ranges AKS reserves (169.254.0.0/16, 172.30.0.0/16,
    172.31.0.0/16, 192.0.2.0/24) or loopback, multicast and link-local space. Changing it
    replaces the cluster.
    """
    service_cidr: Annotated[str, Rule(f"must be {_NETWORK_CIDR}")] = DEFAULT_SERVICE_CIDR
    """Range of Kubernetes Service cluster IPs (IPv4 network CIDR, a /12 to /24). AKS rejects one
    that overlaps the cluster's virtual network or the ranges AKS reserves (as for podCidr); it
    must also not overlap podCidr, peered VNets or on-premises ranges. 10.x VNets are common:
    check this against yours.
    """
    dns_service_ip: Annotated[str, Rule(f"must be {_IPV4_ADDRESS}")] = DEFAULT_DNS_SERVICE_IP
    """Address of the cluster DNS Service: inside serviceCidr, neither its network nor its
    broadcast address, nor the first address after the network address (the kubernetes API
    Service's). By convention the .10 address of the range.
    """
    node_subnet_cidr: Annotated[str, Rule(f"must be empty (not checked) or {_NETWORK_CIDR}")] = ""
    """Address range (IPv4 network CIDR) of nodeSubnetId, or of its VNet's address space. Only the
    operator knows it (the subnet is an existing one, given by id); when set, podCidr and
    serviceCidr are checked not to overlap it before anything is deployed. Empty skips those
    checks.
    """
    private_cluster: Annotated[bool, Rule("must be true or false")] = True
    """Private API server (no public endpoint; Pulumi must run from a network that reaches it).
    When false, authorizedIpRanges is required unless allowUnrestrictedApiServer.
    """
    private_cluster_public_fqdn: Annotated[bool, Rule("must be true or false")] = False
    """Also publish a private API server's name in public DNS. It still resolves to the private
    address, so a runner needs a network path to the cluster's VNet but no link to a private DNS
    zone (docs/delivery.md, "Runner networking"). Only with privateCluster.
    """
    private_dns_zone: Annotated[str, Rule(f"must be {_PRIVATE_DNS_ZONE}")] = "system"
    """Where a private API server's name resolves - system (a zone AKS creates, linked only to the
    cluster's VNet), none (public DNS only; needs privateClusterPublicFqdn) or the resource id
    of a zone you bring, named privatelink.<location>.azmk8s.io or
    <subzone>.privatelink.<location>.azmk8s.io and linked to your runners' VNet. A zone you
    bring needs userAssignedIdentityId, with Private DNS Zone Contributor on the zone and
    Network Contributor on nodeSubnetId granted beforehand. Only with privateCluster.
    """
    authorized_ip_ranges: Annotated[list[str], Rule("must be a list of IPv4 CIDRs")] = []
    """IPv4 CIDRs allowed to reach a public API server; not allowed with privateCluster."""
    allow_unrestricted_api_server: Annotated[bool, Rule("must be true or false")] = False
    """Explicit, insecure opt-out: allow a public API server reachable from the whole internet
    (privateCluster false and no authorizedIpRanges).
    """

    @field_validator("authorized_ip_ranges")
    @classmethod
    def _authorized_ip_ranges(cls, values: list[str]) -> list[str]:
        return [_check_item(index, value, _ipv4_cidr) for index, value in enumerate(values)]

    @field_validator("private_dns_zone")
    @classmethod
    def _private_dns_zone(cls, value: str) -> str:
        if value in PRIVATE_DNS_ZONE_MODES or PRIVATE_DNS_ZONE_ID_RE.match(value):
            return value
        raise ValueError(f"must be {_PRIVATE_DNS_ZONE} (got {_show(value)})")

    @field_validator("pod_cidr", "service_cidr")
    @classmethod
    def _network_ranges(cls, value: str) -> str:
        return _usable_range(_network_cidr(value))

    @field_validator("node_subnet_cidr")
    @classmethod
    def _node_subnet_cidr(cls, value: str) -> str:
        if not value:
            return value
        try:
            _network_cidr(value)
        except ValueError:
            raise ValueError(
                f"must be empty (not checked) or {_NETWORK_CIDR} (got {_show(value)})"
            ) from None
        return _usable_range(value)

    @field_validator("dns_service_ip")
    @classmethod
    def _dns_service_ip(cls, value: str) -> str:
        try:
            ipaddress.IPv4Address(value)
        except ValueError:
            raise ValueError(f"must be {_IPV4_ADDRESS} (got {_show(value)})") from None
        return value


class MonitoringConfig(_Model):
    """Monitoring: Azure Monitor for the cluster."""

    enabled: Annotated[bool, Field(alias="monitoring"), Rule("must be true or false")] = True
    """Azure Monitor for the cluster (components/monitoring.py): a Log Analytics workspace for
    Container Insights logs, an Azure Monitor workspace for managed Prometheus metrics, their
    data collection rules and the cluster's associations with them. Ingestion is billed.
    """
    log_retention_days: Annotated[int, Field(ge=MIN_RETENTION_DAYS, le=MAX_RETENTION_DAYS)] = (
        DEFAULT_RETENTION_DAYS
    )
    """Days the Log Analytics workspace keeps the cluster's logs, 30-730."""


class SmokeConfig(_Model):
    """RWX smoke test."""

    smoke_test: Annotated[
        SmokeTestConfig,
        Rule("must be an object with parallelism, deadlineSeconds and image"),
    ] = SmokeTestConfig()
    """Object configuring the RWX smoke test (components/smoke.py) - an Indexed Job per volume
    whose parallelism pods (2-32, spread over nodes) mount the PVC as the volume's uid/gid, each
    write and fsync a file, then wait until they see every other pod's file, failing after
    deadlineSeconds (10-3600). image (default busybox) needs sh, sync, sleep and date; it must
    be pinned by digest and come from a registry that the stack's policies/config/<stack>.json
    allows (kubernetes-core-podspec-image-allowed allowedRegistries); it sees only the share's
    .rwx-smoke directory. `infra smoke --stack <stack>` runs it with kubectl after the deploys
    of the stacks in [tool.infra] smoke-after-deploy, and removes it; the stack never owns it.
    """


class TrainingConfig(_Model):
    """Training jobs."""

    training_jobs: Annotated[
        list[TrainingJobConfig], Rule("must be a list of training job objects")
    ] = []
    """List of distributed PyTorch training jobs (components/training.py, docs/training.md); each
    is an Indexed Job of `workers` pods on the GPU pool (gpuPool.enabled must be true) plus a
    headless Service, torchrun on every pod with pod 0 as the rendezvous host. Fields - name
    (required; 1-52 lowercase letters, digits, '-', starting with a letter; unique; Job and
    Service name), image (required; pinned by digest, from a registry the stack's
    policies/config/<stack>.json allows), command (required; non-empty list: the script torchrun
    starts and its arguments), mounts (required; non-empty list of {volume: a volumes name,
    mountPath: absolute path, readOnly: bool, default true}; the volumes must share one
    namespace, where the job runs, and one uid/gid, which the pods run as), workers (int 1-64,
    default 2; at most gpuPool.maxCount x the pods a node holds), gpusPerWorker (int 1-8,
    default 1; at most the GPUs of gpuPool.vmSize), imageGiB (the image's unpacked size, int
    1-1024, default 22, NVIDIA's PyTorch image; a GPU node must hold one per GPU, see
    components/node_disks.py), cpu (cores or millicores, default '8'), memory (Mi/Gi/Ti, default
    '32Gi'), shmSize (memory-backed /dev/shm, less than memory, default '8Gi'), env (object of
    strings, e.g. CHECKPOINT_DIR; not HOME or JOB_COMPLETION_INDEX), exampleScript (bool,
    default false; mounts the example DDP script at /opt/training), backoffLimit (int 0-100,
    default 4), activeDeadlineSeconds (int 60-2592000, default 86400), ttlSecondsAfterFinished
    (null to keep the finished Job, the default, or int 0-2592000; a deleted Job is re-created
    by the next refresh and up), team (null, the default, or a teams.members name: the Job is
    created suspended with the team's queue label and Kueue admits it whole; its volumes must be
    in the team's namespace, and workers x gpusPerWorker at most the team's gpus plus what it
    may borrow).
    """
    teams: Annotated[TeamsConfig, Rule("must be an object {allowGpuOvercommit, members}")] = (
        TeamsConfig()
    )
    """Object of ML teams sharing the GPU pool through Kueue (components/teams.py,
    docs/training.md "Teams and queues"; needs gpuPool.enabled). Fields - allowGpuOvercommit
    (bool, default false; the members' gpus may add up to more than the pool holds,
    gpuPool.maxCount x GPUs of gpuPool.vmSize, only when true), members (list of teams, default
    []; each {name: DNS-1123 label, unique, the team's namespace, created here with its
    LocalQueue and ResourceQuota; entraGroupObjectId: GUID of the Entra group granted Azure
    Kubernetes Service RBAC Writer on that namespace; gpus: int 0-8000, the nominal GPU quota of
    its ClusterQueue in the pool's cohort; cpu: cores like '96'; memory: Mi/Gi/Ti like '880Gi';
    borrowingLimitGpus: null (any unused GPU) or int, what it may borrow; lendingLimitGpus: null
    (all) or int at most gpus, what others may borrow of its unused quota; sharedVolumes: list
    of volumes of other namespaces, default [], each given a read-only claim of the same name in
    the team's namespace, which the team's jobs mount with readOnly: true}). The volumes in a
    team's namespace are its own, read-write; they set createNamespace: false.
    """


class StackConfig(_Model):
    """All config keys of the project namespace, one sub-model per component.

    The stack files keep their keys flat (``storageAccountName``, ``gpuPool``, ...) as users
    and ``pulumi config set`` write them: renaming them into nested objects would break every
    stack file and script. :func:`_grouped` files each flat key under the sub-model that
    declares it, so the program hands each component its own validated part.
    """

    placement: PlacementConfig
    storage: StorageConfig
    cluster: ClusterConfig
    network: NetworkConfig
    monitoring: MonitoringConfig
    smoke: SmokeConfig
    training: TrainingConfig


class _ItemError(ValueError):
    """A list item failed; carries its index so the message can point at ``key[index]``."""

    def __init__(self, index: int, message: str) -> None:
        super().__init__(message)
        self.index = index


def _check_item(index: int, value: str, check: Callable[[str], str]) -> str:
    try:
        return check(value)
    except ValueError as error:
        raise _ItemError(index, str(error)) from None


def _subnet_id(value: str) -> str:
    if not SUBNET_ID_RE.fullmatch(value):
        raise ValueError(
            "must be a subnet resource id '/subscriptions/<guid>/resourceGroups/<rg>/providers/"
            f"Microsoft.Network/virtualNetworks/<vnet>/subnets/<subnet>' (got {_show(value)})"
        )
    return value


def _ipv4_cidr(value: str) -> str:
    try:
        return str(ipaddress.IPv4Network(value, strict=True))
    except ValueError:
        raise ValueError(
            f"must be an IPv4 address or CIDR like '203.0.113.0/24' (got {_show(value)})"
        ) from None


def _network_cidr(value: str) -> str:
    """A network range in CIDR form, as given (``10.0.0.0/16``, not a bare address)."""
    try:
        network = ipaddress.IPv4Network(value, strict=True)
    except ValueError:
        network = None
    if network is None or "/" not in value:
        raise ValueError(f"must be {_NETWORK_CIDR} (got {_show(value)})")
    return value


# "AKS clusters can't use 169.254.0.0/16, 172.30.0.0/16, 172.31.0.0/16, or 192.0.2.0/24 for the
# Kubernetes service address range, pod address range, or cluster virtual network address
# range" (https://learn.microsoft.com/azure/aks/concepts-network-legacy-cni#prerequisites and
# azure-cni-overview, read 2026-12-06).
AKS_RESERVED_RANGES = tuple(
    ipaddress.IPv4Network(n)
    for n in ("169.254.0.0/16", "172.30.0.0/16", "172.31.0.0/16", "192.0.2.0/24")
)


def _usable_range(value: str) -> str:
    """A range a cluster can route: not one AKS reserves, and not in loopback, multicast,
    link-local, reserved (240.0.0.0/4) or unspecified space (the ipaddress module's
    classification of IANA's special-purpose registry)."""
    network = ipaddress.IPv4Network(value)
    for space, special in (
        ("loopback", network.is_loopback),
        ("multicast", network.is_multicast),
        ("link-local", network.is_link_local),
        ("reserved", network.is_reserved),
        ("unspecified", network.network_address.is_unspecified),
    ):
        if special:
            raise ValueError(
                f"is in {space} address space, which no pod or Service can use "
                f"(got {_show(value)}); choose a private range like '10.244.0.0/16'"
            )
    for reserved in AKS_RESERVED_RANGES:
        if network.overlaps(reserved):
            raise ValueError(
                f"overlaps {reserved}, which AKS reserves (it cannot be used for the service, "
                f"pod or virtual network range) (got {_show(value)}); choose another range"
            )
    return value


def _storage_ip_rule(value: str) -> str:
    """Storage firewall IP rules: public IPv4 only; /31 and /32 must be written as addresses."""
    try:
        network = ipaddress.IPv4Network(value, strict=True)
    except ValueError:
        raise ValueError(
            f"must be a public IPv4 address or CIDR like '203.0.113.0/24' (got {_show(value)})"
        ) from None
    if any(network.subnet_of(private) for private in _RFC1918):
        raise ValueError(
            "must be a public IPv4 address or CIDR; the storage firewall ignores private "
            f"RFC 1918 ranges, allow the subnet instead (got {_show(value)})"
        )
    if network.prefixlen == 32:
        return str(network.network_address)
    if network.prefixlen == 31:
        raise ValueError(
            "must not be a /31 (the storage firewall rejects it); list both addresses "
            f"(got {_show(value)})"
        )
    return str(network)


@dataclass(frozen=True)
class ResolvedVolume:
    """A volume with its share decided by the billing model (size, IOPS, throughput)."""

    config: VolumeConfig
    quota_gib: int
    performance: SharePerformance
    creates_namespace: bool


@dataclass(frozen=True)
class LoadedConfig:
    """Validated config plus what the program derives from it."""

    project: str
    stack: str
    values: StackConfig
    tags: dict[str, str]
    volumes: list[ResolvedVolume]
    secrets: Secrets = NO_SECRETS

    @property
    def storage_subnet_ids(self) -> list[str]:
        """Subnets allowed through the storage firewall: the node subnet first, then extras."""
        ids = [self.values.placement.node_subnet_id]
        for subnet_id in self.values.storage.allowed_subnet_ids:
            if subnet_id.lower() not in {known.lower() for known in ids}:
                ids.append(subnet_id)
        return ids


def _project_root() -> Path:
    for candidate in (STACKS_DIR, *STACKS_DIR.parents):
        if (candidate / PROJECT_FILE).is_file():
            return candidate
    return STACKS_DIR


def stack_file(stack: str) -> str:
    """The stack's config file relative to the project root (where Pulumi.yaml lives)."""
    return (STACKS_DIR / f"Pulumi.{stack}.yaml").relative_to(_project_root()).as_posix()


_YAML_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def _config_block(path: Path, project: str) -> dict[str, Any]:
    """``ns:key -> entry`` of ``path``'s ``config:`` block; empty when the file does not
    read (the CLI read it before the program ran and reports its problems itself)."""
    try:
        # libyaml's loader where the wheel has it: ~10x faster than the pure-Python one on
        # Pulumi.yaml, read for each stack, and the CLI has vetted the file (duplicate keys,
        # depth, size) before the program runs.
        doc = yaml.load(path.read_text(encoding="utf-8"), Loader=_YAML_LOADER)
    except (OSError, ValueError, yaml.YAMLError):
        return {}
    config = doc.get("config") if isinstance(doc, dict) else None
    if not isinstance(config, dict):
        return {}
    return {
        key if ":" in key else f"{project}:{key}": entry
        for key, entry in config.items()
        if isinstance(key, str)
    }


def _default_of(declaration: Any) -> Any:
    if isinstance(declaration, dict):
        return declaration.get("value", declaration.get("default"))
    return declaration


def _is_default(raw: str | None, declaration: Any) -> bool:
    """Whether ``raw`` (as the CLI hands it over) is the default ``declaration`` gives."""
    default = _default_of(declaration)
    if raw is None or default is None:
        return False
    if isinstance(default, str):
        return raw == default
    try:
        return bool(json.loads(raw) == default)
    except ValueError:
        return False


def _file_holding(project: str, stack: str, values: dict[str, str | None]) -> str:
    """The file to fix for ``values`` (``ns:key -> raw``, the keys an error involves):
    Pulumi.yaml when every one is its default there and the stack file sets none of them,
    else the stack file (which also is where a missing key belongs)."""
    root, stack_path = _project_root(), stack_file(stack)
    in_stack = _config_block(root / stack_path, project)
    defaults = _config_block(root / PROJECT_FILE, project)
    primary = next(iter(values))
    if primary not in in_stack and _default_of(defaults.get(primary)) in (None, "", [], {}):
        # The key an error is about is simply missing (its default is empty): it belongs in
        # the stack file, even when the defaults of the keys it conflicts with are to blame.
        return stack_path
    if all(
        key not in in_stack and _is_default(raw, defaults.get(key)) for key, raw in values.items()
    ):
        return PROJECT_FILE
    return stack_path


def _run_error(
    project: str, stack: str, error: ConfigError, raw: dict[str, str]
) -> pulumi.RunError:
    namespace = error.namespace or project
    keys = [re.split(r"[.\[]", error.path, maxsplit=1)[0], *error.related]
    where = _file_holding(project, stack, {f"{namespace}:{key}": raw.get(key) for key in keys})
    return pulumi.RunError(f"{where}: config key '{namespace}:{error.path}' {error.message}")


def _raw_config(project: str) -> tuple[dict[str, str], frozenset[str]]:
    """``key -> raw string`` for every config key set in the project's namespace, and the
    keys the stack marks secure (the language host passes them in PULUMI_CONFIG_SECRET_KEYS).
    A key in a namespace that is a near miss of the project's is a typo the CLI would
    silently ignore."""
    merged: dict[str, Any] = {}
    merged.update(runtime_config.get_config_env())
    merged.update(runtime_config.CONFIG.get())
    secret_env = set(runtime_config.get_config_secret_keys_env())
    raw: dict[str, str] = {}
    secret_keys: set[str] = set()
    for full_key in sorted(merged):
        namespace, _, key = full_key.partition(":")
        if namespace != project:
            if difflib.get_close_matches(
                namespace.lower(), [project.lower()], n=1, cutoff=NAMESPACE_TYPO_CUTOFF
            ):
                raise ConfigError(
                    key,
                    f"is not in the project's namespace '{project}'; did you mean "
                    f"'{project}:{key}'?",
                    namespace=namespace,
                )
            continue
        value = runtime_config.get_config(full_key)
        raw[key] = value if value is not None else str(merged[full_key])
        if full_key in secret_env or runtime_config.is_config_secret(full_key):
            secret_keys.add(key)
    return raw, frozenset(secret_keys)


def _with_secret(secrets: Secrets, key: str, value: Any) -> Secrets:
    """``secrets`` plus the strings within the secure ``value`` of ``key``. Only text can stay
    secret: a flag or number decides resource options and sizes, which are never encrypted."""
    texts = set()
    for item in scalars(value):
        if not isinstance(item, str):
            what = (
                "true/false" if isinstance(item, bool) else "null" if item is None else "a number"
            )
            raise ConfigError(
                key,
                f"is secure, but only text can stay secret and this value holds {what}; set it "
                "in plain text",
            )
        texts.add(item)
    texts.discard("")
    if KEY_KINDS.get(key) == "object":
        return Secrets(secrets.texts, secrets.words | texts)
    return Secrets(secrets.texts | texts, secrets.words)


def _decode(key: str, kind: str, raw: str) -> Any:
    if kind == "string":
        return raw
    if kind == "integer":
        if re.fullmatch(r"-?\d+", raw.strip()):
            return int(raw)
        return raw  # strict validation reports it with the field's rule
    if kind == "boolean":
        if raw in ("true", "false"):
            return raw == "true"
        return raw
    try:
        return json.loads(raw)
    except json.JSONDecodeError:
        what = "a list" if kind == "array" else "an object"
        raise ConfigError(key, f"must be {what} (got {_show(raw)})") from None


def _format_loc(loc: tuple[Any, ...]) -> str:
    """``key.sub[0].field`` of a pydantic location; a location in StackConfig starts with the
    sub-model's name, which no stack file writes."""
    if loc and loc[0] in StackConfig.model_fields:
        loc = loc[1:]
    path = ""
    for part in loc:
        if isinstance(part, int):
            path += f"[{part}]"
        else:
            path += ("." if path else "") + str(part)
    return path


def _model_in(annotation: Any) -> type[BaseModel] | None:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    for arg in get_args(annotation):
        found = _model_in(arg)
        if found is not None:
            return found
    return None


def _fields_by_alias(model: type[BaseModel]) -> dict[str, FieldInfo]:
    return {(info.alias or to_camel(name)): info for name, info in model.model_fields.items()}


def _kind_of(annotation: Any) -> str:
    """How Pulumi hands a key of this type to the program: "string" values verbatim, the
    others as their JSON text."""
    if get_origin(annotation) in (Union, UnionType):  # X | None: the kind of X
        annotation = next(arg for arg in get_args(annotation) if arg is not type(None))
    declared = get_origin(annotation) or annotation
    if declared is bool:
        return "boolean"
    if declared is int:
        return "integer"
    if declared is list:
        return "array"
    if declared is dict or (isinstance(declared, type) and issubclass(declared, BaseModel)):
        return "object"
    return "string"  # str, a Literal of strings or a StrEnum


def _declared_keys() -> dict[str, tuple[str, FieldInfo]]:
    """Stack-file key -> (the StackConfig sub-model holding it, its field), in declaration
    order."""
    keys: dict[str, tuple[str, FieldInfo]] = {}
    for group, holder in StackConfig.model_fields.items():
        model = _model_in(holder.annotation)
        assert model is not None, group
        for alias, info in _fields_by_alias(model).items():
            assert alias not in keys, f"{alias} is declared twice"
            keys[alias] = (group, info)
    return keys


# Stack-file key -> its sub-model and field; the source of truth for "is this a known key".
DECLARED_KEYS = _declared_keys()
# Stack-file key -> how Pulumi hands it to the program (see _kind_of).
KEY_KINDS: dict[str, str] = {
    key: _kind_of(info.annotation) for key, (_, info) in DECLARED_KEYS.items()
}


def _lookup(loc: tuple[Any, ...]) -> tuple[type[BaseModel] | None, FieldInfo | None]:
    """The model holding the last named element of ``loc`` and that field's info."""
    model: type[BaseModel] | None = StackConfig
    holder: type[BaseModel] | None = None
    info: FieldInfo | None = None
    for part in loc:
        if isinstance(part, int) or model is None:
            continue
        holder = model
        info = _fields_by_alias(model).get(str(part))
        model = _model_in(info.annotation) if info is not None else None
    return holder, info


def _rule_of(info: FieldInfo | None) -> str | None:
    """What the field must be: its Rule, or for an integer its Field bounds (declared once)."""
    if info is None:
        return None
    for item in info.metadata:
        if isinstance(item, Rule):
            return item.text
    low = next((m.ge for m in info.metadata if isinstance(m, annotated_types.Ge)), None)
    high = next((m.le for m in info.metadata if isinstance(m, annotated_types.Le)), None)
    if low is not None and high is not None:
        return f"must be an integer between {low} and {high}"
    return None


def _translate(error: Any) -> ConfigError:
    """One pydantic error -> ConfigError with our wording."""
    loc = tuple(error["loc"])
    kind = error["type"]
    ctx = error.get("ctx") or {}
    holder, info = _lookup(loc)
    if kind == "extra_forbidden":
        known = list(_fields_by_alias(holder)) if holder is not None else []
        close = difflib.get_close_matches(str(loc[-1]), known, n=1, cutoff=0.6)
        hint = f"did you mean '{close[0]}'?" if close else "allowed keys are " + ", ".join(known)
        return ConfigError(_format_loc(loc), f"is not a known key; {hint}")
    item_error = ctx.get("error")
    if isinstance(item_error, _ItemError):
        return ConfigError(_format_loc((*loc, item_error.index)), str(item_error))
    if kind == "value_error" and item_error is not None:
        return ConfigError(_format_loc(loc), str(item_error))
    rule = _rule_of(info) or error["msg"]
    if kind == "missing":
        return ConfigError(_format_loc(loc), f"is missing; it is required and {rule}")
    return ConfigError(_format_loc(loc), f"{rule} (got {_show(error.get('input'))})")


def _grouped(data: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """The flat stack-file keys of ``data`` filed under the sub-model that declares each."""
    groups: dict[str, dict[str, Any]] = {group: {} for group in StackConfig.model_fields}
    for key, value in data.items():
        groups[DECLARED_KEYS[key][0]][key] = value
    return groups


def _validate_model(data: dict[str, Any]) -> StackConfig:
    try:
        return StackConfig.model_validate(_grouped(data))
    except ValidationError as errors:
        raise _translate(errors.errors()[0]) from None


def _check_unique_names(items: Sequence[Any], key: str, what: str) -> None:
    """The first entry of the list ``key`` whose ``name`` an earlier entry already has."""
    first: dict[str, int] = {}
    for index, item in enumerate(items):
        if item.name in first:
            raise ConfigError(
                f"{key}[{index}].name",
                f"duplicates {key}[{first[item.name]}].name ({_show(item.name)}); "
                f"{what} names must be unique",
            )
        first[item.name] = index


def _check_private_dns(cfg: StackConfig) -> None:
    """How a private API server's name resolves (AKS private-clusters docs, "Configure a
    private DNS zone")."""
    location = cfg.placement.location
    for key, value, default in (
        ("privateClusterPublicFqdn", cfg.network.private_cluster_public_fqdn, False),
        ("privateDnsZone", cfg.network.private_dns_zone, "system"),
    ):
        if not cfg.network.private_cluster and value != default:
            raise ConfigError(
                key,
                "only applies to a private API server but privateCluster is false; remove it "
                "or set privateCluster: true",
                related=("privateCluster",),
            )
    if cfg.network.private_dns_zone == "none" and not cfg.network.private_cluster_public_fqdn:
        raise ConfigError(
            "privateDnsZone",
            "is 'none' (no private zone) but privateClusterPublicFqdn is false, which AKS does "
            "not support: nothing would resolve the API server; set privateClusterPublicFqdn: "
            "true or use 'system' or a zone id",
            related=("privateClusterPublicFqdn",),
        )
    match = PRIVATE_DNS_ZONE_ID_RE.match(cfg.network.private_dns_zone)
    if match is None:
        return
    if match["region"].lower() != location.lower():
        raise ConfigError(
            "privateDnsZone",
            f"is a zone for region {_show(match['region'])} but location is "
            f"{_show(location)}; bring a privatelink.{location}.azmk8s.io zone",
            related=("location",),
        )
    if not cfg.cluster.user_assigned_identity_id:
        raise ConfigError(
            "privateDnsZone",
            "is a zone you bring, which AKS supports only with a user-assigned control-plane "
            "identity: set userAssignedIdentityId (it needs Private DNS Zone Contributor on "
            "the zone and Network Contributor on nodeSubnetId)",
            related=("userAssignedIdentityId",),
        )


def _cross_checks(cfg: StackConfig, stack: str) -> tuple[dict[str, str], list[ResolvedVolume]]:
    location = cfg.placement.location
    model = cfg.storage.file_billing_model
    if cfg.storage.file_protocol == "nfs" and not model.allows_nfs:
        raise ConfigError(
            "fileProtocol",
            f"is 'nfs', which Azure Files offers on SSD only (fileBillingModel is "
            f"{_show(str(model))}); use 'smb' or an -ssd fileBillingModel",
            related=("fileBillingModel",),
        )
    if cfg.storage.storage_redundancy not in model.redundancies:
        raise ConfigError(
            "storageRedundancy",
            f"is {_show(cfg.storage.storage_redundancy)}, which Azure Files offers on HDD only "
            f"(fileBillingModel is {_show(str(model))}); use "
            f"{' or '.join(model.redundancies)}, or an -hdd fileBillingModel",
            related=("fileBillingModel",),
        )
    if location not in regions_offering(model, cfg.storage.storage_redundancy):
        raise ConfigError(
            "fileBillingModel",
            f"is {_show(str(model))}, whose {cfg.storage.storage_redundancy} shares "
            f"({account_sku(model, cfg.storage.storage_redundancy)}) are not offered in location "
            f"{_show(location)}; choose another model, storageRedundancy or location (the "
            "list is azure_facts/files.py)",
            related=("storageRedundancy", "location"),
        )
    gpu = cfg.cluster.gpu_pool
    if gpu is not None and gpu.enabled and gpu.min_count > gpu.max_count:
        raise ConfigError(
            "gpuPool.minCount",
            f"must not exceed gpuPool.maxCount (got {gpu.min_count} > {gpu.max_count}); "
            "lower minCount or raise maxCount",
        )
    if gpu is not None and gpu.enabled:
        _gpu_vm(gpu.vm_size)
    if cfg.network.private_cluster and cfg.network.authorized_ip_ranges:
        raise ConfigError(
            "authorizedIpRanges",
            "only applies to a public API server but privateCluster is true; remove it or set "
            "privateCluster: false",
            related=("privateCluster",),
        )
    _check_private_dns(cfg)
    if (
        not cfg.network.private_cluster
        and not cfg.network.authorized_ip_ranges
        and not cfg.network.allow_unrestricted_api_server
    ):
        raise ConfigError(
            "privateCluster",
            "is false and authorizedIpRanges is empty, which opens the API server to the "
            "internet; set privateCluster: true, list authorizedIpRanges, or opt out with "
            "allowUnrestrictedApiServer: true",
            related=("authorizedIpRanges", "allowUnrestrictedApiServer"),
        )
    if cfg.cluster.disable_local_accounts and not cfg.cluster.entra_id:
        raise ConfigError(
            "disableLocalAccounts",
            "is true but entraId is false, so nobody could sign in; set entraId: true or "
            "disableLocalAccounts: false",
            related=("entraId",),
        )
    if (
        cfg.cluster.entra_id
        and cfg.cluster.disable_local_accounts
        and not cfg.cluster.admin_group_object_ids
    ):
        raise ConfigError(
            "adminGroupObjectIds",
            "must list at least one Entra ID group object id when local accounts are disabled; "
            "add the cluster admins' group",
            related=("entraId", "disableLocalAccounts"),
        )

    tags = dict(cfg.placement.tags)
    if ENVIRONMENT_TAG in tags:
        raise ConfigError(
            f"tags.{ENVIRONMENT_TAG}",
            f"is set by the program from the stack name ('{stack}'); remove it",
        )
    for required in REQUIRED_TAGS:
        if not tags.get(required):
            raise ConfigError(
                "tags", f"must contain a non-empty '{required}' tag; allowed: any extra tags too"
            )
    tags[ENVIRONMENT_TAG] = stack

    volumes: list[ResolvedVolume] = []
    _check_unique_names(cfg.storage.volumes, "volumes", "volume")
    namespace_owner: dict[str, int] = {}
    for index, volume in enumerate(cfg.storage.volumes):
        path = f"volumes[{index}]"
        if volume.create_namespace:
            if volume.namespace in namespace_owner:
                raise ConfigError(
                    f"{path}.createNamespace",
                    f"is true but namespace {_show(volume.namespace)} is already created by "
                    f"volumes[{namespace_owner[volume.namespace]}]; set createNamespace: false",
                )
            namespace_owner[volume.namespace] = index
        if cfg.storage.file_protocol == "nfs":
            for alias in ("uid", "gid", "dirMode", "fileMode"):
                if to_snake(alias) in volume.model_fields_set:
                    raise ConfigError(
                        f"{path}.{alias}",
                        "only applies to SMB volumes (fileProtocol is 'nfs'); remove it",
                        related=("fileProtocol",),
                    )
        share = _resolve_share(path, volume, model)
        volumes.append(
            ResolvedVolume(
                config=volume,
                quota_gib=share.quota_gib,
                performance=share,
                creates_namespace=volume.create_namespace,
            )
        )
    try:
        check_account_totals(model, [volume.performance for volume in volumes])
    except SizingError as error:
        raise ConfigError(
            "volumes",
            f"{error} (one storage account holds every volume)",
            related=("fileBillingModel",),
        ) from None
    _check_teams(cfg)
    _check_training_jobs(cfg)
    _check_private_storage(cfg)
    _check_backup(cfg)
    return tags, volumes


def _check_private_storage(cfg: StackConfig) -> None:
    """With the private endpoint the account's public endpoint is off, and with it the
    firewall rules that would admit other subnets or addresses."""
    if not cfg.storage.storage_private_endpoint:
        return
    for key in ("allowedSubnetIds", "allowedIpRanges"):
        if getattr(cfg.storage, to_snake(key)):
            raise ConfigError(
                key,
                "only applies to the storage account's public endpoint, which "
                "storagePrivateEndpoint: true disables; remove it, or set "
                "storagePrivateEndpoint: false to keep the public endpoint behind the firewall",
                related=("storagePrivateEndpoint",),
            )


def _check_backup(cfg: StackConfig) -> None:
    """What the backup fields cannot say alone: Azure Backup has no NFS support, and a share
    keeps at most 200 snapshots (components/backup.py)."""
    if not cfg.storage.backup.enabled:
        return
    if cfg.storage.file_protocol == "nfs":
        raise ConfigError(
            "backup.enabled",
            "is true but fileProtocol is 'nfs', which Azure Backup does not support; set "
            "backup.enabled: false or use 'smb'",
            related=("fileProtocol",),
        )
    backup = cfg.storage.backup
    retention = backup.retention
    total = retention.daily_days + retention.weekly_weeks + retention.monthly_months
    if total > MAX_SNAPSHOTS_PER_SHARE:
        raise ConfigError(
            "backup",
            f"keeps up to {total} snapshots per share (dailyRetentionDays + weeklyRetentionWeeks "
            f"+ monthlyRetentionMonths); Azure Files keeps at most {MAX_SNAPSHOTS_PER_SHARE}: "
            "lower one of them",
        )


# The service range's size. Largest: the kube-apiserver refuses an IPv4
# --service-cluster-ip-range wider than a /12 (kubernetes cmd/kube-apiserver/app/options/
# validation.go, "the mask must be >= 12"). Smallest: Kubernetes needs 8 addresses (a /29,
# ServiceIPRange in pkg/controlplane: "must be at least 8 IP addresses"); the /24 here is this
# repository's choice above that floor: it holds the kubernetes and DNS Services, AKS's
# add-ons' and the training Jobs' headless Services with room to grow.
LARGEST_SERVICE_PREFIX, SMALLEST_SERVICE_PREFIX = 12, 24


def _check_network_ranges(cfg: StackConfig) -> None:
    """The cluster's address ranges, pairwise disjoint, and the DNS Service address
    (https://learn.microsoft.com/azure/aks/azure-cni-overlay): the pod range must not overlap
    the virtual network, the service range neither the virtual network nor the pod range, and
    dnsServiceIp lies in the service range but is not its first address (Kubernetes gives that
    one to the kubernetes API Service). nodeSubnetCidr is only known to the operator (the node
    subnet is an existing one, given by id): without it those two checks are skipped."""
    net = cfg.network
    pod = ipaddress.IPv4Network(net.pod_cidr)
    service = ipaddress.IPv4Network(net.service_cidr)
    if not LARGEST_SERVICE_PREFIX <= service.prefixlen <= SMALLEST_SERVICE_PREFIX:
        raise ConfigError(
            "serviceCidr",
            f"is a /{service.prefixlen} (got {_show(net.service_cidr)}); it must be a "
            f"/{LARGEST_SERVICE_PREFIX} to /{SMALLEST_SERVICE_PREFIX}: Kubernetes refuses a "
            f"larger IPv4 service range, and a smaller one leaves too few Service addresses",
        )
    if service.overlaps(pod):
        raise ConfigError(
            "serviceCidr",
            f"overlaps podCidr ({_show(net.pod_cidr)}) (got {_show(net.service_cidr)}); Service "
            "and pod addresses must not collide: choose ranges that do not overlap",
            related=("podCidr",),
        )
    if net.node_subnet_cidr:
        node = ipaddress.IPv4Network(net.node_subnet_cidr)
        if pod.overlaps(node):
            raise ConfigError(
                "podCidr",
                f"overlaps nodeSubnetCidr ({_show(net.node_subnet_cidr)}) (got "
                f"{_show(net.pod_cidr)}); with Azure CNI overlay the pod range must lie outside "
                "the virtual network: choose ranges that do not overlap",
                related=("nodeSubnetCidr",),
            )
        if service.overlaps(node):
            raise ConfigError(
                "serviceCidr",
                f"overlaps nodeSubnetCidr ({_show(net.node_subnet_cidr)}) (got "
                f"{_show(net.service_cidr)}); AKS rejects a service range inside the cluster's "
                "virtual network: choose ranges that do not overlap",
                related=("nodeSubnetCidr",),
            )
    pools = {"systemNodeCount": cfg.cluster.system_node_count}
    if cfg.cluster.gpu_pool is not None and cfg.cluster.gpu_pool.enabled:
        pools["gpuPool.maxCount"] = cfg.cluster.gpu_pool.max_count
    capacity, peak = (
        pod_cidr_node_capacity(net.pod_cidr),
        peak_node_count(list(pools.values())),
    )
    if peak > capacity:
        counted = " + ".join(f"{key} {count}" for key, count in pools.items())
        raise ConfigError(
            "podCidr",
            f"holds a /24 for {capacity} nodes (Azure CNI overlay gives each node one) but the "
            f"pools can reach {peak} ({counted} + {UPGRADE_SURGE_NODES} upgrade surge node per "
            f"pool) (got {_show(net.pod_cidr)}); choose a larger range or fewer nodes",
            related=tuple(key.split(".")[0] for key in pools),
        )
    dns = ipaddress.IPv4Address(net.dns_service_ip)
    if dns not in service:
        raise ConfigError(
            "dnsServiceIp",
            f"must be inside serviceCidr ({_show(net.service_cidr)}) (got "
            f"{_show(net.dns_service_ip)}); pick an address of that range other than its first",
            related=("serviceCidr",),
        )
    # Kubernetes allocates neither the network nor the broadcast address of an IPv4 service
    # range, and gives the one after the network address to the kubernetes API Service
    # (ServiceIPRange in kubernetes pkg/controlplane: GetIndexedIP(serviceClusterIPRange, 1)).
    for taken, why in (
        (service.network_address, "its network address, which Kubernetes never allocates"),
        (service.broadcast_address, "its broadcast address, which Kubernetes never allocates"),
        (
            service.network_address + 1,
            "its first address, which Kubernetes gives to the kubernetes API Service",
        ),
    ):
        if dns == taken:
            raise ConfigError(
                "dnsServiceIp",
                f"must not be {why} (serviceCidr {_show(net.service_cidr)}) (got "
                f"{_show(net.dns_service_ip)}); pick another address of that range",
                related=("serviceCidr",),
            )


def _gpu_sizes() -> str:
    return ", ".join(
        f"{name} ({size.gpus} GPU)" for name, size in VM_SIZES.items() if size.gpus > 0
    )


def _gpu_vm(size: str) -> VmSize:
    """The GPU pool's size in the pinned table (azure_facts/vm_sizes.py)."""
    known = vm_size(size)
    if known is None or known.gpus == 0:
        what = "has no GPU" if known is not None else "is not a GPU size this repository knows"
        raise ConfigError(
            "gpuPool.vmSize",
            f"{_show(size)} {what} (azure_facts/vm_sizes.py VM_SIZES, read "
            f"{VM_SIZES_READ.isoformat()}); use one of (case-insensitive): {_gpu_sizes()}",
        )
    return known


def _millicores(cpu: str) -> int:
    """Millicores of a quantity matching CPU_RE ('8' or '500m')."""
    return int(cpu[:-1]) if cpu.endswith("m") else int(cpu) * 1000


def _check_gpu_fit(cfg: StackConfig, index: int, job: TrainingJobConfig) -> None:
    """A job's pods fit the GPU pool: GPUs per pod, pods in the pool, its image on a node."""
    gpu = cfg.cluster.gpu_pool
    assert gpu is not None
    path = f"trainingJobs[{index}]"
    vm = _gpu_vm(gpu.vm_size)
    gpus = vm.gpus
    # A pod's requests must fit one node; the node's allocatable share is smaller still (AKS
    # reserves some for the kubelet and system daemons), so this bound is the loosest true one.
    if _millicores(job.cpu) > vm.vcpus * 1000:
        raise ConfigError(
            f"{path}.cpu",
            f"asks for {_show(job.cpu)} CPU per pod but a {gpu.vm_size} node has {vm.vcpus} "
            "vCPUs (azure_facts/vm_sizes.py VM_SIZES); the pods would never be scheduled: "
            "lower it or choose a larger gpuPool.vmSize",
            related=("gpuPool.vmSize",),
        )
    if memory_bytes(job.memory) > vm.memory_gib * 2**30:
        raise ConfigError(
            f"{path}.memory",
            f"asks for {_show(job.memory)} per pod but a {gpu.vm_size} node has "
            f"{vm.memory_gib} GiB (azure_facts/vm_sizes.py VM_SIZES); the pods would never be "
            "scheduled: lower it or choose a larger gpuPool.vmSize",
            related=("gpuPool.vmSize",),
        )
    if job.gpus_per_worker > gpus:
        raise ConfigError(
            f"{path}.gpusPerWorker",
            f"asks for {job.gpus_per_worker} GPUs per pod but a {gpu.vm_size} node has {gpus}; "
            "the pods would never be scheduled: lower it or choose a larger gpuPool.vmSize",
            related=("gpuPool.vmSize",),
        )
    capacity = gpu.max_count * (gpus // job.gpus_per_worker)
    if job.workers > capacity:
        raise ConfigError(
            f"{path}.workers",
            f"is {job.workers} but the GPU pool holds at most {capacity} such pods "
            f"(gpuPool.maxCount {gpu.max_count} x {gpus // job.gpus_per_worker} per "
            f"{gpu.vm_size} node); the rest would stay Pending: lower it or raise "
            "gpuPool.maxCount",
            related=("gpuPool.maxCount",),
        )
    disk = os_disk_for(gpu.vm_size, TRAINING_IMAGE_GIB)
    room, needed = (
        image_storage_gib(disk.size_gb),
        training_image_footprint_gib(job.image_gib, gpus),
    )
    if needed > room:
        raise ConfigError(
            f"{path}.imageGiB",
            f"is {job.image_gib}: {gpus} such image(s) per node, unpacked and compressed, need "
            f"{needed} GiB but a {gpu.vm_size} node's {disk.size_gb} GiB OS disk leaves {room} "
            "GiB for images (components/node_disks.py); use a smaller image",
        )


def pool_gpus(cfg: StackConfig) -> int:
    """GPUs the GPU pool can ever hold: gpuPool.maxCount x the GPUs of its VM size (the pinned
    table of azure_facts/vm_sizes.py); 0 without a pool."""
    gpu = cfg.cluster.gpu_pool
    if gpu is None or not gpu.enabled:
        return 0
    return gpu.max_count * _gpu_vm(gpu.vm_size).gpus


def _check_teams(cfg: StackConfig) -> None:
    """Teams need the GPU pool, own their namespaces, and their nominal GPU quotas fit the
    pool unless overcommit is explicit."""
    teams = cfg.training.teams.members
    if not teams:
        return
    if cfg.cluster.gpu_pool is None or not cfg.cluster.gpu_pool.enabled:
        raise ConfigError(
            "teams.members",
            "needs the GPU pool: each team's queue hands out its GPUs; set gpuPool.enabled: "
            "true or remove the teams",
            related=("gpuPool",),
        )
    _check_unique_names(teams, "teams.members", "team")
    names = {team.name for team in teams}
    for index, volume in enumerate(cfg.storage.volumes):
        if volume.namespace in names and volume.create_namespace:
            raise ConfigError(
                f"volumes[{index}].createNamespace",
                f"is true but namespace {_show(volume.namespace)} is a team's, which "
                "teams.members creates (with its team label); set createNamespace: false",
                related=("teams",),
            )
    volumes = {volume.name: volume for volume in cfg.storage.volumes}
    for index, team in enumerate(teams):
        for number, shared in enumerate(team.shared_volumes):
            where = f"teams.members[{index}].sharedVolumes[{number}]"
            found = volumes.get(shared)
            if found is None:
                raise ConfigError(
                    where,
                    f"names no entry of volumes (got {_show(shared)}); known volumes: "
                    + ", ".join(volumes),
                    related=("volumes",),
                )
            if found.namespace == team.name:
                raise ConfigError(
                    where,
                    f"is {_show(shared)}, already in the team's namespace {_show(team.name)}; "
                    "sharedVolumes lists other namespaces' volumes: remove it",
                )
    pool = pool_gpus(cfg)
    for index, team in enumerate(teams):
        if team.lending_limit_gpus is not None and team.lending_limit_gpus > team.gpus:
            raise ConfigError(
                f"teams.members[{index}].lendingLimitGpus",
                f"is {team.lending_limit_gpus} but the team's quota is {team.gpus} GPUs; a "
                "team lends only what it has: lower it to at most gpus",
            )
    total = sum(team.gpus for team in teams)
    if total > pool and not cfg.training.teams.allow_gpu_overcommit:
        quotas = " + ".join(f"{team.name} {team.gpus}" for team in teams)
        raise ConfigError(
            "teams.members",
            f"give {total} GPUs of nominal quota ({quotas}) but the GPU pool holds at most "
            f"{pool} (gpuPool.maxCount {cfg.cluster.gpu_pool.max_count} x GPUs of "
            f"{cfg.cluster.gpu_pool.vm_size}); lower the quotas, raise gpuPool.maxCount, or set "
            "teams.allowGpuOvercommit: true to queue beyond the pool knowingly",
            related=("gpuPool",),
        )


def mount_namespace(cfg: StackConfig, job: TrainingJobConfig, volume: VolumeConfig) -> str:
    """Where ``job`` mounts ``volume`` from: the namespace of its team's read-only copy when the
    team shares it (teams.members[].sharedVolumes), else the volume's own."""
    for team in cfg.training.teams.members:
        if team.name == job.team and volume.name in team.shared_volumes:
            return team.name
    return volume.namespace


def _check_job_team(cfg: StackConfig, index: int, job: TrainingJobConfig, namespace: str) -> None:
    """A job in a team namespace goes through that team's queue, and fits what the team can
    ever hold (its quota plus what it may borrow): otherwise Kueue would never admit it."""
    path = f"trainingJobs[{index}]"
    teams = {team.name: team for team in cfg.training.teams.members}
    if job.team is None:
        if namespace in teams:
            raise ConfigError(
                f"{path}.team",
                f"is missing but the job runs in namespace {_show(namespace)}, team "
                f"{_show(namespace)}'s; set team: {namespace} so it goes through the team's "
                "queue",
                related=("teams",),
            )
        return
    team = teams.get(job.team)
    if team is None:
        known = ", ".join(teams) or "none"
        raise ConfigError(
            f"{path}.team",
            f"names no entry of teams.members (got {_show(job.team)}); known teams: {known}",
            related=("teams",),
        )
    if namespace != team.name:
        raise ConfigError(
            f"{path}.team",
            f"is {_show(team.name)} but the job's volumes are in namespace {_show(namespace)}; "
            f"a team's jobs run in its namespace: mount volumes of namespace {team.name}",
            related=("volumes",),
        )
    wanted = job.workers * job.gpus_per_worker
    most = max_gpus_of(team, pool_gpus(cfg))
    if wanted > most:
        raise ConfigError(
            f"{path}.workers",
            f"is {job.workers} with gpusPerWorker {job.gpus_per_worker}: {wanted} GPUs, but "
            f"team {_show(team.name)} can hold at most {most} (its {team.gpus} GPUs of quota + "
            "what it may borrow, within the pool); Kueue would never admit it: lower workers "
            "or raise the team's gpus or borrowingLimitGpus",
            related=("teams",),
        )


def _check_training_jobs(cfg: StackConfig) -> None:
    """What a single job's fields cannot say: the GPU pool exists, names are unique, mounts
    name known volumes that share a namespace and a uid/gid, /dev/shm fits in memory."""
    if not cfg.training.training_jobs:
        return
    if cfg.cluster.gpu_pool is None or not cfg.cluster.gpu_pool.enabled:
        raise ConfigError(
            "trainingJobs",
            "needs the GPU pool: its pods tolerate the pool's taint and select its nodes, so "
            "they would never be scheduled; set gpuPool.enabled: true or remove the jobs",
            related=("gpuPool",),
        )
    volumes = {volume.name: volume for volume in cfg.storage.volumes}
    _check_unique_names(cfg.training.training_jobs, "trainingJobs", "job")
    for index, job in enumerate(cfg.training.training_jobs):
        path = f"trainingJobs[{index}]"
        paths: dict[str, int] = {}
        first: VolumeConfig | None = None
        first_namespace = ""
        for number, mount in enumerate(job.mounts):
            where = f"{path}.mounts[{number}]"
            volume = volumes.get(mount.volume)
            if volume is None:
                raise ConfigError(
                    f"{where}.volume",
                    f"names no entry of volumes (got {_show(mount.volume)}); known volumes: "
                    + ", ".join(volumes),
                    related=("volumes",),
                )
            namespace = mount_namespace(cfg, job, volume)
            if namespace != volume.namespace and not mount.read_only:
                raise ConfigError(
                    f"{where}.readOnly",
                    f"is false but volume {_show(volume.name)} is namespace "
                    f"{_show(volume.namespace)}'s, which team {_show(job.team)} shares "
                    "read-only (sharedVolumes); a pod never writes another team's volume: set "
                    "readOnly: true",
                    related=("teams",),
                )
            if mount.mount_path in paths:
                raise ConfigError(
                    f"{where}.mountPath",
                    f"duplicates {path}.mounts[{paths[mount.mount_path]}].mountPath "
                    f"({_show(mount.mount_path)})",
                )
            paths[mount.mount_path] = number
            if first is None:
                first, first_namespace = volume, namespace
            elif namespace != first_namespace:
                raise ConfigError(
                    f"{where}.volume",
                    f"is in namespace {_show(namespace)} but {path}.mounts[0] is in "
                    f"{_show(first_namespace)}; a job's volumes must share one namespace (its "
                    "pods run there)",
                    related=("volumes",),
                )
            elif (volume.uid, volume.gid) != (first.uid, first.gid):
                raise ConfigError(
                    f"{where}.volume",
                    f"mounts as uid/gid {volume.uid}/{volume.gid} but {path}.mounts[0] as "
                    f"{first.uid}/{first.gid}; a job's pods run as one user, so its volumes "
                    "must share uid and gid",
                    related=("volumes",),
                )
        if memory_bytes(job.shm_size) >= memory_bytes(job.memory):
            raise ConfigError(
                f"{path}.shmSize",
                f"must be less than memory ({_show(job.memory)}): /dev/shm is memory-backed "
                f"and counts against it (got {_show(job.shm_size)})",
            )
        _check_gpu_fit(cfg, index, job)
        _check_job_team(cfg, index, job, first_namespace)


# What two stacks may never share: each names Azure resources that one stack alone owns (a
# second stack with prod's group or account would adopt and rewrite prod's). Azure compares
# these names case-insensitively.
UNIQUE_ACROSS_STACKS = ("resourceGroupName", "storageAccountName", "clusterName")


def _check_unique_across_stacks(data: dict[str, Any], project: str, stack: str) -> None:
    """Refuse a stack whose owned names another stack file already uses, or whose name is
    another's but for case, '.', '-' and '_' (bootstrap names each environment's resources
    after its stack with those spelled alike, and GitHub environment names ignore case)."""
    spelled = re.sub(r"[._-]", "-", stack.lower())
    for path in sorted(STACKS_DIR.glob("Pulumi.*.y*ml")):
        other = path.name.removeprefix("Pulumi.").rsplit(".", 1)[0]
        if other == stack or path.suffix not in (".yaml", ".yml"):
            continue
        if re.sub(r"[._-]", "-", other.lower()) == spelled:
            raise pulumi.RunError(
                f"{stack_file(stack)}: stack '{stack}' differs from stack '{other}' only in case "
                "or in '.', '-' and '_', which bootstrap's names and GitHub's environments do "
                "not tell apart; rename one of them"
            )
        block = _config_block(path, project)
        for key in UNIQUE_ACROSS_STACKS:
            mine, theirs = data.get(key), block.get(f"{project}:{key}")
            if isinstance(mine, str) and isinstance(theirs, str) and mine.lower() == theirs.lower():
                raise ConfigError(
                    key,
                    f"is {_show(mine)}, which stack '{other}' ({path.name}) uses too; "
                    "each stack owns its own",
                )


def _resolve_share(path: str, volume: VolumeConfig, model: BillingModel) -> SharePerformance:
    try:
        return resolve_share(
            model,
            quota_gib=volume.quota_gib,
            throughput_mibps=volume.throughput_mibps,
            iops=volume.iops,
        )
    except SizingError as error:
        where = f"{path}.{error.field}" if error.field else path
        raise ConfigError(where, str(error), related=("fileBillingModel",)) from None


def load_config(project: str | None = None, stack: str | None = None) -> LoadedConfig:
    """Read, decode and validate the whole config; raise ``pulumi.RunError`` on any problem."""
    project = project or pulumi.get_project()
    stack = stack or pulumi.get_stack()
    try:
        raw, secret_keys = _raw_config(project)
    except ConfigError as error:
        # A key outside the project's namespace: its raw value is the foreign key's.
        value = runtime_config.get_config(f"{error.namespace}:{error.path}")
        raise _run_error(project, stack, error, {error.path: str(value)}) from None
    return parse_config(raw, project, stack, secret_keys)


def parse_config(
    raw: dict[str, str], project: str, stack: str, secret_keys: Collection[str] = ()
) -> LoadedConfig:
    """Decode and validate ``key -> raw string`` (keys without the ``<project>:`` prefix,
    values as the CLI hands them to the program; ``secret_keys`` are secure); raise
    ``pulumi.RunError`` on any problem. Needs no Pulumi runtime: ``infra smoke`` reads a
    stack's settings with it."""
    # Until decoded, a secure value's raw text is what an error could show.
    secrets = Secrets(texts=frozenset(raw[key] for key in secret_keys if raw.get(key)))
    hidden = _SECRETS.set(secrets)
    try:
        data: dict[str, Any] = {}
        for key, value in raw.items():
            kind = KEY_KINDS.get(key)
            if kind is None:
                close = difflib.get_close_matches(key, list(KEY_KINDS), n=1, cutoff=0.6)
                hint = (
                    f"did you mean '{close[0]}'?"
                    if close
                    else "the known keys are documented in Pulumi.yaml"
                )
                raise ConfigError(key, f"is not a known key; {hint}")
            data[key] = _decode(key, kind, value)
            if key in secret_keys:
                secrets = _with_secret(secrets, key, data[key])
        _SECRETS.set(secrets)
        values = _validate_model(data)
        tags, volumes = _cross_checks(values, stack)
        _check_network_ranges(values)
        if rejection := image_rejection(values.smoke.smoke_test.image, stack):
            raise ConfigError("smokeTest.image", rejection)
        _check_unique_across_stacks(data, project, stack)
    except PolicyConfigError as error:
        raise pulumi.RunError(str(error)) from None
    except ConfigError as error:
        raise _run_error(project, stack, error, raw) from None
    finally:
        _SECRETS.reset(hidden)
    return LoadedConfig(
        project=project,
        stack=stack,
        values=values,
        tags=tags,
        volumes=volumes,
        secrets=secrets,
    )
