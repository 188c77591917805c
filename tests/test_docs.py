"""Docs that tests keep honest: the CLI reference, the README's promises."""

from pathlib import Path

from pollwatch.docs_cli import command_paths, render

ROOT = Path(__file__).resolve().parents[1]


def test_cli_reference_is_generated_from_the_current_help():
    # If this fails, run `make docs` and commit docs/cli.md.
    assert (ROOT / "docs" / "cli.md").read_text() == render()


def test_every_cli_command_has_a_section_in_the_reference():
    text = (ROOT / "docs" / "cli.md").read_text()
    for path in command_paths():
        assert f"## `{' '.join(('pollwatch', *path))}`" in text


def test_readme_opens_with_the_two_commands():
    head = (ROOT / "README.md").read_text().split("\n## ")[0]
    assert "make demo" in head and "make test" in head


def test_architecture_doc_names_every_django_app():
    from django.conf import settings

    text = (ROOT / "docs" / "architecture.md").read_text()
    for app in settings.INSTALLED_APPS:
        if app.startswith("pollwatch."):
            assert f"`{app.split('.')[1]}`" in text, app


def test_setup_doc_lists_every_importer_field_and_alias():
    from pollwatch.imports.registry import get_importer

    text = (ROOT / "docs" / "setup.md").read_text()
    for kind in ("geography", "stations", "observers"):
        importer, _ = get_importer(kind)
        assert f"pollwatch import {kind}" in text
        for column in importer.columns:
            assert f"`{column.name}`" in text, (kind, column.name)
            for alias in column.aliases:
                assert alias in text, (kind, alias)
