"""Synthetic residents and families for demo villages, generated and inserted in bulk.

A village is generated from its own random stream (``seed`` + village code), so its people
do not depend on which other villages are built. NIK and KK serials are counted per
district, continuing after numbers already in the database, so a build can be resumed and
numbers never repeat. Rows go in with one multi-row insert statement per batch (COPY on
PostgreSQL): no model instances, no per-row saves. One village is one transaction with one
audit entry.
"""

from __future__ import annotations

import bisect
import csv
import datetime as dt
import itertools
import random
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from django.db import connection

from kampung.demo.identity import (
    NamePools,
    SerialBook,
    kk_date_part,
    name_pools,
    nik_date_part,
    person_name,
)
from kampung.population.models import BasicStatus, Sex
from kampung.regions.models import Kind

CODES_FILE = Path(__file__).resolve().parent.parent / "population" / "data" / "kode_data_kependudukan.csv"

# Ages are counted to this fixed day so that a seed always gives the same people.
REFERENCE_DATE = dt.date(2025, 12, 31)
_REF = REFERENCE_DATE.toordinal()
_YEAR = 365.25
_SIAK_START = dt.date(2005, 1, 1).toordinal()  # KK numbers in this form: issued by SIAK

# Fishing is a main livelihood in these Banyuwangi districts (coast of the Bali Strait and
# the Indian Ocean): Pesanggaran, Purwoharjo, Tegaldlimo, Muncar, Banyuwangi, Wongsorejo,
# Kalipuro, Blimbingsari.
COASTAL_DISTRICTS = frozenset({"01", "03", "04", "05", "16", "18", "21", "25"})

DUSUN_NAMES = (
    "Kebondalem", "Sukorejo", "Sumberejo", "Tegalrejo", "Kedungrejo", "Sidomulyo", "Wonorejo",
    "Karanganyar", "Sumberwaru", "Jalen", "Kopen", "Sumbersari", "Rejoagung", "Tamansari",
    "Sukomulyo", "Gumuk", "Cungking", "Kedaleman", "Blimbing", "Gebang", "Plampang", "Ringinsari",
    "Tanjungsari", "Pakel", "Sumberagung", "Mangir", "Sukodadi", "Rejosari", "Krajan Kidul",
    "Krajan Lor", "Tegalpare", "Wringinagung", "Cempokosari", "Kaliputih", "Sidorejo",
)  # fmt: skip
STREET_NAMES = (
    "Ahmad Yani", "Diponegoro", "Gajah Mada", "Brawijaya", "Jaksa Agung Suprapto", "Kepiting",
    "Adi Sucipto", "Letjen Sutoyo", "Hasanudin", "MT Haryono", "Satsuit Tubun", "Yos Sudarso",
    "Ikan Tongkol", "Ikan Lemuru", "Kalilo", "Basuki Rahmat", "Sritanjung", "Tawang Alun",
    "Wijaya Kusuma", "Kenanga", "Melati", "Mawar", "Anggrek", "Flamboyan", "Kapten Piere Tendean",
)  # fmt: skip
BIRTH_PLACES = (
    ("Banyuwangi", 88), ("Jember", 3), ("Situbondo", 2), ("Bondowoso", 1), ("Surabaya", 1),
    ("Malang", 1), ("Denpasar", 1), ("Lumajang", 1), ("Probolinggo", 1), ("Jakarta", 1),
)  # fmt: skip


@cache
def population_codes() -> dict[tuple[str, str], int]:
    """(list, name) -> code, from the national code lists shipped with the population app."""
    with open(CODES_FILE, encoding="utf-8", newline="") as handle:
        return {
            (row["daftar"], row["nama"].strip().upper()): int(row["id"]) for row in csv.DictReader(handle)
        }


def _code(daftar: str, name: str) -> int:
    return population_codes()[(daftar, name.upper())]


