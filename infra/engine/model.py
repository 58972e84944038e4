"""The plan that `infra preview` builds: what a program registered, as the engine saw it."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

SECRET_MASK = "[secret]"


@dataclass(frozen=True)
class Secret:
    """A value the program marked secret; it is never printed, only its mask."""

    value: Any

    def __repr__(self) -> str:
        return SECRET_MASK


@dataclass(frozen=True)
class Unknown:
    """A value that only the real provider could compute (Pulumi's unknown sentinel)."""

    def __repr__(self) -> str:
        return "[unknown]"


UNKNOWN = Unknown()


@dataclass
class Resource:
    """One RegisterResource request and the fake provider's answer to it.

    `inputs` and `outputs` use the camelCase property names the SDK sends to the engine;
    secret values are wrapped in `Secret`, unknown values are `UNKNOWN`.
    """

    urn: str
    type: str
    name: str
    custom: bool
    parent: str | None
    provider: str | None
    inputs: dict[str, Any]
    outputs: dict[str, Any] = field(default_factory=dict)
    id: str | None = None
    protect: bool = False
    retain_on_delete: bool = False
    delete_before_replace: bool = False
    dependencies: list[str] = field(default_factory=list)
    property_dependencies: dict[str, list[str]] = field(default_factory=dict)
    aliases: list[str] = field(default_factory=list)
    ignore_changes: list[str] = field(default_factory=list)
    # Where the program registered it (the SDK's sourcePosition): an absolute path, a line.
    source: tuple[str, int] | None = None


@dataclass(frozen=True)
class PolicyRule:
    """What a pack declares about one policy (GetAnalyzerInfo's PolicyInfo)."""

    name: str
    description: str
    severity: str  # "low" | "medium" | "high" | "critical", or "" when the pack sets none
    remediation: str
    url: str
    # The same check in another tool, as "<framework> <reference>" ("Checkov CKV_AZURE_44").
    anchor: str
    tags: tuple[str, ...] = ()
    # The stack-file keys (flat spelling, `[]` for any list element: `volumes[].quotaGiB`)
    # whose values can cause the policy's verdict: `()` when the pack says none can, None
    # when it says nothing (a pack without the `stack-key:` tag convention).
    stack_keys: tuple[str, ...] | None = None


@dataclass(frozen=True)
class StackKey:
    """A stack-file key a reviewer changes to fix a verdict, and its line when the file sets it."""

    file: str  # the stack file, relative to the project
    key: str  # flat spelling (`gpuPool.maxCount`, `volumes[1].quotaGiB`)
    line: int | None = None

    @property
    def where(self) -> str:
        return f"{self.file}:{self.line}" if self.line is not None else self.file

    def __str__(self) -> str:
        return f"{self.where}: {self.key}"


@dataclass
class PolicyPackInfo:
    name: str
    version: str
    rules: list[PolicyRule]


@dataclass(frozen=True)
class Invoke:
    """A provider function the program called (for example a storage account's keys)."""

    token: str
    args: dict[str, Any]


@dataclass
class Violation:
    policy_pack: str
    policy: str
    enforcement_level: str  # "mandatory" | "advisory"
    urn: str | None
    message: str
    rule: PolicyRule | None = None  # the pack's metadata for `policy`, when it declared any
    # The stack-file keys behind the verdict (`infra.readers.config_origin`), set by the pipeline.
    stack_keys: tuple[StackKey, ...] = ()

    def as_json(self) -> dict[str, Any]:
        rule = self.rule
        return {
            "policyPack": self.policy_pack,
            "policy": self.policy,
            "enforcementLevel": self.enforcement_level,
            "severity": rule.severity if rule else "",
            "urn": self.urn,
            "message": self.message,
            "remediation": rule.remediation if rule else "",
            "url": rule.url if rule else "",
            "anchor": rule.anchor if rule else "",
            "fix": [{"file": k.file, "key": k.key, "line": k.line} for k in self.stack_keys],
        }


@dataclass
class StackPlan:
    project: str
    stack: str
    resources: list[Resource]
    outputs: dict[str, Any]
    violations: list[Violation] = field(default_factory=list)
    # The stack's config as the engine passes it (`ns:key` -> string); secure values are
    # placeholders, never the decrypted secret.
    config: dict[str, str] = field(default_factory=dict)
    # Every provider function call, in the order the program made them.
    invokes: list[Invoke] = field(default_factory=list)
    # The packs that judged it, with every rule they declare (also those not violated).
    policy_packs: list[PolicyPackInfo] = field(default_factory=list)

    @property
    def mandatory_violations(self) -> list[Violation]:
        return [v for v in self.violations if v.enforcement_level == "mandatory"]
