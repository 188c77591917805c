"""pollwatch: an election-observation platform."""

__version__ = "0.1.0"
