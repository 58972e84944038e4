#!/usr/bin/env python3
"""Has someone other than the author acknowledged, for this commit, every stateful resource
that this pull request would replace or delete in STACK?

usage: ci_ack.py --stack STACK --diff FILE --reviews FILE --author LOGIN --head-sha SHA

--diff     `infra diff --json` output; its statefulRisks are the resources to acknowledge.
--reviews  the pull request's reviews as the REST API lists them
           (GET /repos/{owner}/{repo}/pulls/{n}/reviews), one array or an array of pages
           (`gh api --paginate --slurp`).

An acknowledgement is an APPROVED review by a maintainer (author_association OWNER, MEMBER or
COLLABORATOR) other than the PR author, of the head commit (commit_id == --head-sha), whose
body has a line

    Acknowledge-Replacement: <stack>: <resource name>[, <resource name>...]

naming every resource at risk (several such lines add up). It no longer counts once that
reviewer requests changes or the review is dismissed. The PR body, labels and the author's
own reviews never acknowledge anything: the author is the person the gate protects against.

Prints one line saying why, and exits 0 (acknowledged, or nothing at risk), 1 (not
acknowledged) or 2 (unusable input). Standard library only; review bodies and logins are data,
matched by exact ASCII rules so that look-alike characters never match.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

STACK = r"[A-Za-z0-9][A-Za-z0-9_.-]*"
# re.ASCII: with Unicode case folding "K" (U+212A, Kelvin) would match the "k" in the key.
ACK_LINE = re.compile(
    rf"[ \t]*acknowledge-replacement[ \t]*:[ \t]*(?P<stack>{STACK})[ \t]*:(?P<names>.*)",
    re.IGNORECASE | re.ASCII,
)
# Only CR/LF end a line: str.splitlines() would also split on U+2028, \x0b, \x1c..., which a
# reader of the review does not see as a line break.
LINE_BREAK = re.compile(r"\r\n|\r|\n")
SHA = re.compile(r"[0-9a-f]{40}|[0-9a-f]{64}")
# GitHub caps a review body at 65536 characters; anything longer did not come from GitHub.
MAX_BODY = 65_536
# Associations of people with access to the repository (REST "author_association"). GitHub
# may report a member whose organisation membership is private as CONTRIBUTOR or NONE to a
# workflow token (actions/github-script#643), which fails closed.
MAINTAINERS = frozenset({"OWNER", "MEMBER", "COLLABORATOR"})
DECISIVE = frozenset({"APPROVED", "CHANGES_REQUESTED", "DISMISSED"})


class InputError(Exception):
    pass


@dataclass(frozen=True)
class Verdict:
    acknowledged: bool
    why: str


def shown(text: object, limit: int = 80) -> str:
    """Untrusted text made safe for one line of a log or Markdown report."""
    flat = "".join(c if c.isprintable() and c != "`" else "?" for c in str(text))
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"


def at_risk(diff: Any, stack: str) -> list[str]:
    """Names of the stack's resources that `infra diff` says would be replaced or deleted."""
    stacks = diff.get("stacks") if isinstance(diff, dict) else None
    if not isinstance(stacks, list):
        raise InputError("the diff is not infra diff --json output")
    for entry in stacks:
        if not isinstance(entry, dict) or entry.get("stack") != stack:
            continue
        changes, risks = entry.get("changes"), entry.get("statefulRisks")
        if not isinstance(changes, list) or not isinstance(risks, list):
            raise InputError(f"the diff of {stack} has no changes or statefulRisks")
        names = {
            c["urn"]: c["name"]
            for c in changes
            if isinstance(c, dict)
            and isinstance(c.get("urn"), str)
            and isinstance(c.get("name"), str)
        }
        unnamed = [urn for urn in risks if not isinstance(urn, str) or urn not in names]
        if unnamed:
            raise InputError(f"the diff lists no name for {shown(unnamed[0])}")
        return sorted({names[urn] for urn in risks})
    raise InputError(f"the diff has no stack {stack}")


def flatten_pages(reviews: Any) -> list[dict[str, Any]]:
    if not isinstance(reviews, list):
        raise InputError("the reviews are not a JSON array")
    if all(isinstance(page, list) for page in reviews):
        reviews = [review for page in reviews for review in page]
    flat = [review for review in reviews if isinstance(review, dict)]
    if len(flat) != len(reviews):
        raise InputError("the reviews are not review objects")
    return flat


