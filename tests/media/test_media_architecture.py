"""The media analysis stays a pure library: the Django app stores and shows what it proposes."""

from pathlib import Path

from tests.test_architecture import imported_modules

ROOT = Path(__file__).resolve().parents[2]


def test_the_media_analysis_library_never_imports_django_or_the_app():
    offenders = {}
    for path in (ROOT / "pollwatch" / "media" / "analysis").rglob("*.py"):
        # Besides itself, only the Django-free bottom layers (pollwatch.files, pollwatch.stats) are allowed.
        own = ("pollwatch.media.analysis", "pollwatch.files", "pollwatch.stats")
        bad = sorted(m for m in imported_modules(path)
                     if m.split(".")[0] == "django" or (m.startswith("pollwatch.") and not m.startswith(own)))
        if bad:
            offenders[str(path.relative_to(ROOT))] = bad
    assert offenders == {}


def test_the_packaged_demo_corpus_is_the_gold_set_text():
    # The demo ships its own copy (the package must work without tests/ and ../shared); keep them equal.
    import json

    gold = json.loads((ROOT / "tests" / "media" / "gold" / "items.json").read_text())
    demo = json.loads((ROOT / "pollwatch" / "media" / "data" / "demo" / "items.json").read_text())
    assert [(e["id"], e["outlet"], e["text"]) for e in gold] == [(e["id"], e["outlet"], e["text"]) for e in demo]
    for seed in (ROOT / "tests" / "media" / "fixtures").glob("*.txt"):
        assert (ROOT / "pollwatch" / "media" / "data" / "demo" / seed.name).read_bytes() == seed.read_bytes()
