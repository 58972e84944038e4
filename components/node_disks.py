"""The VM sizes node pools may use: their GPUs and local disk, and the OS disk each pool gets.

An ephemeral OS disk lives on the VM's cache or temp (resource) disk, so the OS disk size must
not exceed that disk (https://learn.microsoft.com/azure/aks/concepts-storage#ephemeral-os-disk,
https://learn.microsoft.com/azure/virtual-machines/ephemeral-os-disks#size-requirements). AKS
rejects an explicit ``Ephemeral`` request that does not fit, so the decision is made here, from a
pinned table of the VM sizes the policy pack allows; any other size gets a managed OS disk and the
reason is logged.

The OS disk also holds every container image the node pulls (containerd's root is on it unless
``kubeletDiskType`` is ``Temporary``, https://learn.microsoft.com/azure/aks/concepts-storage), so
a GPU pool's disk is sized for the training images too: :func:`image_storage_gib` is what a disk
leaves for them, :func:`os_disk_for` picks a disk that holds them.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Literal

OsDiskType = Literal["Ephemeral", "Managed"]

# AKS's own default OS disk size for VM sizes of 1-7 vCPUs (P10, 128 GiB): the node image,
# container images and logs fit comfortably (concepts-storage#default-os-disk-sizing).
OS_DISK_SIZE_GB = 128

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

# --- image storage on a node -----------------------------------------------------------------
# Assumptions, each declared once (not verifiable offline; see docs/offline-limits.md):
# * The node image itself (Ubuntu, kubelet, containerd, the NVIDIA driver of AKS's GPU node
#   image) and the images of the system DaemonSets (kube-proxy or Cilium, CSI drivers, the
#   monitoring agents, the device plugin, DCGM) take NODE_RESERVED_GIB of the OS disk.
NODE_RESERVED_GIB = 40
# * The kubelet deletes unused images once the disk is IMAGE_GC_HIGH_PERCENT full (its
#   imageGCHighThresholdPercent default, kubernetes.io/docs/reference/config-api/
#   kubelet-config.v1beta1), and evicts pods below 15 % free (AKS's imagefs.available<15%,
#   learn.microsoft.com/azure/aks/node-resource-reservations): images must fit below it.
IMAGE_GC_HIGH_PERCENT = 85
# * A training image is at most TRAINING_IMAGE_GIB once unpacked. NVIDIA's PyTorch images are
#   the largest the stacks allow (nvcr.io/nvidia is in every policy config's allowedRegistries);
#   their size could not be read from NGC's manifest data offline, so this is the assumption:
#   reports put nvcr.io/nvidia/pytorch:23.03-py3 at ~20 GB (github.com/d4l3k/torchdrive/pull/4)
#   and the NGC PyTorch image at 22 GB (github.com/hiyouga/LlamaFactory/issues/4974).
TRAINING_IMAGE_GIB = 22
# * containerd keeps the compressed layers (its content store) beside the unpacked snapshot,
#   and compressed layers are never larger than unpacked ones: an image needs at most twice its
#   unpacked size. Every training pod takes at least one GPU, so a node runs at most one
#   training image per GPU; images no pod uses any more are the kubelet's to collect.
IMAGE_COPIES_ON_DISK = 2


def training_image_footprint_gib(image_gib: int, gpus: int) -> int:
    """Disk a node with ``gpus`` GPUs needs for training images of ``image_gib``: one image per
    GPU, each unpacked and compressed (1 GPU, 22 GiB: 1 x 2 x 22 = 44 GiB)."""
    return max(1, gpus) * IMAGE_COPIES_ON_DISK * image_gib


def image_storage_gib(os_disk_gib: int) -> int:
    """What an OS disk of ``os_disk_gib`` leaves for training images: the part below the
    kubelet's image GC threshold, less the node image and system images.

    64 GiB (the NC24ads_A100_v4 temp disk): 64 x 85 % = 54 - 40 = 14 GiB, too small for one
    NGC PyTorch image (44 GiB). 128 GiB: 108 - 40 = 68 GiB, room for it.
    """
    return max(0, os_disk_gib * IMAGE_GC_HIGH_PERCENT // 100 - NODE_RESERVED_GIB)


def os_disk_gib_for_images(image_gib: int, gpus: int) -> int:
    """The smallest OS disk, in the managed disk sizes AKS offers by powers of two from
    :data:`OS_DISK_SIZE_GB`, whose image storage holds the footprint."""
    size = OS_DISK_SIZE_GB
    while image_storage_gib(size) < training_image_footprint_gib(image_gib, gpus):
        size *= 2
    return size


def vm_size(name: str) -> VmSize | None:
    """The table's entry for ``name`` (compared case-insensitively, as Azure does)."""
    return VM_SIZES.get(name.lower())


@dataclass(frozen=True)
class OsDisk:
    """A pool's OS disk: its type, its size and, for a managed disk, why it is not ephemeral."""

    type: OsDiskType
    size_gb: int
    managed_because: str | None = None


def os_disk_for(vm_size_name: str, image_gib: int | None = None) -> OsDisk:
    """Ephemeral when the VM size's local disk is known and holds it (the disk then shrinks to
    the local disk when that is smaller than :data:`OS_DISK_SIZE_GB`), else managed.

    With ``image_gib`` (a GPU pool, which pulls training images of that size) the disk must
    also hold their footprint; when the local disk cannot, the pool gets a managed disk of
    :func:`os_disk_gib_for_images`.
    """
    size = vm_size(vm_size_name)
    gpus = size.gpus if size is not None else 1
    needed = OS_DISK_SIZE_GB if image_gib is None else os_disk_gib_for_images(image_gib, gpus)
    if size is None or size.local_disk_gib is None:
        return OsDisk(
            "Managed",
            needed,
            f"the local disk size of {vm_size_name} is not in components/node_disks.py VM_SIZES"
            if size is None
            else f"{vm_size_name} has no cache or SCSI temp disk to hold an ephemeral OS disk",
        )
    if image_gib is None:
        return OsDisk("Ephemeral", min(OS_DISK_SIZE_GB, size.local_disk_gib))
    footprint = training_image_footprint_gib(image_gib, gpus)
    if image_storage_gib(size.local_disk_gib) >= footprint:
        return OsDisk("Ephemeral", size.local_disk_gib)
    return OsDisk(
        "Managed",
        needed,
        f"the {size.local_disk_gib} GiB local disk of {vm_size_name} leaves "
        f"{image_storage_gib(size.local_disk_gib)} GiB for images, less than the {footprint} GiB "
        f"that {gpus} training image(s) of {image_gib} GiB need (components/node_disks.py)",
    )
