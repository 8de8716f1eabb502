"""Weather and emergency warnings (预警): CAP 1.2 documents and warnings entered by hand, taken in,
kept, matched to the venues in their area and relayed to them at once (issue 14).

Intake (``cap``, ``store``, ``inbox``, ``feeds``) turns documents into stored ``Warning``
versions; the relay (``rules``, ``match``, the ``warnings`` planners) plans the urgent messages.
``model`` is the one shape both halves share.
"""
