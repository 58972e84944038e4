"""`infra diff`: the desired-state diff of a change, computed offline.

Both revisions are previewed with the mock runtime (the base from a temporary git
worktree) and compared resource by resource. Changes that would replace or delete a
stateful resource are flagged: they are how training data gets lost by a merge.
"""

from __future__ import annotations

import contextlib
import subprocess
import tempfile
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from infra.errors import UsageError
from infra.model import Resource, Secret, StackPlan, Violation
from infra.values import masked, unwrap

# Input paths whose change makes the provider replace the resource (delete + create).
# Kubernetes refuses in-place changes to a PV's volume source and to a PVC's spec other
# than its storage request, so pulumi-kubernetes replaces those objects.
REPLACE_ON_CHANGE: dict[str, tuple[str, ...]] = {
    "azure-native:storage:StorageAccount": ("accountName", "resourceGroupName", "location", "kind"),
    "azure-native:storage:FileServiceProperties": (
        "accountName",
        "resourceGroupName",
        "fileServicesName",
    ),
    "azure-native:storage:FileShare": (
        "shareName",
        "accountName",
        "resourceGroupName",
        "enabledProtocols",
    ),
    "azure-native:containerservice:ManagedCluster": (
        "resourceName",
        "resourceGroupName",
        "location",
        "dnsPrefix",
        "networkProfile.networkPlugin",
        "apiServerAccessProfile.enablePrivateCluster",
    ),
    "kubernetes:core/v1:PersistentVolume": (
        "metadata.name",
        "spec.csi",
        "spec.azureFile",
        "spec.nfs",
        "spec.volumeMode",
    ),
    "kubernetes:core/v1:PersistentVolumeClaim": (
        "metadata.name",
        "metadata.namespace",
        "spec.accessModes",
        "spec.storageClassName",
        "spec.volumeName",
        "spec.volumeMode",
        "spec.selector",
    ),
}
STATEFUL_TYPES = frozenset(REPLACE_ON_CHANGE)


@dataclass
class PropertyChange:
    path: str
    old: Any
    new: Any

    def as_json(self) -> dict[str, Any]:
        return {"path": self.path, "old": masked(self.old), "new": masked(self.new)}


@dataclass
class ResourceChange:
    action: str  # "add" | "remove" | "update" | "replace"
    urn: str
    type: str
    name: str
    old_urn: str | None = None
    changes: list[PropertyChange] = field(default_factory=list)
    replace_reasons: list[str] = field(default_factory=list)

    @property
    def stateful_risk(self) -> bool:
        return self.type in STATEFUL_TYPES and self.action in ("remove", "replace")

    def as_json(self) -> dict[str, Any]:
        return {
            "action": self.action,
            "urn": self.urn,
            "oldUrn": self.old_urn,
            "type": self.type,
            "name": self.name,
            "stateful": self.type in STATEFUL_TYPES,
            "replaceReasons": self.replace_reasons,
            "changes": [c.as_json() for c in self.changes],
        }


@dataclass
class StackDiff:
    project: str
    stack: str
    changes: list[ResourceChange]
    violations_added: list[Violation]
    violations_removed: list[Violation]
    head_violations: list[Violation]

    @property
    def stateful_risks(self) -> list[ResourceChange]:
        return [c for c in self.changes if c.stateful_risk]

    @property
    def mandatory_violations(self) -> list[Violation]:
        return [v for v in self.head_violations if v.enforcement_level == "mandatory"]

    def count(self, action: str) -> int:
        return sum(1 for c in self.changes if c.action == action)

    def as_json(self) -> dict[str, Any]:
        return {
            "project": self.project,
            "stack": self.stack,
            "summary": {a: self.count(a) for a in ("add", "update", "replace", "remove")},
            "changes": [c.as_json() for c in self.changes],
            "statefulRisks": [c.urn for c in self.stateful_risks],
            "violationsAdded": [v.as_json() for v in self.violations_added],
            "violationsRemoved": [v.as_json() for v in self.violations_removed],
            "mandatoryViolations": len(self.mandatory_violations),
        }


