"""Missions, their members and roles, observers and deployments — and the scoping gates."""
