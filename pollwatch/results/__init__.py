"""Official results in the app: import from a results table, export as the canonical CSV (:mod:`.official`).

Not an app of its own: the tables (``StationResult``, ``CandidateVotes``) stay in ``elections``; this package sits
above ``geography`` in the layers because results are keyed by polling-station code.
"""
