"""A media import's URL fetch reaches public web servers only (finding 4: it fetched http://127.0.0.1:… and
showed the page to every member, and closed ports answered differently, so it scanned ports), and a source URL
is a link only when it is http(s) (finding 5: ``javascript:`` from a media CSV).

Every server here listens on loopback (127.0.0.1, 127.0.0.2): tests send no traffic anywhere else. A test that
needs a fetch to succeed allows 127.0.0.1 through FETCH_ALLOWED_NETWORKS, as a deployment would its own archive.
"""

from __future__ import annotations

import http.server
import socket
import threading
import time

import pytest

from pollwatch.media.analysis.corpus import CorpusError
from pollwatch.media.fetch import NO_PAGE, fetch_url, is_public_address
from pollwatch.media.importers import check_import_corpus
from pollwatch.media.models import NewsItem

PAGE = b"<html><head><title>Internal</title></head><body><p>" + b"secret admin page text. " * 40 + b"</p></body></html>"


class _Site(http.server.BaseHTTPRequestHandler):
    routes: dict = {}
    seen: list

    def do_GET(self):  # noqa: N802 (http.server's name)
        self.seen.append(self.path)
        status, headers, body = self.routes.get(self.path, (404, {}, b""))
        if callable(body):
            self.send_response(status)
            self.end_headers()
            body(self.wfile)
            return
        self.send_response(status)
        for k, v in headers.items():
            self.send_header(k, v)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


class _Server(http.server.ThreadingHTTPServer):
    def handle_error(self, request, client_address):
        pass  # a client that hangs up on a page too large or too slow is what the tests do on purpose


