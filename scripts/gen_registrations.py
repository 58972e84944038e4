"""The resource providers and features the bootstrap registers, derived from every stack's plan.

``python scripts/gen_registrations.py`` previews every stack offline and writes
bootstrap/delivery/registrations.json: each namespace the plans need registered, with the
preview features they turn on (infra/readers/registrations.py says how it is derived);
``--check`` exits 1 when the file is stale (the tests run it). ``infra permissions`` fails
when a stack needs a namespace or feature the bootstrap does not register.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from infra.engine.project import load_project  # noqa: E402
from infra.pipeline import preview_stacks  # noqa: E402
from infra.readers.registrations import union  # noqa: E402

TARGET = ROOT / "bootstrap" / "delivery" / "registrations.json"


def rendered() -> str:
    project = load_project(ROOT)
    need = union(preview_stacks(ROOT, project.stacks(), evaluate_policies=False))
    namespaces: dict[str, list[str]] = {namespace: [] for namespace in need.namespaces}
    for key in need.features:
        namespace, feature = key.split("/", 1)
        namespaces.setdefault(namespace, []).append(feature)
    doc = {
        "generatedBy": "scripts/gen_registrations.py (from every stack's offline plan)",
        "namespaces": {k: sorted(v) for k, v in sorted(namespaces.items())},
    }
    return json.dumps(doc, indent=2) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="exit 1 if the file is stale")
    args = parser.parse_args(argv)
    text = rendered()
    current = TARGET.read_text() if TARGET.exists() else ""
    if args.check:
        if current != text:
            print(f"{TARGET.relative_to(ROOT)}: stale; run python scripts/gen_registrations.py")
            return 1
        return 0
    if current != text:
        TARGET.write_text(text)
        print(f"{TARGET.relative_to(ROOT)}: rewritten")
    return 0


if __name__ == "__main__":
    sys.exit(main())
