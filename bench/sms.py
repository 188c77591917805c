"""Benchmark: SMS reports — parse rate in-process, accuracy on mistyped reports, webhook → stored report rate.

    .venv/bin/python bench/sms.py [--messages 20000] [--seconds 10] [--clients 8] [--no-server] [--baseline REV]

1. Parse rate: ``pollwatch.sms.grammar.parse_message`` over (a) reports typed exactly (Apollo's shape) and (b) the
   labelled corpus of ``pollwatch.sms.typos`` (30 % mistake rate, four forms, two with tags full of I, L, O). Both
   wall-clock and CPU time (the box is shared: CPU time is what the parser itself costs). Target ≥ 50,000/s.
   With ``--baseline REV`` the grammar of git revision REV is measured too, in the same process on the same
   messages, alternating rounds (best of ``--rounds``), and the ratios printed: on a shared box only ratios
   measured side by side mean much.
2. Accuracy on the labelled corpus, per form, against an Apollo-style parser written after Apollo's
   ``parse_text``/``parse_responses`` (punctuation stripped, every I/L/O of the message rewritten to 1/0, then
   ``[A-Z]+[0-9]*`` pairs matched against the form's tags).
3. Webhook → stored report: a fresh SQLite database, one mission with the demo forms and 50 observers with
   phones, gunicorn with 2 workers; N client threads POST Twilio webhooks signed with the twilio SDK; reported:
   accepted/s, p50/p99, and stored reports == accepted.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import random
import re
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
PY = str(ROOT / ".venv" / "bin" / "python")
TOKEN = "bench-twilio-token"
N_OBSERVERS = 50

from pollwatch.sms.grammar import SmsForm, parse_message  # noqa: E402
from pollwatch.sms.typos import labelled_corpus, valid_report  # noqa: E402


def apollo_like(text: str, forms: list[SmsForm]) -> dict:
    """Apollo's reading: punctuation out, I/L→1 and O→0 everywhere before the comment, then regexes."""
    at = text.find("@")
    head, comment = (text[:at], text[at + 1:].strip()) if at != -1 else (text, None)
    head = re.sub(r"[^0-9A-Za-z!]", "", head).translate(str.maketrans("iIlLoO", "111100"))
    m = re.match(r"^([A-Z]+)(\d+)(?:X(\d+))?(!?)([A-Z0-9]*)$", head, re.I)
    if not m:
        return {}
    prefix = m.group(1).upper()
    form = next((f for f in forms if f.prefix == prefix), None)
    responses: dict = {}
    if form is not None:
        numeric = [f.tag for f in form.fields if f.type not in ("boolean", "comment")]
        boolean = [f.tag for f in form.fields if f.type == "boolean"]
        rest = m.group(5)
        if numeric:
            pattern = re.compile(r"({})(\d+)".format("|".join(numeric)), re.I)
            responses.update((t.upper(), v) for t, v in pattern.findall(rest))
            rest = pattern.sub("", rest)
        if boolean:
            responses.update((t.upper(), 1) for t in re.findall("|".join(boolean), rest, re.I))
    return {"prefix": prefix, "participant_id": m.group(2), "exclamation": bool(m.group(4)),
            "form_serial": m.group(3), "responses": responses, "comment": comment or None, "problems": []}


def parse_rates(n: int) -> dict:
    forms, corpus = labelled_corpus(n, seed=42)
    rng = random.Random(7)
    clean = [valid_report(rng.choice(forms), rng).text for _ in range(n)]
    out = {}
    for name, texts in (("exact", clean), ("mistyped", [r.text for r in corpus])):
        wall, cpu = time.perf_counter(), time.process_time()
        for text in texts:
            parse_message(text, forms)
        wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
        out[f"parse_{name}_per_s_wall"] = round(len(texts) / wall)
        out[f"parse_{name}_per_s_cpu"] = round(len(texts) / cpu)
    right: dict[str, list[int]] = {}
    for r in corpus:
        ours = parse_message(r.text, forms).as_dict() == r.expected()
        theirs = apollo_like(r.text, forms) == r.expected()
        right.setdefault(r.form.prefix, [0, 0, 0])
        right[r.form.prefix][0] += ours
        right[r.form.prefix][1] += theirs
        right[r.form.prefix][2] += 1
    for prefix, (ours, theirs, total) in right.items():
        out[f"accuracy_{prefix}"] = f"{ours / total:.1%} (Apollo-style {theirs / total:.1%}, n={total})"
    ours = sum(v[0] for v in right.values()) / n
    theirs = sum(v[1] for v in right.values()) / n
    out["accuracy_all"] = f"{ours:.1%} (Apollo-style {theirs:.1%})"
    return out


