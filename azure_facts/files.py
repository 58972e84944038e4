"""Azure Files, as Azure documents it: the billing models, their SKUs, per-share and per-account
limits, performance formulas, redundancy, and the regions that offer each. Standard library
only, no Pulumi import: the program (``components/``, ``stacks/``), the policy pack
(``policies/``, which runs with ``pulumi-policy`` alone) and ``infra cost`` read these same facts.

Sources, read on ``READ_ON`` (2026-11-30); ``tests/azure_facts`` fails once that is older than
``MAX_AGE``, so the facts are re-read before they mislead:

* "Understand Azure Files billing models",
  https://learn.microsoft.com/azure/storage/files/understanding-billing (ms.date 2025-06-04),
  for every number and formula of the models a stack can choose (``fileBillingModel``):

  * **provisioned-v2-ssd / provisioned-v2-hdd**: storage, IOPS and throughput are provisioned
    separately on each share (``FileStorage`` accounts, SKUs ``PremiumV2_*`` / ``StandardV2_*``).
    A share declares its size; IOPS and throughput default to Azure's recommendation for that
    size and may be set to any value within the model's limits.
  * **provisioned-v1-ssd**: IOPS and throughput follow from the provisioned size
    (``FileStorage``, ``Premium_*``), so throughput can only be bought through capacity:
    baseline IOPS = min(3000 + GiB, 102400), throughput = 100 + ceil(0.04 * GiB) +
    ceil(0.06 * GiB) MiB/s, 100-102400 GiB.
  * **pay-as-you-go-hdd**: nothing is provisioned (``StorageV2`` with large file shares,
    ``Standard_*``); the quota is a size cap and performance an upper bound shared with the
    account (up to 20,000 IOPS and 300 MiB/s per share).

  Provisioned v2 is "generally available in all Azure public cloud regions ... Not all regions
  support all media tiers and redundancy options" (#provisioned-v2-availability); pay-as-you-go
  HDD shares are available in all regions.
* A standard share holds 5 TiB unless its account enables large file shares (then 100 TiB):
  "Azure Files scalability and performance targets",
  https://learn.microsoft.com/azure/storage/files/storage-files-scale-targets, and the storage
  API's ``shareQuota`` ("less than or equal to 5TB (5120). For Large File Shares, the maximum
  size is 102400"; pulumi-azure-native 3.29.0 ``storage.FileShare``).
* SSD file shares, v1 and v2 alike, exist only in the regions of "Azure Files redundancy
  support for SSD file shares",
  https://learn.microsoft.com/azure/storage/files/redundancy-premium-file-shares
  (ms.date 2025-03-25): the LRS and ZRS lists below, and they are locally or zone-redundant
  only (its "Applies to" table). Regions of those lists that ``azure_facts.regions.AZURE_REGIONS``
  does not hold (China, US Government, and the restricted ``southcentralus2``, ``southeastus``,
  ``southeastus3``, ``taiwannorth``, ``taiwannorthwest``) are left out: a stack cannot name them.
  When Azure opens a region to a tier, add it here.
* ZRS for HDD shares needs a region with availability zones ("Azure Files data redundancy",
  https://learn.microsoft.com/azure/storage/files/files-redundancy#zrs-support-by-region,
  pointing at the "Availability zone support" column of
  https://learn.microsoft.com/azure/reliability/regions-list, ms.date 2025-09-23).
* GRS and GZRS (HDD shares only, see ``BillingModel.redundancies``) copy the account to the
  region's pair: "The paired secondary region is determined based on the primary region, and
  can't be changed" ("Azure Storage redundancy",
  https://learn.microsoft.com/azure/storage/common/storage-redundancy). GRS therefore needs a
  paired region: the "List of region pairs" of "Azure region pairs and nonpaired regions",
  https://learn.microsoft.com/azure/reliability/regions-paired (ms.date 2025-01-13); GZRS the
  subset of "Azure regions that support geo-zone-redundant storage (GZRS)",
  https://learn.microsoft.com/azure/storage/common/redundancy-regions-gzrs (list ms.date
  2024-02-12). Geo-redundant HDD shares take the same 100 TiB as the others ("Azure Files
  geo-redundancy for large file shares",
  https://learn.microsoft.com/azure/storage/files/geo-redundant-storage-for-large-file-shares).

All arithmetic is integer arithmetic, so threshold cases are exact (no float rounding). The
formulas hold for any size; whether a size is allowed is the limits' question.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum
from typing import Final, Literal, get_args

from azure_facts.regions import AZURE_REGIONS

READ_ON: Final = date(2026, 11, 30)
# Azure opens regions to tiers and raises limits a few times a year: re-read twice a year.
MAX_AGE: Final = timedelta(days=180)

Redundancy = Literal["LRS", "ZRS", "GRS", "GZRS"]


class BillingModel(StrEnum):
    """How an account's shares are billed (and so provisioned): the ``fileBillingModel`` key."""

    PROVISIONED_V2_SSD = "provisioned-v2-ssd"
    PROVISIONED_V2_HDD = "provisioned-v2-hdd"
    PROVISIONED_V1_SSD = "provisioned-v1-ssd"
    PAY_AS_YOU_GO_HDD = "pay-as-you-go-hdd"

    @property
    def ssd(self) -> bool:
        return self.value.endswith("-ssd")

    @property
    def v2(self) -> bool:
        return self.value.startswith("provisioned-v2")

    @property
    def provisioned(self) -> bool:
        return self is not BillingModel.PAY_AS_YOU_GO_HDD

    @property
    def account_kind(self) -> str:
        """Every provisioned model lives in a FileStorage account (the v2 SKUs too)."""
        return "FileStorage" if self.provisioned else "StorageV2"

    @property
    def sku_family(self) -> str:
        return _SKU_FAMILY[self]

    @property
    def allows_nfs(self) -> bool:
        """NFS 4.1 shares exist on SSD only, in v1 and v2 ("availability" tables)."""
        return self.ssd

    @property
    def redundancies(self) -> tuple[Redundancy, ...]:
        """SSD shares, v1 and v2, are locally or zone-redundant only; HDD shares, v2 and
        pay-as-you-go, are geo-redundant too ("Applies to" table of "Azure Files redundancy
        support for SSD file shares",
        https://learn.microsoft.com/azure/storage/files/redundancy-premium-file-shares)."""
        return ("LRS", "ZRS") if self.ssd else get_args(Redundancy)

    @property
    def skus(self) -> frozenset[str]:
        """The storage account SKUs of this model, one per redundancy it offers."""
        return frozenset(account_sku(self, redundancy) for redundancy in self.redundancies)

    @property
    def min_gib(self) -> int:
        """The smallest share quota of this model."""
        return _QUOTA_RANGE[self][0]

    @property
    def max_gib(self) -> int:
        """The largest share quota of this model (pay-as-you-go: with large file shares)."""
        return _QUOTA_RANGE[self][1]


