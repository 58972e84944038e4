"""scripts/ci_ack.py: who may acknowledge a stateful replacement in staging/prod, for which
commit and which resources. Review bodies and logins are hostile input."""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest

from tests.delivery._workflows import SCRIPTS, env_with

sys.path.insert(0, str(SCRIPTS))
import ci_ack

HEAD = "c0ffee" + "0" * 34
OLD = "badc0de" + "0" * 33
AUTHOR = "alice"
RISKS = ["shared-storage-account", "volume-data-pv"]
LINE = "Acknowledge-Replacement: prod: shared-storage-account, volume-data-pv"


def review(body: str = LINE, **fields: Any) -> dict[str, Any]:
    base: dict[str, Any] = {
        "id": 42,
        "user": {"login": "bob", "type": "User"},
        "state": "APPROVED",
        "author_association": "MEMBER",
        "commit_id": HEAD,
        "body": body,
    }
    base.update(fields)
    return base


COMMITTERS = {"alice", "mallory"}  # mallory pushed a commit onto alice's PR


def decide(*reviews: dict[str, Any], stack: str = "prod") -> ci_ack.Verdict:
    return ci_ack.decide(stack, RISKS, list(reviews), AUTHOR, HEAD, COMMITTERS)


def commit(author: str | None = "alice", committer: str | None = "web-flow") -> dict[str, Any]:
    def account(login: str | None) -> dict[str, Any] | None:
        return None if login is None else {"login": login, "type": "User"}

    return {"sha": "f00d" + "0" * 36, "author": account(author), "committer": account(committer)}


def test_a_maintainers_approval_of_the_head_naming_every_resource_counts() -> None:
    verdict = decide(review())
    assert verdict.acknowledged
    assert verdict.why == (
        "acknowledged by @bob (review 42 of c0ffee000000): "
        "shared-storage-account, volume-data-pv in prod"
    )


@pytest.mark.parametrize(
    "body",
    [
        pytest.param(f"Looks right, the old share is empty.\r\n\r\n{LINE}\r\n", id="CRLF"),
        pytest.param(f"x\r{LINE}\rmore", id="bare CR"),
        pytest.param(
            "  acknowledge-replacement :prod : volume-data-pv ,shared-storage-account\t",
            id="spacing and case",
        ),
        pytest.param(
            "Acknowledge-Replacement: prod: shared-storage-account\n"
            "Acknowledge-Replacement: prod: volume-data-pv",
            id="lines add up",
        ),
        pytest.param(
            "Acknowledge-Replacement: staging: x\n" + LINE, id="with another stack's line"
        ),
        pytest.param("```\n" + LINE + "\n```", id="in a code block"),
    ],
)
def test_accepted_spellings(body: str) -> None:
    assert decide(review(body)).acknowledged


@pytest.mark.parametrize(
    ("reviews", "why"),
    [
        pytest.param(
            [review(user={"login": "Alice"})],
            "the author's own approval (@Alice) does not count",
            id="author's own approval",
        ),
        pytest.param(
            [review(user={"login": AUTHOR}, state="COMMENTED")],
            "@alice's review is not an approval",
            id="author's own comment",
        ),
        pytest.param(
            [review(commit_id=OLD)],
            "@bob approved badc0de00000, not the head commit",
            id="approval of an older commit",
        ),
        pytest.param(
            [review(commit_id=None)],
            "@bob approved a commit that no longer exists, not the head commit",
            id="commit garbage-collected",
        ),
        pytest.param(
            [review("Acknowledge-Replacement: prod: shared-storage-account")],
            "@bob's approval does not name volume-data-pv",
            id="one resource missing",
        ),
        pytest.param(
            [review("Acknowledge-Replacement: prod")],
            "no review acknowledges prod",
            id="stack only, the old format",
        ),
        pytest.param(
            [review("Acknowledge-Replacement: prod: *")],
            "@bob's approval does not name shared-storage-account, volume-data-pv",
            id="no wildcard",
        ),
        pytest.param(
            [review(LINE.replace("prod", "production"))],
            "no review acknowledges prod",
            id="other stack",
        ),
        pytest.param(
            [review(author_association="NONE")],
            "@bob is not a maintainer (author_association NONE)",
            id="not a maintainer",
        ),
        pytest.param(
            [review(author_association="CONTRIBUTOR")],
            "@bob is not a maintainer (author_association CONTRIBUTOR)",
            id="contributor",
        ),
        pytest.param(
            [review(state="DISMISSED")], "@bob's review is not an approval", id="dismissed"
        ),
        pytest.param(
            [review(), review("", id=43, state="CHANGES_REQUESTED")],
            "@bob has since withdrawn their approval",
            id="changes requested later",
        ),
        pytest.param([review(user=None)], "the approving account has been deleted", id="ghost"),
        pytest.param([], "no review acknowledges prod", id="no reviews"),
        pytest.param([review("LGTM")], "no review acknowledges prod", id="plain approval"),
    ],
)
def test_not_acknowledged(reviews: list[dict[str, Any]], why: str) -> None:
    verdict = decide(*reviews)
    assert not verdict.acknowledged
    assert verdict.why == (
        f"not acknowledged ({why}): a maintainer other than @alice and the PR's committers "
        f"must approve c0ffee000000 with the line `{LINE}` in the review"
    )


