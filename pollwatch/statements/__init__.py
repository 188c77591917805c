"""Statements: a mission's findings and its evidence-linked preliminary statement, and the comparison of other
missions' verdicts (:mod:`pollwatch.statements.compare`, a pure library usable without Django)."""
