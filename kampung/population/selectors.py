"""Reads of the population register, always scoped to the acting user."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db.models import CharField, Count, F, Q, QuerySet, Value
from django.db.models.functions import Concat
from django.utils import timezone

from kampung.accounts.roles import DISTRICT_ROLES, REGENCY_ROLES, VILLAGE_STAFF
from kampung.accounts.scope import filter_by_village, get_in_scope_or_404, scope_for
from kampung.audit.services import audit_view
from kampung.population.checks import MIN_NAME_PREFIX, mask_nik, name_tokens, prefix_upper_bound
from kampung.population.models import BasicStatus, Family, LifeEvent, Resident, ResidentNameToken, Sex
from kampung.regions.models import Region


@dataclass(frozen=True)
class PopulationCounts:
    residents: int
    male: int
    female: int
    families: int


def population_counts(*, actor: Any, village: Region) -> PopulationCounts | None:
    """Living residents and families of a village in the actor's scope (None outside it)."""
    if village.code not in scope_for(actor).village_codes():
        return None
    row = Resident.objects.filter(village=village, basic_status=BasicStatus.LIVING).aggregate(
        total=Count("pk"),
        male=Count("pk", filter=Q(sex=Sex.MALE)),
        female=Count("pk", filter=Q(sex=Sex.FEMALE)),
    )
    return PopulationCounts(
        residents=row["total"],
        male=row["male"],
        female=row["female"],
        families=Family.objects.filter(village=village).count(),
    )


# -- search and records ----------------------------------------------------------------------

# Who may look people up: village staff (not residents or BPD members) and the district and
# regency roles above them. Only the village's own staff see NIK/KK numbers in full.
READER_ROLES = tuple(sorted(VILLAGE_STAFF | DISTRICT_ROLES | REGENCY_ROLES))
FULL_NUMBER_ROLES = tuple(sorted(VILLAGE_STAFF))

# A scope of at most this many villages is small enough to sort in full.
NARROW_SCOPE_VILLAGES = 40

SORTS = {
    "nama": ("name_key", "pk"),
    "-nama": ("-name_key", "-pk"),
    "umur": ("-birth_date", "pk"),
    "-umur": ("birth_date", "pk"),
    "nik": ("nik", "pk"),
    "terbaru": ("-created_at", "-pk"),
}


def sees_full_numbers(actor: Any, village_code: str) -> bool:
    """Village staff of that village see NIK and KK numbers whole; everyone else masked."""
    return scope_for(actor).covers(village_code, *FULL_NUMBER_ROLES)


def shown_number(actor: Any, village_code: str, number: str) -> str:
    return number if sees_full_numbers(actor, village_code) else mask_nik(number)


def _years_ago(today: dt.date, years: int) -> dt.date:
    try:
        return today.replace(year=today.year - years)
    except ValueError:  # 29 February
        return today.replace(year=today.year - years, day=28)


def resident_search(
    *,
    actor: Any,
    q: str = "",
    village: str = "",
    dusun: str = "",
    rw: str = "",
    rt: str = "",
    sex: int | None = None,
    age_min: int | None = None,
    age_max: int | None = None,
    status: int | None = None,
    needs_review: bool | None = None,
    sort: str = "nama",
) -> QuerySet[Resident]:
    """Residents of the villages in the actor's scope matching ``q`` and the filters.

    ``q`` is a full NIK or KK number (16 digits), or words of a name: every word of at least
    three letters must start a word of the name, in any order, ignoring case and accents.
    Shorter words are ignored; a query with no usable word finds nobody (a too-short search
    would list the whole regency).
    """
    qs = filter_by_village(Resident.objects.all(), actor, roles=READER_ROLES)
    q = q.strip()
    if village:
        qs = qs.filter(village_id=village)
    if q:
        digits = q.replace(" ", "")
        if digits.isdigit():
            if len(digits) != 16:
                return qs.none()
            # Two indexed lookups joined by UNION: "nik = x OR family_id IN (...)" is one
            # condition no index answers, and made PostgreSQL scan the whole register.
            by_nik = Resident.objects.filter(nik=digits).order_by().values("pk")
            by_kk = Resident.objects.filter(family__kk_number=digits).order_by().values("pk")
            qs = qs.filter(pk__in=by_nik.union(by_kk))
        else:
            words = _query_words(q)
            if not words:
                return qs.none()
            qs = qs.filter(pk__in=_name_matches(_search_villages(actor, village), words))
        return _filtered(qs, dusun, rw, rt, sex, status, needs_review, age_min, age_max, sort, unindexed=True)
    # Without a query, sort only the rows left when something narrows the list (a village,
    # a filter, a scope of a few villages); walking the name index pays only for listing a
    # whole district or regency unfiltered (the API allows it; the list page asks first).
    narrowed = bool(village or dusun or rw or rt) or any(
        v is not None for v in (sex, status, needs_review, age_min, age_max)
    )
    unindexed = narrowed or len(scope_for(actor).village_codes(*READER_ROLES)) <= NARROW_SCOPE_VILLAGES
    return _filtered(
        qs, dusun, rw, rt, sex, status, needs_review, age_min, age_max, sort, unindexed=unindexed
    )


