"""The mutation table: one case per pass/failure mode of every policy, with exact messages.

Each public module here holds the cases of one rule group (``policies/rules/<group>/``) as
``CASES``; a large group is split further by resource (``stack_storage``, ``stack_kubernetes``).
``test_policy_mutations`` finds the modules by walking this package, so a new policy's cases go
next to its group's other cases and a new module is picked up without being listed anywhere.
``_helpers`` holds the mutation helpers, the case types and the messages shared across groups.

Resource cases (``RCase``) start from a known-good fixture (``policy_fixtures.RESOURCES``),
apply one mutation to its inputs and list the exact messages the policy must report (``()`` =
must pass). Stack cases (``SCase``) do the same on ``policy_fixtures.good_stack()``. Settings
default to the policy's schema defaults.
"""