def _flatten(value: Any, prefix: str = "") -> dict[str, Any]:
    if isinstance(value, dict) and value:
        flat: dict[str, Any] = {}
        for key, child in value.items():
            flat.update(_flatten(child, f"{prefix}.{key}" if prefix else key))
        return flat
    if isinstance(value, Secret):
        return {prefix: value}
    if isinstance(value, list) and any(isinstance(v, (dict, list)) for v in value):
        flat = {}
        for i, child in enumerate(value):
            flat.update(_flatten(child, f"{prefix}[{i}]"))
        return flat or {prefix: []}
    return {prefix: value}


def _same(old: Any, new: Any) -> bool:
    return unwrap(old) == unwrap(new) and isinstance(old, Secret) == isinstance(new, Secret)


def property_changes(old: dict[str, Any], new: dict[str, Any]) -> list[PropertyChange]:
    flat_old, flat_new = _flatten(old), _flatten(new)
    changes = []
    for path in sorted(set(flat_old) | set(flat_new)):
        before, after = flat_old.get(path), flat_new.get(path)
        if not _same(before, after):
            changes.append(PropertyChange(path, before, after))
    return changes


def _matches(path: str, prefixes: Sequence[str]) -> bool:
    return any(path == p or path.startswith((p + ".", p + "[")) for p in prefixes)


def _forces_replacement(type_: str, path: str) -> bool:
    return _matches(path, REPLACE_ON_CHANGE.get(type_, ()))


def _options_changes(old: Resource, new: Resource) -> list[PropertyChange]:
    changes = []
    for label, attr in (
        ("[protect]", "protect"),
        ("[retainOnDelete]", "retain_on_delete"),
        ("[deleteBeforeReplace]", "delete_before_replace"),
    ):
        if getattr(old, attr) != getattr(new, attr):
            changes.append(PropertyChange(label, getattr(old, attr), getattr(new, attr)))
    return changes


def _violation_key(v: Violation) -> tuple[str, str, str, str | None, str]:
    return (v.policy_pack, v.policy, v.enforcement_level, v.urn, v.message)


def diff_plans(base: StackPlan | None, head: StackPlan) -> StackDiff:
    base_resources = {r.urn: r for r in (base.resources if base else [])}
    matched: set[str] = set()
    changes: list[ResourceChange] = []
    for resource in head.resources:
        old_urn = resource.urn if resource.urn in base_resources else None
        if old_urn is None:
            old_urn = next((a for a in resource.aliases if a in base_resources), None)
        if old_urn is None:
            changes.append(ResourceChange("add", resource.urn, resource.type, resource.name))
            continue
        matched.add(old_urn)
        old = base_resources[old_urn]
        if old.type != resource.type:
            changes.append(ResourceChange("remove", old.urn, old.type, old.name))
            changes.append(ResourceChange("add", resource.urn, resource.type, resource.name))
            continue
        props = [
            c
            for c in property_changes(old.inputs, resource.inputs)
            if not _matches(c.path, resource.ignore_changes)
        ]
        reasons = [c.path for c in props if _forces_replacement(resource.type, c.path)]
        props += _options_changes(old, resource)
        if not props and old_urn == resource.urn:
            continue
        action = "replace" if reasons else "update"
        changes.append(
            ResourceChange(
                action,
                resource.urn,
                resource.type,
                resource.name,
                old_urn=old_urn if old_urn != resource.urn else None,
                changes=props,
                replace_reasons=reasons,
            )
        )
    for urn, old in base_resources.items():
        if urn not in matched:
            changes.append(ResourceChange("remove", urn, old.type, old.name))
    base_violations = {_violation_key(v) for v in (base.violations if base else [])}
    head_violations = {_violation_key(v) for v in head.violations}
    return StackDiff(
        project=head.project,
        stack=head.stack,
        changes=changes,
        violations_added=[v for v in head.violations if _violation_key(v) not in base_violations],
        violations_removed=[
            v for v in (base.violations if base else []) if _violation_key(v) not in head_violations
        ],
        head_violations=head.violations,
    )


