"""Bulk importers of tabular files (CSV/XLSX): geography, stations, observers.

Each importer is registered in :mod:`pollwatch.imports.registry` exactly as a third-party one would be.
"""