def baseline_module(rev: str):
    """``pollwatch/sms/grammar.py`` as it was at git revision ``rev``, imported as a module of its own."""
    import importlib.util

    source = subprocess.run(["git", "show", f"{rev}:pollwatch/sms/grammar.py"], cwd=ROOT, check=True,
                            capture_output=True, text=True).stdout
    path = Path(tempfile.mkdtemp(prefix="pollwatch-bench-sms-")) / "baseline_grammar.py"
    path.write_text(source)
    spec = importlib.util.spec_from_file_location("baseline_grammar", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["baseline_grammar"] = module  # dataclasses look their module up
    spec.loader.exec_module(module)
    return module


def compare_rates(n: int, rev: str, rounds: int) -> dict:
    """Parse rates (CPU) of revision ``rev``'s grammar and of this one, side by side, per set of messages."""
    import pollwatch.sms.grammar as current

    baseline = baseline_module(rev)
    forms, corpus = labelled_corpus(n, seed=42)
    rng = random.Random(7)
    sets = {"exact": [valid_report(rng.choice(forms), rng).text for _ in range(n)],
            "mistyped": [r.text for r in corpus]}
    for prefix in sorted({f.prefix for f in forms}):
        sets[f"mistyped_{prefix}"] = [r.text for r in corpus if r.form.prefix == prefix]
    same = sum(baseline.parse_message(t, forms).as_dict() == current.parse_message(t, forms).as_dict()
               for t in sets["mistyped"])
    best: dict[tuple[str, str], float] = {}
    for _ in range(rounds):
        for name, texts in sets.items():
            for label, module in (("baseline", baseline), ("current", current)):
                cpu = time.process_time()
                for text in texts:
                    module.parse_message(text, forms)
                rate = len(texts) / max(time.process_time() - cpu, 1e-9)
                best[name, label] = max(best.get((name, label), 0.0), rate)
    out: dict = {"baseline": rev, "same_parse_as_baseline": f"{same}/{len(sets['mistyped'])}"}
    for name in sets:
        before, after = best[name, "baseline"], best[name, "current"]
        out[f"{name}_per_s_cpu"] = f"{before:.0f} → {after:.0f} (×{after / before:.2f})"
    return out


SETUP = r"""
import datetime as dt, json, sys
import django
django.setup()
from pollwatch.collection.demo import DEMO_FORMS
from pollwatch.collection.services import check_import_form
from pollwatch.elections.services import do_create_election
from pollwatch.geography.services import do_create_station, do_create_unit
from pollwatch.missions.services import do_create_mission, do_create_observer, do_deploy_observer
from pollwatch.sms.models import SmsSettings
e = do_create_election(slug="b", name="Bench", country="az", date=dt.date(2024, 2, 7), kind="presidential",
                       timezone="Asia/Baku")
u = do_create_unit(e, code="AZ", name="AZ", level="country")
m = do_create_mission(e, slug="bench", name="Bench", kind="citizen")
check_import_form(m, (DEMO_FORMS / "opening_checklist.xlsx").read_bytes(), filename="opening_checklist.xlsx")
SmsSettings.objects.create(mission=m, twilio_auth_token=sys.argv[2])
t0 = dt.datetime(2024, 2, 7, 3, tzinfo=dt.UTC)
phones = []
for i in range(int(sys.argv[1])):
    s = do_create_station(u, code=f"S{i:04d}", name=f"Station {i}", registered_voters=1000)
    o = do_create_observer(m, code=f"OBS-{i + 1:04d}", name=f"Observer {i}", phone=f"+99450{i:07d}")
    do_deploy_observer(o, station=s, shift_start=t0, shift_end=t0 + dt.timedelta(hours=14))
    phones.append(o.phone)
print(json.dumps({"phones": phones}))
"""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def webhook_rate(seconds: float, clients: int) -> dict:
    from twilio.request_validator import RequestValidator

    tmp = Path(tempfile.mkdtemp(prefix="pollwatch-bench-sms-"))
    env = {**os.environ, "POLLWATCH_DATA_DIR": str(tmp), "DJANGO_SETTINGS_MODULE": "pollwatch.settings",
           "POLLWATCH_SECRET_KEY": "bench-secret", "PYTHONPATH": str(ROOT)}
    env.pop("DATABASE_URL", None)
    subprocess.run([PY, "-m", "django", "migrate", "-v0"], env=env, check=True, cwd=ROOT)
    setup = json.loads(subprocess.run([PY, "-c", SETUP, str(N_OBSERVERS), TOKEN], env=env, check=True,
                                      capture_output=True, text=True, cwd=ROOT).stdout.strip().splitlines()[-1])
    port = free_port()
    server = subprocess.Popen([str(ROOT / ".venv" / "bin" / "gunicorn"), "pollwatch.wsgi", "-w", "2", "-b",
                               f"127.0.0.1:{port}", "--log-level", "warning"], env=env, cwd=ROOT,
                              stderr=subprocess.DEVNULL)
    try:
        for _ in range(300):
            try:
                c = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
                c.request("GET", "/health")
                c.getresponse().read()
                break
            except OSError:
                time.sleep(0.1)
        url = f"http://127.0.0.1:{port}/sms/bench/twilio"
        validator = RequestValidator(TOKEN)
        rng = random.Random(1)
        results: list[tuple[int, float]] = []
        lock = threading.Lock()
        deadline = time.perf_counter() + seconds
        counter = iter(range(10**9))

        def client() -> None:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
            while time.perf_counter() < deadline:
                i = next(counter)
                n = rng.randrange(N_OBSERVERS)
                params = {"MessageSid": f"SM{i:032d}", "From": setup["phones"][n], "To": "+15005550006",
                          "Body": f"op{n + 1:04d} aa1, ab l ac1 ad{rng.randrange(5, 15)} ae2"}
                body = urllib.parse.urlencode(params)
                headers = {"Content-Type": "application/x-www-form-urlencoded",
                           "X-Twilio-Signature": validator.compute_signature(url, params)}
                t = time.perf_counter()
                try:
                    conn.request("POST", "/sms/bench/twilio", body, headers)
                    response = conn.getresponse()
                    response.read()
                    status = response.status
                except OSError:
                    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
                    status = 0
                with lock:
                    results.append((status, time.perf_counter() - t))

        threads = [threading.Thread(target=client) for _ in range(clients)]
        t0 = time.perf_counter()
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        elapsed = time.perf_counter() - t0
    finally:
        server.terminate()
        server.wait(timeout=10)
    count = ("import django; django.setup(); from pollwatch.collection.models import Submission; "
             "print(Submission.objects.filter(transport='sms').count())")
    stored = int(subprocess.run([PY, "-c", count], env=env, check=True, capture_output=True, text=True,
                                cwd=ROOT).stdout.strip())
    ok = sorted(lat for status, lat in results if status == 200)
    return {"clients": clients, "seconds": round(elapsed, 1), "webhooks_accepted": len(ok),
            "statuses": {s: sum(1 for st, _ in results if st == s) for s in {st for st, _ in results}},
            "stored_reports": stored, "webhook_to_report_per_s": round(stored / elapsed, 1),
            "p50_ms": round(statistics.median(ok) * 1000, 1) if ok else None,
            "p99_ms": round(ok[max(0, int(len(ok) * 0.99) - 1)] * 1000, 1) if ok else None}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--messages", type=int, default=20000)
    parser.add_argument("--seconds", type=float, default=10)
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--no-server", action="store_true")
    parser.add_argument("--baseline", metavar="REV", help="also measure the grammar of this git revision, side by side")
    parser.add_argument("--rounds", type=int, default=5, help="rounds of the side-by-side comparison (best kept)")
    args = parser.parse_args()
    result = parse_rates(args.messages)
    if args.baseline:
        result |= compare_rates(args.messages, args.baseline, args.rounds)
    if not args.no_server:
        result |= webhook_rate(args.seconds, args.clients)
    for key, value in result.items():
        print(f"{key}: {value}")


if __name__ == "__main__":
    main()
