"""What points announces through ``core.hooks``.

``AWARDED`` (``"points.awarded"``): points were paid into a resident's
(or a household's) account for a good deed or service hours. Keyword
arguments: ``award_id``, ``account_id``, ``points`` and ``now``.

``ORDER_READY`` (``"points.order_ready"``): a redemption was placed and its
goods wait at the counter against the pickup code. Keyword arguments:
``order_id``, ``account_id`` and ``now``.

Both are announced inside the transaction that pays or places; the
subscribers (the messages of ``notices``) write in it.

``CHANGED`` (``"points.changed"``): the ledger or the shop's orders
changed in the current transaction (a transfer made, an order placed,
handed over or cancelled). Keyword arguments: ``community_ids``, the
communities of the transfers or orders, and ``days``, the local days
they are dated (a transfer's day; an order's day placed, and the day of
its refund). Subscribers (the dashboards' rollups in ``insights``) run
inside that transaction.
"""

AWARDED = "points.awarded"
ORDER_READY = "points.order_ready"
CHANGED = "points.changed"
