"""Stack policies: rules that need more than one resource (they read outputs)."""
