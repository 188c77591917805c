"""Results forensics: statistical fingerprints of falsification in polling-station results.

One module per method, each a pure function over numpy arrays returning a frozen dataclass:

- :func:`~pollwatch.stats.forensics.integer_peaks.integer_peaks` — Kobak, Shpilkin & Pshenichnikov (2016)
- :func:`~pollwatch.stats.forensics.second_digit.second_digit_test` — Mebane's second-digit Benford test
- :func:`~pollwatch.stats.forensics.last_digit.last_digit_test` — Beber & Scacco (2012)
- :func:`~pollwatch.stats.forensics.klimek.klimek_fingerprint` — Klimek, Yegorov, Hanel & Thurner (2012)
- :func:`~pollwatch.stats.forensics.excess_votes.excess_votes` — Shpilkin's excess-votes estimate
- :func:`~pollwatch.stats.forensics.outliers.find_outliers` — near-100 % stations and identical protocols
- :func:`~pollwatch.stats.forensics.fingerprints.zero_five_digits` — 0/5 last digits (Beber & Scacco; Kalinin &
  Mebane)
- :func:`~pollwatch.stats.forensics.fingerprints.sobyanin_sukhovolsky` — the Sobyanin–Sukhovolsky regression
- :func:`~pollwatch.stats.forensics.comet.comet` — the "comet" plot of Kobak, Shpilkin & Pshenichnikov (2016)
- :func:`~pollwatch.stats.forensics.mixture.fraud_probabilities` — per-station fraud probabilities, a simplified
  eforensics mixture (Mebane 2016) on the Klimek fit
- :mod:`~pollwatch.stats.forensics.intervals` — intervals of every figure, Holm's correction across regions

:func:`~pollwatch.stats.forensics.suite.run_forensics` runs them all on a
:class:`~pollwatch.stats.results.ResultsTable`.
"""
