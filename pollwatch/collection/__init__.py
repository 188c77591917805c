"""Observation forms and submissions: the mission's single inbox for every report."""
