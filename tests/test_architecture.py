"""Rules of the architecture that a test can hold us to."""

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def imported_modules(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(), filename=str(path))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
    return names


def test_statistics_never_import_django():
    # pollwatch.stats is a library usable on a plain CSV: no Django, no app models.
    offenders = {
        str(path.relative_to(ROOT)): sorted(m for m in imported_modules(path) if m.split(".")[0] == "django")
        for path in (ROOT / "pollwatch" / "stats").rglob("*.py")
    }
    assert {k: v for k, v in offenders.items() if v} == {}


def test_no_template_or_page_loads_anything_from_the_network():
    # The product must work on an air-gapped laptop: no CDN links in templates or static files we ship.
    for path in (ROOT / "pollwatch").rglob("*.html"):
        text = path.read_text()
        for marker in ("https://cdn", "http://cdn", "unpkg.com", "jsdelivr", "googleapis"):
            assert marker not in text, f"{path.relative_to(ROOT)} loads {marker}"


@pytest.mark.django_db
def test_vendored_htmx_and_css_are_served_by_the_app_itself(client, world):
    client.force_login(world.alice)
    html = client.get("/missions/odihr/").content.decode()
    for asset in ("/static/pollwatch/vendor/htmx-2.0.11.min.js", "/static/pollwatch/pollwatch.css"):
        assert asset in html
        response = client.get(asset)
        assert response.status_code == 200, asset
        assert b"".join(response.streaming_content)
        response.close()  # a streamed file response holds its request open until closed