_SKU_FAMILY = {
    BillingModel.PROVISIONED_V2_SSD: "PremiumV2",
    BillingModel.PROVISIONED_V2_HDD: "StandardV2",
    BillingModel.PROVISIONED_V1_SSD: "Premium",
    BillingModel.PAY_AS_YOU_GO_HDD: "Standard",
}


def account_sku(model: BillingModel, redundancy: Redundancy) -> str:
    """The storage account SKU of ``model`` with ``redundancy``, e.g. ``PremiumV2_ZRS``."""
    return f"{model.sku_family}_{redundancy}"


def model_for_sku(sku: str) -> BillingModel | None:
    """The billing model a storage account SKU selects, by its family (the name before the
    redundancy; ``Standard_RAGRS`` is pay-as-you-go too); ``None`` for other SKUs (disks')."""
    family = sku.rsplit("_", 1)[0]
    return next((m for m, f in _SKU_FAMILY.items() if f == family), None)


# --- provisioned v2 -------------------------------------------------------------------------


@dataclass(frozen=True)
class V2Limits:
    """Per-share and per-account limits of a provisioned v2 media tier ("Provisioned v2
    provisioning" and "Provisioned v2 classic file shares" tables)."""

    min_gib: int
    max_gib: int
    min_iops: int
    max_iops: int
    min_mibps: int
    max_mibps: int
    account_max_gib: int
    account_max_iops: int
    account_max_mibps: int
    account_max_shares: int
    # Recommendation: MIN(MAX(base + CEILING(scalar * GiB), floor), cap), scalar as a fraction.
    base_iops: int
    iops_per_gib: tuple[int, int]
    base_mibps: int
    mibps_per_gib: tuple[int, int]
    # Burst IOPS limit: MIN(MAX(3 * ProvisionedIOPS, burst_floor), max_iops).
    burst_floor: int


