"""Importing a corpus into a mission: text, HTML, CSV and URL lists; bad files named one by one while the rest
of the batch is imported; idempotent re-import; reprints linked; the automatic coding stored."""

from __future__ import annotations

import http.server
import threading

import pytest

from pollwatch.accounts.models import AuditEntry
from pollwatch.media.importers import check_import_corpus
from pollwatch.media.models import Actor, Claim, LoadedTermFlag, MachineCoding, NewsItem, Outlet
from tests.media.conftest import SEEDS, gold_items

pytestmark = pytest.mark.django_db

ARTICLE = ("<html><head><title>CEC: turnout 76%</title><meta property='og:site_name' content='Trend'></head><body>"
           "<nav>Home | World | Sport</nav><article><h1>CEC: turnout 76%</h1><p>Chairman of the Central Election "
           "Commission Mazahir Panahov said the voting process was transparent and no serious violations were "
           "recorded at polling stations.</p><p>Panahov added that turnout exceeded 76 per cent, a record for a "
           "presidential election in the country since independence.</p></article><footer>© Trend</footer>"
           "</body></html>").encode()


def test_the_seeds_are_imported_analysed_and_keep_their_original_bytes(world, seeds):
    azernews, vestnik = seeds["000_6924cd277f211afd"], seeds["002_9a19e5473040d1ab"]
    assert bytes(azernews.original) == SEEDS[0].read_bytes()
    assert azernews.language == "en" and azernews.analysed_at is not None and azernews.tagger == "vader"
    # The bundled Azerbaijan 2024 catalogue was loaded for the mission on its first import.
    assert Actor.objects.for_mission(world.odihr).filter(key="cis_mission").exists()
    found = set(MachineCoding.objects.filter(item__in=[azernews, vestnik]).values_list("actor__key", flat=True))
    assert {"osce_odihr", "cis_mission", "us_state_department", "matthew_miller", "ilham_aliyev",
            "sergey_lebedev"} <= found
    assert LoadedTermFlag.objects.filter(item=azernews, term__iexact="so-called").exists()
    assert Claim.objects.filter(item=azernews, source__key="us_state_department", stance="no_comment").exists()
    assert Claim.objects.filter(item=vestnik, source__key="cis_mission", stance="positive").exists()
    assert AuditEntry.objects.filter(action="media.import", mission=world.odihr).count() == 1


def test_bad_files_get_one_message_each_and_the_rest_of_the_batch_is_imported(world):
    files = [
        ("empty.txt", b"   \n"),
        ("photo.txt", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)) * 4),
        ("menu.html", b"<html><body><nav>Home | News</nav></body></html>"),
        ("dump.txt", b"The CEC said the vote was fair. " * 200_000),
        ("good.txt", gold_items("g02")[0]["text"].encode()),
        ("cp1251.txt", "Глава ЦИК Мазахир Панахов заявил, что выборы прошли прозрачно и без нарушений.".encode("cp1251")),
    ]
    report = check_import_corpus(world.odihr, files, user=world.alice, outlet="Trend")
    messages = "\n".join(report.errors)
    assert "empty.txt: empty file" in messages
    assert "photo.txt: binary" in messages
    assert "menu.html: HTML with no article text" in messages
    assert "dump.txt:" in messages and "too large" in messages
    assert len(report.errors) == 4
    assert sorted(i.original_name for i in report.imported) == ["cp1251.txt", "good.txt"]
    russian = NewsItem.objects.get(original_name="cp1251.txt")
    assert russian.language == "ru" and "Панахов" in russian.text  # decoded from windows-1251
    assert russian.outlet.name == "Trend"


def test_html_is_reduced_to_its_article_text_and_the_outlet_comes_from_the_page(world):
    report = check_import_corpus(world.odihr, [("cec.html", ARTICLE)], user=world.alice)
    item = report.imported[0]
    assert "Mazahir Panahov" in item.text and "Sport" not in item.text
    assert item.outlet.name == "Trend" and bytes(item.original) == ARTICLE
    assert set(item.machine_codings.values_list("actor__key", flat=True)) >= {"cec", "mazahir_panahov"}


def test_a_csv_of_items_gives_one_item_per_row_with_its_outlet_and_date(world):
    csv = (b"id,outlet,date,title,text\n"
           b'a1,Turan,2024-02-08,PACE,"PACE observers noted that the election lacked pluralism."\n'
           b'a2,APA,2024-02-09,CEC,"The CEC said the voting process was transparent."\n')
    report = check_import_corpus(world.odihr, [("items.csv", csv)], user=world.alice)
    rows = {i.external_id: i for i in report.imported}
    assert set(rows) == {"a1", "a2"}
    assert rows["a1"].outlet.name == "Turan" and str(rows["a1"].date) == "2024-02-08"
    assert set(Outlet.objects.for_mission(world.odihr).values_list("name", flat=True)) == {"Turan", "APA"}


