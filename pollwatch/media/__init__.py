"""Media monitoring (issue 8)."""
