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


def regions_offering(model: BillingModel, redundancy: Redundancy) -> frozenset[str]:
    """The public-cloud regions where ``model`` shares with ``redundancy`` can be created."""
    if model.ssd:
        return SSD_ZRS_REGIONS if redundancy == "ZRS" else SSD_LRS_REGIONS
    return ZONE_REDUNDANT_REGIONS if redundancy == "ZRS" else AZURE_REGIONS
