"""What points announces through ``core.hooks``.

``AWARDED`` (``"points.awarded"``): points were paid into a resident's
(or a household's) account for a good deed or service hours. Keyword
arguments: ``award_id``, ``account_id``, ``points`` and ``now``.

``ORDER_READY`` (``"points.order_ready"``): a redemption was placed and its
goods wait at the counter against the pickup code. Keyword arguments:
``order_id``, ``account_id`` and ``now``.

Both are announced inside the transaction that pays or places; the
subscribers (the messages of ``notices``) write in it.
"""

AWARDED = "points.awarded"
ORDER_READY = "points.order_ready"
