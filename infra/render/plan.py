"""Render stack plans as text, JSON or GitHub-flavoured Markdown. Secrets print as masks."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import Any

from infra.engine.model import Resource, StackKey, StackPlan, Violation
from infra.engine.values import masked
from infra.readers.cost import StackCost
from infra.readers.review import ReviewFacts
from infra.render.cost import cost_markdown
from infra.render.escape import md_code, md_text
from infra.render.mermaid import mermaid_block
from infra.render.review import review_markdown

# The few settings a reviewer looks for first, per resource type (input property paths).
KEY_SETTINGS: dict[str, tuple[str, ...]] = {
    "azure-native:resources:ResourceGroup": ("resourceGroupName", "location"),
    "azure-native:storage:StorageAccount": (
        "accountName",
        "kind",
        "sku.name",
        "networkRuleSet.defaultAction",
    ),
    "azure-native:storage:FileServiceProperties": ("shareDeleteRetentionPolicy.days",),
    "azure-native:storage:FileShare": (
        "shareName",
        "shareQuota",
        "provisionedIops",
        "provisionedBandwidthMibps",
        "enabledProtocols",
    ),
    "azure-native:authorization:ManagementLockByScope": ("level",),
    "azure-native:containerservice:ManagedCluster": (
        "resourceName",
        "kubernetesVersion",
        "networkProfile.networkPolicy",
        "apiServerAccessProfile.enablePrivateCluster",
    ),
    "kubernetes:core/v1:Namespace": ("metadata.name",),
    "kubernetes:core/v1:Secret": ("metadata.namespace", "metadata.name"),
    "kubernetes:core/v1:PersistentVolume": (
        "metadata.name",
        "spec.capacity.storage",
        "spec.accessModes",
        "spec.persistentVolumeReclaimPolicy",
        "spec.csi.driver",
    ),
    "kubernetes:core/v1:PersistentVolumeClaim": (
        "metadata.namespace",
        "metadata.name",
        "spec.resources.requests.storage",
        "spec.volumeName",
    ),
    "kubernetes:batch/v1:Job": ("metadata.namespace", "metadata.name", "spec.parallelism"),
}


def lookup(properties: Any, path: str) -> Any:
    value = properties
    for part in path.split("."):
        if not isinstance(value, dict) or part not in value:
            return None
        value = value[part]
    return value


def _short(value: Any) -> str:
    value = masked(value)
    if isinstance(value, str):
        return value
    return json.dumps(value, separators=(",", ":"))


def key_settings(resource: Resource) -> list[tuple[str, str]]:
    settings = []
    for path in KEY_SETTINGS.get(resource.type, ()):
        value = lookup(resource.inputs, path)
        if value is not None:
            settings.append((path, _short(value)))
    return settings


def resource_flags(resource: Resource) -> list[str]:
    flags = []
    if resource.protect:
        flags.append("protect")
    if resource.retain_on_delete:
        flags.append("retainOnDelete")
    if resource.delete_before_replace:
        flags.append("deleteBeforeReplace")
    return flags


def sorted_violations(violations: Sequence[Violation]) -> list[Violation]:
    return sorted(violations, key=lambda v: v.enforcement_level != "mandatory")


def summary_line(plan: StackPlan) -> str:
    mandatory = len(plan.mandatory_violations)
    advisory = len(plan.violations) - mandatory
    protected = sum(1 for r in plan.resources if r.protect)
    return (
        f"{len(plan.resources)} resources to create ({protected} protected); "
        f"{mandatory} mandatory, {advisory} advisory policy violations"
    )


def plan_json(plan: StackPlan) -> dict[str, Any]:
    return {
        "project": plan.project,
        "stack": plan.stack,
        "resources": [
            {
                "urn": r.urn,
                "type": r.type,
                "name": r.name,
                "parent": r.parent,
                "provider": r.provider,
                "inputs": masked(r.inputs),
                "protect": r.protect,
                "retainOnDelete": r.retain_on_delete,
                "deleteBeforeReplace": r.delete_before_replace,
            }
            for r in plan.resources
        ],
        "outputs": masked(plan.outputs),
        "violations": [v.as_json() for v in sorted_violations(plan.violations)],
    }


# The shape of `--json` (preview and diff); raised when a field is renamed or removed.
JSON_VERSION = 1


def render_json(plans: Sequence[StackPlan], review: Mapping[str, ReviewFacts] | None = None) -> str:
    """`{"version", "stacks"}`; with `review`, each stack also has `"review"`: its node pools,
    images, charts and Jobs' mounts (a field added: the version stays)."""
    stacks = [plan_json(p) for p in plans]
    for stack in stacks:
        if review and stack["stack"] in review:
            stack["review"] = review[stack["stack"]].as_json()
    document = {"version": JSON_VERSION, "stacks": stacks}
    return json.dumps(document, indent=2, sort_keys=False)