def test_a_later_comment_does_not_withdraw_an_approval() -> None:
    assert decide(review(), review("nit", id=43, state="COMMENTED")).acknowledged


def test_any_one_valid_approval_is_enough() -> None:
    assert decide(review(commit_id=OLD), review(id=43, user={"login": "carol"})).acknowledged


def test_staging_needs_its_own_line() -> None:
    assert not decide(review(), stack="staging").acknowledged
    assert decide(review(LINE.replace("prod", "staging")), stack="staging").acknowledged


@pytest.mark.parametrize(
    "body",
    [
        pytest.param(LINE.replace("k", "\u212a", 1), id="Kelvin sign in the key"),
        pytest.param(LINE.replace("-", "\u2010", 1), id="Unicode hyphen in the key"),
        pytest.param(LINE.replace(": prod", ": pr\u043ed"), id="Cyrillic o in the stack"),
        pytest.param(LINE.replace("shared", "\u0455hared"), id="Cyrillic s in a name"),
        pytest.param(LINE.replace(":", "\uff1a", 1), id="fullwidth colon"),
        pytest.param(LINE.replace("volume", "volume\u200b"), id="zero-width space in a name"),
        pytest.param("see below\u2028" + LINE, id="U+2028 is not a line break"),
        pytest.param("> " + LINE, id="quoted"),
        pytest.param("please " + LINE, id="not at line start"),
        pytest.param(LINE.replace("prod", "prod\x00"), id="NUL"),
    ],
)
def test_look_alikes_do_not_match(body: str) -> None:
    assert not decide(review(body)).acknowledged


def test_huge_bodies() -> None:
    filler = "x" * 1000 + "\n"
    # Near GitHub's limit: still read, and quickly.
    body = filler * 60 + LINE
    started = time.monotonic()
    assert decide(review(body)).acknowledged
    assert time.monotonic() - started < 2
    # Longer than GitHub allows: not from GitHub, ignored.
    verdict = decide(review(filler * 70 + LINE))
    assert not verdict.acknowledged
    assert "@bob's review is longer than GitHub allows" in verdict.why
    # One enormous line with many separators.
    assert not decide(review("Acknowledge-Replacement: prod:" + "," * 60_000)).acknowledged


def test_hostile_logins_stay_on_one_line() -> None:
    verdict = decide(review(user={"login": "eve\n::error::pwned`"}, author_association="NONE"))
    assert "\n" not in verdict.why
    assert "@eve?::error::pwned? is not a maintainer" in verdict.why


def test_whoever_wrote_a_commit_of_the_pr_cannot_acknowledge_it() -> None:
    verdict = decide(review(user={"login": "Mallory", "type": "User"}))
    assert not verdict.acknowledged
    assert verdict.why.startswith(
        "not acknowledged (@Mallory wrote commits of this PR: their approval does not count)"
    )


def test_the_writers_are_every_commits_author_and_committer() -> None:
    assert ci_ack.writers([commit("alice", "web-flow"), commit("Dave", "Carol")]) == {
        "alice", "web-flow", "dave", "carol"
    }  # fmt: skip


@pytest.mark.parametrize(
    ("commits", "message"),
    [
        pytest.param(
            [commit(author=None)],
            "commit f00d00000000's author is linked to no GitHub account",
            id="unlinked author",
        ),
        pytest.param(
            [commit(committer=None)],
            "commit f00d00000000's committer is linked to no GitHub account",
            id="unlinked committer",
        ),
        pytest.param(
            [commit()] * 250, "the PR has 250 or more commits, more than GitHub lists", id="250"
        ),
    ],
)
def test_writers_that_cannot_be_known_block(commits: list[dict[str, Any]], message: str) -> None:
    with pytest.raises(ci_ack.InputError, match=message):
        ci_ack.writers(commits)


def test_nothing_at_risk_needs_no_acknowledgement() -> None:
    verdict = ci_ack.decide("prod", [], [], AUTHOR, HEAD, set())
    assert verdict == ci_ack.Verdict(
        True, "nothing to acknowledge: no stateful resource at risk in prod"
    )


# --- the command line, as scripts/ci-offline-diff.sh runs it -----------------------------

ACCOUNT = "urn:pulumi:prod::p::azure-native:storage:StorageAccount::shared-storage-account"
PV = "urn:pulumi:prod::p::kubernetes:core/v1:PersistentVolume::volume-data-pv"
RG = "urn:pulumi:prod::p::azure-native:resources:ResourceGroup::rg"
DIFF = {
    "stacks": [
        {
            "stack": "prod",
            "changes": [
                {"urn": ACCOUNT, "name": "shared-storage-account"},
                {"urn": PV, "name": "volume-data-pv"},
                {"urn": RG, "name": "rg"},
            ],
            "statefulRisks": [PV, ACCOUNT],
        },
        {"stack": "staging", "changes": [], "statefulRisks": []},
    ],
    "blocked": True,
}


