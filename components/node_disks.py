"""OS disks of the node pools: ephemeral where the VM size's local disk holds them.

An ephemeral OS disk lives on the VM's cache or temp (resource) disk, so the OS disk size must
not exceed that disk (https://learn.microsoft.com/azure/aks/concepts-storage#ephemeral-os-disk,
https://learn.microsoft.com/azure/virtual-machines/ephemeral-os-disks#size-requirements). AKS
rejects an explicit ``Ephemeral`` request that does not fit, so the decision is made here, from a
pinned table of the local disk sizes of the VM sizes the policy pack allows; any other size gets
a managed OS disk and the reason is logged.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

OsDiskType = Literal["Ephemeral", "Managed"]

# AKS's own default OS disk size for VM sizes of 1-7 vCPUs (P10, 128 GiB): the node image,
# container images and logs fit comfortably (concepts-storage#default-os-disk-sizing).
OS_DISK_SIZE_GB = 128


@dataclass(frozen=True)
class LocalDisk:
    """The largest local disk of a VM size that can hold an ephemeral OS disk (its cache or its
    SCSI temp disk, in GiB), and where that figure comes from."""

    gib: int
    source: str


# Only cache and SCSI temp disks count: NVMe disks (the A100's 960 GiB, the H100 v5's only local
# disk) are not an ephemeral OS placement AKS documents, so those sizes stay out of the table.
LOCAL_DISKS: dict[str, LocalDisk] = {
    "standard_d4ds_v5": LocalDisk(
        150,
        "https://learn.microsoft.com/azure/virtual-machines/sizes/general-purpose/ddsv5-series",
    ),
    "standard_d8ds_v5": LocalDisk(
        300,
        "https://learn.microsoft.com/azure/virtual-machines/sizes/general-purpose/ddsv5-series",
    ),
    "standard_nc24ads_a100_v4": LocalDisk(
        64,
        "https://learn.microsoft.com/azure/virtual-machines/sizes/gpu-accelerated/nca100v4-series",
    ),
}


@dataclass(frozen=True)
class OsDisk:
    """A pool's OS disk: its type, its size and, for a managed disk, why it is not ephemeral."""

    type: OsDiskType
    size_gb: int
    managed_because: str | None = None


def os_disk_for(vm_size: str) -> OsDisk:
    """Ephemeral when the VM size's local disk is known and holds it (the disk then shrinks to
    the local disk when that is smaller than :data:`OS_DISK_SIZE_GB`), else managed."""
    local = LOCAL_DISKS.get(vm_size.lower())
    if local is None:
        return OsDisk(
            "Managed",
            OS_DISK_SIZE_GB,
            f"the local disk size of {vm_size} is not in components/node_disks.py LOCAL_DISKS",
        )
    return OsDisk("Ephemeral", min(OS_DISK_SIZE_GB, local.gib))
