"""Protocol reconciliation: each observer-reported count against the official result of its station."""
