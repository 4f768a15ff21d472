"""Fifty people at once: residents, village operators, treasurers and the regency, on the
production server (gunicorn) over PostgreSQL, for five minutes.

1. The database: ``BENCH_DATABASE_URL``, by default the PostgreSQL database
   ``kampung_bench_load`` on 127.0.0.1 (created when missing), with the demo regency
   (``kampung demo --no-serve``; built once and kept).
2. gunicorn with the production settings (``KAMPUNG_DEBUG=false``), ``WORKERS`` sync
   workers (default 4), on a free port.
3. ``BENCH_USERS`` simulated people (default 50), each in its own thread with its own
   cookies (people sharing a demo account share its session), signing in through the real
   forms first: residents with NIK + PIN on the portal,
   officials with user name and password, then the six-digit code of their authenticator
   (computed here from the demo's TOTP secret, as a phone would). Each then loops over its
   kind's requests for ``BENCH_SECONDS`` (default 300), waiting ``BENCH_THINK`` seconds (a
   random 0.2–1.0 by default) between two:
   - residents (40 %): portal home, the public village page and its APBDes, the queue's
     service list, and taking a queue ticket (a form POST with its CSRF token: a write);
   - operators (25 %): the resident register and a name search, the letter queue, the
     village page, the queue desk, and calling the next ticket (a write);
   - treasurers (15 %): the village's finance page, the execution hub, the SPP list, the
     cash book (BKU) and the LRA report;
   - the regency and district (20 %): the monitoring dashboards (region, finance, letters)
     of the regency, a district and a village, and the alerts list.
4. Figures, per kind of request and overall: requests, throughput, p50/p95/p99 latency and
   errors (any status of 400 or more, a redirect to a login page, or a failed connection).
   The run fails (exit status 1) on any error: the target is zero.

``make bench NAME=load_mixed`` runs the full five minutes; CI runs a short variant
(``BENCH_SECONDS=45 BENCH_USERS=50``) against a fresh PostgreSQL database.
"""

from __future__ import annotations

import hashlib
import hmac
import http.cookiejar
import json
import os
import random
import re
import struct
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections import defaultdict
from pathlib import Path
from typing import Any

from bench.common import ROOT, Recorder, database_kind, free_port, gunicorn_start, percentile, server_stop

NAME = "load_mixed"
DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/kampung_bench_load"
CSRF_RE = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
LOGIN_PATHS = ("/akun/masuk/", "/warga/masuk/")


# -- in a child process with Django: who signs in, and what each kind requests -----------------


def plan() -> dict[str, Any]:
    import django

    django.setup()
    from django.urls import reverse
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from kampung.accounts.models import RoleAssignment
    from kampung.accounts.roles import Role
    from kampung.demo.cast import VILLAGE_SET_CODES
    from kampung.demo.letters import resident_logins
    from kampung.demo.services import DEMO_PASSWORD
    from kampung.finance.models import Apbdes
    from kampung.kiosk.services_queue import services_for
    from kampung.regions.models import Region

    def officials(role: str) -> list[dict[str, Any]]:
        out = []
        rows = RoleAssignment.objects.filter(role=role, user__is_active=True).select_related("user", "region")
        for assignment in rows.order_by("region_id", "user__username"):
            device = TOTPDevice.objects.filter(user=assignment.user, confirmed=True).first()
            out.append(
                {
                    "username": assignment.user.username,
                    "password": DEMO_PASSWORD,
                    "region": assignment.region_id,
                    "totp": (
                        {"key": device.key, "step": device.step, "t0": device.t0, "digits": device.digits}
                        if device
                        else None
                    ),
                }
            )
        return out

    villages = [c for c in VILLAGE_SET_CODES if Region.objects.filter(code=c).exists()]
    year = (
        Apbdes.objects.filter(village_id__in=villages)
        .order_by("-year")
        .values_list("year", flat=True)
        .first()
    )
    residents = [
        {"nik": r.nik, "pin": r.pin, "region": r.region.rsplit("(", 1)[-1].rstrip(")")}
        for r in resident_logins()
    ]

    def village_paths(code: str) -> dict[str, Any]:
        service = services_for(Region.objects.get(code=code))[0]
        return {
            "public": [reverse("public:region", args=[code]), reverse("public:budget", args=[code])],
            "queue_take": reverse("queue:take", args=[code]),
            "queue_service": service.pk,
            "desk": reverse("queue:desk", args=[code]),
            "desk_action": reverse("queue:desk_action", args=[code]),
            "operator": [
                reverse("population:resident_list") + f"?desa={code}",
                reverse("population:resident_list") + f"?desa={code}&q=siti",
                reverse("letters:queue"),
                reverse("regions:village_detail", args=[code]),
            ],
            "treasurer": [
                reverse("finance:village", args=[code]),
                reverse("finance:exec_hub", args=[code, year]),
                reverse("finance:spp_list", args=[code, year]),
                reverse("finance:book", args=[code, year, "bku"]),
                reverse("finance:report_lra", args=[code, year]),
            ],
        }

    def regional_paths(code: str) -> list[str]:
        """What an official over ``code`` (the regency or a district) watches: its dashboards,
        one of its districts (or villages) and a village under it, and the alerts list."""
        village = next((v for v in villages if v.startswith(code + ".")), villages[0])
        child = village[:8] if len(code) == 5 else village
        return [
            reverse("monitoring:region", args=[code]),
            reverse("monitoring:finance", args=[code]),
            reverse("monitoring:letters", args=[code]),
            reverse("monitoring:region", args=[child]),
            reverse("monitoring:region", args=[village]),
            reverse("monitoring:alerts"),
        ]

    regional_officials = officials(Role.DPMD) + officials(Role.BUPATI) + officials(Role.CAMAT)
    return {
        "villages": {code: village_paths(code) for code in villages},
        "residents": residents,
        "operators": [o for o in officials(Role.OPERATOR) if o["region"] in villages],
        "treasurers": [o for o in officials(Role.TREASURER) if o["region"] in villages],
        "regency": regional_officials,
        "regional": {o["region"]: regional_paths(o["region"]) for o in regional_officials},
        "portal_home": reverse("portal:home"),
    }


