"""Text and JSON of `infra permissions`: what each identity needs, holds and lacks per stack."""

from __future__ import annotations

import json
from collections.abc import Sequence

from infra.readers.permissions import IdentityReport

StackReports = Sequence[tuple[str, Sequence[IdentityReport]]]


def render_text(results: StackReports) -> str:
    return "\n".join(
        f"{stack}: {r.name} ({r.access}): {len(r.required)} actions needed, "
        f"{len(r.granted)} role assignments, {'covered' if r.covered else 'NOT covered'}"
        for stack, reports in results
        for r in reports
    )


def render_json(results: StackReports) -> str:
    from infra.render.plan import JSON_VERSION

    return json.dumps(
        {
            "version": JSON_VERSION,
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
