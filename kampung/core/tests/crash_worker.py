"""Run by test_crash_safety in separate processes (not a test module itself).

    python -m kampung.core.tests.crash_worker setup
    python -m kampung.core.tests.crash_worker run OPERATION POINT MARKER
    python -m kampung.core.tests.crash_worker recover OPERATION
    python -m kampung.core.tests.crash_worker wal COUNT MARKER

``setup`` migrates a fresh database and builds what the three operations need (the test
keeps it as a template and copies it for every test). ``run`` first completes one
operation (committed), then starts a second one through the same service with a pause
planted at ``POINT``: there it writes ``MARKER`` (JSON: what the process sees inside its
own transaction) and sleeps until the test kills it with SIGKILL. ``recover`` is the
restart: a new process reads the state, runs the operation again, and prints JSON
``{"before": ..., "after": ..., "refused": ...}``. ``wal`` commits COUNT audit entries one
by one, writes MARKER with the connection's pragmas and sleeps until killed.

Settings come from the environment (DATABASE_URL, KAMPUNG_VAR_DIR, KAMPUNG_MEDIA_ROOT,
KAMPUNG_KEYS_DIR).
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
import json
import os
import sys
import time
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path
from typing import Any

VILLAGE = "35.10.01.2001"  # Sarongan (kampung.conftest.VILLAGE_A1)
REGENCY = "35.10"
YEAR = 2026
ACTIVITY = "02.03.10"
BUDGET_LINE = "Upah tukang"  # Rp12.000.000 in the test APBDes
SPP_AMOUNT = Decimal(1_000_000)
SPP_COUNT = 3
BANK_MONEY = Decimal(50_000_000)
PAY_DAY = dt.date(YEAR, 12, 2)
LETTER_SLUG = "surat-keterangan-domisili"
LETTER_REQUESTS = 3  # the first is signed before the kill, the second killed, the third after
IMPORT_BATCH = 25  # rows per INSERT batch during the killed import (production: 5000)
FIRST_FILE_FAMILIES = 5  # the import committed before the kill: 15 residents
KILLED_FILE_FAMILIES = 30  # the import that is killed: 90 residents, 4 batches of residents
PASSWORD = "sandi-uji-Kampung-1"
USERS = {"operator": "op-crash", "head": "kades-crash", "treasurer": "bendahara-crash"}

POINTS = {
    "letter": ("number_reserved", "document_recorded", "pdf_rendering", "pdf_written"),
    "payment": ("entry_without_lines", "ledger_posted", "status_changed"),
    "import": ("families_written", "half_residents", "audit_written"),
}


# -- setup -----------------------------------------------------------------------------------


def setup() -> None:
    from django.core.management import call_command
    from django.db import connections

    from kampung.documents import keys
    from kampung.letters.loader import catalogue_ensure
    from kampung.regions.services import regions_load

    call_command("migrate", verbosity=0)
    regions_load(prefix=VILLAGE)
    catalogue_ensure()
    keys.key_generate(regency=REGENCY)
    _users()
    _letters_setup()
    _payments_setup()
    connections.close_all()  # SQLite: the last connection closing folds the WAL into the file


def _users() -> None:
    from kampung.accounts.roles import Role
    from kampung.accounts.services import user_create
    from kampung.regions.models import Region

    region = Region.objects.get(code=VILLAGE)
    for role, username in ((Role.OPERATOR, "operator"), (Role.HEAD, "head"), (Role.TREASURER, "treasurer")):
        user_create(
            actor=None,
            username=USERS[username],
            full_name=f"Uji {username}",
            role=role,
            region=region,
            valid_from=dt.date(2020, 1, 1),
            password=PASSWORD,
        )


def _user(key: str) -> Any:
    from django.contrib.auth import get_user_model

    return get_user_model().objects.get(username=USERS[key])


def _village() -> Any:
    from kampung.regions.models import Region

    return Region.objects.get(code=VILLAGE)


def _letters_setup() -> None:
    """A resident with a family card, and LETTER_REQUESTS verified requests for a letter."""
    from kampung.letters import services_requests as svc
    from kampung.letters.models import LetterType
    from kampung.letters.models_requests import Channel
    from kampung.population import services as population
    from kampung.population.models import Sex

    operator, village = _user("operator"), _village()
    family = population.family_create(
        actor=operator, village=village, kk_number="3510010101159001", dusun="Krajan", rw="002", rt="004"
    )
    siti = population.resident_create(
        actor=operator,
        village=village,
        nik=_nik(dt.date(1988, 5, 12), Sex.FEMALE, 9001),
        name="Siti Aminah",
        birth_date=dt.date(1988, 5, 12),
        sex=Sex.FEMALE,
        family=family,
        attributes={"phone": "081234567890", "dusun": "Krajan", "rw": "002", "rt": "004"},
    )
    letter_type = LetterType.objects.get(slug=LETTER_SLUG)
    for i in range(LETTER_REQUESTS):
        request = svc.request_submit(
            actor=operator,
            village=village,
            channel=Channel.COUNTER,
            data=svc.RequestInput(letter_type=letter_type, requester=siti, purpose=f"Keperluan {i + 1}"),
        )
        svc.request_verify(actor=operator, request=request)


def _payments_setup() -> None:
    """An executable APBDes, money in the bank, SPP_COUNT approved LS SPP of Rp1.000.000."""
    from kampung.finance.ledger import book_for
    from kampung.finance.models import BudgetActivity, BudgetLine, Spp, SppKind, SppLine, SppStatus
    from kampung.finance.tests.exec_factories import bank_receipt, make_executable

    apbdes = make_executable(VILLAGE, YEAR)
    bank_receipt(VILLAGE, YEAR, BANK_MONEY)
    activity = BudgetActivity.objects.get(apbdes=apbdes, activity_code__code=ACTIVITY)
    line = BudgetLine.objects.get(activity=activity, description=BUDGET_LINE)
    book = book_for(VILLAGE, YEAR)
    for i in range(1, SPP_COUNT + 1):
        spp = Spp.objects.create(
            book=book,
            activity=activity,
            kind=SppKind.DIRECT,
            number=f"{i:04d}/SPP-LS/{YEAR}",
            date=dt.date(YEAR, 12, 1),
            description=f"Upah tukang minggu {i}",
            amount=SPP_AMOUNT,
            payee_name=f"Tukang {i}",
            status=SppStatus.APPROVED,
            check_complete=True,
            check_correct=True,
            check_funds=True,
        )
        SppLine.objects.create(spp=spp, budget_line=line, amount=SPP_AMOUNT, description=BUDGET_LINE)


def _committed() -> None:
    """Tell the test the first operation is done and committed (it checks it survives)."""
    sys.stdout.write("committed\n")
    sys.stdout.flush()


# -- the pause -------------------------------------------------------------------------------


def pause(marker: Path, info: dict[str, Any]) -> None:
    """Tell the test where we are (atomically: it never reads half a marker), then wait to be
    killed. Never returns: if the kill does not come, the process ends with an error."""
    info = {"pid": os.getpid(), **info}
    partial = marker.with_suffix(".part")
    partial.write_text(json.dumps(info, default=str), encoding="utf-8")
    os.replace(partial, marker)
    time.sleep(300)
    os._exit(3)


# -- letters ---------------------------------------------------------------------------------


def _requests() -> list[Any]:
    from kampung.letters.models_requests import LetterRequest

    return list(LetterRequest.objects.select_related("letter_type", "village").order_by("pk"))


def _sign(request: Any) -> Any:
    from kampung.letters import services_requests as svc

    return svc.request_sign(actor=_user("head"), request=request)


def letter_run(point: str, marker: Path) -> None:
    from django.db.models.signals import post_save

    from kampung.documents import services as documents
    from kampung.documents.models import Document
    from kampung.letters import services_requests as letters

    first, second = _requests()[:2]
    _sign(first)  # committed, with its PDF (on_commit), before anything is killed
    _committed()

    if point == "number_reserved":
        real_allocate = documents.number_allocate

        def allocate(**kw: Any) -> Any:
            allocation = real_allocate(**kw)
            pause(marker, {"number": allocation.number, "sequence": allocation.sequence})
            return allocation

        documents.number_allocate = allocate  # type: ignore[assignment]
    elif point == "document_recorded":
        real_event = letters._event

        def event(request: Any, **kw: Any) -> Any:
            if kw.get("target") == "ditandatangani":
                doc = Document.objects.get(pk=request.document_id)
                pause(marker, {"document": doc.pk, "number": doc.number, "sequence": doc.sequence})
            return real_event(request, **kw)

        letters._event = event  # type: ignore[assignment]
    elif point == "pdf_rendering":

        def render(request_pk: int, document: Any, lines: list[str]) -> bytes:
            pause(marker, {"document": document.pk, "number": document.number})
            raise AssertionError("unreachable")

        letters._render_pdf = render
    elif point == "pdf_written":

        def saved(sender: Any, instance: Any, update_fields: Any = None, **kw: Any) -> None:
            if update_fields and "sha256" in update_fields:
                path = Path(instance.file.path)
                pause(
                    marker,
                    {
                        "document": instance.pk,
                        "file": instance.file.name,
                        "on_disk": path.exists(),
                        "bytes": path.stat().st_size if path.exists() else 0,
                    },
                )

        post_save.connect(saved, sender=Document, weak=False)
    else:
        raise SystemExit(f"unknown point {point}")
    _sign(second)
    raise SystemExit("the pause was never reached")


def letter_state() -> dict[str, Any]:
    from django.conf import settings

    from kampung.audit.models import AuditEntry
    from kampung.audit.services import audit_verify
    from kampung.authority.models import ActRecord
    from kampung.documents.models import Document, NumberCounter

    media = Path(settings.MEDIA_ROOT)
    documents = []
    for doc in Document.objects.order_by("pk"):
        name = doc.file.name if doc.file else ""
        path = media / name if name else None
        digest = hashlib.sha256(path.read_bytes()).hexdigest() if path and path.is_file() else ""
        documents.append(
            {
                "pk": doc.pk,
                "sequence": doc.sequence,
                "number": doc.number,
                "sha256": doc.sha256,
                "file": name,
                "file_sha256": digest,
                "source": doc.source_id,
            }
        )
    audits = list(AuditEntry.objects.values_list("act", "object_id"))
    acts = list(ActRecord.objects.values_list("act", "object_id"))
    on_disk = (
        sorted(str(p.relative_to(media)) for p in (media / "private" / "documents").rglob("*") if p.is_file())
        if (media / "private" / "documents").exists()
        else []
    )
    verified = audit_verify()
    return {
        "requests": [{"pk": r.pk, "status": r.status, "document": r.document_id} for r in _requests()],
        "documents": documents,
        "counters": list(NumberCounter.objects.values_list("last", flat=True)),
        "audit": {
            "issue": [oid for act, oid in audits if act == "document.issue"],
            "attach": [oid for act, oid in audits if act == "document.attach_pdf"],
            "sign": [oid for act, oid in audits if act == f"letters.sign.{LETTER_SLUG}"],
        },
        "act_records": [oid for act, oid in acts if act == f"letters.sign.{LETTER_SLUG}"],
        "files_on_disk": on_disk,
        "audit_ok": verified.ok,
        "audit_problems": [str(p) for p in verified.problems],
    }


def letter_recover() -> dict[str, Any]:
    """The restart: sign what is still waiting, render what has no PDF, then sign the next
    request; signing an already signed letter again is refused."""
    from kampung.core.errors import KampungError
    from kampung.documents.services import document_orphans_remove
    from kampung.letters import services_requests as svc
    from kampung.letters.models_requests import RequestStatus

    before = letter_state()
    removed = document_orphans_remove(older_than=dt.timedelta(0))
    requests = _requests()
    second, third = requests[1], requests[2]
    second.refresh_from_db()
    if second.status == RequestStatus.VERIFIED:
        _sign(second)
    elif second.document_id and not second.document.sha256:
        svc.request_pdf_retry(request=second)
    _sign(third)
    refused = ""
    try:
        _sign(_requests()[1])
    except KampungError as exc:
        refused = exc.message
    return {"before": before, "removed": removed, "after": letter_state(), "refused": refused}


# -- payments --------------------------------------------------------------------------------


def _spps() -> list[Any]:
    from kampung.finance.models import Spp

    return list(Spp.objects.select_related("book").order_by("pk"))


def _pay(spp: Any) -> Any:
    from kampung.finance.services.payments import spp_pay

    return spp_pay(
        actor=_user("treasurer"), spp=spp, date=PAY_DAY, method="transfer", reference=f"TRX-{spp.pk}"
    )


def payment_run(point: str, marker: Path) -> None:
    from kampung.finance.models import Book, JournalEntry, JournalLine, Spp
    from kampung.finance.services import payments

    first, second = _spps()[:2]
    _pay(first)
    _committed()

    def inside() -> dict[str, Any]:
        return {
            "entries": JournalEntry.objects.count(),
            "lines": JournalLine.objects.count(),
            "status": Spp.objects.get(pk=second.pk).status,
        }

    if point == "entry_without_lines":
        real_save = Book.save

        def save(self: Any, *args: Any, **kw: Any) -> None:
            real_save(self, *args, **kw)
            if "next_number" in (kw.get("update_fields") or ()):
                pause(marker, inside())

        Book.save = save  # type: ignore[method-assign]
    elif point == "ledger_posted":
        real_taxes = payments._save_taxes

        def save_taxes(spp: Any, stage: str, found: Any) -> None:
            pause(marker, inside())
            real_taxes(spp, stage, found)

        payments._save_taxes = save_taxes
    elif point == "status_changed":

        def paid(spp: Any, actor: Any, day: dt.date) -> None:
            pause(marker, inside())

        payments.spp_paid_notify = paid
    else:
        raise SystemExit(f"unknown point {point}")
    _pay(second)
    raise SystemExit("the pause was never reached")


def payment_state() -> dict[str, Any]:
    from django.db.models import Count, Sum

    from kampung.audit.models import AuditEntry
    from kampung.audit.services import audit_verify
    from kampung.authority.models import ActRecord
    from kampung.finance.ledger import balance, book_for
    from kampung.finance.models import BANK, JournalEntry

    book = book_for(VILLAGE, YEAR)
    entries = [
        {
            "pk": e.pk,
            "number": e.number,
            "kind": e.kind,
            "doc_id": e.doc_id,
            "debit": str(e.debit or 0),
            "credit": str(e.credit or 0),
            "lines": e.n,
        }
        for e in JournalEntry.objects.filter(book=book)
        .annotate(debit=Sum("lines__debit"), credit=Sum("lines__credit"), n=Count("lines"))
        .order_by("number")
    ]
    verified = audit_verify()
    return {
        "spps": [
            {"pk": s.pk, "status": s.status, "entry": s.entry_id, "paid_on": str(s.paid_on or "")}
            for s in _spps()
        ],
        "entries": entries,
        "next_number": book.next_number,
        "bank": str(balance(book, BANK)),
        "pay_audits": list(
            AuditEntry.objects.filter(act="finance.spp.pay").values_list("object_id", flat=True)
        ),
        "act_records": list(
            ActRecord.objects.filter(act="finance.spp.pay").values_list("object_id", flat=True)
        ),
        "audit_ok": verified.ok,
        "audit_problems": [str(p) for p in verified.problems],
    }


def payment_recover() -> dict[str, Any]:
    """The restart: pay the SPP whose payment was killed, then try to pay it once more."""
    from kampung.core.errors import KampungError

    before = payment_state()
    second = _spps()[1]
    _pay(second)
    refused = ""
    try:
        _pay(_spps()[1])
    except KampungError as exc:
        refused = exc.message
    return {"before": before, "after": payment_state(), "refused": refused}


# -- population import -----------------------------------------------------------------------


def _nik(birth: dt.date, sex: int, serial: int) -> str:
    from kampung.population.models import Sex

    day = birth.day + (40 if sex == Sex.FEMALE else 0)
    return f"351001{day:02d}{birth:%m%y}{serial:04d}"


def _family_rows(kk_serial: int) -> list[dict[str, str]]:
    """A head, his wife and a child under one KK (our import template's columns)."""
    from kampung.population.models import Sex

    day = 1 + kk_serial % 28
    kk = f"351001010115{kk_serial:04d}"
    people = [
        ("Slamet Widodo", dt.date(1980, 5, day), Sex.MALE, "KEPALA KELUARGA", "KAWIN", "PETANI/PEKEBUN"),
        ("Siti Aminah", dt.date(1984, 2, day), Sex.FEMALE, "ISTRI", "KAWIN", "MENGURUS RUMAH TANGGA"),
        ("Ahmad Rizky", dt.date(2010, 11, day), Sex.MALE, "ANAK", "BELUM KAWIN", "PELAJAR/MAHASISWA"),
    ]
    rows = []
    for i, (name, birth, sex, relation, marital, job) in enumerate(people):
        rows.append(
            {
                "NIK": _nik(birth, sex, kk_serial * 3 + i),
                "Nama": name,
                "Nomor KK": kk,
                "Hubungan dalam keluarga": relation,
                "Jenis kelamin": "L" if sex == Sex.MALE else "P",
                "Tempat lahir": "Banyuwangi",
                "Tanggal lahir": birth.strftime("%d-%m-%Y"),
                "Agama": "Islam",
                "Status perkawinan": marital,
                "Pendidikan dalam KK": "SLTA / SEDERAJAT",
                "Pekerjaan": job,
                "Kewarganegaraan": "WNI",
                "Golongan darah": "O",
                "Alamat": "Dusun Krajan",
                "Dusun": "Krajan",
                "RW": "1",
                "RT": "3",
            }
        )
    return rows


def import_file(first_kk: int, families: int) -> bytes:
    from kampung.population.importing.templates import template_headers

    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";")
    headers = template_headers()
    writer.writerow(headers)
    for serial in range(first_kk, first_kk + families):
        for row in _family_rows(serial):
            writer.writerow([row.get(h, "") for h in headers])
    return buffer.getvalue().encode("utf-8-sig")


