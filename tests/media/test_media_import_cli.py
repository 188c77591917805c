"""``pollwatch media import``: into a mission's database, bad files named, the rest imported."""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

from pollwatch.cli.main import app
from pollwatch.media.models import NewsItem, Outlet
from tests.media.conftest import SEEDS

pytestmark = pytest.mark.django_db(transaction=True)


def test_media_import_reads_files_into_the_mission_and_names_the_bad_ones(world, tmp_path):
    empty = tmp_path / "empty.txt"
    empty.write_bytes(b"")
    urls = tmp_path / "urls.txt"
    urls.write_text("https://example.org/news/1\n")
    result = CliRunner().invoke(app, ["media", "import", *map(str, SEEDS), str(empty), str(urls),
                                      str(tmp_path / "missing.txt"), "--mission", "odihr", "--outlet", "AzerNews",
                                      "--ownership", "state", "--outlet-kind", "online"])
    assert result.exit_code == 0, result.output
    assert "imported: 2 item(s)" in result.output
    assert "skipped: empty.txt: empty file" in result.output
    assert "urls.txt: a list of 1 URL(s), not fetched" in result.output
    assert "missing.txt" in result.output
    assert NewsItem.objects.for_mission(world.odihr).count() == 2
    assert Outlet.objects.get(mission=world.odihr, name="AzerNews").ownership == "state"
    again = CliRunner().invoke(app, ["media", "import", str(SEEDS[0]), "--mission", "odihr"])
    assert again.exit_code == 0 and "unchanged: " in again.output


def test_media_import_fails_for_an_unknown_mission_or_when_nothing_could_be_read(world, tmp_path):
    assert CliRunner().invoke(app, ["media", "import", str(SEEDS[0]), "--mission", "nope"]).exit_code == 2
    empty = tmp_path / "empty.txt"
    empty.write_bytes(b"")
    assert CliRunner().invoke(app, ["media", "import", str(empty), "--mission", "odihr"]).exit_code == 1
