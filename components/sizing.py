"""A volume's declaration made a share under its billing model: pure functions, no Pulumi.

The facts (limits, formulas, SKUs) are ``azure_facts/files.py``'s; this module applies them to
what a volume declares (``quotaGiB``, ``throughputMiBps``, ``iops``) and names the field to fix
when a declaration cannot be provisioned. ``stacks/config.py`` resolves each volume once and
hands the result to the components.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from azure_facts.files import (
    PREMIUM_MAX_GIB,
    PREMIUM_MAX_THROUGHPUT_MIBPS,
    PREMIUM_MIN_GIB,
    STANDARD_MAX_GIB,
    STANDARD_MAX_IOPS,
    STANDARD_MAX_THROUGHPUT_MIBPS,
    STANDARD_MIN_GIB,
    V2_LIMITS,
    BillingModel,
    premium_burst_iops,
    premium_iops,
    premium_throughput_mibps,
    recommended_iops,
    recommended_throughput_mibps,
    v2_burst_iops,
)


class SizingError(ValueError):
    """A requested size or performance target cannot be provisioned; ``field`` names the
    volume field (``quotaGiB``, ``throughputMiBps`` or ``iops``) to fix, when there is one."""

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.field = field


def quota_for_throughput(mibps: int) -> int:
    """Smallest provisioned v1 quota (GiB) whose throughput is at least ``mibps``.

    Raises :class:`SizingError` for a non-positive target or one above what the largest
    share (102400 GiB) provides.
    """
    if isinstance(mibps, bool) or not isinstance(mibps, int):
        raise SizingError(f"throughput target must be an integer MiB/s (got {mibps!r})")
    if mibps < 1:
        raise SizingError(f"throughput target must be at least 1 MiB/s (got {mibps})")
    if mibps > PREMIUM_MAX_THROUGHPUT_MIBPS:
        raise SizingError(
            f"throughput target {mibps} MiB/s exceeds the {PREMIUM_MAX_THROUGHPUT_MIBPS} MiB/s "
            f"of the largest premium share ({PREMIUM_MAX_GIB} GiB); split the data over "
            "several shares"
        )
    # Throughput is non-decreasing in the quota: binary search for the first quota that meets it.
    low, high = PREMIUM_MIN_GIB, PREMIUM_MAX_GIB
    while low < high:
        middle = (low + high) // 2
        if premium_throughput_mibps(middle) >= mibps:
            high = middle
        else:
            low = middle + 1
    return low


# --- one share, any model -------------------------------------------------------------------


@dataclass(frozen=True)
class SharePerformance:
    """What a share gets under its billing model.

    ``provisioned`` is True when ``iops`` and ``throughput_mibps`` are provisioned (guaranteed)
    values; False for pay-as-you-go, where they are Azure's per-share ceilings, shared with
    the account. ``burst_iops`` is the best-effort burst limit of a provisioned share (None
    for pay-as-you-go). ``provisioned_iops``/``provisioned_mibps`` are what a v2 share sets on
    the FileShare (None in the other models, where Azure derives or does not provision them).
    """

    model: BillingModel
    quota_gib: int
    iops: int
    throughput_mibps: int
    provisioned: bool
    burst_iops: int | None = None
    provisioned_iops: int | None = None
    provisioned_mibps: int | None = None


def _whole(value: int | None, what: str, field: str) -> None:
    if value is not None and (isinstance(value, bool) or not isinstance(value, int)):
        raise SizingError(f"{what} must be an integer (got {value!r})", field)


def _within(value: int, low: int, high: int, what: str, model: BillingModel, field: str) -> None:
    if not low <= value <= high:
        raise SizingError(
            f"must be an integer between {low} and {high} {what} for {model} (got {value})",
            field,
        )


def resolve_share(
    model: BillingModel,
    *,
    quota_gib: int | None = None,
    throughput_mibps: int | None = None,
    iops: int | None = None,
) -> SharePerformance:
    """The share a volume's declaration gives under ``model``.

    * v2: ``quota_gib`` is required; missing targets take Azure's recommendation for it.
    * v1: exactly one of ``quota_gib`` or ``throughput_mibps`` (the quota then becomes the
      smallest whose throughput meets it); IOPS follow from the quota.
    * pay-as-you-go: ``quota_gib`` only; nothing can be provisioned.

    Raises :class:`SizingError` naming the field to fix.
    """
    _whole(quota_gib, "quotaGiB", "quotaGiB")
    _whole(throughput_mibps, "throughputMiBps", "throughputMiBps")
    _whole(iops, "iops", "iops")
    if model.v2:
        limits = V2_LIMITS[model]
        if quota_gib is None:
            raise SizingError(
                f"is required for {model}: give the data's size in GiB (IOPS and throughput "
                "are provisioned separately)",
                "quotaGiB",
            )
        _within(quota_gib, limits.min_gib, limits.max_gib, "GiB", model, "quotaGiB")
        chosen_iops = recommended_iops(model, quota_gib) if iops is None else iops
        chosen_mibps = (
            recommended_throughput_mibps(model, quota_gib)
            if throughput_mibps is None
            else throughput_mibps
        )
        _within(chosen_iops, limits.min_iops, limits.max_iops, "IOPS", model, "iops")
        _within(chosen_mibps, limits.min_mibps, limits.max_mibps, "MiB/s", model, "throughputMiBps")
        return SharePerformance(
            model=model,
            quota_gib=quota_gib,
            iops=chosen_iops,
            throughput_mibps=chosen_mibps,
            provisioned=True,
            burst_iops=v2_burst_iops(model, chosen_iops),
            provisioned_iops=chosen_iops,
            provisioned_mibps=chosen_mibps,
        )
    if iops is not None:
        raise SizingError(
            f"cannot be set for {model}, "
            + (
                "where IOPS follow from quotaGiB; remove it, or use a provisioned-v2 model"
                if model.provisioned
                else "where nothing is provisioned; remove it, or use a provisioned-v2 model"
            ),
            "iops",
        )
    if model is BillingModel.PROVISIONED_V1_SSD:
        if (quota_gib is None) == (throughput_mibps is None):
            raise SizingError(
                f"must set exactly one of quotaGiB or throughputMiBps for {model}"
                + (" (got both)" if quota_gib is not None else " (got neither)")
            )
        if throughput_mibps is not None:
            if not 1 <= throughput_mibps <= PREMIUM_MAX_THROUGHPUT_MIBPS:
                raise SizingError(
                    f"must be an integer between 1 and {PREMIUM_MAX_THROUGHPUT_MIBPS} MiB/s for "
                    f"{model} (got {throughput_mibps}); split the data over several volumes",
                    "throughputMiBps",
                )
            quota_gib = quota_for_throughput(throughput_mibps)
        assert quota_gib is not None
        _within(quota_gib, PREMIUM_MIN_GIB, PREMIUM_MAX_GIB, "GiB", model, "quotaGiB")
        return SharePerformance(
            model=model,
            quota_gib=quota_gib,
            iops=premium_iops(quota_gib),
            throughput_mibps=premium_throughput_mibps(quota_gib),
            provisioned=True,
            burst_iops=premium_burst_iops(quota_gib),
        )
    if throughput_mibps is not None:
        raise SizingError(
            f"cannot be provisioned for {model} (at most {STANDARD_MAX_THROUGHPUT_MIBPS} MiB/s, "
            "shared with the account); remove it, or use a provisioned model",
            "throughputMiBps",
        )
    if quota_gib is None:
        raise SizingError(f"is required for {model}", "quotaGiB")
    _within(quota_gib, STANDARD_MIN_GIB, STANDARD_MAX_GIB, "GiB", model, "quotaGiB")
    return SharePerformance(
        model=model,
        quota_gib=quota_gib,
        iops=STANDARD_MAX_IOPS,
        throughput_mibps=STANDARD_MAX_THROUGHPUT_MIBPS,
        provisioned=False,
    )


def check_account_totals(model: BillingModel, shares: Sequence[SharePerformance]) -> None:
    """A v2 account's shares share its provisioned storage, IOPS and throughput, and Azure
    refuses a share that would exceed them ("enforced at provision time")."""
    if not model.v2:
        return
    limits = V2_LIMITS[model]
    if len(shares) > limits.account_max_shares:
        raise SizingError(
            f"hold {len(shares)} shares, more than the {limits.account_max_shares} a {model} "
            "account allows; split them over several stacks"
        )
    for what, total, cap in (
        ("GiB", sum(s.quota_gib for s in shares), limits.account_max_gib),
        ("IOPS", sum(s.iops for s in shares), limits.account_max_iops),
        ("MiB/s", sum(s.throughput_mibps for s in shares), limits.account_max_mibps),
    ):
        if total > cap:
            raise SizingError(
                f"provision {total} {what} in total, more than the {cap} {what} one {model} "
                "account allows; lower the volumes' values or split them over several stacks"
            )
