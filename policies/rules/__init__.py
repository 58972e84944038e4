"""Policy rules, one policy per module, grouped by resource type.

Modules whose name starts with ``_`` are shared helpers, not policies.
"""
