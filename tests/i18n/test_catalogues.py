"""The shipped catalogues are complete and the templates leave nothing untranslatable.

Every message id has a non-empty, non-fuzzy translation in each shipped language, with the same placeholders
(``%(name)s`` and ``{name}``), and the compiled ``.mo`` next to it is up to date (no gettext at run time). Every
template's user-visible text is marked for translation (pollwatch.web.template_text).
"""

from __future__ import annotations

import re
from pathlib import Path

import polib
import pytest
from django.conf import settings

from pollwatch.web.template_text import bare_text

PACKAGE = Path(__file__).resolve().parents[2] / "pollwatch"
LANGUAGES = [code for code, _ in settings.LANGUAGES if code != "en"]
CATALOGUES = sorted(PACKAGE.glob("**/locale/*/LC_MESSAGES/django.po"))
PLACEHOLDER = re.compile(r"%\([a-z_0-9]+\)[sd]|%%|\{[a-z_0-9]*\}")
TAG = re.compile(r"</?[a-z]+[^>]*>")


def _placeholders(text: str) -> list[str]:
    return sorted(PLACEHOLDER.findall(text))


def test_every_shipped_language_has_the_main_catalogue():
    assert {p.parts[-3] for p in CATALOGUES if p.is_relative_to(PACKAGE / "locale")} == set(LANGUAGES)


@pytest.mark.parametrize("path", CATALOGUES, ids=lambda p: str(p.relative_to(PACKAGE)))
def test_every_message_has_a_translation_with_the_same_placeholders(path):
    po = polib.pofile(str(path))
    problems = []
    for entry in po:
        if entry.obsolete:
            continue
        if "fuzzy" in entry.flags:
            problems.append(f"fuzzy: {entry.msgid!r}")
        translations = list(entry.msgstr_plural.values()) if entry.msgid_plural else [entry.msgstr]
        if not translations or not all(t.strip() for t in translations):
            problems.append(f"untranslated: {entry.msgid!r}")
            continue
        expected = _placeholders(entry.msgid)
        for text in translations:
            if _placeholders(text) != expected:
                problems.append(f"placeholders differ: {entry.msgid!r} → {text!r}")
            if sorted(TAG.findall(text)) != sorted(TAG.findall(entry.msgid)):
                problems.append(f"markup differs: {entry.msgid!r} → {text!r}")
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("path", CATALOGUES, ids=lambda p: str(p.relative_to(PACKAGE)))
def test_the_compiled_catalogue_matches_its_source(path):
    mo = path.with_suffix(".mo")
    assert mo.exists(), f"{mo} is missing: run `pollwatch manage compilemessages` and commit the .mo"
    compiled = {(e.msgctxt, e.msgid): (e.msgstr, dict(e.msgstr_plural)) for e in polib.mofile(str(mo)) if e.msgid}
    source = {(e.msgctxt, e.msgid): (e.msgstr, {int(k): v for k, v in e.msgstr_plural.items()})
              for e in polib.pofile(str(path)) if not e.obsolete and "fuzzy" not in e.flags}
    stale = [msgid for (context, msgid), value in source.items() if compiled.get((context, msgid)) != value]
    assert not stale, f"{mo} is older than its .po for: {stale[:5]}"


def test_the_compiled_catalogues_are_package_data():
    pyproject = (PACKAGE.parent / "pyproject.toml").read_text()
    assert '"locale/**/*"' in pyproject


@pytest.mark.parametrize("path", sorted(PACKAGE.glob("**/templates/**/*.html")),
                         ids=lambda p: str(p.relative_to(PACKAGE)))
def test_no_template_text_is_left_unmarked(path):
    bare = bare_text(path.read_text())
    assert not bare, "\n".join(f"{path.name}:{b.line}: {b.text!r} — wrap it in {{% translate %}}" for b in bare)


def test_the_scanner_finds_bare_text_and_accepts_marked_text():
    found = [b.text for b in bare_text(
        '{% load i18n %}<h1>Hello</h1><p title="A tip">{% translate "Fine" %} {{ n }}</p>'
        '<input placeholder="ballots_cast == valid"><code>pollwatch serve</code>'
        '{% blocktranslate %}Also {{ fine }}{% endblocktranslate %}{{ x|default:"none" }}')]
    assert sorted(found) == ["A tip", "Hello", 'x|default:"none"']