def _md_cell(text: str) -> str:
    # Line breaks the tool writes become <br>; everything else is escaped as text.
    return "<br>".join(md_text(line) for line in text.split("\n"))


def stack_keys_markdown(keys: Sequence[StackKey]) -> str:
    """The stack-file keys behind a verdict, as a change to make in its stack file."""
    shown = ", ".join(
        md_code(k.key) + (f" (line {k.line})" if k.line is not None else "") for k in keys
    )
    return f"change {shown} in {md_code(keys[0].file)}"


def render_violations_markdown(violations: Sequence[Violation]) -> list[str]:
    if not violations:
        return ["No policy violations."]
    lines = ["| Level | Severity | Policy | Resource | Message |", "|---|---|---|---|---|"]
    for v in sorted_violations(violations):
        icon = "❌" if v.enforcement_level == "mandatory" else "⚠️"
        resource = v.urn.split("::")[-1] if v.urn else "(stack)"
        level, message = v.enforcement_level, _md_cell(v.message)
        severity = v.rule.severity if v.rule else ""
        policy = f"[`{v.policy}`]({v.rule.url})" if v.rule and v.rule.url else f"`{v.policy}`"
        fixes = [stack_keys_markdown(v.stack_keys)] if v.stack_keys else []
        if v.rule and v.rule.remediation:
            fixes.append(_md_cell(v.rule.remediation))
        if fixes:
            message += "<br>**Fix:** " + "; or: ".join(fixes)
        lines.append(
            f"| {icon} {level} | {severity} | {policy} | {md_code(resource)} | {message} |"
        )
    return lines


def render_markdown(
    plans: Sequence[StackPlan],
    costs: Mapping[str, StackCost] | None = None,
    review: Mapping[str, ReviewFacts] | None = None,
) -> str:
    lines: list[str] = []
    for plan in plans:
        status = "❌" if plan.mandatory_violations else "✅"
        lines.append(f"### {status} `{plan.project}/{plan.stack}`")
        lines.append("")
        lines.append(summary_line(plan))
        lines.append("")
        if review and plan.stack in review:
            lines.extend(review_markdown(review[plan.stack]))
        if costs and plan.stack in costs:
            lines.extend(cost_markdown(costs[plan.stack]))
        lines.extend(render_violations_markdown(plan.violations))
        lines.append("")
        lines += [*mermaid_block(plan), ""]
        lines.append("<details><summary>Resources</summary>")
        lines.append("")
        lines.append("| Type | Name | Key settings |")
        lines.append("|---|---|---|")
        for r in plan.resources:
            settings = ", ".join(f"{k}={v}" for k, v in key_settings(r))
            flags = " ".join(f"`{f}`" for f in resource_flags(r))
            lines.append(
                f"| {md_code(r.type)} | {md_code(r.name)} | {_md_cell(settings)} {flags} |"
            )
        lines.append("")
        lines.append("</details>")
        lines.append("")
    return "\n".join(lines)
