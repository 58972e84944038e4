"""Readers: pure functions from a stack plan to another view of it. None of them run anything."""
