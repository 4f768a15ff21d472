"""A year of life events in the demo villages: births, deaths, moves in and out, new KKs.

Each village gets events spread over the twelve months before the build, at rough yearly
rates for Banyuwangi (per 1,000 residents: about 14 births, 7 deaths, 6 moves away, 5 moves
in, 2 families splitting), and at least one of each kind, so the Buku Mutasi and the monthly
report have something to show. The register stays consistent with the events, as the
population services would leave it: the dead and the moved keep their record with status
"mati"/"pindah", newborns and newcomers are new residents (with NIK, name words and family),
a widow whose husband headed the family becomes its head, and a married child with spouse
and children moves to a new KK.

Written in bulk like the residents (no per-row saves), one village per transaction with one
``demo.population.events`` audit entry; a village that already has events is left alone.
"""

from __future__ import annotations

import datetime as dt
import itertools
import json
import random
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from django.core.management.color import no_style
from django.db import connection, transaction
from django.db.models import Max
from django.utils import timezone

from kampung.audit.services import audit_record
from kampung.demo.bulk import (
    FAMILY_COLUMNS,
    RESIDENT_COLUMNS,
    TOKEN_COLUMNS,
    TableWriter,
    _issued_numbers,
    _with_name_keys,
)
from kampung.demo.identity import SerialBook, district_prefix, name_pools, person_name
from kampung.demo.population import VillageGenerator, VillagePlan, tables, village_layout
from kampung.population.checks import national_codes
from kampung.population.models import (
    BasicStatus,
    Family,
    LifeEvent,
    LifeEventKind,
    Resident,
    ResidentNameToken,
    Sex,
)

EVENTS_ACT = "demo.population.events"
# Yearly events per 1,000 residents.
RATES = {"birth": 14.0, "death": 7.0, "move_out": 6.0, "move_in": 5.0, "split": 2.0}
HEAD, WIFE, CHILD, IN_LAW, GRANDCHILD, RELATIVE = 1, 3, 4, 5, 6, 9
EVENT_COLUMNS = (
    "kind", "resident_id", "village_id", "family_id", "event_date", "reported_date", "reporter_name",
    "reporter_id", "actor_id", "details", "created_at",
)  # fmt: skip
DESTINATIONS = (
    ("Kota Denpasar, Bali", "Pekerjaan"),
    ("Kab. Badung, Bali", "Pekerjaan"),
    ("Kota Surabaya, Jawa Timur", "Pekerjaan"),
    ("Kab. Sidoarjo, Jawa Timur", "Pekerjaan"),
    ("Kota Malang, Jawa Timur", "Pendidikan"),
    ("Kab. Jember, Jawa Timur", "Ikut suami/istri"),
    ("Kab. Situbondo, Jawa Timur", "Ikut suami/istri"),
    ("Kota Jakarta Selatan, DKI Jakarta", "Pekerjaan"),
)
# Where newcomers come from: (NIK district prefix among the regency's neighbours, place).
ORIGIN_REGENCIES = (
    ("3509", "Kab. Jember"),
    ("3512", "Kab. Situbondo"),
    ("3511", "Kab. Bondowoso"),
    ("5101", "Kab. Jembrana, Bali"),
)
DEATH_PLACES = ("Rumah", "Rumah", "RSUD Blambangan", "RSUD Genteng", "Puskesmas")
DEATH_CAUSES = ("Sakit", "Usia lanjut", "Sakit jantung", "Stroke", "Kecelakaan")


@dataclass
class EventsResult:
    villages: int = 0
    events: int = 0
    births: int = 0
    deaths: int = 0
    skipped: int = 0
    by_kind: dict[str, int] = field(default_factory=lambda: defaultdict(int))


@dataclass
class _Person:
    id: int
    family_id: int | None
    relation: int
    sex: int
    birth: dt.date
    marital: int
    name: str
    religion: int
    dusun: str
    rw: str
    rt: str
    status: int = int(BasicStatus.LIVING)
    origin: str = ""


def villages_with_events(codes: Sequence[str]) -> set[str]:
    found: set[str] = set()
    for start in range(0, len(codes), 500):
        chunk = list(codes[start : start + 500])
        events = LifeEvent.objects.filter(village_id__in=chunk).order_by()
        found.update(events.values_list("village_id", flat=True).distinct())
    return found