# -- the simulated people ------------------------------------------------------------------------


def totp(key_hex: str, step: int, t0: int, digits: int, at: float | None = None) -> str:
    """RFC 6238 over the device's hex key, as an authenticator app computes it."""
    counter = int(((at if at is not None else time.time()) - t0) // step)
    digest = hmac.new(bytes.fromhex(key_hex), struct.pack(">Q", counter), hashlib.sha1).digest()
    offset = digest[-1] & 0x0F
    value = struct.unpack(">I", digest[offset : offset + 4])[0] & 0x7FFFFFFF
    return str(value % 10**digits).zfill(digits)


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None


class Person:
    def __init__(self, base: str, kind: str, jar: http.cookiejar.CookieJar | None = None) -> None:
        self.base = base
        self.kind = kind
        self.jar = jar if jar is not None else http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.jar), NoRedirect())

    def request(self, path: str, data: dict[str, Any] | None = None) -> tuple[int, str, str]:
        """Status, Location (for redirects) and body; redirects are not followed."""
        body = None
        headers = {"User-Agent": "kampung-bench"}
        if data is not None:
            body = urllib.parse.urlencode(data).encode()
            headers["Content-Type"] = "application/x-www-form-urlencoded"
            headers["Referer"] = self.base + path
        req = urllib.request.Request(self.base + path, data=body, headers=headers)
        try:
            with self.opener.open(req, timeout=60) as resp:
                return resp.status, resp.headers.get("Location", ""), resp.read().decode("utf-8", "replace")
        except urllib.error.HTTPError as exc:
            return exc.code, exc.headers.get("Location", ""), exc.read().decode("utf-8", "replace")

    def post_form(self, path: str, fields: dict[str, Any], page_path: str = "") -> tuple[int, str, str]:
        """GET the page holding the form (``page_path``, default ``path``), then POST it."""
        status, _, page = self.request(page_path or path)
        found = CSRF_RE.search(page)
        if status != 200 or not found:
            return (status if status != 200 else 599), "", page
        return self.request(path, {"csrfmiddlewaretoken": found.group(1), **fields})

    def login_official(self, who: dict[str, Any]) -> None:
        status, location, _ = self.post_form(
            "/akun/masuk/", {"username": who["username"], "password": who["password"]}
        )
        if status != 302:
            raise RuntimeError(f"{who['username']}: sign-in answered {status}")
        if "/dua-langkah/" in location and who["totp"]:
            t = who["totp"]
            status, location, page = self.post_form(
                "/akun/dua-langkah/", {"code": totp(t["key"], t["step"], t["t0"], t["digits"])}
            )
            if status != 302:
                # The code of this 30-second step was just used (one sign-in per step): wait.
                time.sleep(t["step"] - (time.time() - t["t0"]) % t["step"] + 1)
                status, location, page = self.post_form(
                    "/akun/dua-langkah/", {"code": totp(t["key"], t["step"], t["t0"], t["digits"])}
                )
            if status != 302:
                raise RuntimeError(f"{who['username']}: two-factor step answered {status}")

    def login_resident(self, who: dict[str, Any]) -> None:
        status, _, _ = self.post_form("/warga/masuk/", {"nik": who["nik"], "pin": who["pin"]})
        if status != 302:
            raise RuntimeError(f"resident {who['nik'][:6]}…: sign-in answered {status}")


