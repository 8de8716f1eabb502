"""The 24-hour duty roster (24小时值班): an on-duty leader (带班领导) and duty officers (值班员) per day.

Pure domain first — ``model`` (days, people, assignments), ``days`` (what kind of day, how many
people, what it weighs), ``ledger`` (who carried how much), ``rules`` (rest, leave, limits),
``generate`` (fill the slots fairly), ``suggest`` (who should cover?), ``coverage``, ``stats`` and
``exports`` — then ``tables`` and ``book`` (the database side: generate, publish, swap, override,
leave, each recorded with who, why and when).
"""