def events_fill(*, plans: Sequence[VillagePlan], seed: int, today: dt.date | None = None) -> EventsResult:
    """Add a year of life events to every planned village that has residents and no events."""
    today = today or timezone.localdate()
    result = EventsResult()
    done = villages_with_events([p.code for p in plans])
    ordered = sorted(plans, key=lambda p: p.code)
    origins = _origin_districts()
    outside_books: dict[str, SerialBook] = {}
    for district, group in itertools.groupby(ordered, key=lambda p: p.district):
        todo = [p for p in group if p.code not in done]
        result.skipped += sum(1 for p in ordered if p.district == district and p.code in done)
        if not todo:
            continue
        prefix = district_prefix(district)
        niks, kks = SerialBook(prefix), SerialBook(prefix)
        issued_niks, issued_kks = _issued_numbers(prefix)
        niks.seed(issued_niks)
        kks.seed(issued_kks)
        for plan in todo:
            made = _village_events(
                plan, seed=seed, today=today, niks=niks, kks=kks, origins=origins, books=outside_books
            )
            if made is None:
                continue
            result.villages += 1
            for kind, count in made.items():
                result.by_kind[kind] += count
                result.events += count
    result.births = result.by_kind[LifeEventKind.BIRTH]
    result.deaths = result.by_kind[LifeEventKind.DEATH]
    return result


def _origin_districts() -> list[tuple[str, str]]:
    _, districts = national_codes()
    found: list[tuple[str, str]] = []
    for regency, place in ORIGIN_REGENCIES:
        found += [(code, place) for code in sorted(districts) if code.startswith(regency)][:4]
    return found


def _count(rng: random.Random, rate: float, residents: int) -> int:
    expected = rate * residents / 1000
    return max(1, int(expected + rng.random()))


class _Village:
    """One village's people in memory, and the rows and events made for it."""

    def __init__(self, plan: VillagePlan, *, seed: int, today: dt.date) -> None:
        self.plan = plan
        self.seed = seed
        self.rng = random.Random(f"{seed}:events:{plan.code}")
        self.today = today
        self.start = today - dt.timedelta(days=364)
        self.t = tables()
        rows = Resident.objects.filter(village_id=plan.code, basic_status=BasicStatus.LIVING).values_list(
            "id", "family_id", "family_relation", "sex", "birth_date", "marital_status", "name", "religion",
            "dusun", "rw", "rt",
        )  # fmt: skip
        self.people = [_Person(*row) for row in rows.order_by("pk")]
        self.families: dict[int, list[_Person]] = defaultdict(list)
        for person in self.people:
            if person.family_id is not None:
                self.families[person.family_id].append(person)
        self.events: list[tuple[Any, ...]] = []
        self.kinds: dict[str, int] = defaultdict(int)
        self.now = connection.ops.adapt_datetimefield_value(timezone.now())
        self.adapt_date = connection.ops.adapt_datefield_value

    def day(self) -> dt.date:
        return self.start + dt.timedelta(days=self.rng.randint(0, 364))

    def age(self, person: _Person, on: dt.date) -> int:
        return on.year - person.birth.year - ((on.month, on.day) < (person.birth.month, person.birth.day))

    def living(self, family_id: int | None) -> list[_Person]:
        if family_id is None:
            return []
        return [p for p in self.families[family_id] if p.status == BasicStatus.LIVING]

    def event(
        self,
        kind: str,
        person: _Person,
        when: dt.date,
        *,
        family_id: int | None,
        reporter: _Person | None = None,
        details: dict[str, Any] | None = None,
    ) -> None:
        reported = min(when + dt.timedelta(days=self.rng.randint(0, 14)), self.today)
        self.events.append(
            (
                str(kind),
                person.id,
                self.plan.code,
                family_id,
                self.adapt_date(when),
                self.adapt_date(reported),
                reporter.name if reporter else "",
                reporter.id if reporter else None,
                None,
                json.dumps(details or {}),
                self.now,
            )
        )
        self.kinds[str(kind)] += 1


