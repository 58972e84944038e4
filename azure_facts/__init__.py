"""What Azure offers, as Microsoft documents it: facts and formulas, each with its source and
the date it was read. Standard library only, no Pulumi import, so that the program
(``components/``, ``stacks/``), the policy pack (``policies/``, whose own virtualenv holds
``pulumi-policy`` alone) and the offline tool (``infra/``) all read one copy.

* ``regions.py``: the public-cloud regions a stack may name.
* ``files.py``: Azure Files billing models, SKUs, limits, formulas, redundancy and regions.
* ``vm_sizes.py``: the VM sizes node pools may use (GPUs, vCPUs, memory, local disk).
"""