FIRST_FILE = (1000, FIRST_FILE_FAMILIES)
KILLED_FILE = (2000, KILLED_FILE_FAMILIES)


def _import(spec: tuple[int, int], name: str) -> Any:
    from kampung.population.importing import population_import

    return population_import(
        actor=_user("operator"), village=_village(), content=import_file(*spec), file_name=name
    )


def import_run(point: str, marker: Path) -> None:
    from kampung.population.importing import service, writing
    from kampung.population.models import Family, Resident, ResidentNameToken

    _import(FIRST_FILE, "warga-1.csv")
    _committed()

    def inside() -> dict[str, Any]:
        return {
            "families": Family.objects.filter(village_id=VILLAGE).count(),
            "residents": Resident.objects.filter(village_id=VILLAGE).count(),
            "tokens": ResidentNameToken.objects.filter(village_id=VILLAGE).count(),
        }

    writing.BATCH = IMPORT_BATCH
    if point in ("families_written", "half_residents"):
        real_insert = writing.insert_batch
        resident_batches = []

        def insert(inserter: Any, rows: list[Any]) -> None:
            real_insert(inserter, rows)
            if point == "families_written" and "population_family" in inserter.insert_sql:
                pause(marker, inside())
            if "population_resident" in inserter.insert_sql and "nametoken" not in inserter.insert_sql:
                resident_batches.append(len(rows))
                if len(resident_batches) == 2:
                    pause(marker, inside())

        writing.insert_batch = insert
    elif point == "audit_written":
        real_audit = service.audit_record

        def audit(**kw: Any) -> Any:
            entry = real_audit(**kw)
            if kw.get("act") == "population.import":
                pause(marker, inside())
            return entry

        service.audit_record = audit
    else:
        raise SystemExit(f"unknown point {point}")
    _import(KILLED_FILE, "warga-2.csv")
    raise SystemExit("the pause was never reached")


