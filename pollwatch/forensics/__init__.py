"""Results forensics in the app: the statistics of :mod:`pollwatch.stats.forensics` on an election's results."""
