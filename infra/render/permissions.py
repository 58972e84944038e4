"""Text and JSON of `infra permissions`: what each identity needs, holds and lacks per stack."""

from __future__ import annotations

import json
from collections.abc import Sequence

from infra.readers.permissions import IdentityReport, PrincipalReport

StackReports = Sequence[tuple[str, Sequence[IdentityReport]]]


def render_text(results: StackReports, principals: Sequence[PrincipalReport] = ()) -> str:
    lines = [
        f"{stack}: {r.name} ({r.access}): {len(r.required)} actions needed, "
        f"{len(r.granted)} role assignments, {'covered' if r.covered else 'NOT covered'}"
        for stack, reports in results
        for r in reports
    ]
    lines += [
        f"bootstrap: {p.principal_type} {p.principal}: {g.role} at {g.scope}: "
        f"{len(g.actions)} actions, data actions {', '.join(g.data_actions) or '-'}"
        for p in principals
        for g in p.granted
    ]
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
