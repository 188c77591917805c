"""Generate docs/cli.md from the commands' own ``--help`` (``make docs``); tests/test_docs.py keeps it current."""

from __future__ import annotations

import os

import typer.main
from typer.testing import CliRunner

from pollwatch.cli.main import app

HEADER = """# Command-line reference

Generated from `--help` by `make docs`; do not edit by hand (`tests/test_docs.py` fails when it is stale).
"""


def command_paths() -> list[tuple[str, ...]]:
    """Every command and group under ``pollwatch``, depth first, in declaration order."""
    root = typer.main.get_command(app)
    paths: list[tuple[str, ...]] = []

    def walk(command, path: tuple[str, ...]) -> None:  # typer's (vendored) click Command or Group
        paths.append(path)
        if hasattr(command, "commands"):
            for name, sub in command.commands.items():
                walk(sub, (*path, name))

    walk(root, ())
    return paths


def help_text(path: tuple[str, ...]) -> str:
    os.environ["TERMINAL_WIDTH"] = "100"
    result = CliRunner().invoke(app, [*path, "--help"], prog_name="pollwatch", terminal_width=100, color=False)
    return "\n".join(line.rstrip() for line in result.output.strip().splitlines())


def render() -> str:
    parts = [HEADER]
    for path in command_paths():
        title = " ".join(("pollwatch", *path))
        parts.append(f"## `{title}`\n\n```text\n{help_text(path)}\n```\n")
    return "\n".join(parts)


if __name__ == "__main__":
    print(render(), end="")
