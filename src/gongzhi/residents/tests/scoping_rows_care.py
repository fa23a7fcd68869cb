"""Scoping rows: care."""

ROWS = []
PLACE_NAMES = {}