def _query_words(q: str) -> list[str]:
    """The words of a name query that search (3 letters or more), each once."""
    return [w for w in dict.fromkeys(name_tokens(q)) if len(w) >= MIN_NAME_PREFIX]


def _search_villages(actor: Any, village: str) -> list[str]:
    codes = sorted(scope_for(actor).village_codes(*READER_ROLES))
    return [c for c in codes if c == village] if village else codes


def _name_matches(codes: list[str], words: list[str]) -> QuerySet[ResidentNameToken, Any]:
    """Ids of residents with a name word starting with each of ``words``, in ``codes``.

    The words are intersected inside the token index (``resident_token_name`` covers
    village, token and resident), so residents are read only for the final matches. The
    longest word, usually the rarest, drives the intersection.
    """
    ordered = sorted(words, key=len, reverse=True)
    matches: QuerySet[ResidentNameToken, Any] | None = None
    for word in ordered:
        tokens = ResidentNameToken.objects.filter(
            village_id__in=codes, token__gte=word, token__lt=prefix_upper_bound(word)
        )
        if matches is not None:
            tokens = tokens.filter(resident_id__in=matches)
        matches = tokens.values("resident_id")
    assert matches is not None
    return matches


@dataclass(frozen=True)
class ResidentPage:
    """One page of a search: its residents, and whether more follow."""

    rows: list[Resident]
    has_next: bool


def resident_search_page(
    *,
    actor: Any,
    offset: int,
    limit: int,
    general: QuerySet[Resident] | None = None,
    q: str = "",
    village: str = "",
    dusun: str = "",
    rw: str = "",
    rt: str = "",
    sex: int | None = None,
    age_min: int | None = None,
    age_max: int | None = None,
    status: int | None = None,
    needs_review: bool | None = None,
    sort: str = "nama",
) -> ResidentPage:
    """``limit`` residents of :func:`resident_search` from ``offset`` on: the same rows in
    the same order, and whether more follow (one row more is fetched to know).

    A name search in name order with no filter on resident columns (the list page's and the
    API's usual first question) is answered from the token index alone
    (:func:`_name_page`): ordering the matches of a common name ("Siti", "Nur") over the
    whole regency by way of the resident table would read tens of thousands of resident
    rows for every page. Any other search pages ``general`` (by default
    :func:`resident_search` with the same arguments; the list page passes its own ordering).
    """
    offset, limit = max(0, offset), max(0, limit)
    plain = not (dusun or rw or rt) and all(v is None for v in (sex, age_min, age_max, status, needs_review))
    order = sort if sort in SORTS else "nama"
    q = q.strip()
    words = [] if q.replace(" ", "").isdigit() else _query_words(q)  # a number: the general search
    if plain and words and order in ("nama", "-nama"):
        rows = _name_page(
            actor,
            _search_villages(actor, village),
            words,
            descending=order == "-nama",
            start=offset,
            stop=offset + limit + 1,
        )
    else:
        if general is None:
            general = resident_search(
                actor=actor, q=q, village=village, dusun=dusun, rw=rw, rt=rt, sex=sex, age_min=age_min,
                age_max=age_max, status=status, needs_review=needs_review, sort=sort,
            )  # fmt: skip
        rows = list(general[offset : offset + limit + 1])
    return ResidentPage(rows=rows[:limit], has_next=len(rows) > limit)