def import_state() -> dict[str, Any]:
    from kampung.audit.models import AuditEntry
    from kampung.audit.services import audit_verify
    from kampung.population.models import Family, Resident, ResidentNameToken

    residents = Resident.objects.filter(village_id=VILLAGE)
    niks = list(residents.values_list("nik", flat=True))
    expected = {
        name: sorted(
            row["NIK"] for serial in range(spec[0], spec[0] + spec[1]) for row in _family_rows(serial)
        )
        for name, spec in (("first", FIRST_FILE), ("killed", KILLED_FILE))
    }
    verified = audit_verify()
    return {
        "families": Family.objects.filter(village_id=VILLAGE).count(),
        "residents": len(niks),
        "distinct_niks": len(set(niks)),
        "first_file_present": sum(1 for n in expected["first"] if n in set(niks)),
        "killed_file_present": sum(1 for n in expected["killed"] if n in set(niks)),
        "tokens": ResidentNameToken.objects.filter(village_id=VILLAGE).count(),
        "residents_without_family": residents.filter(family__isnull=True).count(),
        "families_without_head": Family.objects.filter(village_id=VILLAGE, head__isnull=True).count(),
        "import_audits": list(
            AuditEntry.objects.filter(act="population.import").values_list("after", flat=True)
        ),
        "audit_ok": verified.ok,
        "audit_problems": [str(p) for p in verified.problems],
    }