class Weighted:
    """Draw a value by weight with one ``random()`` call (faster than ``choices`` in a loop)."""

    def __init__(self, pairs: Sequence[tuple[Any, float]]) -> None:
        self.values = [value for value, _ in pairs]
        total = float(sum(weight for _, weight in pairs))
        self.cumulative = list(itertools.accumulate(weight / total for _, weight in pairs))
        self.cumulative[-1] = 1.0

    def draw(self, rng: random.Random) -> Any:
        return self.values[bisect.bisect_right(self.cumulative, rng.random())]


@dataclass(frozen=True)
class Tables:
    sizes: Weighted
    religion: Weighted
    blood: Weighted
    birth_place: Weighted
    education_old: Weighted
    education_mid: Weighted
    education_young: Weighted
    work_rural: Weighted
    work_coastal: Weighted
    work_urban: Weighted
    # single codes
    relation_head: int
    relation_wife: int
    relation_child: int
    relation_in_law_child: int
    relation_grandchild: int
    relation_parent: int
    relation_parent_in_law: int
    single: int
    married: int
    divorced: int
    widowed: int
    edu_none: int
    edu_primary_unfinished: int
    edu_primary: int
    edu_junior: int
    edu_senior: int
    not_working: int
    housekeeping: int
    student: int
    retired: int
    citizen: int


