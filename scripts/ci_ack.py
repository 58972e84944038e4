#!/usr/bin/env python3
"""Has someone other than the author acknowledged, for this commit, every stateful resource
that this pull request would replace or delete in STACK?

usage: ci_ack.py --stack STACK --diff FILE --reviews FILE --commits FILE --author LOGIN
                 --head-sha SHA

--diff     `infra diff --json` output; its statefulRisks are the resources to acknowledge.
--reviews  the pull request's reviews as the REST API lists them
           (GET /repos/{owner}/{repo}/pulls/{n}/reviews), one array or an array of pages
           (`gh api --paginate --slurp`).
--commits  the pull request's commits, likewise (GET /repos/{owner}/{repo}/pulls/{n}/commits).

An acknowledgement is an APPROVED review by a maintainer (author_association OWNER, MEMBER or
COLLABORATOR) who neither opened the PR nor authored or committed any of its commits, of the
head commit (commit_id == --head-sha), whose body has a line

    Acknowledge-Replacement: <stack>: <resource name>[, <resource name>...]

naming every resource at risk (several such lines add up). It no longer counts once that
reviewer requests changes or the review is dismissed. The PR body, labels and the reviews of
whoever wrote the change never acknowledge anything: they are the people the gate protects
against. Who wrote a commit is the GitHub account its author and committer are linked to (the
committer is who made the commit object: a rebase, cherry-pick or amend makes the person who
did it the committer). A commit whose author or committer is linked to no account cannot be
attributed, so it blocks every acknowledgement until it is; so does a PR of more than the 250
commits that endpoint lists.

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
# "List commits on a pull request" returns at most 250 commits (REST docs): past that, some
# writers are unseen.
MAX_COMMITS = 250
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


def flatten_pages(items: Any, what: str = "reviews") -> list[dict[str, Any]]:
    if not isinstance(items, list):
        raise InputError(f"the {what} are not a JSON array")
    if all(isinstance(page, list) for page in items):
        items = [item for page in items for item in page]
    flat = [item for item in items if isinstance(item, dict)]
    if len(flat) != len(items):
        raise InputError(f"the {what} are not {what[:-1]} objects")
    return flat


def writers(commits: list[dict[str, Any]]) -> set[str]:
    """Lower-cased logins of everyone who authored or committed one of the PR's commits."""
    if len(commits) >= MAX_COMMITS:
        raise InputError(
            f"the PR has {MAX_COMMITS} or more commits, more than GitHub lists: "
            "split it so that every writer can be seen"
        )
    logins: set[str] = set()
    for commit in commits:
        for role in ("author", "committer"):
            login = user(commit, "login", role)
            if not login:
                sha = shown(text(commit, "sha")[:12])
                raise InputError(
                    f"commit {sha}'s {role} is linked to no GitHub account, so who wrote it is "
                    "unknown: link its e-mail address to an account or recommit it"
                )
            logins.add(login.lower())
    return logins


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


def user(item: dict[str, Any], key: str, role: str = "user") -> str:
    account = item.get(role)  # null once the account is deleted, or never linked
    return text(account, key) if isinstance(account, dict) else ""


def decide(
    stack: str,
    risks: Sequence[str],
    reviews: list[dict[str, Any]],
    author: str,
    head_sha: str,
    committers: set[str],
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
        elif who.lower() in committers:
            problem = f"@{shown(who)} wrote commits of this PR: their approval does not count"
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
        f"not acknowledged ({problem}): a maintainer other than @{shown(author)} and the PR's "
        "committers must approve "
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
    parser.add_argument("--commits", required=True, type=Path, help="the PR's commits (JSON)")
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
        commits = flatten_pages(_load(args.commits, "commits"), "commits")
        committers = writers(commits) if risks else set()
    except InputError as e:
        print(f"not acknowledged: {shown(e, 200)}")
        return 2
    verdict = decide(args.stack, risks, reviews, args.author, args.head_sha, committers)
    print(verdict.why)
    return 0 if verdict.acknowledged else 1


if __name__ == "__main__":
    sys.exit(main())
