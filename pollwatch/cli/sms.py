"""``pollwatch sms ...``: parse SMS reports (batch mode needs no database), simulate observers' messages."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import typer

from pollwatch.cli.django_setup import setup_django

app = typer.Typer(help="SMS reporting: parse messages, simulate observers.", no_args_is_help=True)

DbOption = typer.Option(None, "--db", help="SQLite database file (ignored when DATABASE_URL is set)")


def _fail(message: str) -> typer.Exit:
    typer.echo(f"error: {message}", err=True)
    return typer.Exit(2)


def _load_forms_file(path: Path):
    from pollwatch.sms.grammar import load_forms

    try:
        return load_forms(json.loads(path.read_text(encoding="utf-8")))
    except (OSError, UnicodeDecodeError) as exc:
        raise _fail(f"cannot read {path}: {exc}") from None
    except json.JSONDecodeError as exc:
        raise _fail(f"{path} is not JSON: {exc}") from None
    except ValueError as exc:
        raise _fail(f"{path}: {exc}") from None


def _print_human(result) -> None:
    d = result.as_dict()
    for key in ("prefix", "participant_id", "form_serial", "exclamation", "comment"):
        typer.echo(f"{key}: {d[key] if d[key] is not None else '-'}")
    for tag, value in d["responses"].items():
        typer.echo(f"  {tag} = {value}")
    for problem in d["problems"]:
        typer.echo(f"problem: {problem}")
    if not d["problems"]:
        typer.echo("ok")


@app.command("parse")
def parse(
    text: str = typer.Argument(None, help="The message; without it, one message per line is read from stdin"),
    forms: Path = typer.Option(None, "--forms", help="FORMS.json: read the grammar from this file, no database"),
    mission: str = typer.Option(None, "--mission", help="Mission slug: read the grammar of its current forms"),
    as_json: bool = typer.Option(False, "--json", help="One JSON object per message on stdout"),
    db: Path = DbOption,
) -> None:
    """Print how a message (or each line of stdin) is read: prefix, observer, serial, answers and every problem.

    Batch mode for testing grammars, no database: ``pollwatch sms parse --forms FORMS.json --json < messages.txt``
    writes one JSON object per input line, in order.
    """
    from pollwatch.sms.grammar import parse_message

    if (forms is None) == (mission is None):
        raise _fail("give either --forms FORMS.json or --mission SLUG")
    if forms is not None:
        grammar = _load_forms_file(forms)
    else:
        setup_django(db)
        from pollwatch.missions.models import Mission
        from pollwatch.sms.queries import sms_grammar

        m = Mission.objects.filter(slug=mission).first()
        if m is None:
            raise _fail(f"no mission {mission!r}")
        grammar = sms_grammar(m)
        if not grammar:
            raise _fail(f"mission {mission!r} has no form with an SMS prefix")
    if text is not None:
        messages = [text]
    else:
        raw = sys.stdin.buffer.read()
        messages = raw.decode("utf-8", errors="replace").split("\n")
        if messages and messages[-1] == "":
            messages.pop()
        messages = [m[:-1] if m.endswith("\r") else m for m in messages]
    out = sys.stdout
    for message in messages:
        result = parse_message(message, grammar)
        if as_json:
            out.write(json.dumps(result.as_dict(), ensure_ascii=False))
            out.write("\n")
        else:
            if len(messages) > 1:
                typer.echo(f"# {message}")
            _print_human(result)
    out.flush()


@app.command("simulate")
def simulate(
    mission: str = typer.Option(..., "--mission", help="Mission slug"),
    count: int = typer.Option(50, "--count", min=1, max=100_000, help="Messages to send"),
    typos: float = typer.Option(0.3, "--typos", min=0.0, max=1.0, help="Share of messages typed with mistakes"),
    seed: int = typer.Option(0, "--seed", help="Random seed"),
    db: Path = DbOption,
) -> None:
    """Feed the mission realistic SMS reports from its observers' registered phones (some with typos)."""
    setup_django(db)
    from pollwatch.missions.models import Mission
    from pollwatch.sms.simulate import simulate_messages

    m = Mission.objects.filter(slug=mission).first()
    if m is None:
        raise _fail(f"no mission {mission!r}")
    try:
        summary = simulate_messages(m, count=count, typo_share=typos, seed=seed)
    except ValueError as exc:
        raise _fail(str(exc)) from None
    for key, value in summary.items():
        typer.echo(f"{key}: {value}")