@cache
def tables() -> Tables:
    """Weights for the generated attributes, keyed by codes from the national code lists.

    Rough shapes, not statistics: household sizes averaging about 3.5 (Banyuwangi has some
    1.7 million people in some 480 thousand families), mostly Muslim with Hindu and Christian
    minorities, farming and farm labour in the villages, fishing on the coast.
    """
    c = _code
    work_common = [
        (c("pekerjaan_id", "WIRASWASTA"), 12),
        (c("pekerjaan_id", "KARYAWAN SWASTA"), 9),
        (c("pekerjaan_id", "PEDAGANG"), 6),
        (c("pekerjaan_id", "PERDAGANGAN"), 2),
        (c("pekerjaan_id", "BURUH HARIAN LEPAS"), 10),
        (c("pekerjaan_id", "PETERNAK"), 2),
        (c("pekerjaan_id", "TUKANG BATU"), 2),
        (c("pekerjaan_id", "TUKANG KAYU"), 1),
        (c("pekerjaan_id", "SOPIR"), 2),
        (c("pekerjaan_id", "GURU"), 2),
        (c("pekerjaan_id", "PEGAWAI NEGERI SIPIL (PNS)"), 1),
        (c("pekerjaan_id", "KARYAWAN HONORER"), 1),
        (c("pekerjaan_id", "PERANGKAT DESA"), 0.4),
        (c("pekerjaan_id", "TENTARA NASIONAL INDONESIA (TNI)"), 0.3),
        (c("pekerjaan_id", "KEPOLISIAN RI (POLRI)"), 0.3),
        (c("pekerjaan_id", "BIDAN"), 0.2),
        (c("pekerjaan_id", "PERAWAT"), 0.3),
        (c("pekerjaan_id", "TUKANG JAHIT"), 0.5),
        (c("pekerjaan_id", "MEKANIK"), 0.5),
        (c("pekerjaan_id", "USTADZ/MUBALIGH"), 0.3),
    ]
    farming = [
        (c("pekerjaan_id", "PETANI/PEKEBUN"), 22),
        (c("pekerjaan_id", "BURUH TANI/PERKEBUNAN"), 18),
    ]
    fishing = [
        (c("pekerjaan_id", "NELAYAN/PERIKANAN"), 10),
        (c("pekerjaan_id", "BURUH NELAYAN/PERIKANAN"), 7),
    ]
    urban = [
        (c("pekerjaan_id", "KARYAWAN SWASTA"), 18),
        (c("pekerjaan_id", "WIRASWASTA"), 10),
        (c("pekerjaan_id", "PEGAWAI NEGERI SIPIL (PNS)"), 4),
        (c("pekerjaan_id", "TRANSPORTASI"), 2),
        (c("pekerjaan_id", "KARYAWAN BUMN"), 1),
        (c("pekerjaan_id", "DOKTER"), 0.2),
        (c("pekerjaan_id", "PETANI/PEKEBUN"), 3),
    ]
    return Tables(
        sizes=Weighted([(1, 9), (2, 17), (3, 24), (4, 25), (5, 14), (6, 7), (7, 3), (8, 1)]),
        religion=Weighted(
            [
                (c("agama_id", "ISLAM"), 960),
                (c("agama_id", "HINDU"), 16),
                (c("agama_id", "KRISTEN"), 14),
                (c("agama_id", "KATHOLIK"), 6),
                (c("agama_id", "BUDHA"), 3),
                (c("agama_id", "KHONGHUCU"), 1),
            ]
        ),
        blood=Weighted(
            [
                (c("golongan_darah_id", "TIDAK TAHU"), 70),
                (c("golongan_darah_id", "O"), 11),
                (c("golongan_darah_id", "A"), 7),
                (c("golongan_darah_id", "B"), 9),
                (c("golongan_darah_id", "AB"), 3),
            ]
        ),
        birth_place=Weighted(BIRTH_PLACES),
        education_old=Weighted(
            [(c("pendidikan_kk_id", n), w) for n, w in _EDU_OLD],
        ),
        education_mid=Weighted([(c("pendidikan_kk_id", n), w) for n, w in _EDU_MID]),
        education_young=Weighted([(c("pendidikan_kk_id", n), w) for n, w in _EDU_YOUNG]),
        work_rural=Weighted(farming + work_common),
        work_coastal=Weighted(fishing + farming + work_common),
        work_urban=Weighted(urban + work_common),
        relation_head=c("kk_level", "KEPALA KELUARGA"),
        relation_wife=c("kk_level", "ISTRI"),
        relation_child=c("kk_level", "ANAK"),
        relation_in_law_child=c("kk_level", "MENANTU"),
        relation_grandchild=c("kk_level", "CUCU"),
        relation_parent=c("kk_level", "ORANGTUA"),
        relation_parent_in_law=c("kk_level", "MERTUA"),
        single=c("status_kawin", "BELUM KAWIN"),
        married=c("status_kawin", "KAWIN"),
        divorced=c("status_kawin", "CERAI HIDUP"),
        widowed=c("status_kawin", "CERAI MATI"),
        edu_none=c("pendidikan_kk_id", "TIDAK / BELUM SEKOLAH"),
        edu_primary_unfinished=c("pendidikan_kk_id", "BELUM TAMAT SD/SEDERAJAT"),
        edu_primary=c("pendidikan_kk_id", "TAMAT SD / SEDERAJAT"),
        edu_junior=c("pendidikan_kk_id", "SLTP/SEDERAJAT"),
        edu_senior=c("pendidikan_kk_id", "SLTA / SEDERAJAT"),
        not_working=c("pekerjaan_id", "BELUM/TIDAK BEKERJA"),
        housekeeping=c("pekerjaan_id", "MENGURUS RUMAH TANGGA"),
        student=c("pekerjaan_id", "PELAJAR/MAHASISWA"),
        retired=c("pekerjaan_id", "PENSIUNAN"),
        citizen=c("warganegara_id", "WNI"),
    )


_EDU_OLD = [  # born before 1960
    ("TIDAK / BELUM SEKOLAH", 24),
    ("BELUM TAMAT SD/SEDERAJAT", 22),
    ("TAMAT SD / SEDERAJAT", 38),
    ("SLTP/SEDERAJAT", 8),
    ("SLTA / SEDERAJAT", 6),
    ("DIPLOMA IV/ STRATA I", 2),
]
_EDU_MID = [  # born 1960-1984
    ("TIDAK / BELUM SEKOLAH", 5),
    ("BELUM TAMAT SD/SEDERAJAT", 9),
    ("TAMAT SD / SEDERAJAT", 34),
    ("SLTP/SEDERAJAT", 20),
    ("SLTA / SEDERAJAT", 23),
    ("DIPLOMA I / II", 1),
    ("AKADEMI/ DIPLOMA III/S. MUDA", 2),
    ("DIPLOMA IV/ STRATA I", 5),
    ("STRATA II", 1),
]
_EDU_YOUNG = [  # born 1985 or later, and at least 19
    ("TIDAK / BELUM SEKOLAH", 1),
    ("BELUM TAMAT SD/SEDERAJAT", 2),
    ("TAMAT SD / SEDERAJAT", 12),
    ("SLTP/SEDERAJAT", 22),
    ("SLTA / SEDERAJAT", 47),
    ("DIPLOMA I / II", 2),
    ("AKADEMI/ DIPLOMA III/S. MUDA", 3),
    ("DIPLOMA IV/ STRATA I", 10),
    ("STRATA II", 1),
]