def _git(repo: Path, *args: str) -> str:
    result = subprocess.run(
        ["git", "-C", str(repo), *args], capture_output=True, text=True, check=False
    )
    if result.returncode != 0:
        message = (result.stderr.strip().splitlines() or ["git failed"])[-1]
        raise UsageError(f"git {' '.join(args)}: {message}")
    return result.stdout.strip()


@contextlib.contextmanager
def revision_checkout(project_dir: Path, ref: str) -> Iterator[Path | None]:
    """The project directory as of `ref`, in a temporary worktree (None if absent there)."""
    top = Path(_git(project_dir, "rev-parse", "--show-toplevel")).resolve()
    _git(top, "rev-parse", "--verify", "--quiet", f"{ref}^{{commit}}")
    relative = project_dir.resolve().relative_to(top)
    with tempfile.TemporaryDirectory(prefix="infra-diff-") as tmp:
        worktree = Path(tmp) / "base"
        _git(top, "worktree", "add", "--detach", "--quiet", str(worktree), ref)
        try:
            checkout = worktree / relative
            yield checkout if (checkout / "Pulumi.yaml").exists() else None
        finally:
            _git(top, "worktree", "remove", "--force", str(worktree))


def diff_stacks(
    cwd: Path,
    base_ref: str,
    stacks: Sequence[str],
    *,
    head_ref: str | None = None,
    evaluate_policies: bool = True,
) -> list[StackDiff]:
    from infra.preview import preview_stacks
    from infra.project import load_project

    def preview(directory: Path, names: Sequence[str]) -> dict[str, StackPlan]:
        project = load_project(directory)
        present = [n for n in names if project.stack_file(n).exists()]
        plans = preview_stacks(directory, present, evaluate_policies=evaluate_policies)
        return {p.stack: p for p in plans}

    with contextlib.ExitStack() as stack:
        head_dir = cwd
        if head_ref is not None:
            checkout = stack.enter_context(revision_checkout(cwd, head_ref))
            if checkout is None:
                raise UsageError(f"{head_ref}: has no Pulumi project at {cwd}")
            head_dir = checkout
        names = list(stacks) or load_project(head_dir).stacks()
        head_plans = preview(head_dir, names)
        base_dir = stack.enter_context(revision_checkout(cwd, base_ref))
        base_plans = preview(base_dir, names) if base_dir is not None else {}
    return [
        diff_plans(base_plans.get(name), head_plans[name]) for name in names if name in head_plans
    ]


# GitHub refuses comments over 65,536 characters; leave room for the comment's header.
COMMENT_LIMIT = 60_000
TRUNCATED_NOTE = (
    "\n\n_Diff truncated to fit a PR comment; the full diff is in the job summary artifact._\n"
)
DETAILS_OMITTED_NOTE = (
    "\n_Property details omitted for some stacks to fit a PR comment; see the job artifact._\n"
)


def _md(value: Any) -> str:
    text = _plain(value)
    return "`" + text.replace("`", "'").replace("|", "\\|").replace("\n", " ")[:200] + "`"


_ICONS = {"add": "🟢 create", "update": "🟡 update", "replace": "🔴 replace", "remove": "🔴 delete"}