def _village_events(
    plan: VillagePlan,
    *,
    seed: int,
    today: dt.date,
    niks: SerialBook,
    kks: SerialBook,
    origins: list[tuple[str, str]],
    books: dict[str, SerialBook],
) -> dict[str, int] | None:
    with transaction.atomic():
        v = _Village(plan, seed=seed, today=today)
        if not v.people:
            return None
        size = len(v.people)
        status_changes: dict[int, int] = {}
        relation_changes: dict[int, tuple[int | None, int, tuple[str, str, str] | None]] = {}
        family_heads: dict[int, int] = {}
        _deaths(v, _count(v.rng, RATES["death"], size), status_changes, relation_changes, family_heads)
        _moves_out(v, _count(v.rng, RATES["move_out"], size), status_changes)
        new_families = _splits(v, _count(v.rng, RATES["split"], size), kks, relation_changes)
        newcomers = _births(v, _count(v.rng, RATES["birth"], size), niks)
        newcomers += _moves_in(v, _count(v.rng, RATES["move_in"], size), origins, books)
        _write(v, status_changes, relation_changes, family_heads, new_families, newcomers)
        audit_record(
            actor=None,
            act=EVENTS_ACT,
            region=plan.code,
            object_type="population.LifeEvent",
            object_id=plan.code,
            after={
                "events": dict(sorted(v.kinds.items())),
                "residents_added": len(newcomers),
                "families_added": len(new_families),
            },
        )
        return dict(v.kinds)


def _deaths(
    v: _Village,
    count: int,
    status_changes: dict[int, int],
    relation_changes: dict[int, tuple[int | None, int, tuple[str, str, str] | None]],
    family_heads: dict[int, int],
) -> None:
    old = [p for p in v.people if v.age(p, v.start) >= 60]
    others = [p for p in v.people if 18 <= v.age(p, v.start) < 60]
    for _ in range(count):
        pool = old if (old and v.rng.random() < 0.85) or not others else others
        candidates = [p for p in pool if p.status == BasicStatus.LIVING]
        if not candidates:
            return
        person = v.rng.choice(candidates)
        when = v.day()
        person.status = int(BasicStatus.DEAD)
        status_changes[person.id] = person.status
        family = v.living(person.family_id)
        reporter = next((p for p in family if p.relation in (HEAD, WIFE)), family[0] if family else None)
        details = {"place": v.rng.choice(DEATH_PLACES), "cause": v.rng.choice(DEATH_CAUSES)}
        v.event(
            LifeEventKind.DEATH, person, when, family_id=person.family_id, reporter=reporter, details=details
        )
        widow = next((p for p in family if p.relation == WIFE), None)
        if person.relation == HEAD and widow is not None and person.family_id is not None:
            # The widow becomes head of the family when the KK is renewed.
            change = when + dt.timedelta(days=v.rng.randint(7, 60))
            if change <= v.today:
                before = {"family": person.family_id, "relation": widow.relation}
                widow.relation = HEAD
                relation_changes[widow.id] = (person.family_id, HEAD, None)
                family_heads[person.family_id] = widow.id
                v.event(
                    LifeEventKind.FAMILY_CHANGE,
                    widow,
                    change,
                    family_id=person.family_id,
                    reporter=widow,
                    details={
                        "before": before,
                        "after": {"family": person.family_id, "relation": HEAD},
                        "reason": "Kepala keluarga meninggal dunia",
                    },
                )


def _moves_out(v: _Village, count: int, status_changes: dict[int, int]) -> None:
    movers = [
        p
        for p in v.people
        if p.status == BasicStatus.LIVING
        and p.relation in (CHILD, RELATIVE)
        and 18 <= v.age(p, v.start) <= 35
    ]
    for person in v.rng.sample(movers, min(count, len(movers))):
        person.status = int(BasicStatus.MOVED)
        status_changes[person.id] = person.status
        destination, reason = v.rng.choice(DESTINATIONS)
        head = next((p for p in v.living(person.family_id) if p.relation == HEAD), None)
        v.event(
            LifeEventKind.MOVE_OUT,
            person,
            v.day(),
            family_id=person.family_id,
            reporter=head,
            details={"destination": destination, "reason": reason},
        )


@dataclass
class _NewFamily:
    id: int
    kk_number: str
    head_id: int
    address: str
    dusun: str
    rw: str
    rt: str


