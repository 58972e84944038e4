#!/usr/bin/env python3
"""Post-deploy checks on a stack's outputs and cluster; standard library only.

usage:
  ci_kube.py outputs OUTPUTS_JSON [REQUIRED_KEY...]   `pulumi stack output --json` sanity
  ci_kube.py mask KUBECONFIG                          print ::add-mask:: for its credentials
  ci_kube.py pvcs PVC_LIST_JSON STORAGECLASS_LIST_JSON
                                                      every PVC Bound (or legitimately waiting)

Exit 0 when the check passes, 1 when it fails (with a one-line reason per problem).
"""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path
from typing import Any

# kubeconfig keys whose values are credentials (AKS user/admin kubeconfigs, exec plugins).
_SECRET_KEYS = (
    "client-key-data",
    "client-certificate-data",
    "token",
    "password",
    "client-secret",
    "access-token",
    "refresh-token",
    "id-token",
)
_SECRET_LINE = re.compile(
    r"^\s*-?\s*(?:" + "|".join(map(re.escape, _SECRET_KEYS)) + r")\s*:\s*[\"']?([^\"'\s]+)"
)


def _load(path: str) -> Any:
    with open(path, encoding="utf-8") as f:
        return json.load(f)


def check_outputs(path: str, required: list[str]) -> list[str]:
    try:
        outputs = _load(path)
    except (OSError, ValueError) as e:
        return [f"stack outputs are not valid JSON: {e}"]
    if not isinstance(outputs, dict) or not outputs:
        return ["the stack has no outputs (expected a non-empty JSON object)"]
    problems = []
    for key in required:
        value = outputs.get(key)
        if value in (None, "", [], {}):
            problems.append(f"stack output {key!r} is missing or empty")
    return problems


def mask_lines(kubeconfig: str) -> list[str]:
    values = set()
    for line in Path(kubeconfig).read_text(encoding="utf-8").splitlines():
        match = _SECRET_LINE.match(line)
        if match and len(match[1]) >= 8:
            values.add(match[1])
    return [f"::add-mask::{v}" for v in sorted(values)]


def check_pvcs(pvc_path: str, sc_path: str) -> tuple[list[str], list[str]]:
    """(report lines, problems)."""
    pvcs = _load(pvc_path).get("items", [])
    classes = {
        sc.get("metadata", {}).get("name"): sc.get("volumeBindingMode", "Immediate")
        for sc in _load(sc_path).get("items", [])
    }
    report, problems = [], []
    for pvc in pvcs:
        meta, spec = pvc.get("metadata", {}), pvc.get("spec", {})
        name = f"{meta.get('namespace', '?')}/{meta.get('name', '?')}"
        phase = pvc.get("status", {}).get("phase", "Unknown")
        sc = spec.get("storageClassName") or "(default)"
        modes = ",".join(spec.get("accessModes", []))
        report.append(f"{name}: {phase} storageClass={sc} accessModes={modes}")
        if phase == "Bound":
            continue
        if phase == "Pending" and classes.get(sc) == "WaitForFirstConsumer":
            continue  # binds when the first pod uses it: not a failure
        problems.append(f"PVC {name} is {phase} (storageClass {sc})")
    if not pvcs:
        report.append("no PersistentVolumeClaims in the cluster")
    return report, problems


def main(argv: list[str]) -> int:
    if len(argv) >= 2 and argv[0] == "outputs":
        problems = check_outputs(argv[1], argv[2:])
        for p in problems:
            print(f"::error::{p}")
        if not problems:
            print("stack outputs: ok")
        return 1 if problems else 0
    if len(argv) == 2 and argv[0] == "mask":
        for line in mask_lines(argv[1]):
            print(line)
        return 0
    if len(argv) == 3 and argv[0] == "pvcs":
        report, problems = check_pvcs(argv[1], argv[2])
        for line in report:
            print(line)
        for p in problems:
            print(f"::error::{p}")
        return 1 if problems else 0
    print(__doc__, file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
