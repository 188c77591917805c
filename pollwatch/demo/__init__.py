"""The synthetic Azerbaijan-like demo election (``pollwatch demo``)."""
