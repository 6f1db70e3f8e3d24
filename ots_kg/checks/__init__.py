"""Checks and counts over a loaded graph: check-sources and stats."""
