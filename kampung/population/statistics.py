"""Population figures of a village, district or regency: plain functions returning dataclasses.

Used by the statistics pages, the registers and monthly report, and (later) the kiosk and
the monitoring dashboards. The functions take region codes, not users: the caller decides
whose figures may be shown (the pages check the scope first).

Notes on the figures:

- Only living residents count (``basic_status`` = Hidup); the dead, those who moved away,
  the missing and records marked invalid stay in the register but not in the figures.
- Ages are whole years on ``today`` (the local date unless given); the pyramid has 5-year
  bands 0–4 … 70–74 and one band 75+.
- Every figure comes from an aggregate query (``GROUP BY`` in the database), never a loop over
  residents: :func:`population_statistics` reads everything in two scans (measured on the
  1.7-million-resident demo in SQLite: about 6.5 s for the whole regency, 0.05 s for a village).
- Families count a Kartu Keluarga with at least one living member; the average size is
  living members per such family; a family is female-headed when its living member recorded
  as head (``kk_level`` 1) is a woman.
- Monthly figures (:func:`monthly_figures`) start from today's living residents and step
  back through the life events (births, arrivals, deaths, departures): the end of a month is
  today's count less the arrivals and births after it plus the deaths and departures after
  it, and the start is the end less that month's arrivals and births plus its deaths and
  departures. So the end of one month is always the start of the next. Residents entered
  without an event (the first import) are counted as present throughout. An event of a
  record that left the count without a recorded death or departure (missing, invalid) is
  left out, so such records never enter the monthly counts. Sex and citizenship are the
  resident's current ones; WNA means citizenship code 2 (dual citizens count as WNI,
  UU 12/2006).
"""

from __future__ import annotations

import calendar
import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.core.cache import cache
from django.db.models import Case, Count, Exists, IntegerField, OuterRef, Q, QuerySet, Value, When
from django.utils import timezone

from kampung.population.models import BasicStatus, Family, LifeEvent, LifeEventKind, Resident, Sex
from kampung.population.portal import code_label
from kampung.regions.models import Level, Region

BAND_YEARS = 5
TOP_BAND_FROM = 75
RELATION_HEAD = 1
CITIZENSHIP_WNA = 2

ENTRY_KINDS = (LifeEventKind.BIRTH, LifeEventKind.MOVE_IN)
EXIT_KINDS = (LifeEventKind.DEATH, LifeEventKind.MOVE_OUT)


# -- regions ------------------------------------------------------------------------------


def village_codes_under(region: Region) -> list[str]:
    """The codes of the villages a region covers (itself when it is a village)."""
    if region.level == Level.VILLAGE:
        return [region.code]
    return list(
        Region.objects.filter(level=Level.VILLAGE, code__startswith=region.code + ".")
        .order_by("code")
        .values_list("code", flat=True)
    )


def _living(codes: Sequence[str]) -> QuerySet[Resident]:
    qs = Resident.objects.filter(basic_status=BasicStatus.LIVING)
    if len(codes) == 1:
        return qs.filter(village_id=codes[0])
    return qs.filter(village_id__in=list(codes))


def _today(today: dt.date | None) -> dt.date:
    return today or timezone.localdate()


def _years_before(day: dt.date, years: int) -> dt.date:
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February
        return day.replace(year=day.year - years, day=28)


# -- counts by sex ------------------------------------------------------------------------


@dataclass(frozen=True)
class SexCount:
    label: str
    male: int = 0
    female: int = 0
    code: int | None = None

    @property
    def total(self) -> int:
        return self.male + self.female


def _by_sex(rows: Iterable[Any], key: str) -> dict[Any, dict[int, int]]:
    counts: dict[Any, dict[int, int]] = defaultdict(lambda: {Sex.MALE: 0, Sex.FEMALE: 0})
    for row in rows:
        counts[row[key]][row["sex"]] = counts[row[key]].get(row["sex"], 0) + row["n"]
    return counts


@dataclass(frozen=True)
class Distribution:
    """Living residents by one coded attribute (religion, education...), split by sex."""

    key: str
    title: str
    rows: tuple[SexCount, ...]

    @property
    def male(self) -> int:
        return sum(r.male for r in self.rows)

    @property
    def female(self) -> int:
        return sum(r.female for r in self.rows)

    @property
    def total(self) -> int:
        return self.male + self.female

    def top(self, n: int) -> tuple[SexCount, ...]:
        """The ``n`` largest rows, the rest summed as "Lainnya" (for charts)."""
        ranked = sorted(self.rows, key=lambda r: (-r.total, r.code or 0))
        if len(ranked) <= n:
            return tuple(ranked)
        rest = ranked[n - 1 :]
        other = SexCount("Lainnya", sum(r.male for r in rest), sum(r.female for r in rest))
        return (*ranked[: n - 1], other)


