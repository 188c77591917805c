"""The live quick count of a mission: its drawn samples and the running estimate from count reports."""
