"""Azure Files billing models as the pack sees them: told apart by the storage account's SKU.

Source: "Understand Azure Files billing models",
https://learn.microsoft.com/azure/storage/files/understanding-billing (ms.date 2025-06-04).
The pack runs on its own, so it holds these facts itself; they are the program's
(``components/sizing.py``), and ``tests/policies/test_policy_files_models.py`` keeps the two
equal.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Final

from ._props import UNKNOWN


@dataclass(frozen=True)
class FilesModel:
    """One billing model. The IOPS/throughput fields are the v2 per-share and per-account
    limits and recommendation constants (``None`` in models that provision neither)."""

    name: str
    account_kind: str
    ssd: bool
    min_gib: int
    max_gib: int
    min_iops: int | None = None
    max_iops: int | None = None
    min_mibps: int | None = None
    max_mibps: int | None = None
    account_max_iops: int | None = None
    account_max_mibps: int | None = None
    # Recommendation: MIN(MAX(base + CEILING(GiB * num / den), min), max).
    base_iops: int = 0
    iops_per_gib: tuple[int, int] = (0, 1)
    base_mibps: int = 0
    mibps_per_gib: tuple[int, int] = (0, 1)

    @property
    def v2(self) -> bool:
        return self.min_iops is not None

    @property
    def provisioned(self) -> bool:
        return self.account_kind == "FileStorage"

    def recommended_iops(self, gib: int) -> int:
        assert self.min_iops is not None and self.max_iops is not None
        return _recommendation(self.base_iops, self.iops_per_gib, self.min_iops, self.max_iops, gib)

    def recommended_mibps(self, gib: int) -> int:
        assert self.min_mibps is not None and self.max_mibps is not None
        return _recommendation(
            self.base_mibps, self.mibps_per_gib, self.min_mibps, self.max_mibps, gib
        )


def _recommendation(base: int, per_gib: tuple[int, int], floor: int, cap: int, gib: int) -> int:
    """Azure's one recommendation formula: MIN(MAX(base + CEILING(per_gib * GiB), floor), cap)."""
    numerator, denominator = per_gib
    return min(max(base + -(-gib * numerator // denominator), floor), cap)


# SKU family (the SKU name before its redundancy) -> model.
MODELS: Final[dict[str, FilesModel]] = {
    "PremiumV2": FilesModel(
        name="provisioned-v2-ssd",
        account_kind="FileStorage",
        ssd=True,
        min_gib=32,
        max_gib=262_144,
        min_iops=3_000,
        max_iops=102_400,
        min_mibps=100,
        max_mibps=10_340,
        account_max_iops=102_400,
        account_max_mibps=10_340,
        base_iops=3_000,
        iops_per_gib=(1, 1),
        base_mibps=100,
        mibps_per_gib=(1, 10),
    ),
    "StandardV2": FilesModel(
        name="provisioned-v2-hdd",
        account_kind="FileStorage",
        ssd=False,
        min_gib=32,
        max_gib=262_144,
        min_iops=500,
        max_iops=50_000,
        min_mibps=60,
        max_mibps=5_120,
        account_max_iops=50_000,
        account_max_mibps=5_120,
        base_iops=1_000,
        iops_per_gib=(1, 5),
        base_mibps=60,
        mibps_per_gib=(1, 50),
    ),
    "Premium": FilesModel(
        name="provisioned-v1-ssd",
        account_kind="FileStorage",
        ssd=True,
        min_gib=100,
        max_gib=102_400,
    ),
    "Standard": FilesModel(
        name="pay-as-you-go-hdd", account_kind="StorageV2", ssd=False, min_gib=1, max_gib=102_400
    ),
}
# Access tiers of pay-as-you-go shares; provisioned shares are "Premium" (or unset).
PAY_AS_YOU_GO_TIERS: Final = frozenset({"TransactionOptimized", "Hot", "Cool"})


def v1_iops(gib: int) -> int:
    """Provisioned v1 baseline IOPS: MIN(3000 + 1 * GiB, 102400)."""
    return min(3_000 + gib, 102_400)


def v1_mibps(gib: int) -> int:
    """Provisioned v1 throughput: 100 + CEILING(0.04 * GiB) + CEILING(0.06 * GiB) MiB/s."""
    return 100 + -(-4 * gib // 100) + -(-6 * gib // 100)


def sku_of(account: Any) -> Any:
    """A StorageAccount's ``sku.name`` (str), UNKNOWN, or None when absent."""
    sku = account.get("sku", "name")
    if sku is UNKNOWN:
        return UNKNOWN
    return sku if isinstance(sku, str) else None


def model_of(sku: Any) -> Any:
    """The billing model a SKU name selects: FilesModel, None (another SKU) or UNKNOWN."""
    if sku is UNKNOWN:
        return UNKNOWN
    if not isinstance(sku, str):
        return None
    return MODELS.get(sku.rsplit("_", 1)[0])