def _serve(host: str, routes: dict):
    handler = type("Handler", (_Site,), {"routes": routes, "seen": []})
    server = _Server((host, 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, handler.seen


@pytest.fixture
def site():
    servers = []

    def start(host="127.0.0.1", routes=None):
        server, seen = _serve(host, routes or {"/": (200, {"Content-Type": "text/html"}, PAGE)})
        servers.append(server)
        return f"http://{host}:{server.server_port}", seen

    yield start
    for server in servers:
        server.shutdown()
        server.server_close()


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _error(url: str, **kwargs) -> str:
    with pytest.raises(CorpusError) as info:
        fetch_url(url, **kwargs)
    return str(info.value)


def test_a_url_on_loopback_is_refused_without_a_request_reaching_it(site):
    url, seen = site()
    assert _error(url + "/") == f"{url}/: {NO_PAGE}"
    assert _error(f"http://localhost:{url.rsplit(':', 1)[1]}/").endswith(NO_PAGE)
    assert seen == []


def test_a_closed_port_and_a_refused_address_give_the_same_answer(site, settings):
    url, _ = site()
    refused = _error(url + "/").removeprefix(url + "/")
    settings.FETCH_ALLOWED_NETWORKS = ["127.0.0.1/32"]  # now the port really is tried
    closed = f"http://127.0.0.1:{_closed_port()}/"
    assert _error(closed).removeprefix(closed) == refused
    def no_such_name(host, port):
        raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")  # no DNS query leaves the machine

    unknown = "http://no-such-host.invalid/"
    assert _error(unknown, resolve=no_such_name).removeprefix(unknown) == refused


def test_a_redirect_to_a_refused_address_is_not_followed(site, settings):
    inside, inside_seen = site("127.0.0.2")
    outside, _ = site(routes={"/": (302, {"Location": inside + "/admin"}, b"")})
    settings.FETCH_ALLOWED_NETWORKS = ["127.0.0.1/32"]  # the first hop stands for a public server
    assert _error(outside + "/").endswith(NO_PAGE)
    assert inside_seen == []


def test_redirects_between_allowed_addresses_are_followed_a_bounded_number_of_times(site, settings):
    settings.FETCH_ALLOWED_NETWORKS = ["127.0.0.1/32"]
    url, seen = site(routes={"/a": (301, {"Location": "/b"}, b""), "/b": (200, {}, PAGE),
                             "/loop": (302, {"Location": "/loop"}, b"")})
    assert fetch_url(url + "/a") == PAGE
    assert "more than 5 redirects" in _error(url + "/loop")
    assert seen.count("/loop") == 6


def test_a_name_resolving_to_any_private_address_is_refused(site):
    url, seen = site()
    port = int(url.rsplit(":", 1)[1])
    two_faced = lambda host, port: ["93.184.216.34", "127.0.0.1"]  # noqa: E731 — a resolver of rebinding DNS
    assert _error(f"http://news.example:{port}/", resolve=two_faced).endswith(NO_PAGE)
    assert seen == []


@pytest.mark.parametrize("url", ["file:///etc/passwd", "ftp://example.org/x", "gopher://127.0.0.1:25/",
                                 "javascript:alert(1)", "http://user:pw@example.org/", "http:///nohost"])
def test_only_plain_http_and_https_urls_are_fetched(url):
    assert "not" in _error(url, resolve=lambda *a: pytest.fail("resolved a URL it should have refused"))


@pytest.mark.parametrize("address", [
    "127.0.0.1", "127.8.8.8", "10.1.2.3", "172.16.0.1", "192.168.1.1", "169.254.169.254", "100.64.0.1",
    "100.100.100.200", "0.0.0.0", "224.0.0.1",  # noqa: S104 — an address under test, nothing binds it
    "239.255.255.250", "240.0.0.1", "255.255.255.255", "192.0.2.1",
    "::1", "::", "fe80::1", "fc00::1", "fd00:ec2::254", "ff02::1", "::ffff:127.0.0.1", "::ffff:169.254.169.254",
    "2002:7f00:1::1", "64:ff9b::a9fe:a9fe", "2001:db8::1",
])
def test_loopback_private_link_local_metadata_multicast_and_reserved_addresses_are_not_public(address):
    assert not is_public_address(address)


@pytest.mark.parametrize("address", ["93.184.216.34", "8.8.8.8", "2606:4700:4700::1111", "2a00:1450:4001::200e"])
def test_ordinary_public_addresses_are(address):
    assert is_public_address(address)


def test_a_page_over_the_size_limit_is_refused_while_it_streams(site, settings):
    settings.FETCH_ALLOWED_NETWORKS = ["127.0.0.1/32"]

    def endless(out):
        for _ in range(100):
            out.write(b"x" * 10_000)

    url, _ = site(routes={"/big": (200, {}, endless), "/declared": (200, {}, PAGE)})
    assert _error(url + "/big", max_bytes=50_000) == f"{url}/big: larger than 0.05 MB"
    assert "larger than" in _error(url + "/declared", max_bytes=100)


def test_a_server_that_drips_its_page_is_cut_off_at_the_time_limit(site, settings):
    settings.FETCH_ALLOWED_NETWORKS = ["127.0.0.1/32"]

    def drip(out):
        for _ in range(30):
            out.write(b"x")
            out.flush()
            time.sleep(0.1)

    url, _ = site(routes={"/slow": (200, {}, drip)})
    started = time.monotonic()
    assert "took longer than 0.5 s" in _error(url + "/slow", timeout=0.5)
    assert time.monotonic() - started < 1.5


def test_an_import_asked_to_fetch_a_loopback_url_imports_nothing_from_it(world, site):
    url, seen = site()
    report = check_import_corpus(world.odihr, [("urls.txt", f"{url}/\n".encode())], fetch_urls=True,
                                 user=world.alice)
    assert report.imported == [] and report.errors == [f"{url}/: {NO_PAGE}"]
    assert seen == [] and not NewsItem.objects.exists()


def test_a_javascript_url_from_a_csv_is_neither_stored_nor_rendered_as_a_link(world, login):
    csv = ("id,title,url,text\n"
           "x1,Bad link,javascript:fetch('/api/missions/odihr/submissions'),The Central Election Commission met.\n"
           "x2,Tabbed,java\tscript:alert(1),The commission published the protocols today in Baku.\n"
           "x3,Good link,https://example.org/news/1,Observers reported a calm opening of polling stations.\n")
    report = check_import_corpus(world.odihr, [("items.csv", csv.encode())], user=world.alice)
    urls = {i.external_id: i.url for i in report.imported}
    assert urls == {"x1": "", "x2": "", "x3": "https://example.org/news/1"}
    alice = login(world.alice)
    for item in report.imported:
        page = alice.get(f"/missions/odihr/media/items/{item.pk}/").content.decode()
        assert "javascript:" not in page and "script:alert" not in page
    good = next(i for i in report.imported if i.external_id == "x3")
    assert 'href="https://example.org/news/1"' in alice.get(f"/missions/odihr/media/items/{good.pk}/").content.decode()


def test_a_stored_javascript_url_is_not_rendered_as_a_link_either(world, login):
    from pollwatch.accounts.links import http_url

    csv = "id,title,text\nx1,Old row,The Central Election Commission met in Baku today.\n"
    item = check_import_corpus(world.odihr, [("items.csv", csv.encode())], user=world.alice).imported[0]
    NewsItem.objects.filter(pk=item.pk).update(url="javascript:alert(document.cookie)")  # stored before the fix
    page = login(world.alice).get(f"/missions/odihr/media/items/{item.pk}/").content.decode()
    assert "javascript:" not in page
    assert http_url("https://example.org/a?b=1") == "https://example.org/a?b=1"
    for bad in ["javascript:alert(1)", " JavaScript:alert(1)", "data:text/html,<script>", "vbscript:x",
                "https:\\\\evil.example", "//evil.example/x", "http://", "java\nscript:x"]:
        assert http_url(bad) == "", bad
