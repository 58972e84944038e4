"""How many GPUs a VM size has, from the pinned table the program sizes node pools by and the
stacks' feasibility checks read (azure_facts/vm_sizes.py VM_SIZES), so the preview, the cost
and the deploy agree: the preview's node pools, the teams' figures of `infra cost` and
`infra diff`."""

from __future__ import annotations

from azure_facts.vm_sizes import vm_size
from infra.readers.review import GpuTable


def gpus_per_node(size: str) -> int | None:
    """GPUs of one ``size`` VM; None for a size the table does not hold."""
    known = vm_size(size)
    return known.gpus if known is not None else None


GPU_TABLE = GpuTable(gpus_per_node, "azure_facts/vm_sizes.py VM_SIZES")
