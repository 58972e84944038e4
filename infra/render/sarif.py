"""Policy verdicts as SARIF 2.1.0, for GitHub code scanning: one run per stack and pack.

Each run's tool is the pack (its name, version and every rule it declares); each result sits
at the program line that constructed the resource (the SDK's source position), or that of its
nearest ancestor inside the repository when the resource was built in library code (a
provider), or at the top of the stack file for a stack-wide verdict. When the stack file sets
a key behind the verdict (`Violation.stack_keys`, `infra.readers.config_origin`), the result
sits first at that key's line, where a pull request changes an environment, so that is where
GitHub annotates it. Paths are relative to the repository root, as code scanning wants
them.

GitHub rejects a file holding two runs of one tool under one category
(https://github.blog/changelog/2024-05-06-code-scanning-will-stop-combining-runs-from-a-single-upload/),
so each run's `automationDetails.id` names its project, stack and pack.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from infra.engine.model import PolicyPackInfo, PolicyRule, Resource, StackPlan, Violation

SARIF_VERSION = "2.1.0"
# The schema's own id (oasis-tcs/sarif-spec, sarif-2.1/schema/sarif-schema-2.1.0.json).
SARIF_SCHEMA = (
    "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"
)

# GitHub ranks security alerts by `security-severity`: over 9.0 critical, 7.0-8.9 high,
# 4.0-6.9 medium, 0.1-3.9 low (docs.github.com, "SARIF support for code scanning",
# reportingDescriptor object).
_SECURITY_SEVERITY = {"critical": "9.5", "high": "8.0", "medium": "5.5", "low": "2.0"}

_LEVEL = {"mandatory": "error", "advisory": "warning"}


def _rule(rule: PolicyRule) -> dict[str, Any]:
    described: dict[str, Any] = {
        "id": rule.name,
        "shortDescription": {"text": rule.description or rule.name},
        "fullDescription": {"text": rule.description or rule.name},
    }
    if rule.remediation:
        described["help"] = {"text": rule.remediation}
    if rule.url:
        described["helpUri"] = rule.url
    properties: dict[str, Any] = {"tags": ["security", *rule.tags]}
    if rule.severity in _SECURITY_SEVERITY:
        properties["security-severity"] = _SECURITY_SEVERITY[rule.severity]
    if rule.anchor:
        properties["anchor"] = rule.anchor
    described["properties"] = properties
    return described


def _inside(path: str, root: Path) -> str | None:
    try:
        return Path(path).resolve().relative_to(root).as_posix()
    except ValueError:
        return None


def _physical(uri: str, line: int) -> dict[str, Any]:
    return {
        "physicalLocation": {
            "artifactLocation": {"uri": uri},
            "region": {"startLine": line},
        }
    }


def _where(
    violation: Violation,
    by_urn: Mapping[str, Resource],
    root: Path,
    stack_file: str,
) -> list[dict[str, Any]]:
    resource = by_urn.get(violation.urn) if violation.urn else None
    configured = [
        _physical(stack_file, k.line) | {"message": {"text": f"set by config key {k.key}"}}
        for k in violation.stack_keys
        if k.line is not None
    ]
    location: dict[str, Any] | None = None
    while resource is not None and location is None:
        if resource.source is not None:
            path, line = resource.source
            relative = _inside(path, root)
            if relative is not None:
                location = _physical(relative, line)
        resource = by_urn.get(resource.parent) if resource.parent else None
    if location is None and not configured:
        location = _physical(stack_file, 1)
    locations = [*configured, *([location] if location is not None else [])]
    if violation.urn:
        for where in locations:
            where["logicalLocations"] = [{"fullyQualifiedName": violation.urn, "kind": "resource"}]
    return locations


def _run(
    plan: StackPlan,
    pack: PolicyPackInfo,
    root: Path,
    stack_file: str,
) -> dict[str, Any]:
    rules = list(pack.rules)
    known = {rule.name for rule in rules}
    violations = [v for v in plan.violations if v.policy_pack == pack.name]
    for v in violations:  # a verdict for a policy the pack did not declare still needs a rule
        if v.policy not in known:
            known.add(v.policy)
            rules.append(PolicyRule(v.policy, "", "", "", "", ""))
    index = {rule.name: i for i, rule in enumerate(rules)}
    by_urn = {r.urn: r for r in plan.resources}
    driver: dict[str, Any] = {"name": pack.name, "rules": [_rule(rule) for rule in rules]}
    if pack.version:
        driver["version"] = pack.version
    return {
        "tool": {"driver": driver},
        "automationDetails": {"id": f"{plan.project}/{plan.stack}/{pack.name}/"},
        "results": [
            {
                "ruleId": v.policy,
                "ruleIndex": index[v.policy],
                "level": _LEVEL[v.enforcement_level],
                "message": {"text": v.message},
                "locations": _where(v, by_urn, root, stack_file),
            }
            for v in violations
        ],
    }


def render_sarif(
    plans: Sequence[StackPlan],
    root: Path,
    stack_files: Mapping[str, Path],
) -> str:
    """`stack_files`: each stack's `Pulumi.<stack>.yaml`; `root`: the repository root."""
    root = root.resolve()
    runs: list[dict[str, Any]] = []
    for plan in plans:
        stack_file = _inside(str(stack_files[plan.stack]), root) or stack_files[plan.stack].name
        runs.extend(_run(plan, pack, root, stack_file) for pack in plan.policy_packs)
    document = {"$schema": SARIF_SCHEMA, "version": SARIF_VERSION, "runs": runs}
    return json.dumps(document, indent=2)
