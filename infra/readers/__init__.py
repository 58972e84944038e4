"""Readers: pure functions from plans to results (what each identity needs, ...). None runs
anything."""
