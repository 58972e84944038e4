"""Text and JSON of `infra permissions`: what each identity needs, holds and lacks per stack."""

from __future__ import annotations

import json
from collections.abc import Sequence

from infra.readers.permissions import IdentityReport, PrincipalReport
from infra.render.color import GREEN, RED, Paint
from infra.render.escape import md_code, md_text

StackReports = Sequence[tuple[str, Sequence[IdentityReport]]]


def _verdict(report: IdentityReport, paint: Paint) -> str:
    return paint(GREEN, "covered") if report.covered else paint(RED, "NOT covered")


def render_text(
    results: StackReports,
    principals: Sequence[PrincipalReport] = (),
    problems: Sequence[str] = (),
    paint: Paint | None = None,
) -> str:
    """A line per identity and stack, a line per other principal's grant, then the problems."""
    paint = paint or Paint(False)
    lines = [
        f"{stack}: {r.name} ({r.access}): {len(r.required)} actions needed, "
        f"{len(r.granted)} role assignments, {_verdict(r, paint)}"
        for stack, reports in results
        for r in reports
    ]
    lines += [
        f"bootstrap: {p.principal_type} {p.principal}: {g.role} at {g.scope}: "
        f"{len(g.actions)} actions, data actions {', '.join(g.data_actions) or '-'}"
        for p in principals
        for g in p.granted
    ]
    lines += [paint(RED, problem) for problem in problems]
    return "\n".join(lines)


def render_markdown(
    results: StackReports, principals: Sequence[PrincipalReport] = (), problems: Sequence[str] = ()
) -> str:
    """`infra permissions --markdown`: a table row per identity and stack, then the problems."""
    lines = [
        "| Stack | Identity | Access | Actions needed | Role assignments | Verdict |",
        "|---|---|---|---|---|---|",
    ]
    lines += [
        f"| {md_code(stack)} | {md_code(r.name)} | {r.access} | {len(r.required)} | "
        f"{len(r.granted)} | {'✅ covered' if r.covered else '❌ NOT covered'} |"
        for stack, reports in results
        for r in reports
    ]
    grants = [
        f"- {md_code(p.principal)} ({p.principal_type}): {md_text(g.role)} at {md_code(g.scope)}"
        for p in principals
        for g in p.granted
    ]
    if grants:
        lines += ["", "Other principals bootstrap/ grants roles to:", "", *grants]
    lines += ["", *(f"- ❌ {md_text(problem)}" for problem in problems)] if problems else []
    return "\n".join(lines)


def render_json(results: StackReports, principals: Sequence[PrincipalReport] = ()) -> str:
    from infra.render.plan import JSON_VERSION

    return json.dumps(
        {
            "version": JSON_VERSION,
            "principals": [
                {
                    "principal": p.principal,
                    "principalType": p.principal_type,
                    "granted": [g.as_json() for g in p.granted],
                    "problems": p.problems,
                }
                for p in principals
            ],
            "stacks": [
                {
                    "stack": stack,
                    "identities": [
                        {
                            "name": r.name,
                            "access": r.access,
                            "subjects": r.subjects,
                            "required": [n.as_json() for n in r.required],
                            "granted": [g.as_json() for g in r.granted],
                            "missing": [n.as_json() for n in r.missing],
                            "problems": r.problems,
                        }
                        for r in reports
                    ],
                }
                for stack, reports in results
            ],
        },
        indent=2,
    )
