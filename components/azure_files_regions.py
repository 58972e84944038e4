"""Where each Azure Files billing model and redundancy can be deployed, pinned so a stack
that asks for one its region lacks fails offline, in one line.

Sources (read 2026-11-30; when Azure opens a region to a tier, add it here):

* Provisioned v2 is "generally available in all Azure public cloud regions ... Not all regions
  support all media tiers and redundancy options": "Understand Azure Files billing models",
  https://learn.microsoft.com/azure/storage/files/understanding-billing#provisioned-v2-availability
  (ms.date 2025-06-04). Pay-as-you-go HDD shares are available in all regions (same page).
* SSD file shares, v1 and v2 alike, exist only in the regions of "Azure Files redundancy
  support for SSD file shares",
  https://learn.microsoft.com/azure/storage/files/redundancy-premium-file-shares
  (ms.date 2025-03-25): the LRS and ZRS lists below. Regions of those lists that
  ``azure_regions.AZURE_REGIONS`` does not hold (China, US Government, and the restricted
  ``southcentralus2``, ``southeastus``, ``southeastus3``, ``taiwannorth``, ``taiwannorthwest``)
  are left out: a stack cannot name them.
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
"""

from __future__ import annotations

from components.azure_regions import AZURE_REGIONS
from components.sizing import BillingModel, Redundancy

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
