"""Reliability and security tests: bad input never crashes or leaks, stateful data is kept."""