# (model field, code list, title); the code lists are in data/kode_data_kependudukan.csv.
DISTRIBUTIONS = {
    "religion": ("religion", "agama_id", "Agama"),
    "education": ("education", "pendidikan_kk_id", "Pendidikan (dalam KK)"),
    "occupation": ("occupation", "pekerjaan_id", "Pekerjaan"),
    "marital_status": ("marital_status", "status_kawin", "Status perkawinan"),
    "citizenship": ("citizenship", "warganegara_id", "Kewarganegaraan"),
}


def distribution(codes: Sequence[str], key: str) -> Distribution:
    """Living residents of the villages by one attribute of :data:`DISTRIBUTIONS`, by sex.

    One ``GROUP BY attribute, sex`` query; only codes that occur are listed (in code order,
    occupation by size)."""
    field_name = DISTRIBUTIONS[key][0]
    rows = _living(codes).values(field_name, "sex").annotate(n=Count("pk")).order_by()
    return _distribution_from(key, _by_sex(rows, field_name))


def total_by_sex(codes: Sequence[str]) -> SexCount:
    row = _living(codes).aggregate(
        male=Count("pk", filter=Q(sex=Sex.MALE)), female=Count("pk", filter=Q(sex=Sex.FEMALE))
    )
    return SexCount("Jumlah", row["male"], row["female"])


# -- age pyramid --------------------------------------------------------------------------


def band_labels() -> list[str]:
    labels = [f"{a}–{a + BAND_YEARS - 1}" for a in range(0, TOP_BAND_FROM, BAND_YEARS)]
    return [*labels, f"{TOP_BAND_FROM}+"]


