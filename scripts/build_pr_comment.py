#!/usr/bin/env python3
"""Gather the per-stack `infra diff --markdown` reports of a pull request into ONE comment.

usage: build_pr_comment.py --results DIR --out FILE [--stacks JSON] [--sha SHA] [--run-url URL]
                           [--permissions DIR]

DIR holds `<stack>.md` and `<stack>.rc` from scripts/ci-offline-diff.sh; `--stacks` is the
affected-stacks JSON list (default: every `<stack>.rc` found). `--permissions` holds
`permissions.rc` and `permissions.txt` of `infra permissions`, whose verdict heads the
comment (a missing file means the job never finished). The comment starts with the
hidden marker `<!-- infra-diff -->`, by which .github/workflows/pr-comment.yml finds and
updates the previous comment instead of adding a new one. Standard library only.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import tomllib
from pathlib import Path

# The exit codes' table lives with `infra`; it needs nothing outside the standard library.
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from infra.exit_codes import DIFF_OUTCOMES, PERMISSIONS_OUTCOMES, ExitCode
from infra.render.comment import ACK_TRAILER, REASONS_END, REASONS_MARKER
from infra.render.cost import COST_LABEL

MARKER = "<!-- infra-diff -->"
# GitHub rejects comment bodies over 65536 characters; keep room for the marker and slack.
MAX_CHARS = 60_000
STACK_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]*")


def _deploy_order() -> tuple[str, ...]:
    """The deploy order of [tool.infra] in pyproject.toml (read here without the venv)."""
    with (Path(__file__).resolve().parent.parent / "pyproject.toml").open("rb") as handle:
        return tuple(tomllib.load(handle).get("tool", {}).get("infra", {}).get("deploy-order", ()))


DEPLOY_ORDER = _deploy_order()


def stack_order(name: str) -> tuple[int, str]:
    return (DEPLOY_ORDER.index(name) if name in DEPLOY_ORDER else len(DEPLOY_ORDER), name)


def read_result(results: Path, stack: str) -> tuple[int | None, str]:
    """(exit code or None when the job left none, the stack's Markdown report)."""
    rc_file, md_file = results / f"{stack}.rc", results / f"{stack}.md"
    rc: int | None = None
    if rc_file.is_file():
        text = rc_file.read_text(encoding="utf-8").strip()
        rc = int(text) if text.isdigit() else None
    report = md_file.read_text(encoding="utf-8", errors="replace") if md_file.is_file() else ""
    return rc, report.replace(MARKER, "").strip()


def monthly_cost(report: str) -> str:
    """The change's monthly cost as the stack's report states it, or a dash."""
    for line in report.splitlines():
        if line.startswith(COST_LABEL):
            return line.removeprefix(COST_LABEL).strip().replace("|", "\\|")
    return "—"


# The category of a diff's exit code, for a report without its reasons marker.
_CATEGORY_OF_EXIT = {
    ExitCode.FAILED: "mandatory",
    ExitCode.STATEFUL_RISK: "stateful",
    ExitCode.KINDS_DIVERGE: "kinds",
}


def describe(rc: int | None) -> tuple[str, str]:
    """(category, text) of a diff's exit code."""
    if rc is None:
        return "error", "no result: the diff job failed before it finished (see the run)"
    _, text = DIFF_OUTCOMES.get(rc, ("💥", "unexpected failure"))
    return _CATEGORY_OF_EXIT.get(rc, "error"), text


def truncate(text: str, limit: int, stack: str) -> str:
    if len(text) <= limit:
        return text
    cut = text[: max(limit, 0)]
    # Do not leave an open code fence behind.
    if cut.count("```") % 2:
        cut += "\n```"
    return (
        f"{cut}\n\n… truncated ({len(text) - len(cut)} more characters): the full report is "
        f"in the run's job summary and in the `infra-diff-{stack}` artifact."
    )


def stack_reasons(rc: int | None, report: str) -> tuple[list[tuple[str, str]], str]:
    """(category, text) of why the stack's check is red, and the review line acknowledging
    its stateful risks, from the marker `infra diff --markdown` writes first; from the exit
    code alone when the report has none (the diff failed before printing it)."""
    reasons: list[tuple[str, str]] = []
    ack = ""
    for line in report.splitlines():
        if line.startswith(REASONS_MARKER) and line.endswith(REASONS_END):
            try:
                data = json.loads(line[len(REASONS_MARKER) : -len(REASONS_END)])
                reasons = [(str(c), str(t)) for c, t in data["reasons"]]
                ack = str(data.get("acknowledge") or "")
            except (ValueError, KeyError, TypeError):
                reasons = []
            break
    if rc != 0 and not reasons:
        reasons = [describe(rc)]
    return reasons, ack


def permissions_verdict(folder: Path) -> tuple[int | None, str, str]:
    rc_file = folder / "permissions.rc"
    text = rc_file.read_text(encoding="utf-8").strip() if rc_file.is_file() else ""
    rc = int(text) if text.isdigit() else None
    if rc is None:
        return None, "💥", "no result: the permissions job failed before it finished"
    icon, verdict = PERMISSIONS_OUTCOMES.get(rc, ("💥", "unexpected failure"))
    return rc, icon, verdict if rc == 0 else f"{verdict} (exit {rc})"


def permissions_section(folder: Path) -> list[str]:
    """The `infra permissions` verdict, with its lines when it is not a pass."""
    rc, icon, verdict = permissions_verdict(folder)
    report = folder / "permissions.txt"
    lines = [f"**Identity permissions** (`infra permissions`): {icon} {verdict}", ""]
    if rc != 0 and report.is_file():
        body = report.read_text(encoding="utf-8", errors="replace").replace("`", "'")
        # One line per missing action: a quarter of the comment is room for hundreds.
        body = body.rstrip()[: MAX_CHARS // 4]
        lines += ["<details open><summary>the verdict</summary>", "", "```", body, "```"]
        lines += ["", "</details>", ""]
    return lines


def scan_verdict(folder: Path, stack: str) -> str:
    """Why the stack's Checkov scan (scripts/ci-checkov.sh) is red, or "" when it is not."""
    rc_file = folder / f"{stack}.rc"
    text = rc_file.read_text(encoding="utf-8").strip() if rc_file.is_file() else ""
    if text == "0":
        return ""
    if text == "1":
        return "scanner findings (Checkov)"
    return "no scanner result (Checkov failed to run)"


# The order of the comment's first line: what a reviewer acts on first.
CATEGORIES = ("error", "mandatory", "refused", "kinds", "stateful", "permissions", "scanner")


def icon(categories: list[str]) -> str:
    """💥 when a job gave no verdict, ❌ for a failure, ⚠️ for an acknowledgeable risk only."""
    if "error" in categories:
        return "💥"
    if any(c != "stateful" for c in categories):
        return "❌"
    return "⚠️" if categories else "✅"


def headline(reasons: list[tuple[str, str, str]]) -> str:
    """`❌ prod: 1 mandatory policy violation(s) · staging: ...` or the all-clear."""
    if not reasons:
        return "✅ nothing blocks the merge"
    ordered = sorted(reasons, key=lambda r: CATEGORIES.index(r[0]) if r[0] in CATEGORIES else 99)
    shown = " · ".join(f"`{where}`: {text}" if where else text for _, where, text in ordered)
    return f"{icon([r[0] for r in reasons])} {shown}"


def build(
    stacks: list[str],
    results: Path,
    sha: str = "",
    run_url: str = "",
    permissions: Path | None = None,
    scans: Path | None = None,
) -> str:
    rows = [(stack, *read_result(results, stack)) for stack in stacks]
    reasons: list[tuple[str, str, str]] = []
    acks: list[str] = []
    per_stack: dict[str, list[tuple[str, str]]] = {}
    for stack, rc, report in rows:
        found, ack = stack_reasons(rc, report)
        scan = scan_verdict(scans, stack) if scans is not None else ""
        found += [("scanner", scan)] if scan else []
        per_stack[stack] = found
        reasons += [(category, stack, text) for category, text in found]
        if any(category == "stateful" for category, _ in found):
            acks.append(ack or f"{ACK_TRAILER}: {stack}: <resource>, ...")
    if permissions is not None:
        rc, _, verdict = permissions_verdict(permissions)
        if rc != 0:
            reasons.append(("permissions", "", f"identity permissions: {verdict}"))

    head = [MARKER, f"## {headline(reasons)}", ""]
    if acks:
        head += [
            "**To merge past the stateful risk:** a maintainer other than the author approves "
            "the head commit with a review holding, for each stack, the line:",
            *(f"- `{line.replace('`', '?')}`" for line in acks),
            "",
        ]
    where = ["Infrastructure diff (offline)"]
    if sha:
        where.append(f"commit `{sha[:12]}`")
    if run_url:
        where.append(f"[workflow run]({run_url})")
    where.append("desired state and policy verdicts computed without cloud access")
    head += [" · ".join(where), ""]

    if not stacks:
        if permissions is not None:
            head += permissions_section(permissions)
        head.append(
            "No stack is affected by this change (documentation, tests or tooling only): "
            "nothing to deploy."
        )
        return "\n".join(head) + "\n"

    head += ["| Stack | Result | Monthly cost (estimate) |", "| --- | --- | --- |"]
    for stack, rc, report in rows:
        result = " · ".join(text for _, text in per_stack[stack]) or "passes"
        if rc:
            result += f" (exit {rc})"
        mark = icon([c for c, _ in per_stack[stack]])
        head.append(f"| `{stack}` | {mark} {result} | {monthly_cost(report)} |")
    head.append("")
    if permissions is not None:
        head += permissions_section(permissions)
    text = "\n".join(head)
    budget = (MAX_CHARS - len(text)) // len(rows) - 200
    sections = []
    for stack, _rc, report in rows:
        mark = icon([c for c, _ in per_stack[stack]])
        opened = " open" if per_stack[stack] else ""
        body = truncate(report or "_(no report)_", budget, stack)
        sections.append(
            f"<details{opened}><summary>{mark} <code>{stack}</code></summary>"
            f"\n\n{body}\n\n</details>\n"
        )
    return text + "\n" + "\n".join(sections)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--results", type=Path, required=True)
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--stacks", help="JSON list of the affected stacks")
    parser.add_argument("--sha", default="")
    parser.add_argument("--run-url", default="")
    parser.add_argument("--permissions", type=Path, help="folder of the permissions verdict")
    parser.add_argument("--scans", type=Path, help="folder of the Checkov scans' <stack>.rc")
    args = parser.parse_args(argv)

    if args.stacks is not None:
        stacks = json.loads(args.stacks)
        if not isinstance(stacks, list) or not all(isinstance(s, str) for s in stacks):
            print("build_pr_comment: --stacks must be a JSON list of strings", file=sys.stderr)
            return 2
    else:
        stacks = [p.stem for p in args.results.glob("*.rc")] if args.results.is_dir() else []
    bad = [s for s in stacks if not STACK_NAME.fullmatch(s)]
    if bad:
        print(f"build_pr_comment: invalid stack names: {bad!r}", file=sys.stderr)
        return 2
    stacks = sorted(set(stacks), key=stack_order)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    comment = build(stacks, args.results, args.sha, args.run_url, args.permissions, args.scans)
    args.out.write_text(comment, encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
