"""Scoping rows: imports."""

ROWS = []
PLACE_NAMES = {}
