"""The demo's assistance programmes: RTLH house repair at every stage and a running BLT Dana
Desa, in the three desa with demo accounts (Kemiren, Olehsari, Sarongan), all through the real
services (registration, survey with geotagged photos, Musdes, decision, SPP, progress,
handover, monthly payments), so every rule of the issue holds in the demo too.

What each desa shows:

- RTLH (decided by the village head under the demo's 2017 Perbup delegation): nine
  households registered in February–March; six eligible with different scores, one refused
  for land that is not their own, one refused by the 10-year rule (a BSPS house in 2019 in the
  earlier-aid register), one still waiting for its survey; the Musdes in May ranks the six.
  Sarongan: the decision issued, one house finished and handed over, one half built, one
  paid, one SPP drafted. Kemiren: the decision issued, one house paid and started. Olehsari:
  the decision drafted, not yet issued. In Kemiren the demo resident has applied online.
- BLT Dana Desa (its 2020 delegation has expired, so the decision goes up to the bupati):
  households registered and surveyed in January (two refused because they already receive
  PKH), the special Musdes, the decision routed up; the bupati has approved Kemiren's and
  Sarongan's, Olehsari's waits in the bupati's queue. Kemiren and Sarongan paid January to
  November through one SPP a month (one household did not collect in August); December's SPP
  is waiting for verification.

The finance demo leaves the RTLH and BLT kegiatan of these desa unpaid and their months open
(``execution_fill(programme_villages=...)``); this demo pays them month by month and then
closes the books through the last ended month, as the treasurer would. A step the services
refuse is logged and skipped; a desa that already has cases is left alone.
"""

from __future__ import annotations

import datetime as dt
import io
import logging
import random
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from functools import partial
from typing import Any

from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.utils import timezone

from kampung.core.errors import KampungError
from kampung.demo.cast import REGENCY_CODE, USERNAME_SLUGS, VILLAGE_SET_CODES
from kampung.regions.models import Region

logger = logging.getLogger(__name__)

# Where the demo photos say they were taken (illustrative village centres).
PLACES = {
    "35.10.15.2004": (Decimal("-8.2153"), Decimal("114.3306")),  # Kemiren
    "35.10.15.2005": (Decimal("-8.2013"), Decimal("114.3201")),  # Olehsari
    "35.10.01.2001": (Decimal("-8.5852"), Decimal("113.9719")),  # Sarongan
}
RTLH_HOUSEHOLDS = 9
BLT_HOUSEHOLDS = 14
# Which stage the RTLH of each desa reaches.
DECISION_ISSUED = ("35.10.01.2001", "35.10.15.2004")
BLT_APPROVED = ("35.10.01.2001", "35.10.15.2004")


@dataclass
class AssistanceResult:
    villages: int = 0
    cases: int = 0
    decisions: int = 0
    spps: int = 0
    payments: int = 0
    seconds: float = 0.0
    steps_refused: list[str] = field(default_factory=list)


def _users(code: str) -> dict[str, Any]:
    slug = USERNAME_SLUGS[code]
    names = {p: f"{p}.{slug}" for p in ("operator", "petugas", "sekdes", "kaurkeu", "pelaksana", "kades")}
    found = {u.username: u for u in get_user_model().objects.filter(username__in=[*names.values(), "bupati"])}
    users = {p: found.get(n) for p, n in names.items()}
    users["bupati"] = found.get("bupati")
    return users


def photo_bytes(*, seed: str, where: tuple[Decimal, Decimal], taken: dt.datetime) -> bytes:
    """A small JPEG with the time and GPS position in its EXIF, as a phone camera writes them."""
    from PIL import Image, ImageDraw

    rng = random.Random(seed)
    base = (rng.randint(90, 200), rng.randint(80, 160), rng.randint(60, 140))
    image = Image.new("RGB", (320, 240), base)
    draw = ImageDraw.Draw(image)
    for _ in range(6):
        x, y = rng.randint(0, 280), rng.randint(0, 200)
        shade = tuple(max(0, c - rng.randint(20, 70)) for c in base)
        draw.rectangle((x, y, x + rng.randint(20, 120), y + rng.randint(10, 80)), fill=shade)
    exif = Image.Exif()
    stamp = taken.strftime("%Y:%m:%d %H:%M:%S")
    exif[306] = stamp
    exif.get_ifd(0x8769)[36867] = stamp
    lat, lon = where

    def dms(value: Decimal) -> tuple[float, float, float]:
        value = abs(value)
        degrees = int(value)
        minutes_full = (value - degrees) * 60
        minutes = int(minutes_full)
        return (float(degrees), float(minutes), float(round((minutes_full - minutes) * 60, 2)))

    gps = exif.get_ifd(0x8825)
    gps[1] = "S" if lat < 0 else "N"
    gps[2] = dms(lat)
    gps[3] = "W" if lon < 0 else "E"
    gps[4] = dms(lon)
    out = io.BytesIO()
    image.save(out, "JPEG", quality=70, exif=exif)
    return out.getvalue()


