"""AKS's Kubernetes release calendar, as data: when each minor version is GA, when its support
ends and when its platform support ends. Standard library only, no Pulumi import: the policy
pack (``policies/rules/aks/managedcluster_kubernetes_version_supported.py``), ``infra diff``
(``infra/compare.py``: minor versions skipped by an upgrade) and the tests read it.

Source, read 2026-12-06 (``READ_ON``): "Supported Kubernetes versions in Azure Kubernetes
Service (AKS)", https://learn.microsoft.com/azure/aks/supported-kubernetes-versions, sections
"AKS Kubernetes release calendar and upcoming versions" and "LTS versions"
(github.com/MicrosoftDocs/azure-aks-docs articles/aks/supported-kubernetes-versions.md at
commit fb060abe6a8fef960d4c487b543bf7b1e97808fe of 2026-08-21, ms.date 08/05/2026; the newest
revision reachable from here). The page's rules, applied below:

* "Unless an explicit date is provided, the End of Life (EOL) date is the last day of the
  specified month": ``end_of_support`` is that last day.
* Platform support lasts "Until 1.N GA": it ends when that minor goes GA, a month the calendar
  gives only for minors it lists, so ``end_of_platform_support`` is known for 1.32 and 1.33 only,
  and taken as the first day of the GA month (the earliest the calendar allows). New clusters
  cannot be created in platform support ("Can I create a new 1.xx.x cluster during the platform
  support window? No"), so a stack needs ``end_of_support`` ahead of it, not this date.
* LTS (the Premium tier's ``supportPlan: AKSLongTermSupport``) adds a year: ``lts_end``.

The calendar's GA months are plans when first published; ``ga_announced`` holds the release
note that says a minor is GA (github.com/Azure/AKS CHANGELOG.md at commit
8d1c890900df47080a5a3a0de0ad06da110af845, newest note 2026-07-17). 1.37 is on the calendar as
GA Oct 2026, but the newest note reachable here (2026-07-17) still calls it "expected to be
available in October 2026": it stays unannounced until a note says otherwise, and no stack may
pin it. Minors after 1.37 are not on the calendar: their dates are not guessed.

These facts expire: ``calendar_problem`` fails every check once ``READ_ON`` is older than
``MAX_AGE_DAYS``, so the table is re-read from the source before it can mislead.
"""

from __future__ import annotations

import calendar as _calendar
import os
import re
from dataclasses import dataclass
from datetime import date

SOURCE_URL = "https://learn.microsoft.com/azure/aks/supported-kubernetes-versions"
RELEASE_NOTES_URL = "https://github.com/Azure/AKS/blob/master/CHANGELOG.md"
READ_ON = date(2026, 12, 6)
# AKS publishes a new minor about every four months and moves the calendar with it; read
# again within three months, before a new GA shortens some minor's platform support.
MAX_AGE_DAYS = 90
# Environment variable that sets "today" (an ISO date) for every check here: tests pin it.
TODAY_ENV = "INFRA_TODAY"
_VERSION = re.compile(r"^(\d+)\.(\d+)(?:\.\d+)?$")


def _month_end(year: int, month: int) -> date:
    return date(year, month, _calendar.monthrange(year, month)[1])


@dataclass(frozen=True)
class MinorRelease:
    """One Kubernetes minor version on AKS, as the calendar states it."""

    minor: str
    # AKS GA month as the calendar gives it (first day of that month).
    ga: date
    end_of_support: date
    # Platform support lasts until this minor's GA.
    platform_support_until_ga_of: str
    lts_end: date | None
    # The release note announcing GA; None while the calendar's GA month is only a plan.
    ga_announced: str | None = None


CALENDAR: dict[str, MinorRelease] = {
    r.minor: r
    for r in (
        MinorRelease("1.32", date(2025, 4, 1), _month_end(2026, 3), "1.36", _month_end(2027, 3)),
        MinorRelease("1.33", date(2025, 6, 1), _month_end(2026, 7), "1.37", _month_end(2027, 7)),
        MinorRelease(
            "1.34",
            date(2025, 11, 1),
            _month_end(2026, 11),
            "1.38",
            _month_end(2027, 11),
            f"{RELEASE_NOTES_URL} (Release Notes 2026-01-04)",
        ),
        MinorRelease(
            "1.35",
            date(2026, 3, 1),
            _month_end(2027, 3),
            "1.39",
            _month_end(2028, 3),
            f"{RELEASE_NOTES_URL} (Release Notes - 2026-03-05)",
        ),
        MinorRelease(
            "1.36",
            date(2026, 6, 1),
            _month_end(2027, 6),
            "1.40",
            _month_end(2028, 6),
            f"{RELEASE_NOTES_URL} (Release Notes - 2026-06-19)",
        ),
        MinorRelease("1.37", date(2026, 10, 1), _month_end(2027, 10), "1.41", _month_end(2028, 10)),
    )
}


