"""An HTML news item imports on a fresh ``pip install``: every package the import loads is one that pollwatch's
own dependencies install.

A fresh install once failed every HTML import with an ImportError (a 500 on the upload page): trafilatura's jusText
asks for ``lxml[html_clean]``, an extra that some lxml releases do not have, so nothing installed the cleaner it
imports. This test runs an HTML import in a clean interpreter, maps each module it loaded to its distribution, and
checks that distribution is reached from ``pyproject.toml``'s dependencies through plain requirements — never
through an extra another package asks for, which is the link that broke.
"""

from __future__ import annotations

import importlib.metadata
import json
import subprocess
import sys
import tomllib
from pathlib import Path

from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

ROOT = Path(__file__).resolve().parents[2]
ARTICLE = (b"<html><head><title>CEC: turnout 76%</title></head><body><article><h1>CEC: turnout 76%</h1>"
           b"<p>The Central Election Commission said on Wednesday that turnout reached 76 percent by the evening, "
           b"and observers from two missions were present at most polling stations in Baku.</p></article>"
           b"</body></html>")

IMPORT_HTML = """
import json, sys
before = set(sys.modules)
from pollwatch.media.analysis.corpus import read_html
items = read_html(sys.stdin.buffer.read(), name="cec.html")
assert items and "turnout" in items[0].text, items
print(json.dumps(sorted({m.split(".")[0] for m in set(sys.modules) - before})))
"""


def installed_by_dependencies() -> set[str]:
    """Distributions a plain install of pollwatch brings in: its dependencies, theirs, and so on, with the extras
    a requirement names itself (``fonttools[woff]``) but none that only some other package's extra would pull."""
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    todo = [Requirement(r) for r in project["dependencies"]]
    seen: set[tuple[str, frozenset[str]]] = set()
    while todo:
        requirement = todo.pop()
        name, extras = canonicalize_name(requirement.name), frozenset(requirement.extras)
        if (name, extras) in seen:
            continue
        seen.add((name, extras))
        try:
            requires = [Requirement(r) for r in importlib.metadata.requires(name) or []]
        except importlib.metadata.PackageNotFoundError:
            continue
        todo += [r for r in requires
                 if not r.marker or any(r.marker.evaluate({"extra": extra}) for extra in {"", *extras})]
    return {name for name, _ in seen}


def test_every_package_an_html_import_loads_comes_with_pollwatchs_own_dependencies():
    run = subprocess.run([sys.executable, "-c", IMPORT_HTML], input=ARTICLE, capture_output=True, check=False,
                         cwd=ROOT)
    assert run.returncode == 0, run.stderr.decode()
    loaded = json.loads(run.stdout)
    owners = importlib.metadata.packages_distributions()
    needed = {canonicalize_name(d) for module in loaded for d in owners.get(module, [])}
    assert "trafilatura" in needed
    assert needed - installed_by_dependencies() - {"pollwatch"} == set()
