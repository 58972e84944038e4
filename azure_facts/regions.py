"""The Azure public-cloud regions a stack may deploy to, pinned so a typo fails offline.

Source: the ``name`` of every entry whose ``metadata.regionType`` is ``Physical`` in
``az account list-locations`` (Azure public cloud), pinned on ``READ_ON`` (2026-11-30). Logical
geographies (``europe``, ``global``, ...) and staging regions are left out: resources cannot be
placed there. When Azure opens a region, add its name here; ``tests/azure_facts`` fails once
the list is older than ``MAX_AGE``.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Final

READ_ON: Final = date(2026, 11, 30)
# Azure opens a few regions a year: re-read the list twice a year.
MAX_AGE: Final = timedelta(days=180)

AZURE_REGIONS: frozenset[str] = frozenset(
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
        "centraluseuap",
        "chilecentral",
        "eastasia",
        "eastus",
        "eastus2",
        "eastus2euap",
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
