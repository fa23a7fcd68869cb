"""Scoping rows: people."""

ROWS = []
PLACE_NAMES = {}
