"""The media analysis stays a pure library: the Django app stores and shows what it proposes."""

from pathlib import Path

from tests.test_architecture import imported_modules

ROOT = Path(__file__).resolve().parents[2]


def test_the_media_analysis_library_never_imports_django_or_the_app():
    offenders = {}
    for path in (ROOT / "pollwatch" / "media" / "analysis").rglob("*.py"):
        bad = sorted(m for m in imported_modules(path)
                     if m.split(".")[0] == "django" or (m.startswith("pollwatch.") and not m.startswith("pollwatch.media.analysis")))
        if bad:
            offenders[str(path.relative_to(ROOT))] = bad
    assert offenders == {}
