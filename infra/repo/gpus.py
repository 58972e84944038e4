"""How many GPUs a VM size has, for the teams' figures of `infra cost` and `infra diff`: the
pinned table the stacks' feasibility checks read (azure_facts/vm_sizes.py VM_SIZES)."""

from __future__ import annotations

from azure_facts.vm_sizes import vm_size


def gpus_per_node(size: str) -> int | None:
    """GPUs of one ``size`` VM; None for a size the table does not hold."""
    known = vm_size(size)
    return known.gpus if known is not None else None