def _script(kind: str, who: dict[str, Any], p: dict[str, Any]) -> list[tuple[Any, ...]]:
    """The (label, path, form or None[, page holding the form]) steps one person of ``kind``
    repeats."""
    code = who["region"]
    v = p["villages"].get(code) or next(iter(p["villages"].values()))
    if kind == "warga":
        return [
            ("warga portal", p["portal_home"], None),
            ("warga publik", v["public"][0], None),
            ("warga publik", v["public"][1], None),
            ("warga antrian", v["queue_take"], None),
            ("warga ambil tiket (POST)", v["queue_take"], {"service": v["queue_service"]}),
        ]
    if kind == "operator":
        return [
            ("operator penduduk", v["operator"][0], None),
            ("operator cari penduduk", v["operator"][1], None),
            ("operator surat", v["operator"][2], None),
            ("operator desa", v["operator"][3], None),
            ("operator loket", v["desk"], None),
            (
                "operator panggil (POST)",
                v["desk_action"],
                {"action": "call", "service": v["queue_service"]},
                v["desk"],
            ),
        ]
    if kind == "bendahara":
        return [
            ("bendahara " + name, path, None)
            for name, path in zip(
                ("keuangan", "pelaksanaan", "spp", "bku", "lra"), v["treasurer"], strict=True
            )
        ]
    return [("kabupaten pemantauan", path, None) for path in p["regional"][code]]


def _people(p: dict[str, Any], count: int) -> list[tuple[str, dict[str, Any]]]:
    shares = [
        ("warga", 0.40, p["residents"]),
        ("operator", 0.25, p["operators"]),
        ("bendahara", 0.15, p["treasurers"]),
        ("kabupaten", 0.20, p["regency"]),
    ]
    out: list[tuple[str, dict[str, Any]]] = []
    for kind, share, pool in shares:
        if not pool:
            raise SystemExit(f"{NAME}: the demo has no {kind} to sign in as")
        n = round(count * share) if kind != "kabupaten" else count - len(out)
        out.extend((kind, pool[i % len(pool)]) for i in range(n))
    return out


def _wait_up(base: str, timeout: float = 90) -> None:
    deadline = time.time() + timeout
    while time.time() < deadline:
        try:
            urllib.request.urlopen(base + "/publik/", timeout=2)  # noqa: S310 - our own server
            return
        except urllib.error.HTTPError:
            return
        except OSError:
            time.sleep(0.3)
    raise SystemExit(f"{NAME}: gunicorn did not start")


def _ensure_database(url: str, env: dict[str, str]) -> None:
    if database_kind(url) == "postgresql":
        name = urllib.parse.urlsplit(url).path.lstrip("/")
        admin_url = url.rsplit("/", 1)[0] + "/postgres"
        import psycopg

        with psycopg.connect(admin_url, autocommit=True) as conn:
            if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
                conn.execute(f'CREATE DATABASE "{name}"')
    kampung = [sys.executable, "-m", "kampung"]
    subprocess.run([*kampung, "migrate", "--verbosity", "0"], cwd=ROOT, env=env, check=True)
    subprocess.run([*kampung, "demo", "--no-serve"], cwd=ROOT, env=env, check=True, stdout=subprocess.DEVNULL)
    subprocess.run(
        [*kampung, "collectstatic", "--noinput", "--verbosity", "0"], cwd=ROOT, env=env, check=True
    )