def _splits(
    v: _Village,
    count: int,
    kks: SerialBook,
    relation_changes: dict[int, tuple[int | None, int, tuple[str, str, str] | None]],
) -> list[_NewFamily]:
    """Pecah KK: a married child, their spouse and their children found a family of their own."""
    made: list[_NewFamily] = []
    candidates = []
    for family_id, members in v.families.items():
        living = [p for p in members if p.status == BasicStatus.LIVING]
        child = next((p for p in living if p.relation == CHILD and p.marital == v.t.married), None)
        spouse = next((p for p in living if p.relation == IN_LAW), None)
        if child is not None and spouse is not None:
            candidates.append((family_id, child, spouse, [p for p in living if p.relation == GRANDCHILD]))
    next_id = (Family.objects.aggregate(m=Max("id"))["m"] or 0) + 1
    slots = village_layout(code=v.plan.code, seed=v.seed).slots or (("", "001", "001"),)
    for family_id, child, spouse, grandchildren in v.rng.sample(candidates, min(count, len(candidates))):
        when = v.day()
        kk = VillageGenerator._number(kks, when.toordinal(), None)
        head, wife = (child, spouse) if child.sex == Sex.MALE else (spouse, child)
        dusun, rw, rt = v.rng.choice(slots)
        address = f"Dusun {dusun}" if dusun else ""
        new = _NewFamily(next_id, kk, head.id, address, dusun, rw, rt)
        next_id += 1
        made.append(new)
        for person, relation in [(head, HEAD), (wife, WIFE), *((g, CHILD) for g in grandchildren)]:
            before = {"family": family_id, "relation": person.relation}
            person.relation, person.family_id = relation, new.id
            person.dusun, person.rw, person.rt = dusun, rw, rt
            v.families[family_id].remove(person)
            v.families[new.id].append(person)
            relation_changes[person.id] = (new.id, relation, (dusun, rw, rt))
            v.event(
                LifeEventKind.FAMILY_CHANGE,
                person,
                when,
                family_id=new.id,
                reporter=head,
                details={
                    "before": before,
                    "after": {"family": new.id, "relation": relation},
                    "reason": "Pecah KK: membentuk keluarga baru",
                },
            )
    return made


def _births(v: _Village, count: int, niks: SerialBook) -> list[tuple[_Person, str, str]]:
    """Newborns in families with a mother of child-bearing age: (person, nik, event kind)."""
    pools, t = name_pools(), v.t
    mothers = [
        p
        for p in v.people
        if p.status == BasicStatus.LIVING and p.relation == WIFE and 20 <= v.age(p, v.start) <= 40
    ]
    born: list[tuple[_Person, str, str]] = []
    for mother in v.rng.sample(mothers, min(count, len(mothers))):
        family = v.living(mother.family_id)
        head = next((p for p in family if p.relation == HEAD), mother)
        when = v.day()
        sex = int(Sex.MALE) if v.rng.random() < 0.51 else int(Sex.FEMALE)
        family_name = head.name.rsplit(" ", 1)[1] if " " in head.name and head.sex == Sex.MALE else ""
        name = person_name(v.rng, pools, sex, when.year, family_name)
        nik = VillageGenerator._number(niks, when.toordinal(), sex)
        child = _Person(
            0,
            mother.family_id,
            CHILD,
            sex,
            when,
            t.single,
            name,
            head.religion,
            mother.dusun,
            mother.rw,
            mother.rt,
        )
        born.append((child, nik, LifeEventKind.BIRTH))
        if mother.family_id is not None:
            v.families[mother.family_id].append(child)
    return born


