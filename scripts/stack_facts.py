"""A stack's settings as the program reads them (its stack file over Pulumi.yaml's defaults),
one value per line, for scripts/day0.sh and the runbooks: they name the same accounts, groups
and shares as the deploy, never a copy in a doc.

usage: python scripts/stack_facts.py stacks
       python scripts/stack_facts.py registrations  (bootstrap's namespaces, then NS/Feature)
       python scripts/stack_facts.py get STACK KEY      (a string setting, e.g. storageAccountName)
       python scripts/stack_facts.py volumes STACK      (one `name namespace` line per volume)
       python scripts/stack_facts.py claims STACK       (one `name namespace` line per claim:
                                                         each volume's, then each read-only copy
                                                         a team's sharedVolumes puts in its
                                                         namespace; the PV is NAMESPACE-NAME)

The files are read with infra's hardened reader; any problem is one line and exit 2.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from infra.engine.project import load_project, load_stack_config  # noqa: E402
from infra.errors import UsageError  # noqa: E402

USAGE = (
    "usage: stack_facts.py stacks | registrations | get STACK KEY | volumes STACK | claims STACK"
)
REGISTRATIONS = ROOT / "bootstrap" / "delivery" / "registrations.json"
# The volume fields the program defaults (Pulumi.yaml, volumes).
DEFAULT_NAMESPACE = "training"


def _value(stack: str, key: str) -> str:
    project = load_project(ROOT)
    config = load_stack_config(project, stack)
    qualified = f"{project.name}:{key}"
    shown = project.relative(project.stack_file(stack))
    if qualified in config.secret_keys:
        raise UsageError(f"{shown}: {key}: is secure; scripts read plain settings only")
    if qualified not in config.values:
        raise UsageError(f"{shown}: {key}: not set, and Pulumi.yaml has no default")
    return config.values[qualified]


def _volumes(stack: str) -> list[tuple[str, str]]:
    found = []
    for volume in json.loads(_value(stack, "volumes")):
        if not isinstance(volume, dict) or not isinstance(volume.get("name"), str):
            raise UsageError(f"{stack}: volumes: each volume needs a name")
        found.append((volume["name"], volume.get("namespace", DEFAULT_NAMESPACE)))
    return found


def _shared_claims(stack: str) -> list[tuple[str, str]]:
    """The read-only copies of teams.members[].sharedVolumes: a claim named after the volume
    in the team's namespace, bound to a PV of its own on the same share."""
    teams = json.loads(_value(stack, "teams"))
    members = teams.get("members") if isinstance(teams, dict) else None
    if not isinstance(members, list):
        raise UsageError(f"{stack}: teams: needs a members list")
    found = []
    for team in members:
        if not isinstance(team, dict) or not isinstance(team.get("name"), str):
            raise UsageError(f"{stack}: teams.members: each team needs a name")
        for shared in team.get("sharedVolumes") or []:
            found.append((str(shared), team["name"]))
    return found


def main(argv: list[str]) -> int:
    try:
        match argv:
            case ["stacks"]:
                print("\n".join(load_project(ROOT).stacks()))
            case ["registrations"]:
                namespaces = json.loads(REGISTRATIONS.read_text())["namespaces"]
                print("\n".join(namespaces))
                for namespace, features in namespaces.items():
                    for feature in features:
                        print(f"{namespace}/{feature}")
            case ["get", stack, key]:
                print(_value(stack, key))
            case ["volumes", stack]:
                for name, namespace in _volumes(stack):
                    print(name, namespace)
            case ["claims", stack]:
                for name, namespace in _volumes(stack):
                    print(name, namespace)
                for name, namespace in _shared_claims(stack):
                    print(name, namespace)
            case _:
                print(USAGE, file=sys.stderr)
                return 2
    except UsageError as e:
        print(f"stack_facts: {e}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
