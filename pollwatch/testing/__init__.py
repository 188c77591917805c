"""Test-support code shipped with the package (the throwaway PostgreSQL cluster plugin)."""
