"""Resource policies on Pulumi resource options (protect, deleteBeforeReplace)."""
