"""What points announces through ``core.hooks``.

``CHANGED`` (``"points.changed"``): the ledger or the shop's orders
changed in the current transaction (a transfer made, an order placed,
handed over or cancelled). Keyword arguments: ``community_ids``, the
communities of the transfers or orders, and ``days``, the local days
they are dated (a transfer's day; an order's day placed, and the day of
its refund). Subscribers (the dashboards' rollups in ``insights``) run
inside that transaction.
"""

CHANGED = "points.changed"