V2_LIMITS: dict[BillingModel, V2Limits] = {
    BillingModel.PROVISIONED_V2_SSD: V2Limits(
        min_gib=32,
        max_gib=262_144,
        min_iops=3_000,
        max_iops=102_400,
        min_mibps=100,
        max_mibps=10_340,
        account_max_gib=262_144,
        account_max_iops=102_400,
        account_max_mibps=10_340,
        account_max_shares=50,
        base_iops=3_000,
        iops_per_gib=(1, 1),
        base_mibps=100,
        mibps_per_gib=(1, 10),
        burst_floor=10_000,
    ),
    BillingModel.PROVISIONED_V2_HDD: V2Limits(
        min_gib=32,
        max_gib=262_144,
        min_iops=500,
        max_iops=50_000,
        min_mibps=60,
        max_mibps=5_120,
        account_max_gib=4_194_304,
        account_max_iops=50_000,
        account_max_mibps=5_120,
        account_max_shares=50,
        base_iops=1_000,
        iops_per_gib=(1, 5),
        base_mibps=60,
        mibps_per_gib=(1, 50),
        burst_floor=5_000,
    ),
}


def _ceil_div(numerator: int, denominator: int) -> int:
    return -(-numerator // denominator)


def _v2(model: BillingModel) -> V2Limits:
    if not model.v2:
        raise ValueError(f"{model} is not a provisioned v2 model")
    return V2_LIMITS[model]


def _recommendation(base: int, per_gib: tuple[int, int], floor: int, cap: int, gib: int) -> int:
    """Azure's one recommendation formula: MIN(MAX(base + CEILING(per_gib * GiB), floor), cap)."""
    numerator, denominator = per_gib
    return min(max(base + _ceil_div(numerator * gib, denominator), floor), cap)


def recommended_iops(model: BillingModel, gib: int) -> int:
    """Azure's IOPS recommendation for a v2 share of ``gib``:
    SSD MIN(MAX(3000 + CEILING(1 * GiB), 3000), 102400),
    HDD MIN(MAX(1000 + CEILING(0.2 * GiB), 500), 50000)."""
    limits = _v2(model)
    return _recommendation(
        limits.base_iops, limits.iops_per_gib, limits.min_iops, limits.max_iops, gib
    )


def recommended_throughput_mibps(model: BillingModel, gib: int) -> int:
    """Azure's throughput recommendation for a v2 share of ``gib``:
    SSD MIN(MAX(100 + CEILING(0.1 * GiB), 100), 10340),
    HDD MIN(MAX(60 + CEILING(0.02 * GiB), 60), 5120)."""
    limits = _v2(model)
    return _recommendation(
        limits.base_mibps, limits.mibps_per_gib, limits.min_mibps, limits.max_mibps, gib
    )


def v2_burst_iops(model: BillingModel, iops: int) -> int:
    """Best-effort burst limit of a v2 share: MIN(MAX(3 * IOPS, 10000 SSD | 5000 HDD), max)."""
    limits = _v2(model)
    return min(max(3 * iops, limits.burst_floor), limits.max_iops)


# --- provisioned v1 (SSD) -------------------------------------------------------------------

PREMIUM_MIN_GIB = 100
PREMIUM_MAX_GIB = 102_400
PREMIUM_MAX_IOPS = 102_400
PREMIUM_BASE_IOPS = 3_000
PREMIUM_BASE_THROUGHPUT_MIBPS = 100
PREMIUM_BURST_FLOOR = 10_000

# --- pay-as-you-go (HDD) --------------------------------------------------------------------

STANDARD_MIN_GIB = 1
STANDARD_MAX_GIB = 102_400  # with large file shares enabled
STANDARD_MAX_GIB_WITHOUT_LARGE_FILE_SHARES = 5_120
# Upper bounds for a pay-as-you-go share in a large-file-share account: up to 20,000 IOPS
# and 300 MiB/s per share. They are ceilings shared with every other share in the account,
# not guarantees, and they do not depend on the quota.
STANDARD_MAX_IOPS = 20_000
STANDARD_MAX_THROUGHPUT_MIBPS = 300
# The access tiers of pay-as-you-go shares; provisioned shares have none of them.
PAY_AS_YOU_GO_TIERS: Final = frozenset({"TransactionOptimized", "Hot", "Cool"})


def premium_iops(quota_gib: int) -> int:
    """Baseline IOPS of a provisioned v1 share: min(3000 + GiB, 102400)."""
    return min(PREMIUM_BASE_IOPS + quota_gib, PREMIUM_MAX_IOPS)


def premium_burst_iops(quota_gib: int) -> int:
    """Best-effort burst limit of a provisioned v1 share: MIN(MAX(3 * GiB, 10000), 102400)."""
    return min(max(3 * quota_gib, PREMIUM_BURST_FLOOR), PREMIUM_MAX_IOPS)


def premium_throughput_mibps(quota_gib: int) -> int:
    """Throughput of a provisioned v1 share: 100 + ceil(0.04 * GiB) + ceil(0.06 * GiB) MiB/s."""
    return (
        PREMIUM_BASE_THROUGHPUT_MIBPS
        + _ceil_div(4 * quota_gib, 100)
        + _ceil_div(6 * quota_gib, 100)
    )


PREMIUM_MAX_THROUGHPUT_MIBPS = premium_throughput_mibps(PREMIUM_MAX_GIB)

_QUOTA_RANGE: dict[BillingModel, tuple[int, int]] = {
    **{model: (limits.min_gib, limits.max_gib) for model, limits in V2_LIMITS.items()},
    BillingModel.PROVISIONED_V1_SSD: (PREMIUM_MIN_GIB, PREMIUM_MAX_GIB),
    BillingModel.PAY_AS_YOU_GO_HDD: (STANDARD_MIN_GIB, STANDARD_MAX_GIB),
}

# --- regions ----------------------------------------------------------------------------------


SSD_LRS_REGIONS: frozenset[str] = frozenset(
    {
        "australiacentral",
        "australiacentral2",
        "australiaeast",
        "australiasoutheast",
        "austriaeast",
        "belgiumcentral",
        "brazilsouth",
        "brazilsoutheast",
        "canadacentral",
        "canadaeast",
        "centralindia",
        "centralus",
        "chilecentral",
        "eastasia",
        "eastus",
        "eastus2",
        "francecentral",
        "francesouth",
        "germanynorth",
        "germanywestcentral",
        "indonesiacentral",
        "israelcentral",
        "italynorth",
        "japaneast",
        "japanwest",
        "jioindiacentral",
        "jioindiawest",
        "koreacentral",
        "koreasouth",
        "malaysiawest",
        "mexicocentral",
        "newzealandnorth",
        "northcentralus",
        "northeurope",
        "norwayeast",
        "norwaywest",
        "polandcentral",
        "qatarcentral",
        "southafricanorth",
        "southafricawest",
        "southcentralus",
        "southeastasia",
        "southindia",
        "spaincentral",
        "swedencentral",
        "switzerlandnorth",
        "switzerlandwest",
        "uaecentral",
        "uaenorth",
        "uksouth",
        "ukwest",
        "westcentralus",
        "westeurope",
        "westindia",
        "westus",
        "westus2",
        "westus3",
    }
)

SSD_ZRS_REGIONS: frozenset[str] = frozenset(
    {
        "australiaeast",
        "austriaeast",
        "brazilsouth",
        "canadacentral",
        "centralindia",
        "centralus",
        "eastasia",
        "eastus",
        "eastus2",
        "francecentral",
        "germanywestcentral",
        "indonesiacentral",
        "israelcentral",
        "italynorth",
        "japaneast",
        "japanwest",
        "koreacentral",
        "malaysiawest",
        "mexicocentral",
        "newzealandnorth",
        "northeurope",
        "norwayeast",
        "polandcentral",
        "qatarcentral",
        "southafricanorth",
        "southcentralus",
        "southeastasia",
        "spaincentral",
        "swedencentral",
        "switzerlandnorth",
        "uaenorth",
        "uksouth",
        "westeurope",
        "westus2",
        "westus3",
    }
)

ZONE_REDUNDANT_REGIONS: frozenset[str] = frozenset(
    {
        "australiaeast",
        "austriaeast",
        "belgiumcentral",
        "brazilsouth",
        "canadacentral",
        "centralindia",
        "centralus",
        "chilecentral",
        "eastasia",
        "eastus",
        "eastus2",
        "francecentral",
        "germanywestcentral",
        "indonesiacentral",
        "israelcentral",
        "italynorth",
        "japaneast",
        "japanwest",
        "koreacentral",
        "malaysiawest",
        "mexicocentral",
        "newzealandnorth",
        "northeurope",
        "norwayeast",
        "polandcentral",
        "qatarcentral",
        "southafricanorth",
        "southcentralus",
        "southeastasia",
        "spaincentral",
        "swedencentral",
        "switzerlandnorth",
        "uaenorth",
        "uksouth",
        "westeurope",
        "westus2",
        "westus3",
    }
)


PAIRED_REGIONS: frozenset[str] = frozenset(
    {
        "australiacentral",
        "australiacentral2",
        "australiaeast",
        "australiasoutheast",
        "brazilsouth",
        "brazilsoutheast",
        "canadacentral",
        "canadaeast",
        "centralindia",
        "centralus",
        "eastasia",
        "eastus",
        "eastus2",
        "francecentral",
        "francesouth",
        "germanynorth",
        "germanywestcentral",
        "japaneast",
        "japanwest",
        "koreacentral",
        "koreasouth",
        "northcentralus",
        "northeurope",
        "norwayeast",
        "norwaywest",
        "southafricanorth",
        "southafricawest",
        "southcentralus",
        "southeastasia",
        "southindia",
        "swedencentral",
        "swedensouth",
        "switzerlandnorth",
        "switzerlandwest",
        "uaecentral",
        "uaenorth",
        "uksouth",
        "ukwest",
        "westcentralus",
        "westeurope",
        "westindia",
        "westus",
        "westus2",
        "westus3",
    }
)

GZRS_REGIONS: frozenset[str] = frozenset(
    {
        "australiaeast",
        "brazilsouth",
        "canadacentral",
        "centralindia",
        "centralus",
        "eastasia",
        "eastus",
        "eastus2",
        "francecentral",
        "germanywestcentral",
        "japaneast",
        "koreacentral",
        "northeurope",
        "norwayeast",
        "southafricanorth",
        "southcentralus",
        "southeastasia",
        "swedencentral",
        "switzerlandnorth",
        "uaenorth",
        "uksouth",
        "westeurope",
        "westus2",
        "westus3",
    }
)

_HDD_REGIONS: dict[Redundancy, frozenset[str]] = {
    "LRS": AZURE_REGIONS,
    "ZRS": ZONE_REDUNDANT_REGIONS,
    "GRS": PAIRED_REGIONS,
    "GZRS": GZRS_REGIONS,
}


def regions_offering(model: BillingModel, redundancy: Redundancy) -> frozenset[str]:
    """The public-cloud regions where ``model`` shares with ``redundancy`` can be created
    (none where the model does not offer that redundancy at all)."""
    if redundancy not in model.redundancies:
        return frozenset()
    if model.ssd:
        return SSD_ZRS_REGIONS if redundancy == "ZRS" else SSD_LRS_REGIONS
    return _HDD_REGIONS[redundancy]
