"""Pure statistics for pollwatch (quick count and results forensics).

Nothing under ``pollwatch.stats`` imports Django: every function takes numpy arrays (or a
:class:`~pollwatch.stats.results.ResultsTable`) and returns a frozen dataclass, so the package is usable as a
library and from the CLI on a plain CSV. ``tests/test_architecture.py`` enforces the rule.
"""