def import_recover() -> dict[str, Any]:
    """The restart: import the killed file again (it goes in whole), then once more (refused:
    its people are registered now, nothing changes)."""
    from kampung.core.errors import KampungError

    before = import_state()
    report = _import(KILLED_FILE, "warga-2.csv")
    after = import_state()
    refused = ""
    try:
        _import(KILLED_FILE, "warga-2.csv")
    except KampungError as exc:
        refused = exc.message
    return {
        "before": before,
        "imported": report.residents,
        "after": after,
        "after_refusal": import_state(),
        "refused": refused,
    }


# -- SQLite WAL durability -------------------------------------------------------------------


def wal_run(count: int, marker: Path) -> None:
    """Commit ``count`` audit entries one transaction each; then report and wait to be killed."""
    from django.db import connection, transaction

    from kampung.audit.services import audit_record

    for i in range(count):
        with transaction.atomic():
            audit_record(actor=None, act="crash.wal", region=VILLAGE, object_id=i, after={"i": i})
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA journal_mode")
        journal = cursor.fetchone()[0]
        cursor.execute("PRAGMA synchronous")
        synchronous = cursor.fetchone()[0]
    pause(marker, {"journal_mode": journal, "synchronous": synchronous, "committed": count})


RUNS: dict[str, Callable[[str, Path], None]] = {
    "letter": letter_run,
    "payment": payment_run,
    "import": import_run,
}
RECOVERS: dict[str, Callable[[], dict[str, Any]]] = {
    "letter": letter_recover,
    "payment": payment_recover,
    "import": import_recover,
}


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kampung.config.settings")
    import django

    django.setup()
    action = sys.argv[1]
    if action == "setup":
        setup()
    elif action == "run":
        RUNS[sys.argv[2]](sys.argv[3], Path(sys.argv[4]))
    elif action == "recover":
        sys.stdout.write(json.dumps(RECOVERS[sys.argv[2]](), default=str) + "\n")
    elif action == "wal":
        wal_run(int(sys.argv[2]), Path(sys.argv[3]))
    else:
        raise SystemExit(f"unknown action {action}")


if __name__ == "__main__":
    main()