def today() -> date:
    """Today, or the date ``INFRA_TODAY`` sets (how tests pin it)."""
    pinned = os.environ.get(TODAY_ENV)
    return date.fromisoformat(pinned) if pinned else date.today()


def minor_of(version: str) -> str | None:
    """``1.36.2`` -> ``1.36``; None for what is not a version."""
    match = _VERSION.match(version)
    return f"{match[1]}.{match[2]}" if match else None


def end_of_platform_support(minor: str) -> date | None:
    """When platform support ends: the GA of the minor it lasts until, if the calendar has it."""
    release = CALENDAR.get(minor)
    successor = CALENDAR.get(release.platform_support_until_ga_of) if release else None
    return successor.ga if successor else None


def calendar_problem(on: date) -> str | None:
    """Why the calendar cannot be trusted on ``on``, or None."""
    age = (on - READ_ON).days
    if age > MAX_AGE_DAYS:
        return (
            f"the AKS release calendar in policies/aks_versions.py was read on {READ_ON} "
            f"({age} days ago, more than {MAX_AGE_DAYS}); re-read {SOURCE_URL} and update it"
        )
    return None


def runway_problem(version: str, on: date, minimum_days: int) -> str | None:
    """Why a cluster pinned to ``version`` is not fit to deploy on ``on``, or None: the
    calendar is stale, the minor is not on it or not announced GA, or its end of support is
    ``minimum_days`` or fewer days away (or past)."""
    stale = calendar_problem(on)
    if stale:
        return f"cannot be checked: {stale}"
    minor = minor_of(version)
    release = CALENDAR.get(minor or "")
    if release is None:
        known = ", ".join(CALENDAR)
        return f"is not on the AKS release calendar in policies/aks_versions.py ({known})"
    left = (release.end_of_support - on).days
    if left < 0:
        return (
            f"reached AKS end of support on {release.end_of_support}, {-left} days before "
            f"{on}; AKS creates no cluster on it"
        )
    if left <= minimum_days:
        return (
            f"reaches AKS end of support on {release.end_of_support}, {left} days from {on}; "
            f"more than {minimum_days} days are required"
        )
    if release.ga_announced is None:
        return (
            f"has no GA announcement in AKS's release notes (the calendar plans GA in "
            f"{release.ga:%b %Y}); AKS offers it as a preview at most"
        )
    return None


def supported_minors(on: date) -> list[str]:
    """Minors announced GA and not yet past end of support on ``on``, oldest first."""
    return [
        r.minor for r in CALENDAR.values() if r.ga_announced is not None and r.end_of_support >= on
    ]


def _minor_number(minor: str) -> tuple[int, int]:
    major, number = minor.split(".")
    return int(major), int(number)


def skip_problem(base: str, head: str, on: date) -> str | None:
    """Why AKS refuses an upgrade of an existing cluster from ``base`` to ``head``, or None.

    "Can I skip multiple AKS versions during a cluster upgrade?" (same page): a supported
    non-LTS version upgrades "one minor version at a time"; from an unsupported one, AKS allows
    a jump only to the lowest supported community version. (LTS-to-LTS skips are allowed, but
    no stack enables LTS.) A downgrade is refused too ("Downgrades ... aren't supported")."""
    base_minor, head_minor = minor_of(base), minor_of(head)
    if base_minor is None or head_minor is None or base_minor == head_minor:
        return None
    if _minor_number(head_minor) < _minor_number(base_minor):
        return f"downgrades Kubernetes from {base} to {head}; AKS does not downgrade clusters"
    supported = supported_minors(on)
    release = CALENDAR.get(base_minor)
    if release is not None and release.end_of_support < on and supported:
        lowest = supported[0]
        if _minor_number(head_minor) <= _minor_number(lowest):
            return None
        return (
            f"upgrades Kubernetes from {base} (out of AKS support) to {head}; AKS upgrades an "
            f"unsupported version only to the lowest supported one, {lowest}, then one minor "
            "at a time"
        )
    major, number = _minor_number(base_minor)
    if _minor_number(head_minor) == (major, number + 1):
        return None
    return (
        f"upgrades Kubernetes from {base} to {head}, skipping a minor version; AKS upgrades "
        f"one minor at a time: {major}.{number + 1} first"
    )