ONE_PAGE_OF_COMMITS = [[commit()]]


def run_raw(
    tmp_path: Path, *, stack: str = "prod", sha: str = HEAD
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [
            sys.executable,
            str(SCRIPTS / "ci_ack.py"),
            "--stack",
            stack,
            "--diff",
            str(tmp_path / "diff.json"),
            "--reviews",
            str(tmp_path / "reviews.json"),
            "--commits",
            str(tmp_path / "commits.json"),
            "--author",
            AUTHOR,
            "--head-sha",
            sha,
        ],
        cwd=tmp_path,
        env=env_with(),
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def run(
    tmp_path: Path,
    reviews: Any,
    *,
    stack: str = "prod",
    diff: Any = DIFF,
    sha: str = HEAD,
    commits: Any = ONE_PAGE_OF_COMMITS,
) -> subprocess.CompletedProcess[str]:
    (tmp_path / "diff.json").write_text(json.dumps(diff))
    (tmp_path / "reviews.json").write_text(json.dumps(reviews))
    (tmp_path / "commits.json").write_text(json.dumps(commits))
    return run_raw(tmp_path, stack=stack, sha=sha)


@pytest.mark.parametrize(
    "reviews",
    [
        pytest.param([review()], id="one array"),
        pytest.param([[review("LGTM", id=1)], [review()]], id="pages (gh api --paginate --slurp)"),
    ],
)
def test_cli_acknowledged(tmp_path: Path, reviews: Any) -> None:
    done = run(tmp_path, reviews)
    assert (done.returncode, done.stderr) == (0, "")
    assert done.stdout.startswith("acknowledged by @bob")
    assert done.stdout.count("\n") == 1


def test_cli_not_acknowledged(tmp_path: Path) -> None:
    done = run(tmp_path, [review("Acknowledge-Replacement: prod: $(touch pwned), volume-data-pv")])
    assert done.returncode == 1
    assert done.stdout.startswith("not acknowledged (@bob's approval does not name shared-")
    assert done.stdout.count("\n") == 1
    assert not (tmp_path / "pwned").exists()


def test_cli_a_committers_approval_does_not_count(tmp_path: Path) -> None:
    done = run(tmp_path, [review()], commits=[[commit()], [commit("bob", "bob")]])
    assert done.returncode == 1
    assert done.stdout.startswith("not acknowledged (@bob wrote commits of this PR")


def test_cli_nothing_at_risk(tmp_path: Path) -> None:
    assert run(tmp_path, [], stack="staging").returncode == 0


@pytest.mark.parametrize(
    ("kwargs", "reviews", "message"),
    [
        ({"sha": "HEAD"}, [], "--head-sha is not a commit SHA"),
        ({"stack": "../prod"}, [], "invalid stack name"),
        ({"stack": "qa"}, [], "the diff has no stack qa"),
        ({"diff": {"stacks": [{"stack": "prod"}]}}, [], "the diff of prod has no changes"),
        (
            {"diff": {"stacks": [{"stack": "prod", "changes": [], "statefulRisks": [["x"]]}]}},
            [],
            "the diff lists no name for ['x']",
        ),
        ({"diff": ["not", "a", "diff"]}, [], "the diff is not infra diff --json output"),
        ({}, {"message": "Bad credentials"}, "the reviews are not a JSON array"),
        ({}, [review(), "x"], "the reviews are not review objects"),
        ({"commits": {"message": "Not Found"}}, [], "the commits are not a JSON array"),
        ({"commits": [commit(author=None)]}, [], "commit f00d00000000's author is linked to no"),
    ],
)
def test_cli_unusable_input(
    tmp_path: Path, kwargs: dict[str, Any], reviews: Any, message: str
) -> None:
    done = run(tmp_path, reviews, **kwargs)
    assert done.returncode == 2
    assert done.stdout.startswith("not acknowledged: ")
    assert message in done.stdout


def test_cli_unreadable_files(tmp_path: Path) -> None:
    run(tmp_path, [])
    (tmp_path / "reviews.json").write_text("[][]")  # gh api --paginate without --slurp
    done = run_raw(tmp_path)
    assert done.returncode == 2
    assert done.stdout.startswith("not acknowledged: cannot read the reviews")
    (tmp_path / "diff.json").unlink()
    assert run_raw(tmp_path).stdout.startswith("not acknowledged: cannot read the diff")


def test_there_is_no_way_to_pass_the_pr_body() -> None:
    with pytest.raises(SystemExit) as exc:
        ci_ack.main(["--stack=prod", "--body=" + LINE])
    assert exc.value.code == 2