@dataclass(frozen=True)
class VillagePlan:
    """How many residents to generate in one village."""

    code: str
    name: str
    kind: str
    residents: int

    @property
    def district(self) -> str:
        return self.code[:8]


def regency_plan(*, villages: Sequence[tuple[str, str, str]], total: int, seed: int) -> list[VillagePlan]:
    """Share ``total`` residents among villages ``(code, name, kind)``, unevenly but exactly.

    Village sizes vary as they do in a regency (a few thousand to over ten thousand
    people); the shares are drawn from the seed, so a seed always gives the same plan.
    """
    rng = random.Random(f"{seed}:plan")
    weights = [rng.lognormvariate(0.0, 0.45) for _ in villages]
    scale = total / sum(weights)
    exact = [w * scale for w in weights]
    counts = [int(x) for x in exact]
    by_remainder = sorted(range(len(villages)), key=lambda i: exact[i] - counts[i], reverse=True)
    for i in by_remainder[: total - sum(counts)]:
        counts[i] += 1
    return [VillagePlan(code, name, kind, n) for (code, name, kind), n in zip(villages, counts, strict=True)]


@dataclass(frozen=True)
class Layout:
    """A village's dusun (lingkungan in a kelurahan), RW and RT, as (dusun, rw, rt) slots."""

    dusun: tuple[str, ...]
    slots: tuple[tuple[str, str, str], ...]


def village_layout(*, code: str, seed: int) -> Layout:
    """The same dusun/RW/RT for a village and seed whatever the scale of the build."""
    rng = random.Random(f"{seed}:layout:{code}")
    count = rng.randint(3, 6)
    names = rng.sample(DUSUN_NAMES, count - 1)
    dusun = ("Krajan", *names) if rng.random() < 0.7 else tuple(rng.sample(DUSUN_NAMES, count))
    slots: list[tuple[str, str, str]] = []
    rw = 0
    for name in dusun:
        for _ in range(rng.randint(1, 3)):
            rw += 1
            for rt in range(1, rng.randint(2, 6) + 1):
                slots.append((name, f"{rw:03d}", f"{rt:03d}"))
    return Layout(dusun=dusun, slots=tuple(slots))


@dataclass
class _Member:
    relation: int
    sex: int
    birth: int  # ordinal
    marital: int


