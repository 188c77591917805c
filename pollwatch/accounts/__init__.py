"""Users' audit trail and shared access helpers."""