def _name_page(
    actor: Any, codes: list[str], words: list[str], *, descending: bool, start: int, stop: int
) -> list[Resident]:
    """Residents ``start:stop`` in name order (name_key, then pk) having a name word starting
    with each of ``words``, in the villages ``codes``.

    The page's ids come from the token table only: each word's prefix range in
    ``resident_token_name`` (village, word, name, resident: an index-only range scan in each
    village of the scope), the ranges intersected (a resident once, however many of their
    words match), sorted by the name carried on the token. Only the page's residents are
    then read.
    """
    if not codes or start >= stop:
        return []
    ordering = ("-name_key", "-resident_id") if descending else ("name_key", "resident_id")
    ranges = [_word_range(codes, word).order_by().values_list("resident_id", "name_key") for word in words]
    # One word: its range, each resident once. More: the ranges' intersection (a hash of
    # each range; probing the other words for every row of a common one was slower).
    matches = ranges[0].distinct() if len(ranges) == 1 else ranges[0].intersection(*ranges[1:])
    page = matches.order_by(*ordering)[start:stop]
    ids = list(dict.fromkeys(pk for pk, _ in page))
    found = filter_by_village(Resident.objects.filter(pk__in=ids), actor, roles=READER_ROLES).select_related(
        "family", "village"
    )
    by_pk = {r.pk: r for r in found}
    return [by_pk[pk] for pk in ids if pk in by_pk]


def _word_range(codes: list[str], word: str) -> QuerySet[ResidentNameToken, ResidentNameToken]:
    return ResidentNameToken.objects.filter(
        village_id__in=codes, token__gte=word, token__lt=prefix_upper_bound(word)
    )


def _filtered(
    qs: QuerySet[Resident],
    dusun: str,
    rw: str,
    rt: str,
    sex: int | None,
    status: int | None,
    needs_review: bool | None,
    age_min: int | None,
    age_max: int | None,
    sort: str,
    *,
    unindexed: bool,
) -> QuerySet[Resident]:
    if dusun:
        qs = qs.filter(dusun=dusun)
    if rw:
        qs = qs.filter(rw=rw)
    if rt:
        qs = qs.filter(rt=rt)
    if sex is not None:
        qs = qs.filter(sex=sex)
    if status is not None:
        qs = qs.filter(basic_status=status)
    if needs_review is not None:
        qs = qs.filter(needs_review=needs_review)
    today = timezone.localdate()
    if age_min is not None:
        qs = qs.filter(birth_date__lte=_years_ago(today, age_min))
    if age_max is not None:
        # Still age_max on the day before turning age_max + 1.
        qs = qs.filter(birth_date__gt=_years_ago(today, age_max + 1))
    ordering: list[Any] = list(SORTS.get(sort, SORTS["nama"]))
    if unindexed:
        ordering = [_unindexed(field) for field in ordering]
    return qs.select_related("family", "village").order_by(*ordering)


def _unindexed(field: str) -> Any:
    """The same order, as an expression no index provides.

    A search's matches are few next to the register; sorting them is cheap. Walking the whole
    name (or NIK) index in order and testing each resident against the search, which the
    PostgreSQL planner prefers when it believes matches are spread evenly, is not: a
    first name such as "Siti" clusters its matches late in the alphabet, and the walk read
    over a million rows (8 s) before finding the first page.
    """
    descending = field.startswith("-")
    name = field.lstrip("-")
    if name not in ("name_key", "nik"):
        return field
    expression = Concat(F(name), Value(""), output_field=CharField())
    return expression.desc() if descending else expression.asc()


def resident_get(*, actor: Any, pk: int) -> Resident:
    """One resident's full record (404 outside the actor's scope); the opening is audited as
    a view of personal data."""
    resident = get_in_scope_or_404(
        Resident.objects.select_related("family", "village"), actor, roles=READER_ROLES, pk=pk
    )
    audit_view(
        actor=actor,
        object_type="population.Resident",
        object_id=resident.pk,
        region=resident.village_id,
        what="data pribadi penduduk",
    )
    return resident


def resident_events(*, actor: Any, resident: Resident) -> QuerySet[LifeEvent]:
    """A resident's life events, oldest first (the resident must be in scope)."""
    if resident.village_id not in scope_for(actor).village_codes(*READER_ROLES):
        return LifeEvent.objects.none()
    return LifeEvent.objects.filter(resident=resident).select_related("family").order_by("event_date", "pk")