class _Village:
    """One desa's demo programme year, step by step; a refused step is logged and skipped."""

    def __init__(self, code: str, *, year: int, today: dt.date, seed: int, result: AssistanceResult) -> None:
        from kampung.assistance.models import Programme

        self.code, self.year, self.today, self.result = code, year, today, result
        self.village = Region.objects.get(code=code)
        self.users = _users(code)
        self.rng = random.Random(f"{seed}:assistance:{code}:{year}")
        self.rtlh = Programme.objects.get(code="rtlh")
        self.blt = Programme.objects.get(code="blt")
        self.where = PLACES.get(code, (Decimal("-8.2"), Decimal("114.3")))

    def step(self, label: str, fn: Callable[[], Any]) -> Any:
        try:
            with transaction.atomic():
                return fn()
        except KampungError as exc:
            message = f"{self.village.name}: {label}: {exc.message}"
            logger.warning("Demo bantuan: langkah ditolak — %s", message)
            self.result.steps_refused.append(message)
            return None

    def day(self, month: int, dom: int) -> dt.date:
        return min(dt.date(self.year, month, dom), self.today)

    def photo(self, label: str, when: dt.date) -> SimpleUploadedFile:
        taken = dt.datetime.combine(when, dt.time(9 + self.rng.randint(0, 6), self.rng.randint(0, 59)))
        jitter = Decimal(self.rng.randint(-900, 900)) / Decimal(100000)
        where = (self.where[0] + jitter, self.where[1] - jitter)
        data = photo_bytes(seed=f"{self.code}:{label}", where=where, taken=taken)
        return SimpleUploadedFile(f"{label}.jpg", data, content_type="image/jpeg")

    # -- households --------------------------------------------------------------------

    def households(self, count: int, exclude: set[int]) -> list[Any]:
        from kampung.demo.letters import account_resident
        from kampung.population.models import Family

        # The demo resident's household (the village's first family) applies online instead.
        resident = account_resident(self.village)
        if resident is not None and resident.family_id is not None:
            exclude = exclude | {resident.family_id}
        families = list(
            Family.objects.filter(village_id=self.code, head__isnull=False, head__basic_status=1)
            .exclude(pk__in=exclude)
            .select_related("head")
            .order_by("kk_number")[: count * 6]
        )
        self.rng.shuffle(families)
        return families[:count]

    def register(self, programme: Any, family: Any, on: dt.date, reason: str) -> Any:
        from kampung.assistance.services.cases import case_register

        case = self.step(
            f"pendaftaran {programme.code} {family.kk_number}",
            lambda: case_register(
                actor=self.users["operator"],
                programme=programme,
                year=self.year,
                family=family,
                reason=reason,
                registered_on=on,
            ),
        )
        if case is not None:
            self.result.cases += 1
        return case

    def survey(self, case: Any, answers: dict[str, Any], on: dt.date, *, photos: bool) -> Any:
        from kampung.assistance.models import SURVEY_PHOTO_KINDS
        from kampung.assistance.photos import photo_add
        from kampung.assistance.services.surveys import survey_save

        officer = self.users["petugas"]

        def run() -> Any:
            if photos:
                for kind in SURVEY_PHOTO_KINDS:
                    photo_add(
                        actor=officer, case=case, kind=kind, upload=self.photo(f"{case.number}-{kind}", on)
                    )
            return survey_save(
                actor=officer,
                case=case,
                answers=answers,
                surveyed_on=on,
                notes="Survei lapangan bersama ketua RT.",
                submit=True,
            )

        return self.step(f"survei {case.number}", run)

    # -- RTLH -------------------------------------------------------------------------

    def rtlh_answers(self, n: int) -> dict[str, Any]:
        from kampung.assistance.samples import rtlh_answers

        rng = self.rng
        answers = rtlh_answers(
            luas_lantai=str(rng.choice([18, 21, 24, 28, 30, 36, 40])),
            jumlah_penghuni=str(rng.randint(3, 7)),
            kondisi_atap=rng.choice(["bocor_parah", "jebol_membahayakan", "genteng_rapuh", "rusak_ringan"]),
            bahan_dinding=rng.choice(["bambu", "kayu", "tembok_tanpa_plester", "bambu"]),
            bahan_lantai=rng.choice(["tanah", "tanah", "semen", "bambu"]),
            ventilasi=rng.choice(["minim", "tidak_ada", "cukup"]),
            jamban=rng.choice(["tidak_ada", "bersama", "sendiri"]),
            air_minum=rng.choice(["sumur_tidak_terlindung", "sumur_terlindung", "sungai"]),
            penghasilan_bulanan=str(rng.choice([650_000, 900_000, 1_200_000, 1_500_000, 1_800_000])),
        )
        if n == 6:  # the house stands on someone else's land
            answers["status_tanah"] = "numpang"
        return answers

    def rtlh_cases(self) -> list[Any]:
        from kampung.assistance.models import AidHistory, CaseStatus, DeliberationKind
        from kampung.assistance.services.deliberations import deliberation_record

        families = self.households(RTLH_HOUSEHOLDS, exclude=set())
        cases = []
        for n, family in enumerate(families):
            on = self.day(2 + n // 5, 3 + 2 * n)
            case = self.register(
                self.rtlh, family, on, "Atap bocor dan dinding bambu lapuk; mohon bantuan bedah rumah."
            )
            if case is None:
                continue
            cases.append(case)
            if n == 7:  # a BSPS house in 2019, in the earlier-aid register: the 10-year rule
                AidHistory.objects.get_or_create(
                    regency_id=REGENCY_CODE,
                    kk_number=case.kk_number,
                    year=2019,
                    defaults={
                        "nik": case.nik,
                        "name": case.name,
                        "source": "BSPS Kementerian PUPR",
                        "note": "Data penerima BSPS 2019 dari Dinas Perkim",
                    },
                )
            if n == 8:
                continue  # still waiting for its survey
            self.survey(case, self.rtlh_answers(n), self.day(4, 2 + 2 * n), photos=True)
        eligible = [c for c in cases if _status(c) == CaseStatus.ELIGIBLE]
        eligible.sort(key=lambda c: (-_score(c), c.registered_on))
        if not eligible:
            return []
        self.step(
            "musdes RTLH",
            lambda: deliberation_record(
                actor=self.users["sekdes"],
                programme=self.rtlh,
                year=self.year,
                village=self.village,
                kind=DeliberationKind.MUSDES,
                held_on=self.day(5, 12),
                place=f"Balai Desa {self.village.name}",
                minutes_number=f"140/{self.rng.randint(10, 40)}/BA-MUSDES/{self.year}",
                attendees=self.rng.randint(35, 70),
                chair_name="Ketua BPD",
                notes="Musyawarah desa menyepakati urutan prioritas bedah rumah sesuai skor survei.",
                order=[c.pk for c in eligible],
            ),
        )
        return eligible

    def rtlh_decision(self) -> Any:
        from kampung.assistance.services.decisions import decision_draft, decision_issue

        draft = self.step(
            "rancangan keputusan RTLH",
            lambda: decision_draft(
                actor=self.users["sekdes"], programme=self.rtlh, year=self.year, village=self.village
            ),
        )
        if draft is None or self.code not in DECISION_ISSUED:
            return None
        issued = self.step(
            "penetapan keputusan RTLH", lambda: decision_issue(actor=self.users["kades"], decision=draft)
        )
        if issued is not None:
            self.result.decisions += 1
        return issued

    def rtlh_money(self, decision: Any) -> None:
        """Pay the decided houses one a month (within the kegiatan's RAK), then report the work."""
        from kampung.assistance.models import Case

        cases = list(Case.objects.filter(decision=decision).order_by("priority", "pk"))
        plan = (
            [(7, "selesai"), (8, "dikerjakan"), (9, "dibayar"), (10, "draf")]
            if self.code == "35.10.01.2001"
            else [(10, "dimulai")]
        )
        for case, (month, target) in zip(cases, plan, strict=False):
            self.rtlh_house(case, month, target)

    def rtlh_house(self, case: Any, month: int, target: str) -> None:
        from kampung.assistance.services.payments import case_spp_create
        from kampung.assistance.services.progress import handover_record, progress_report

        paid_on = self.day(month, 14)
        spp = self.step(
            f"SPP bantuan {case.number}",
            lambda: case_spp_create(actor=self.users["sekdes"], case=case, date=self.day(month, 10)),
        )
        if spp is None or target == "draf":
            return
        if not self.pay(spp, paid_on, f"RTLH-{case.number}"):
            return
        reporter = self.users["pelaksana"]
        steps = {"dibayar": (0,), "dimulai": (0,), "dikerjakan": (0, 50), "selesai": (0, 50, 100)}[target]
        for i, percent in enumerate(steps):
            on = min(paid_on + dt.timedelta(days=3 + 18 * i), self.today)
            case.refresh_from_db()
            self.step(
                f"kemajuan {percent}% {case.number}",
                partial(
                    progress_report,
                    actor=reporter,
                    case=case,
                    percent=percent,
                    reported_on=on,
                    note={
                        0: "Bahan bangunan diterima; pembongkaran atap.",
                        50: "Dinding bata dan rangka atap selesai.",
                        100: "Atap, lantai plester dan jamban selesai.",
                    }[percent],
                    photos=[self.photo(f"{case.number}-kemajuan-{percent}", on)],
                ),
            )
        if target == "selesai":
            case.refresh_from_db()
            on = min(paid_on + dt.timedelta(days=45), self.today)
            self.step(
                f"serah terima {case.number}",
                lambda: handover_record(
                    actor=self.users["sekdes"],
                    case=case,
                    number=f"027/{self.rng.randint(10, 60)}/BAST-RTLH/{self.year}",
                    held_on=on,
                    place=f"Rumah penerima, Dusun {case.dusun or 'Krajan'}",
                    handed_by=f"Kepala Desa {self.village.name}",
                    received_by=case.name,
                    witnesses="Ketua RT setempat\nKetua BPD",
                    notes="Rumah diserahkan dalam keadaan baik dan layak huni.",
                ),
            )

    # -- money through finance ---------------------------------------------------------

    def pay(self, spp: Any, on: dt.date, reference: str) -> bool:
        from kampung.finance.models import PaymentMethod
        from kampung.finance.services import payments

        drafter = self.users["sekdes"]

        def run() -> Any:
            fresh = type(spp).objects.get(pk=spp.pk)
            payments.spp_submit(actor=drafter, spp=fresh)
            payments.spp_verify(
                actor=self.users["sekdes"], spp=fresh, complete=True, correct=True, funds=True
            )
            payments.spp_approve(actor=self.users["kades"], spp=fresh)
            return payments.spp_pay(
                actor=self.users["kaurkeu"],
                spp=fresh,
                date=on,
                method=PaymentMethod.TRANSFER,
                reference=reference,
            )

        done = self.step(f"pembayaran SPP {spp.number}", run) is not None
        self.result.spps += 1
        return done

    # -- BLT --------------------------------------------------------------------------

    def blt_cases(self, exclude: set[int]) -> None:
        from kampung.assistance.models import CaseStatus, DeliberationKind
        from kampung.assistance.samples import blt_answers
        from kampung.assistance.services.deliberations import deliberation_record

        kpm = self.blt_households()
        families = self.households(kpm + 2, exclude=exclude)
        cases = []
        for n, family in enumerate(families):
            case = self.register(
                self.blt, family, self.day(1, 5), "Keluarga miskin ekstrem; kepala keluarga buruh tani."
            )
            if case is None:
                continue
            answers = blt_answers(
                jumlah_penghuni=str(self.rng.randint(2, 6)),
                makan_daging_per_minggu=str(self.rng.randint(0, 1)),
            )
            if n in (3, 9):
                answers["menerima_pkh"] = "ya"
            self.survey(case, answers, self.day(1, 8), photos=False)
            cases.append(case)
        eligible = [c for c in cases if _status(c) == CaseStatus.ELIGIBLE]
        if not eligible:
            return
        eligible.sort(key=lambda c: (-_score(c), c.pk))
        self.step(
            "musdes khusus BLT",
            lambda: deliberation_record(
                actor=self.users["sekdes"],
                programme=self.blt,
                year=self.year,
                village=self.village,
                kind=DeliberationKind.SPECIAL,
                held_on=self.day(1, 12),
                place=f"Balai Desa {self.village.name}",
                minutes_number=f"140/{self.rng.randint(1, 9)}/BA-MUSDESUS/{self.year}",
                attendees=self.rng.randint(30, 55),
                chair_name="Ketua BPD",
                notes="Musyawarah desa khusus menetapkan keluarga penerima manfaat BLT Dana Desa.",
                order=[c.pk for c in eligible],
            ),
        )
        self.blt_decision()

    def blt_households(self) -> int:
        """As many households as the village budgeted BLT months for (volume / 12)."""
        from kampung.finance.models import BudgetLine
        from kampung.finance.selectors.ledger import budget_in_force

        apbdes = budget_in_force(self.code, self.year)
        line = (
            BudgetLine.objects.filter(activity__apbdes=apbdes, account__code="5.4.1.01").first()
            if apbdes
            else None
        )
        if line is None:
            return 0
        return min(BLT_HOUSEHOLDS, int(line.volume) // 12)

    def blt_decision(self) -> None:
        from kampung.assistance.services.decisions import decision_draft, decision_issue, waiting_matter
        from kampung.authority.services import matter_decide

        draft = self.step(
            "rancangan keputusan BLT",
            lambda: decision_draft(
                actor=self.users["sekdes"], programme=self.blt, year=self.year, village=self.village
            ),
        )
        if draft is None:
            return
        routed = self.step(
            "keputusan BLT diteruskan", lambda: decision_issue(actor=self.users["kades"], decision=draft)
        )
        if routed is None or self.code not in BLT_APPROVED or self.users["bupati"] is None:
            return
        matter = waiting_matter(routed)
        if matter is None:
            return
        decided = self.step(
            "keputusan BLT oleh bupati",
            lambda: matter_decide(actor=self.users["bupati"], matter=matter, approve=True, note=""),
        )
        if decided is not None:
            self.result.decisions += 1
            self.blt_months()

    def blt_months(self) -> None:
        from kampung.assistance.models import MonthlyPayment, PaymentMethod
        from kampung.assistance.services.blt import (
            blt_distribution_record,
            blt_month_distribute,
            blt_month_request,
        )

        last_ended = self.today.month - 1
        for month in range(1, self.today.month + 1):
            date = self.day(month, 10)
            spp = self.step(
                f"SPP BLT bulan {month}",
                partial(
                    blt_month_request,
                    actor=self.users["sekdes"],
                    programme=self.blt,
                    village=self.village,
                    year=self.year,
                    month=month,
                    date=date,
                ),
            )
            if spp is None:
                continue
            if month > last_ended:  # this month's SPP waits for the secretary
                from kampung.finance.services import payments

                self.step(
                    "SPP BLT diajukan",
                    partial(payments.spp_submit, actor=self.users["sekdes"], spp=spp),
                )
                continue
            if not self.pay(spp, date, f"BLT-{month:02d}"):
                continue
            handed = self.day(month, 12)
            if month == 8:  # one household away that month: not collected
                first = MonthlyPayment.objects.filter(spp=spp).order_by("pk").first()
                if first is not None:
                    self.step(
                        "BLT tidak diambil",
                        partial(
                            blt_distribution_record,
                            actor=self.users["kaurkeu"],
                            payment=first,
                            paid_on=handed,
                            method=PaymentMethod.CASH,
                            received_by="",
                            collected=False,
                            note="Penerima merantau; dana dikembalikan ke kas desa.",
                        ),
                    )
            count = self.step(
                f"penyaluran BLT bulan {month}",
                partial(
                    blt_month_distribute,
                    actor=self.users["kaurkeu"],
                    programme=self.blt,
                    village=self.village,
                    year=self.year,
                    month=month,
                    paid_on=handed,
                    method=PaymentMethod.CASH,
                ),
            )
            self.result.payments += count or 0

    def online_application(self) -> None:
        """The demo resident of Kemiren applies for RTLH through the portal."""
        from kampung.assistance.models import Channel
        from kampung.assistance.services.cases import case_register
        from kampung.demo.letters import account_resident
        from kampung.population.models import ResidentAccount

        resident = account_resident(self.village)
        account = (
            ResidentAccount.objects.filter(resident=resident, active=True)
            .select_related("user", "resident__family")
            .first()
            if resident is not None
            else None
        )
        if account is None or account.resident.family is None:
            return
        user, family = account.user, account.resident.family
        made = self.step(
            "permohonan warga daring",
            lambda: case_register(
                actor=user,
                programme=self.rtlh,
                year=self.year,
                family=family,
                channel=Channel.ONLINE,
                reason="Atap dapur roboh saat hujan deras; mohon disurvei.",
                registered_on=self.day(11, 20),
            ),
        )
        self.result.cases += int(made is not None)

    def close_months(self) -> None:
        from kampung.finance.models import Book
        from kampung.finance.services.treasury import month_close

        book = Book.objects.filter(village_id=self.code, year=self.year).first()
        if book is None:
            return
        for month in range(book.closed_through + 1, self.today.month):
            if (
                self.step(
                    f"tutup buku bulan {month}",
                    partial(
                        month_close,
                        actor=self.users["kaurkeu"],
                        village_code=self.code,
                        year=self.year,
                        month=month,
                    ),
                )
                is None
            ):
                break


def _status(case: Any) -> str:
    case.refresh_from_db(fields=["status", "score"])
    return str(case.status)


def _score(case: Any) -> Decimal:
    return case.score or Decimal(0)


def assistance_fill(
    *, seed: int, today: dt.date | None = None, village_codes: tuple[str, ...] = VILLAGE_SET_CODES
) -> AssistanceResult:
    """The demo programmes for ``village_codes`` (desa with demo accounts and residents)."""
    from kampung.assistance.loader import defaults_install
    from kampung.assistance.models import Case

    started = time.perf_counter()
    today = today or timezone.localdate()
    year = today.year
    result = AssistanceResult()
    started_villages = set(
        Case.objects.filter(village_id__in=village_codes, year=year).values_list("village_id", flat=True)
    )
    regency = Region.objects.filter(code=REGENCY_CODE).first()
    if regency is None or started_villages >= set(village_codes):
        return result  # a second run: one query
    defaults_install(regency, year=year)
    for code in village_codes:
        if code in started_villages:
            continue
        users = _users(code)
        if any(users[p] is None for p in ("operator", "petugas", "sekdes", "kaurkeu", "pelaksana", "kades")):
            continue
        village = _Village(code, year=year, today=today, seed=seed, result=result)
        eligible = village.rtlh_cases()
        if eligible:
            decision = village.rtlh_decision()
            if decision is not None:
                village.rtlh_money(decision)
        village.blt_cases(exclude={c.family_id for c in Case.objects.filter(village_id=code, year=year)})
        if code == "35.10.15.2004":
            village.online_application()
        village.close_months()
        result.villages += 1
    result.seconds = time.perf_counter() - started
    return result


def assistance_reset(region_code: str) -> dict[str, int]:
    """Drop the cases, decisions and everything recorded on them under ``region_code`` (called
    by ``demo_reset`` inside its transaction, before the documents and residents go). Photos
    are removed from storage once the transaction commits. Programmes and criteria stay."""
    from kampung.assistance.models import AidHistory, Case, CasePhoto, Decision, Deliberation, MonthlyPayment

    prefix = region_code + "."
    cases = Case.objects.filter(village__code__startswith=prefix)
    files = [name for name in CasePhoto.objects.filter(case__in=cases).values_list("file", flat=True) if name]
    MonthlyPayment.objects.filter(case__in=cases).delete()
    count, _ = cases.delete()  # surveys, photos, progress, handover and events go with their case
    Decision.objects.filter(village__code__startswith=prefix).delete()
    Deliberation.objects.filter(village__code__startswith=prefix).delete()
    AidHistory.objects.filter(regency_id=region_code[:5]).delete()

    def _remove_files() -> None:
        from django.core.files.storage import default_storage

        for name in files:
            default_storage.delete(name)

    transaction.on_commit(_remove_files)
    return {"assistance_cases": count}