def _band_expression(day: dt.date) -> Case:
    """The 5-year age band (0 for 0–4 … 15 for 75+) from birth-date limits: someone is at least
    ``a`` years old when born on or before ``day`` minus ``a`` years. Pure SQL, same on every
    database."""
    whens = [
        When(birth_date__gt=_years_before(day, upper), then=Value(index))
        for index, upper in enumerate(range(BAND_YEARS, TOP_BAND_FROM + 1, BAND_YEARS))
    ]
    return Case(*whens, default=Value(TOP_BAND_FROM // BAND_YEARS), output_field=IntegerField())


def _pyramid_from(counts: dict[Any, dict[int, int]]) -> tuple[SexCount, ...]:
    return tuple(
        SexCount(
            label, counts[i][Sex.MALE] if i in counts else 0, counts[i][Sex.FEMALE] if i in counts else 0
        )
        for i, label in enumerate(band_labels())
    )


def age_pyramid(codes: Sequence[str], *, today: dt.date | None = None) -> tuple[SexCount, ...]:
    """Living residents by 5-year age band (0–4 … 70–74, 75+) and sex, youngest first."""
    band = _band_expression(_today(today))
    rows = _living(codes).annotate(band=band).values("band", "sex").annotate(n=Count("pk")).order_by()
    return _pyramid_from(_by_sex(rows, "band"))


def _distribution_from(key: str, counts: dict[Any, dict[int, int]]) -> Distribution:
    _field, code_list, title = DISTRIBUTIONS[key]
    items = [
        SexCount(code_label(code_list, code), c[Sex.MALE], c[Sex.FEMALE], code=code)
        for code, c in sorted(counts.items(), key=lambda kv: (kv[0] is None, kv[0] or 0))
    ]
    if key == "occupation":
        items.sort(key=lambda r: (-r.total, r.code or 0))
    return Distribution(key=key, title=title, rows=tuple(items))


# -- families -----------------------------------------------------------------------------


@dataclass(frozen=True)
class FamilySummary:
    families: int
    members: int
    male_headed: int
    female_headed: int
    without_head: int
    without_family: int

    @property
    def average_size(self) -> float:
        return round(self.members / self.families, 2) if self.families else 0.0

    @property
    def female_headed_share(self) -> float:
        return round(100 * self.female_headed / self.families, 1) if self.families else 0.0


def family_summary(codes: Sequence[str]) -> FamilySummary:
    """Families (KK) with at least one living member, their size and who heads them (one query)."""
    row = _living(codes).aggregate(
        families=Count("family_id", distinct=True),
        members=Count("pk", filter=Q(family__isnull=False)),
        alone=Count("pk", filter=Q(family__isnull=True)),
        male_heads=Count("family_id", distinct=True, filter=Q(family_relation=RELATION_HEAD, sex=Sex.MALE)),
        female_heads=Count(
            "family_id", distinct=True, filter=Q(family_relation=RELATION_HEAD, sex=Sex.FEMALE)
        ),
        headed=Count("family_id", distinct=True, filter=Q(family_relation=RELATION_HEAD)),
    )
    return FamilySummary(
        families=row["families"],
        members=row["members"],
        male_headed=row["male_heads"],
        female_headed=row["female_heads"],
        without_head=row["families"] - row["headed"],
        without_family=row["alone"],
    )


# -- everything at once -------------------------------------------------------------------


@dataclass(frozen=True)
class PopulationStatistics:
    region_code: str
    region_name: str
    villages: int
    on: dt.date
    total: SexCount
    pyramid: tuple[SexCount, ...]
    distributions: tuple[Distribution, ...]
    families: FamilySummary
    computed_at: dt.datetime | None = None

    def distribution(self, key: str) -> Distribution:
        return next(d for d in self.distributions if d.key == key)


STATISTICS_KEYS = ("religion", "education", "occupation", "marital_status", "citizenship")


def population_statistics(region: Region, *, today: dt.date | None = None) -> PopulationStatistics:
    """All figures of a village, district or regency (no scope check: the caller's job).

    Two queries: one ``GROUP BY`` age band, sex and every coded attribute at once (one scan of
    the residents; a few tens of thousands of groups for a whole regency, summed here), and
    the family summary. At 1.7 million residents this is several times faster than one scan
    per figure."""
    codes = village_codes_under(region)
    day = _today(today)
    fields = [DISTRIBUTIONS[key][0] for key in STATISTICS_KEYS]
    rows = (
        _living(codes)
        .annotate(band=_band_expression(day))
        .values("band", "sex", *fields)
        .annotate(n=Count("pk"))
        .order_by()
    )
    counts: dict[str, dict[Any, dict[int, int]]] = {
        name: defaultdict(lambda: {Sex.MALE: 0, Sex.FEMALE: 0}) for name in ("band", *fields)
    }
    for row in rows:
        sex, n = row["sex"], row["n"]
        for name, table in counts.items():
            cell = table[row[name]]
            cell[sex] = cell.get(sex, 0) + n
    pyramid = _pyramid_from(counts["band"])
    return PopulationStatistics(
        region_code=region.code,
        region_name=str(region),
        villages=len(codes),
        on=day,
        total=SexCount("Jumlah", sum(b.male for b in pyramid), sum(b.female for b in pyramid)),
        pyramid=pyramid,
        distributions=tuple(
            _distribution_from(key, counts[DISTRIBUTIONS[key][0]]) for key in STATISTICS_KEYS
        ),
        families=family_summary(codes),
        computed_at=timezone.now(),
    )


# Above this many villages the figures are kept in the cache for a while: a whole regency
# (1.7 M residents) takes several seconds to count, a district well under one.
CACHE_ABOVE_VILLAGES = 40
CACHE_SECONDS = 15 * 60


def _cache_key(region: Region, day: dt.date) -> str:
    return f"population:statistics:{region.code}:{day.isoformat()}"


def population_statistics_cached(
    region: Region, *, today: dt.date | None = None, refresh: bool = False
) -> PopulationStatistics:
    """The figures of a region, from the cache for wide areas (up to ``CACHE_SECONDS`` old;
    ``computed_at`` says when). ``kampung population statistics --warm`` refreshes them on a
    schedule so that no visitor waits for a regency-wide count."""
    day = _today(today)
    if len(village_codes_under(region)) <= CACHE_ABOVE_VILLAGES:
        return population_statistics(region, today=day)
    key = _cache_key(region, day)
    stats = None if refresh else cache.get(key)
    if not isinstance(stats, PopulationStatistics):
        stats = population_statistics(region, today=day)
        cache.set(key, stats, CACHE_SECONDS)
    return stats


def statistics_warm(*, today: dt.date | None = None) -> list[PopulationStatistics]:
    """Recount every district and regency whose figures are cached (for a scheduled job)."""
    # Only the districts and regencies that hold residents (the national list has thousands).
    villages = Family.objects.order_by().values_list("village_id", flat=True).distinct()
    codes = {code[:5] for code in villages} | {code[:8] for code in villages}
    regions = Region.objects.filter(code__in=codes).order_by("code")
    day = _today(today)
    return [
        population_statistics_cached(region, today=day, refresh=True)
        for region in regions
        if len(village_codes_under(region)) > CACHE_ABOVE_VILLAGES
    ]


# -- monthly figures ----------------------------------------------------------------------


@dataclass(frozen=True)
class Split:
    """People by citizenship and sex."""

    wni_male: int = 0
    wni_female: int = 0
    wna_male: int = 0
    wna_female: int = 0

    @property
    def male(self) -> int:
        return self.wni_male + self.wna_male

    @property
    def female(self) -> int:
        return self.wni_female + self.wna_female

    @property
    def wni(self) -> int:
        return self.wni_male + self.wni_female

    @property
    def wna(self) -> int:
        return self.wna_male + self.wna_female

    @property
    def total(self) -> int:
        return self.male + self.female

    def __add__(self, other: Split) -> Split:
        return Split(
            self.wni_male + other.wni_male,
            self.wni_female + other.wni_female,
            self.wna_male + other.wna_male,
            self.wna_female + other.wna_female,
        )

    def __sub__(self, other: Split) -> Split:
        return Split(
            self.wni_male - other.wni_male,
            self.wni_female - other.wni_female,
            self.wna_male - other.wna_male,
            self.wna_female - other.wna_female,
        )


def _split_of(counts: dict[tuple[int, int], int]) -> Split:
    return Split(
        counts.get((0, Sex.MALE), 0),
        counts.get((0, Sex.FEMALE), 0),
        counts.get((1, Sex.MALE), 0),
        counts.get((1, Sex.FEMALE), 0),
    )


@dataclass(frozen=True)
class MonthlyFigures:
    """One village (or one dusun of it) for one month."""

    key: str
    start: Split
    births: Split
    moved_in: Split
    deaths: Split
    moved_out: Split
    end: Split
    families_start: int
    families_end: int

    @property
    def parts(self) -> tuple[Split, Split, Split, Split, Split, Split]:
        """Start, births, arrivals, deaths, departures and end, in the report's column order."""
        return (self.start, self.births, self.moved_in, self.deaths, self.moved_out, self.end)

    @property
    def added(self) -> Split:
        return self.births + self.moved_in

    @property
    def removed(self) -> Split:
        return self.deaths + self.moved_out


@dataclass(frozen=True)
class MonthlyReport:
    year: int
    month: int
    first_day: dt.date
    last_day: dt.date
    rows: tuple[MonthlyFigures, ...]
    total: MonthlyFigures = field(init=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "total", _sum_rows("Jumlah", self.rows))


def _sum_rows(key: str, rows: Sequence[MonthlyFigures]) -> MonthlyFigures:
    def add(name: str) -> Split:
        out = Split()
        for row in rows:
            out = out + getattr(row, name)
        return out

    return MonthlyFigures(
        key=key,
        start=add("start"),
        births=add("births"),
        moved_in=add("moved_in"),
        deaths=add("deaths"),
        moved_out=add("moved_out"),
        end=add("end"),
        families_start=sum(r.families_start for r in rows),
        families_end=sum(r.families_end for r in rows),
    )


def month_bounds(year: int, month: int) -> tuple[dt.date, dt.date]:
    last = calendar.monthrange(year, month)[1]
    return dt.date(year, month, 1), dt.date(year, month, last)


_WNA = Case(When(citizenship=CITIZENSHIP_WNA, then=Value(1)), default=Value(0), output_field=IntegerField())
_EVENT_WNA = Case(
    When(resident__citizenship=CITIZENSHIP_WNA, then=Value(1)), default=Value(0), output_field=IntegerField()
)


def _exit_after(on: dt.date) -> Exists:
    return Exists(
        LifeEvent.objects.filter(resident_id=OuterRef("pk"), kind__in=EXIT_KINDS, event_date__gt=on)
    )


def _entry_after(on: dt.date) -> Exists:
    return Exists(
        LifeEvent.objects.filter(resident_id=OuterRef("pk"), kind__in=ENTRY_KINDS, event_date__gt=on)
    )


def _families_present(codes: Sequence[str], on: dt.date, group: str) -> dict[str, int]:
    """Families with at least one member present at the end of ``on``, by village or dusun.

    Present: no birth/arrival after that day, and living today or leaving after that day."""
    residents = Resident.objects.filter(village_id__in=list(codes), family__isnull=False)
    residents = residents.filter(~_entry_after(on) & (Q(basic_status=BasicStatus.LIVING) | _exit_after(on)))
    rows = residents.values(group).annotate(n=Count("family_id", distinct=True)).order_by()
    return {row[group]: row["n"] for row in rows}


def monthly_figures(codes: Sequence[str], year: int, month: int, *, by_dusun: bool = False) -> MonthlyReport:
    """Start, births, arrivals, deaths, departures and end of a month per village (or per dusun
    of one village with ``by_dusun``), by citizenship and sex, and families at start and end.

    Four aggregate queries whatever the number of residents (see the module notes)."""
    first, last = month_bounds(year, month)
    group = "dusun" if by_dusun else "village_id"
    event_group = "resident__dusun" if by_dusun else "village_id"
    codes = list(codes)

    living: dict[str, dict[tuple[int, int], int]] = defaultdict(dict)
    for row in (
        Resident.objects.filter(village_id__in=codes, basic_status=BasicStatus.LIVING)
        .annotate(wna=_WNA)
        .values(group, "wna", "sex")
        .annotate(n=Count("pk"))
        .order_by()
    ):
        living[row[group]][(row["wna"], row["sex"])] = row["n"]

    # Events of records that left the count without a recorded death or departure are ignored.
    tracked = Q(resident__basic_status=BasicStatus.LIVING) | Exists(
        LifeEvent.objects.filter(resident_id=OuterRef("resident_id"), kind__in=EXIT_KINDS)
    )
    in_month: dict[tuple[str, str], dict[tuple[int, int], int]] = defaultdict(dict)
    after: dict[tuple[str, str], dict[tuple[int, int], int]] = defaultdict(dict)
    for row in (
        LifeEvent.objects.filter(
            village_id__in=codes, event_date__gte=first, kind__in=ENTRY_KINDS + EXIT_KINDS
        )
        .filter(tracked)
        .annotate(wna=_EVENT_WNA)
        .values(event_group, "kind", "wna", "resident__sex")
        .annotate(
            inside=Count("pk", filter=Q(event_date__lte=last)),
            later=Count("pk", filter=Q(event_date__gt=last)),
        )
        .order_by()
    ):
        where = (row[event_group], row["kind"])
        cell = (row["wna"], row["resident__sex"])
        in_month[where][cell] = in_month[where].get(cell, 0) + row["inside"]
        after[where][cell] = after[where].get(cell, 0) + row["later"]

    families_end = _families_present(codes, last, group)
    families_start = _families_present(codes, first - dt.timedelta(days=1), group)

    keys: set[str] = set(living) | {k for k, _ in in_month} | set(families_end) | set(families_start)
    if not by_dusun:
        keys |= set(codes)
    rows = []
    for key in sorted(keys, key=lambda k: (k is None, k or "")):

        def split(table: dict[tuple[str, str], dict[tuple[int, int], int]], kind: str, k: str = key) -> Split:
            return _split_of(table.get((k, kind), {}))

        end = (
            _split_of(living.get(key, {}))
            - split(after, LifeEventKind.BIRTH)
            - split(after, LifeEventKind.MOVE_IN)
            + split(after, LifeEventKind.DEATH)
            + split(after, LifeEventKind.MOVE_OUT)
        )
        births, moved_in = split(in_month, LifeEventKind.BIRTH), split(in_month, LifeEventKind.MOVE_IN)
        deaths, moved_out = split(in_month, LifeEventKind.DEATH), split(in_month, LifeEventKind.MOVE_OUT)
        rows.append(
            MonthlyFigures(
                key=key or "",
                start=end - births - moved_in + deaths + moved_out,
                births=births,
                moved_in=moved_in,
                deaths=deaths,
                moved_out=moved_out,
                end=end,
                families_start=families_start.get(key, 0),
                families_end=families_end.get(key, 0),
            )
        )
    return MonthlyReport(year=year, month=month, first_day=first, last_day=last, rows=tuple(rows))