def named(body: str, stack: str) -> set[str]:
    """Resource names that the body's Acknowledge-Replacement lines give for this stack."""
    names: set[str] = set()
    for line in LINE_BREAK.split(body):
        match = ACK_LINE.fullmatch(line)
        if match and match["stack"] == stack:
            names.update(n.strip(" \t") for n in match["names"].split(","))
    names.discard("")
    return names


def text(review: dict[str, Any], key: str) -> str:
    value = review.get(key)
    return value if isinstance(value, str) else ""


def user(review: dict[str, Any], key: str) -> str:
    account = review.get("user")  # null once the account is deleted
    return text(account, key) if isinstance(account, dict) else ""


def decide(
    stack: str, risks: Sequence[str], reviews: list[dict[str, Any]], author: str, head_sha: str
) -> Verdict:
    if not risks:
        return Verdict(True, f"nothing to acknowledge: no stateful resource at risk in {stack}")

    # The API lists reviews oldest first, so the last decisive state per reviewer wins, as in
    # GitHub's own approval count: requesting changes later withdraws an approval.
    latest: dict[str, str] = {}
    for review in reviews:
        if text(review, "state") in DECISIVE and user(review, "login"):
            latest[user(review, "login").lower()] = text(review, "state")

    problem = f"no review acknowledges {stack}"
    for review in reviews:
        body, who = text(review, "body"), user(review, "login")
        if len(body) > MAX_BODY:
            problem = f"@{shown(who)}'s review is longer than GitHub allows"
            continue
        names = named(body, stack)
        if not names:
            continue
        missing = [r for r in risks if r not in names]
        if text(review, "state") != "APPROVED":
            problem = f"@{shown(who)}'s review is not an approval"
        elif not who:
            problem = "the approving account has been deleted"
        elif who.lower() == author.lower():
            problem = f"the author's own approval (@{shown(who)}) does not count"
        elif text(review, "author_association") not in MAINTAINERS:
            problem = (
                f"@{shown(who)} is not a maintainer "
                f"(author_association {shown(review.get('author_association'))})"
            )
        elif latest.get(who.lower()) != "APPROVED":
            problem = f"@{shown(who)} has since withdrawn their approval"
        elif text(review, "commit_id") != head_sha:
            approved = shown(text(review, "commit_id")[:12]) or "a commit that no longer exists"
            problem = f"@{shown(who)} approved {approved}, not the head commit"
        elif missing:
            problem = f"@{shown(who)}'s approval does not name {', '.join(map(shown, missing))}"
        else:
            return Verdict(
                True,
                f"acknowledged by @{shown(who)} (review {shown(review.get('id'))} of "
                f"{head_sha[:12]}): {', '.join(map(shown, risks))} in {stack}",
            )
    required = f"Acknowledge-Replacement: {stack}: {', '.join(map(shown, risks))}"
    return Verdict(
        False,
        f"not acknowledged ({problem}): a maintainer other than @{shown(author)} must approve "
        f"{head_sha[:12]} with the line `{required}` in the review",
    )


def _load(path: Path, what: str) -> Any:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as e:
        raise InputError(f"cannot read the {what} ({path}): {e}") from None


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description="Is every stateful replacement in STACK acknowledged by a maintainer?"
    )
    parser.add_argument("--stack", required=True)
    parser.add_argument("--diff", required=True, type=Path, help="infra diff --json output")
    parser.add_argument("--reviews", required=True, type=Path, help="the PR's reviews (JSON)")
    parser.add_argument("--author", required=True, help="the PR author's login")
    parser.add_argument("--head-sha", required=True, help="the PR's head commit")
    args = parser.parse_args(argv)
    try:
        if not re.fullmatch(STACK, args.stack, re.ASCII):
            raise InputError("invalid stack name")
        if not SHA.fullmatch(args.head_sha):
            raise InputError("--head-sha is not a commit SHA")
        if not args.author:
            raise InputError("--author is empty")
        risks = at_risk(_load(args.diff, "diff"), args.stack)
        reviews = flatten_pages(_load(args.reviews, "reviews"))
    except InputError as e:
        print(f"not acknowledged: {shown(e, 200)}")
        return 2
    verdict = decide(args.stack, risks, reviews, args.author, args.head_sha)
    print(verdict.why)
    return 0 if verdict.acknowledged else 1


if __name__ == "__main__":
    sys.exit(main())
