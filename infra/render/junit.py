"""Policy verdicts as JUnit XML (the Ant/Jenkins layout CI test reporters read).

One `<testsuite>` per stack and pack, one `<testcase>` per policy the pack declares. A policy
with a mandatory violation fails (one `<failure>` naming every resource it blocks); advisory
verdicts do not fail a deploy, so they are listed in the case's `<system-out>` instead.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Sequence

from infra.engine.model import PolicyPackInfo, StackPlan, Violation
from infra.render.escape import xml_text


def _verdict_lines(violations: Sequence[Violation]) -> str:
    return "\n".join(xml_text(f"{v.urn or '(stack)'}: {v.message}") for v in violations)


def _suite(plan: StackPlan, pack: PolicyPackInfo) -> ET.Element:
    violations = [v for v in plan.violations if v.policy_pack == pack.name]
    names = [rule.name for rule in pack.rules]
    names += sorted({v.policy for v in violations} - set(names))
    suite = ET.Element("testsuite", name=f"{plan.project}/{plan.stack}/{pack.name}")
    failures = 0
    for name in names:
        case = ET.SubElement(
            suite, "testcase", classname=f"{plan.project}.{plan.stack}.{pack.name}", name=name
        )
        mine = [v for v in violations if v.policy == name]
        blocking = [v for v in mine if v.enforcement_level == "mandatory"]
        advisory = [v for v in mine if v.enforcement_level != "mandatory"]
        if blocking:
            failures += 1
            failure = ET.SubElement(
                case,
                "failure",
                message=f"{len(blocking)} mandatory violation(s)",
                type="mandatory",
            )
            failure.text = _verdict_lines(blocking)
        if advisory:
            ET.SubElement(case, "system-out").text = "advisory:\n" + _verdict_lines(advisory)
    suite.set("tests", str(len(names)))
    suite.set("failures", str(failures))
    suite.set("errors", "0")
    suite.set("skipped", "0")
    return suite


def render_junit(plans: Sequence[StackPlan]) -> str:
    root = ET.Element("testsuites", name="infra preview")
    for plan in plans:
        for pack in plan.policy_packs:
            root.append(_suite(plan, pack))
    root.set("tests", str(sum(int(s.get("tests", "0")) for s in root)))
    root.set("failures", str(sum(int(s.get("failures", "0")) for s in root)))
    root.set("errors", "0")
    ET.indent(root)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode")