def test_importing_the_same_text_again_changes_nothing(world, seeds):
    report = check_import_corpus(world.odihr, [(p.name, p.read_bytes()) for p in SEEDS], user=world.alice)
    assert report.imported == [] and len(report.unchanged) == 2
    assert NewsItem.objects.for_mission(world.odihr).count() == 2


def test_a_near_identical_item_is_stored_as_a_reprint_of_the_first(world):
    text = gold_items("g02")[0]["text"]
    first = check_import_corpus(world.odihr, [("trend.txt", text.encode())], outlet="Trend").imported[0]
    again = text.replace("Panahov added", "He added") + " (Reprinted from Trend.)"
    report = check_import_corpus(world.odihr, [("apa.txt", again.encode())], outlet="APA")
    reprint = report.imported[0]
    assert reprint.reprint_of == first and reprint.reprint_similarity >= 90
    assert report.reprints == [(reprint, first, reprint.reprint_similarity)]
    assert any(line.startswith("reprint:") for line in report.lines())


def test_each_mission_has_its_own_corpus_and_catalogue(world, seeds):
    check_import_corpus(world.cis, [(SEEDS[1].name, SEEDS[1].read_bytes())], user=world.boris)
    assert NewsItem.objects.for_mission(world.cis).count() == 1  # the same text is a new item in another mission
    assert NewsItem.objects.for_mission(world.odihr).count() == 2
    assert MachineCoding.objects.for_mission(world.cis).filter(actor__mission=world.odihr).count() == 0


class _Pages(http.server.BaseHTTPRequestHandler):
    def do_GET(self):  # noqa: N802 (http.server's name)
        if self.path == "/cec":
            self.send_response(200)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.end_headers()
            self.wfile.write(ARTICLE)
        else:
            self.send_error(404)

    def log_message(self, *args):
        pass


@pytest.fixture
def local_site(settings):
    # Fetches go to public addresses only; this test's own server is on loopback, allowed for it alone.
    settings.FETCH_ALLOWED_NETWORKS = ["127.0.0.1/32"]
    server = http.server.HTTPServer(("127.0.0.1", 0), _Pages)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()


def test_a_list_of_urls_is_not_fetched_unless_asked(world):
    def no_network(url):
        raise AssertionError(f"fetched {url} without being asked")

    report = check_import_corpus(world.odihr, [("urls.txt", b"https://example.org/a\nhttps://example.org/b\n")],
                                 fetcher=no_network)
    assert report.imported == []
    assert report.errors == ["urls.txt: a list of 2 URL(s), not fetched (ask for it: --fetch-urls, or tick "
                             "'fetch the URLs' on the import page)"]


def test_asked_to_fetch_urls_it_imports_the_pages_and_names_the_ones_that_fail(world, local_site):
    urls = f"{local_site}/cec\n{local_site}/missing\n".encode()
    report = check_import_corpus(world.odihr, [("urls.txt", urls)], fetch_urls=True, user=world.alice)
    assert [i.url for i in report.imported] == [f"{local_site}/cec"]
    assert "Mazahir Panahov" in report.imported[0].text
    assert len(report.errors) == 1 and f"{local_site}/missing: could not be fetched" in report.errors[0]


def test_deleting_a_mission_deletes_its_media_but_an_outlet_with_items_cannot_be_deleted_alone(world, seeds):
    from django.db.models import RestrictedError

    outlet = seeds["000_6924cd277f211afd"].outlet
    with pytest.raises(RestrictedError):
        outlet.delete()
    world.odihr.delete()
    assert not NewsItem.objects.exists() and not Outlet.objects.exists() and not MachineCoding.objects.exists()


def test_a_batch_is_read_one_file_at_a_time_and_stops_at_the_total_cap(world, monkeypatch):
    # Finding 12: an upload of 500 files of 5 MB was read into memory at once. Now each file is read when the
    # importer comes to it, and the batch stops, naming the file, past the total cap.
    from pollwatch.media import importers

    monkeypatch.setattr(importers, "MAX_TOTAL_BYTES", 250)
    read: list[str] = []

    def files():
        for i in range(5):
            read.append(f"n{i}.txt")
            yield f"n{i}.txt", f"The Central Election Commission met again, meeting number {i} of the week.".encode()

    report = check_import_corpus(world.odihr, files(), user=world.alice)
    assert len(report.imported) == 3
    assert report.errors == ["n3.txt and the files after it: the batch is over 0 MB; import them in another batch"]
    assert read == ["n0.txt", "n1.txt", "n2.txt", "n3.txt"]  # n4.txt was never read
