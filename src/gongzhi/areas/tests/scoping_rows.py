"""Scoping rows: the tree's pages beyond the matrix's core rows.

Restoring answers whoever sees the place with the tree page again (302),
a refusal as a message: nothing in the demo is retired, and a login that
may not manage the place is told so there. Anywhere else is 404.
"""

from tests.test_scoping_matrix import Row

ROWS = [
    Row(
        "restore form post",
        "POST",
        "/workbench/areas/{area}/restore/",
        needs="workbench",
        ok=302,
    ),
]
