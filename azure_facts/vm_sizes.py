"""The VM sizes node pools may use, as Microsoft's size pages give them: GPUs, vCPUs, memory
and the local disk that can hold an ephemeral OS disk. The program sizes node pools and OS
disks by this table (``components/node_disks.py``), the config checks a pool's size against
it, and ``infra`` shows and prices GPUs from it, so all three read one copy.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

# When the table below was read from Microsoft's size pages (learn.microsoft.com/azure/
# virtual-machines/sizes/..., "Size basics", "Local storage" and "Accelerators" tabs; the pages'
# source is github.com/MicrosoftDocs/azure-compute-docs, articles/virtual-machines/sizes/). The
# A100 v4 figures (24/48/96 vCPUs, 220/440/880 GiB) also appear in Microsoft's own HPC guides
# (learn.microsoft.com/azure/architecture/guide/hpc/tuflow). A test fails
# when it is older than VM_SIZES_MAX_AGE, so the figures are re-read before they go stale.
VM_SIZES_READ = datetime.date(2026, 12, 6)
VM_SIZES_MAX_AGE = datetime.timedelta(days=365)

_DDSV5 = "https://learn.microsoft.com/azure/virtual-machines/sizes/general-purpose/ddsv5-series"
_NCA100V4 = (
    "https://learn.microsoft.com/azure/virtual-machines/sizes/gpu-accelerated/nca100v4-series"
)
_NCH100V5 = (
    "https://learn.microsoft.com/azure/virtual-machines/sizes/gpu-accelerated/ncadsh100v5-series"
)


@dataclass(frozen=True)
class VmSize:
    """What a node pool needs to know of a VM size.

    Attributes:
        local_disk_gib: The largest local disk that can hold an ephemeral OS disk (its cache or
            SCSI temp disk, in GiB), or ``None`` when it has none (NVMe only).
        gpus: NVIDIA GPUs per VM (the "Accelerators" tab); 0 for a CPU size.
        vcpus: vCPUs per VM (the "Size basics" tab); no pod can request more.
        memory_gib: Memory per VM in GiB (the "Size basics" tab); no pod can request more.
        source: Microsoft's size page the figures come from.
    """

    local_disk_gib: int | None
    gpus: int
    vcpus: int
    memory_gib: int
    source: str


# Only cache and SCSI temp disks count: NVMe disks (the A100 v4's 960 GiB, the H100 v5's
# 3576 GiB, which its page lists as its temp disk) are not an ephemeral OS placement AKS
# documents, so those sizes get a managed OS disk.
VM_SIZES: dict[str, VmSize] = {
    "standard_d4ds_v5": VmSize(150, 0, 4, 16, _DDSV5),
    "standard_d8ds_v5": VmSize(300, 0, 8, 32, _DDSV5),
    "standard_nc24ads_a100_v4": VmSize(64, 1, 24, 220, _NCA100V4),
    "standard_nc48ads_a100_v4": VmSize(128, 2, 48, 440, _NCA100V4),
    "standard_nc96ads_a100_v4": VmSize(256, 4, 96, 880, _NCA100V4),
    "standard_nc40ads_h100_v5": VmSize(None, 1, 40, 320, _NCH100V5),
}


def vm_size(name: str) -> VmSize | None:
    """The table's entry for ``name`` (compared case-insensitively, as Azure does)."""
    return VM_SIZES.get(name.lower())
