"""Rules of the architecture that a test can hold us to."""

import ast
import itertools
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


PACKAGE = ROOT / "pollwatch"

# The layers, bottom up: a module may import its own app and any app of a *lower* layer, never one of its own
# layer (apps of one layer are independent of each other) and never a higher one — not even inside a function.
# Higher apps extend lower ones through registries filled in their ``AppConfig.ready()`` (docs/architecture.md).
# Top-level modules (``pollwatch/dbtools.py`` …) have a place here as well, under their module name.
LAYERS: list[tuple[str, ...]] = [
    # Reading a user's file with size and encoding checks (no Django; the three file readers share it).
    ("files",),
    # Pure statistics: no Django (test_statistics_never_import_django).
    ("stats",),
    # The audit trail: every writer records there.
    ("accounts",),
    # Django-only helpers any app may use: request parameters and downloads (web; a download is audited), the
    # database helpers (dbtools) and the SQLite backend with its writer queue (dbbackends), Plotly figures (figures), middleware settings.
    ("web", "dbtools", "dbbackends", "figures", "middleware"),
    # The importer framework: domain apps register their importers with it from their AppConfig.ready(), so it
    # sits below every app that has importers.
    ("imports",),
    ("elections",),
    # Geography belongs to an election (a unit's election is a foreign key).
    ("geography",),
    # Official results: read from tables keyed by station code, so above geography (the models stay in
    # elections; the results package holds the import and export).
    ("results",),
    ("missions",),
    ("collection",),
    ("checks", "incidents"),
    ("operations",),
    ("pvt", "forensics", "media", "sms", "reconciliation"),
    # A statement binds findings to data from every app above (coverage, incidents, PVT, media).
    ("statements",),
    # Composition: they wire everything together and nothing imports them (but the project's entry points).
    ("demo", "backups", "api", "health", "testing"),
    ("cli",),
    ("urls", "settings", "wsgi", "docs_cli"),
]
LAYER_OF = {app: level for level, apps in enumerate(LAYERS) for app in apps}


def imported_modules(path: Path) -> set[str]:
    return {module for module, _line in imports_of(path)}


def imports_of(path: Path, root: Path = ROOT) -> list[tuple[str, int]]:
    """Every module ``path`` imports, with the line: top-level and inside functions, relative imports resolved,
    ``from a import b`` as both ``a`` and ``a.b`` (b may be a module), and ``import_module("…")`` strings."""
    tree = ast.parse(path.read_text(), filename=str(path))
    package = list(path.relative_to(root).parent.parts)
    found: list[tuple[str, int]] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found += [(alias.name, node.lineno) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                base = ".".join(package[: len(package) - node.level + 1] + ([base] if base else []))
            if node.module:
                found.append((base, node.lineno))
            found += [(f"{base}.{alias.name}", node.lineno) for alias in node.names]
        elif (isinstance(node, ast.Call) and node.args and isinstance(node.args[0], ast.Constant)
              and isinstance(node.args[0].value, str)
              and getattr(node.func, "id", getattr(node.func, "attr", None)) == "import_module"):
            found.append((node.args[0].value, node.lineno))
    return found


def app_of(module: str) -> str | None:
    """``pollwatch.operations.views`` → ``operations``; None outside pollwatch and for the package itself."""
    parts = module.split(".")
    if parts[0] != "pollwatch" or len(parts) < 2 or parts[1] in ("__version__", "__init__"):
        return None
    return parts[1]


def app_imports() -> dict[tuple[str, str], list[str]]:
    """(importing app, imported app) → the places ("pollwatch/x/y.py:12") where it happens."""
    edges: dict[tuple[str, str], list[str]] = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        source = path.relative_to(PACKAGE).parts[0].removesuffix(".py")
        if source == "__init__":
            continue
        for module, line in imports_of(path):
            target = app_of(module)
            if target and target != source:
                places = edges.setdefault((source, target), [])
                place = f"{path.relative_to(ROOT)}:{line}"
                if place not in places:
                    places.append(place)
    return edges


def test_every_app_and_top_level_module_has_a_layer():
    present = {p.name.removesuffix(".py") for p in PACKAGE.iterdir()
               if (p.suffix == ".py" or (p / "__init__.py").exists()) and p.name != "__init__.py"}
    assert sorted(present - LAYER_OF.keys()) == [], "give each new app a place in LAYERS"


def test_no_app_imports_a_higher_app_or_one_of_its_own_layer():
    wrong = [
        f"{place}: {source} (layer {LAYER_OF[source]}) imports {target} (layer {LAYER_OF[target]})"
        for (source, target), places in sorted(app_imports().items())
        if source in LAYER_OF and target in LAYER_OF and LAYER_OF[target] >= LAYER_OF[source]
        for place in places
    ]
    assert wrong == [], "imports against the layers (see LAYERS):\n" + "\n".join(wrong)


def test_the_app_import_graph_has_no_cycle():
    graph: dict[str, set[str]] = {}
    for source, target in app_imports():
        graph.setdefault(source, set()).add(target)
    state: dict[str, str] = {}
    cycles: list[list[str]] = []

    def visit(app: str, path: list[str]) -> None:
        state[app] = "open"
        for nxt in sorted(graph.get(app, ())):
            if state.get(nxt) == "open":
                cycles.append(path[path.index(nxt):] + [nxt])
            elif nxt not in state:
                visit(nxt, path + [nxt])
        state[app] = "done"

    for app in sorted(graph):
        if app not in state:
            visit(app, [app])
    edges = app_imports()
    assert cycles == [], "import cycles:\n" + "\n".join(
        " → ".join(cycle) + "  (" + "; ".join(edges[(a, b)][0] for a, b in itertools.pairwise(cycle)) + ")"
        for cycle in cycles)


def test_the_layer_test_sees_imports_inside_functions_and_relative_ones(tmp_path):
    module = tmp_path / "pollwatch" / "checks" / "sample.py"
    module.parent.mkdir(parents=True)
    module.write_text("from . import models\n\ndef f():\n    from pollwatch.operations.models import X\n"
                      "    import_module('pollwatch.pvt.queries')\n")
    found = imports_of(module, root=tmp_path)
    assert ("pollwatch.checks.models", 1) in found
    assert ("pollwatch.operations.models", 4) in found
    assert ("pollwatch.pvt.queries", 5) in found


def test_statistics_never_import_django():
    # pollwatch.stats is a library usable on a plain CSV: no Django, no app models.
    offenders = {
        str(path.relative_to(ROOT)): sorted(m for m in imported_modules(path) if m.split(".")[0] == "django")
        for path in [*(ROOT / "pollwatch" / "stats").rglob("*.py"), ROOT / "pollwatch" / "files.py"]
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


def test_no_module_imports_another_modules_private_names():
    # A name with a leading underscore is its module's business: a helper two modules need gets a public name in a
    # shared module (the CLI's in pollwatch/cli/common.py), so changing one module cannot break another.
    wrong = []
    for path in sorted(PACKAGE.rglob("*.py")):
        own = ".".join(path.relative_to(ROOT).with_suffix("").parts).removesuffix(".__init__")
        for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
            if isinstance(node, ast.ImportFrom) and not node.level and (node.module or "").startswith("pollwatch"):
                wrong += [f"{path.relative_to(ROOT)}:{node.lineno}: {node.module}.{alias.name}"
                          for alias in node.names
                          if alias.name.startswith("_") and not alias.name.startswith("__") and node.module != own]
    assert wrong == []