def run() -> None:
    url = os.environ.get("BENCH_DATABASE_URL") or DEFAULT_URL
    seconds = float(os.environ.get("BENCH_SECONDS", "300"))
    users = int(os.environ.get("BENCH_USERS", "50"))
    workers = int(os.environ.get("WORKERS", "4"))
    think = tuple(float(x) for x in os.environ.get("BENCH_THINK", "0.2,1.0").split(","))
    var = ROOT / "var" / "bench" / NAME
    var.mkdir(parents=True, exist_ok=True)
    env = dict(
        os.environ,
        PYTHONUNBUFFERED="1",
        DJANGO_SETTINGS_MODULE="kampung.config.settings",
        DATABASE_URL=url,
        KAMPUNG_VAR_DIR=str(var),
        KAMPUNG_DEBUG="false",
    )
    _ensure_database(url, env)
    done = subprocess.run(
        [sys.executable, "-m", "bench.load_mixed", "--plan"],
        cwd=ROOT,
        env=env,
        check=True,
        text=True,
        capture_output=True,
    )
    p = json.loads(done.stdout.strip().splitlines()[-1])
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    server = gunicorn_start(port, workers, env)
    stats: dict[str, list[float]] = defaultdict(list)
    errors: dict[str, int] = defaultdict(int)
    samples: list[str] = []
    lock = threading.Lock()
    try:
        _wait_up(base)
        people = _people(p, users)
        signed: list[tuple[Person, list[tuple[Any, ...]]]] = []
        # The demo has a few accounts per kind: people sharing an account share its session
        # (one sign-in per account, as one person with several tabs; an authenticator code is
        # accepted once per 30-second step).
        sessions: dict[str, http.cookiejar.CookieJar] = {}
        for kind, who in people:
            account = who.get("username") or who["nik"]
            person = Person(base, kind, sessions.get(account))
            if account in sessions:
                signed.append((person, _script(kind, who, p)))
                continue
            sessions[account] = person.jar
            if kind == "warga":
                person.login_resident(who)
            else:
                person.login_official(who)
            if kind == "operator":  # an operator at the desk serves at a counter
                desk = (p["villages"].get(who["region"]) or next(iter(p["villages"].values())))["desk"]
                status, _, _ = person.post_form(desk, {"counter": 1 + len(signed) % 9})
                if status != 302:
                    raise RuntimeError(f"{who['username']}: choosing a counter answered {status}")
            signed.append((person, _script(kind, who, p)))
        print(f"   {len(signed)} people on {len(sessions)} accounts signed in; load for {seconds:.0f} s")
        deadline = time.perf_counter() + seconds
        rng = random.Random(11)

        def loop(person: Person, steps: list[tuple[Any, ...]], seed: int) -> None:
            local = random.Random(seed)
            i = local.randrange(len(steps))
            while time.perf_counter() < deadline:
                label, path, form, *page = steps[i % len(steps)]
                i += 1
                started = time.perf_counter()
                try:
                    if form is None:
                        status, location, _ = person.request(path)
                    else:
                        status, location, _ = person.post_form(path, form, *page)
                except OSError as exc:
                    status, location = 598, str(exc)
                ms = (time.perf_counter() - started) * 1000
                bad = status >= 400 or (status == 302 and location.split("?")[0].endswith(LOGIN_PATHS))
                with lock:
                    stats[label].append(ms)
                    if bad:
                        errors[label] += 1
                        if len(samples) < 10:
                            samples.append(f"{label} {path}: {status} {location}")
                time.sleep(local.uniform(*think))

        threads = [
            threading.Thread(target=loop, args=(person, steps, rng.randrange(1 << 30)), daemon=True)
            for person, steps in signed
        ]
        started = time.perf_counter()
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        elapsed = time.perf_counter() - started
    finally:
        server_stop(server)
    everything = [ms for values in stats.values() for ms in values]
    total_errors = sum(errors.values())
    recorder = Recorder(
        NAME,
        database_kind(url),
        scale={"users": users, "seconds": seconds, "workers": workers, "think_s": list(think)},
    )
    recorder.record("requests", len(everything), "requests")
    recorder.record("rps", len(everything) / elapsed, "req/s")
    recorder.record("p50_ms", percentile(everything, 50), "ms")
    recorder.record("p95_ms", percentile(everything, 95), "ms")
    recorder.record("p99_ms", percentile(everything, 99), "ms")
    recorder.record("errors", total_errors, "requests")
    for label in sorted(stats):
        values = stats[label]
        slug = re.sub(r"[^a-z0-9]+", "_", label.lower()).strip("_")
        recorder.record(f"{slug}.rps", len(values) / elapsed, "req/s")
        recorder.record(f"{slug}.p95_ms", percentile(values, 95), "ms")
        recorder.record(f"{slug}.p99_ms", percentile(values, 99), "ms")
        if errors[label]:
            recorder.record(f"{slug}.errors", errors[label], "requests")
    for line in samples:
        print(f"   error: {line}")
    if total_errors:
        raise SystemExit(f"{NAME}: {total_errors} request(s) failed")


if __name__ == "__main__":
    if "--plan" in sys.argv:
        print(json.dumps(plan()))
    else:
        sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
        run()