def _moves_in(
    v: _Village, count: int, origins: list[tuple[str, str]], books: dict[str, SerialBook]
) -> list[tuple[_Person, str, str]]:
    """Relatives moving in from a neighbouring regency; their NIK is from where they were first registered."""
    pools, t = name_pools(), v.t
    hosts = [
        fid
        for fid, members in v.families.items()
        if any(p.relation == HEAD and p.status == BasicStatus.LIVING for p in members)
    ]
    arrived: list[tuple[_Person, str, str]] = []
    for family_id in v.rng.sample(hosts, min(count, len(hosts))):
        host = next(p for p in v.families[family_id] if p.relation == HEAD)
        district, place = v.rng.choice(origins)
        sex = int(Sex.MALE) if v.rng.random() < 0.5 else int(Sex.FEMALE)
        birth = v.start - dt.timedelta(days=v.rng.randint(18 * 365, 45 * 365))
        name = person_name(v.rng, pools, sex, birth.year)
        nik = _outside_nik(books, district, birth, sex)
        person = _Person(
            0, family_id, RELATIVE, sex, birth, t.single, name, host.religion, host.dusun, host.rw, host.rt
        )
        person.origin = place
        arrived.append((person, nik, LifeEventKind.MOVE_IN))
    return arrived


def _outside_nik(books: dict[str, SerialBook], district: str, birth: dt.date, sex: int) -> str:
    """A NIK first issued in another regency's district, continuing after those already here."""
    book = books.get(district)
    if book is None:
        book = SerialBook(district)
        upper = f"{int(district) + 1:06d}"
        book.seed(Resident.objects.filter(nik__gte=district, nik__lt=upper).values_list("nik", flat=True))
        books[district] = book
    return VillageGenerator._number(book, birth.toordinal(), sex)


def _write(
    v: _Village,
    status_changes: dict[int, int],
    relation_changes: dict[int, tuple[int | None, int, tuple[str, str, str] | None]],
    family_heads: dict[int, int],
    new_families: list[_NewFamily],
    newcomers: list[tuple[_Person, str, str]],
) -> None:
    now = timezone.now()
    by_status: dict[int, list[int]] = defaultdict(list)
    for pk, status in status_changes.items():
        by_status[status].append(pk)
    for status, pks in by_status.items():
        Resident.objects.filter(pk__in=pks).update(basic_status=status, updated_at=now)
    if new_families:
        TableWriter(Family, FAMILY_COLUMNS).write(
            [
                (f.id, v.now, v.now, f.kk_number, v.plan.code, f.head_id, f.address, f.dusun, f.rw, f.rt)
                for f in new_families
            ]
        )
    for pk, (family_id, relation, place) in relation_changes.items():
        values: dict[str, Any] = {"family_id": family_id, "family_relation": relation, "updated_at": now}
        if place is not None:
            values.update(dusun=place[0], rw=place[1], rt=place[2])
        Resident.objects.filter(pk=pk).update(**values)
    for family_id, head_id in family_heads.items():
        Family.objects.filter(pk=family_id).update(head_id=head_id, updated_at=now)
    if newcomers:
        first = (Resident.objects.aggregate(m=Max("id"))["m"] or 0) + 1
        rows: list[tuple[Any, ...]] = []
        t = v.t
        for offset, (person, nik, kind) in enumerate(newcomers):
            person.id = first + offset
            newborn = kind == LifeEventKind.BIRTH
            occupation = t.not_working if newborn else int(v.t.work_rural.draw(v.rng))
            education = t.edu_none if newborn else t.edu_senior
            rows.append(
                (
                    person.id, v.now, v.now, nik, person.name, "Banyuwangi" if newborn else "", v.adapt_date(person.birth),
                    person.sex, person.religion, person.marital, person.relation, education, occupation, t.citizen,
                    13, None, person.family_id, v.plan.code, person.dusun, person.rw, person.rt, "",
                    int(BasicStatus.LIVING),
                )
            )  # fmt: skip
            family = [p for p in v.living(person.family_id) if p is not person]
            reporter = next((p for p in family if p.relation == HEAD), None)
            if newborn:
                v.event(kind, person, person.birth, family_id=person.family_id, reporter=reporter)
            else:
                details = {"origin": person.origin}
                v.event(kind, person, v.day(), family_id=person.family_id, reporter=reporter, details=details)
        rows, tokens = _with_name_keys(rows)
        TableWriter(Resident, RESIDENT_COLUMNS).write(rows)
        TableWriter(ResidentNameToken, TOKEN_COLUMNS).write(tokens)
    TableWriter(LifeEvent, EVENT_COLUMNS).write(v.events)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            for sql in connection.ops.sequence_reset_sql(no_style(), [Family, Resident, LifeEvent]):
                cursor.execute(sql)