class VillageGenerator:
    """Generates one village's families and residents as rows ready to insert."""

    def __init__(
        self,
        plan: VillagePlan,
        *,
        seed: int,
        niks: SerialBook,
        kks: SerialBook,
        first_family_id: int,
        first_resident_id: int,
        now: Any,
    ) -> None:
        self.plan = plan
        self.rng = random.Random(f"{seed}:people:{plan.code}")
        self.layout = village_layout(code=plan.code, seed=seed)
        self.niks = niks
        self.kks = kks
        self.family_id = first_family_id
        self.resident_id = first_resident_id
        self.now = now
        self.tables = tables()
        self.pools: NamePools = name_pools()
        self.adapt_date: Callable[[dt.date], Any] = connection.ops.adapt_datefield_value
        self.urban = plan.kind == Kind.KELURAHAN
        coastal = plan.code[6:8] in COASTAL_DISTRICTS
        t = self.tables
        self.work = t.work_urban if self.urban else (t.work_coastal if coastal else t.work_rural)

    # -- members ---------------------------------------------------------------------------

    def _birth(self, age_years: float) -> int:
        return _REF - int(age_years * _YEAR) - self.rng.randint(0, 364)

    def _members(self, size: int) -> list[_Member]:
        rng, t = self.rng, self.tables
        male, female = int(Sex.MALE), int(Sex.FEMALE)
        members: list[_Member] = []
        if size == 1:
            if rng.random() < 0.6:
                sex = female if rng.random() < 0.65 else male
                return [_Member(t.relation_head, sex, self._birth(rng.uniform(58, 90)), t.widowed)]
            sex = male if rng.random() < 0.7 else female
            status = t.single if rng.random() < 0.8 else t.divorced
            return [_Member(t.relation_head, sex, self._birth(rng.uniform(19, 40)), status)]
        female_head = rng.random() < 0.1
        if female_head:
            head_age = rng.triangular(28, 85, 52)
            status = t.widowed if rng.random() < 0.7 else t.divorced
            head = _Member(t.relation_head, female, self._birth(head_age), status)
            mother: _Member | None = head
        else:
            head_age = rng.triangular(22, 80, 40)
            has_wife = rng.random() < 0.95
            head = _Member(t.relation_head, male, self._birth(head_age), t.married if has_wife else t.widowed)
            mother = None
            if has_wife:
                wife_age = max(19.0, head_age - rng.triangular(-3, 12, 3))
                mother = _Member(t.relation_wife, female, self._birth(wife_age), t.married)
        members.append(head)
        if mother is not None and mother is not head:
            members.append(mother)
        rest = size - len(members)
        if rest >= 3 and head_age < 60 and rng.random() < 0.15:
            relation = t.relation_parent if rng.random() < 0.6 else t.relation_parent_in_law
            age = min(95.0, head_age + rng.uniform(20, 34))
            sex = female if rng.random() < 0.7 else male
            members.append(_Member(relation, sex, self._birth(age), t.widowed))
            rest -= 1
        if rest <= 0:
            return members
        # Children: born when their mother (or, without one, the head) was 19 to 43.
        parent_birth = mother.birth if mother is not None else head.birth
        earliest = parent_birth + int(19 * _YEAR)
        latest = min(parent_birth + int(43 * _YEAR), _REF)
        if earliest > latest:
            earliest = latest
        old_household = head_age >= 58 and rest >= 3
        if old_household:  # the eldest is married and lives on in the family with their own
            latest = min(latest, _REF - int(22 * _YEAR))
            earliest = min(earliest, latest)
        children = (1 + (rng.random() < 0.5)) if old_household else rest
        births = sorted(rng.randint(earliest, latest) for _ in range(children))
        for birth in births:
            members.append(
                _Member(t.relation_child, male if rng.random() < 0.51 else female, birth, t.single)
            )
        rest -= children
        if rest > 0:
            # Three generations: a married child, their spouse and their children.
            married_child = members[-children]
            married_child.marital = t.married
            spouse_sex = female if married_child.sex == male else male
            spouse_birth = min(married_child.birth + rng.randint(-1500, 1500), _REF - int(19 * _YEAR))
            members.append(_Member(t.relation_in_law_child, spouse_sex, spouse_birth, t.married))
            rest -= 1
            young_parent = max(married_child.birth, spouse_birth)
            first = min(young_parent + int(19 * _YEAR), _REF)
            for _ in range(rest):
                sex = male if rng.random() < 0.51 else female
                members.append(_Member(t.relation_grandchild, sex, rng.randint(first, _REF), t.single))
        return members

    # -- attributes ------------------------------------------------------------------------

    def _education(self, age: float, birth_year: int) -> int:
        t = self.tables
        if age < 5:
            return t.edu_none
        if age < 12:
            return t.edu_primary_unfinished
        if age < 15:
            return t.edu_primary
        if age < 18:
            return t.edu_junior
        if age < 19:
            return t.edu_senior if self.rng.random() < 0.6 else t.edu_junior
        if birth_year < 1960:
            return int(t.education_old.draw(self.rng))
        if birth_year < 1985:
            return int(t.education_mid.draw(self.rng))
        return int(t.education_young.draw(self.rng))

    def _occupation(self, member: _Member, age: float, education: int) -> int:
        t, rng = self.tables, self.rng
        if age < 5:
            return t.not_working
        if age < 18:
            return t.student
        if age < 23 and education >= t.edu_senior and rng.random() < 0.35:
            return t.student
        if age >= 65:
            roll = rng.random()
            if roll < 0.35:
                return t.not_working
            if roll < 0.42:
                return t.retired
        if member.sex == Sex.FEMALE and rng.random() < (
            0.55 if member.relation != t.relation_head or age >= 60 else 0.2
        ):
            return t.housekeeping
        if age < 25 and rng.random() < 0.25:
            return t.not_working
        return int(self.work.draw(rng))

    # -- rows ------------------------------------------------------------------------------

    def rows(self) -> tuple[list[tuple[Any, ...]], list[tuple[Any, ...]]]:
        rng, t, pools = self.rng, self.tables, self.pools
        families: list[tuple[Any, ...]] = []
        residents: list[tuple[Any, ...]] = []
        now, code, adapt_date = self.now, self.plan.code, self.adapt_date
        slots = self.layout.slots
        remaining = self.plan.residents
        while remaining > 0:
            size = min(int(t.sizes.draw(rng)), remaining)
            remaining -= size
            members = self._members(size)
            family_id = self.family_id
            self.family_id += 1
            head_id = self.resident_id
            dusun, rw, rt = rng.choice(slots)
            if self.urban:
                address = f"Jl. {rng.choice(STREET_NAMES)} No. {rng.randint(1, 120)}"
            else:
                address = f"Dusun {dusun}"
            religion = int(t.religion.draw(rng))
            head = members[0]
            earliest = max(head.birth + int(17 * _YEAR), _SIAK_START)
            kk = self._number(self.kks, rng.randint(min(earliest, _REF), _REF), None)
            families.append((family_id, now, now, kk, code, head_id, address, dusun, rw, rt))
            family_name = ""
            for member in members:
                birth_date = dt.date.fromordinal(member.birth)
                age = (_REF - member.birth) / _YEAR
                if member.relation == t.relation_head:
                    name = person_name(rng, pools, member.sex, birth_date.year)
                    if " " in name and member.sex == Sex.MALE:
                        family_name = name.rsplit(" ", 1)[1]
                elif member.relation in (t.relation_child, t.relation_grandchild):
                    name = person_name(rng, pools, member.sex, birth_date.year, family_name)
                else:
                    name = person_name(rng, pools, member.sex, birth_date.year)
                nik = self._number(self.niks, member.birth, member.sex)
                education = self._education(age, birth_date.year)
                occupation = self._occupation(member, age, education)
                phone = ""
                if age >= 17 and rng.random() < (0.45 if member.relation == t.relation_head else 0.15):
                    phone = f"08{rng.choice('1235789')}{rng.randint(10_000_000, 999_999_999)}"
                residents.append(
                    (
                        self.resident_id,
                        now,
                        now,
                        nik,
                        name,
                        t.birth_place.draw(rng),
                        adapt_date(birth_date),
                        member.sex,
                        religion,
                        member.marital,
                        member.relation,
                        education,
                        occupation,
                        t.citizen,
                        int(t.blood.draw(rng)),
                        None,
                        family_id,
                        code,
                        dusun,
                        rw,
                        rt,
                        phone,
                        int(BasicStatus.LIVING),
                    )
                )
                self.resident_id += 1
        return families, residents

    @staticmethod
    def _number(book: SerialBook, day: int, sex: int | None) -> str:
        """The next NIK (sex given) or KK number; a full day moves to the next one."""
        while True:
            date = dt.date.fromordinal(day)
            number = book.take(kk_date_part(date) if sex is None else nik_date_part(date, sex))
            if number is not None:
                return number
            day += 1