def _stack_markdown(diff: StackDiff, with_details: bool) -> list[str]:
    summary = ", ".join(
        f"{diff.count(a)} to {verb}"
        for a, verb in (
            ("add", "create"),
            ("update", "update"),
            ("replace", "replace"),
            ("remove", "delete"),
        )
    )
    risk = (
        f" — ⚠️ {len(diff.stateful_risks)} stateful replacement/deletion"
        if diff.stateful_risks
        else ""
    )
    verdict = "❌" if diff.mandatory_violations else "⚠️" if diff.stateful_risks else "✅"
    lines = [f"### {verdict} `{diff.stack}`: {summary}{risk}", ""]
    if not diff.changes:
        lines += ["No changes to desired state.", ""]
    else:
        lines += ["| Action | Type | Name | Why |", "|---|---|---|---|"]
        for c in diff.changes:
            why = ""
            if c.replace_reasons:
                why = "forces replacement: " + ", ".join(f"`{r}`" for r in c.replace_reasons)
            elif c.old_urn:
                why = "renamed with alias"
            elif c.action == "remove" and c.type in STATEFUL_TYPES:
                why = "deletes stateful data"
            flag = " ⚠️" if c.stateful_risk else ""
            lines.append(f"| {_ICONS[c.action]}{flag} | `{c.type}` | `{c.name}` | {why} |")
        lines.append("")
    if diff.violations_added or diff.violations_removed:
        lines += [
            "| Policy verdict | Level | Policy | Resource | Message |",
            "|---|---|---|---|---|",
        ]
        for label, violations in (
            ("new", diff.violations_added),
            ("resolved", diff.violations_removed),
        ):
            for v in violations:
                resource = v.urn.split("::")[-1] if v.urn else "(stack)"
                message = v.message.replace("|", "\\|").replace("\n", " ")
                lines.append(
                    f"| {label} | {v.enforcement_level} | `{v.policy}` | `{resource}` | {message} |"
                )
        lines.append("")
    if with_details:
        for c in diff.changes:
            if not c.changes:
                continue
            lines += [
                f"<details><summary>{_ICONS[c.action]} <code>{c.name}</code> ({c.type})</summary>",
                "",
            ]
            lines += ["| Property | Old | New |", "|---|---|---|"]
            lines += [f"| `{p.path}` | {_md(p.old)} | {_md(p.new)} |" for p in c.changes]
            lines += ["", "</details>", ""]
    return lines


def render_diff_markdown(diffs: Sequence[StackDiff], limit: int = COMMENT_LIMIT) -> str:
    """Changes-only summary per stack; property details dropped stack by stack (last
    first) when the whole would not fit in one PR comment."""
    with_details = [True] * len(diffs)
    while True:
        lines: list[str] = []
        for diff, details in zip(diffs, with_details, strict=True):
            lines += _stack_markdown(diff, details)
        text = "\n".join(lines)
        if len(text) <= limit or not any(with_details):
            break
        with_details[len(with_details) - 1 - with_details[::-1].index(True)] = False
    if len(text) > limit:
        cut = text.rfind("\n", 0, limit - 200)
        text = text[:cut] + TRUNCATED_NOTE
    elif not all(with_details):
        text += DETAILS_OMITTED_NOTE
    return text


def render_diff_text(diffs: Sequence[StackDiff]) -> str:
    symbols = {"add": "+", "update": "~", "replace": "+-", "remove": "-"}
    lines: list[str] = []
    for diff in diffs:
        lines.append(f"Stack {diff.project}/{diff.stack}")
        for c in diff.changes:
            note = "  [STATEFUL: data at risk]" if c.stateful_risk else ""
            renamed = f"  (was {c.old_urn})" if c.old_urn else ""
            lines.append(f"  {symbols[c.action]:>2} {c.type} {c.name}{renamed}{note}")
            for p in c.changes:
                forced = "  (forces replacement)" if p.path in c.replace_reasons else ""
                lines.append(f"       {p.path}: {_plain(p.old)} => {_plain(p.new)}{forced}")
        for v in diff.violations_added:
            lines.append(f"  new {v.enforcement_level} violation {v.policy}: {v.message}")
        for v in diff.violations_removed:
            lines.append(f"  resolved {v.enforcement_level} violation {v.policy}: {v.message}")
        lines.append(
            f"  Summary: {diff.count('add')} to create, {diff.count('update')} to update, "
            f"{diff.count('replace')} to replace, {diff.count('remove')} to delete; "
            f"{len(diff.stateful_risks)} stateful at risk"
        )
        lines.append("")
    return "\n".join(lines)


def _plain(value: Any) -> str:
    shown = masked(value)
    return "(none)" if shown is None else shown if isinstance(shown, str) else str(shown)
