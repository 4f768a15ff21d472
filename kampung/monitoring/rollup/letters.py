"""The letters area: requests per village, month and letter type, and the open requests.

:class:`LetterMonth` (months in the regency's local time):

- ``submitted``: requests whose ``submitted_at`` falls in the month;
- ``issued``: requests that reached "diterbitkan" in the month — the request's history
  event to that status (:func:`kampung.letters.services_requests.request_issue`); a request
  handed over later was issued first, so it counts once, at its issue — with the hours from
  submission to that event kept as a fixed histogram (``h00``..``h11``);
- ``rejected``, ``cancelled``: the history event to "ditolak" / "dibatalkan" in the month.

:class:`LetterOpen`: requests now in an open status (:data:`OPEN_STATUSES`), by type,
status and due date; a page counts the overdue ones against its own day.

Three grouped queries read the source, whatever the number of villages; durations are put
in their bucket by the database (``CASE`` on ``at <= submitted_at + hours``).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from typing import Any

from django.db import models
from django.db.models import Case, Count, F, IntegerField, Value, When
from django.db.models.functions import ExtractMonth, ExtractYear
from django.utils import timezone

from kampung.letters.models_requests import OPEN_STATUSES, LetterRequest, RequestEvent, RequestStatus
from kampung.monitoring.models import (
    HISTOGRAM_BUCKETS,
    HISTOGRAM_FIELDS,
    HISTOGRAM_HOURS,
    LetterMonth,
    LetterOpen,
)

TABLES: tuple[type[models.Model], ...] = (LetterMonth, LetterOpen)

# The history events that close a month's figure, and the LetterMonth column each fills.
_CLOSING: dict[str, str] = {
    RequestStatus.ISSUED: "issued",
    RequestStatus.REJECTED: "rejected",
    RequestStatus.CANCELLED: "cancelled",
}
_COUNTS = ("submitted", "issued", "rejected", "cancelled")


def villages() -> set[str]:
    """Villages with at least one letter request."""
    return set(LetterRequest.objects.order_by().values_list("village_id", flat=True).distinct())


def _bucket_expression() -> Case:
    """The histogram bucket of an issue event: the first ``i`` with
    ``at <= submitted_at + HISTOGRAM_HOURS[i]`` hours (the last bucket when none)."""
    submitted = F("request__submitted_at")
    whens = [
        When(at__lte=submitted + Value(dt.timedelta(hours=hours)), then=Value(index))
        for index, hours in enumerate(HISTOGRAM_HOURS)
    ]
    return Case(*whens, default=Value(HISTOGRAM_BUCKETS - 1), output_field=IntegerField())


def _month_rows(codes: list[str]) -> dict[tuple[str, int, int, str], dict[str, Any]]:
    tz = timezone.get_default_timezone()
    months: dict[tuple[str, int, int, str], dict[str, Any]] = defaultdict(
        lambda: dict.fromkeys((*_COUNTS, *HISTOGRAM_FIELDS), 0)
    )
    submitted = (
        LetterRequest.objects.filter(village_id__in=codes)
        .annotate(y=ExtractYear("submitted_at", tzinfo=tz), m=ExtractMonth("submitted_at", tzinfo=tz))
        .values("village_id", "y", "m", "letter_type__slug")
        .annotate(n=Count("pk"))
        .order_by()
    )
    for row in submitted:
        key = (row["village_id"], row["y"], row["m"], row["letter_type__slug"])
        months[key]["submitted"] += row["n"]
    closing = (
        RequestEvent.objects.filter(request__village_id__in=codes, status_to__in=list(_CLOSING))
        .annotate(
            y=ExtractYear("at", tzinfo=tz),
            m=ExtractMonth("at", tzinfo=tz),
            bucket=Case(
                When(status_to=RequestStatus.ISSUED, then=_bucket_expression()),
                default=Value(-1),
                output_field=IntegerField(),
            ),
        )
        .values("request__village_id", "y", "m", "request__letter_type__slug", "status_to", "bucket")
        .annotate(n=Count("request", distinct=True))
        .order_by()
    )
    for event in closing:
        key = (event["request__village_id"], event["y"], event["m"], event["request__letter_type__slug"])
        figures = months[key]
        figures[_CLOSING[event["status_to"]]] += event["n"]
        if event["status_to"] == RequestStatus.ISSUED:
            figures[HISTOGRAM_FIELDS[event["bucket"]]] += event["n"]
    return months


def _open_rows(codes: list[str]) -> list[LetterOpen]:
    rows = (
        LetterRequest.objects.filter(village_id__in=codes, status__in=list(OPEN_STATUSES))
        .values("village_id", "letter_type__slug", "status", "due_on")
        .annotate(n=Count("pk"))
        .order_by("village_id", "letter_type__slug", "status", "due_on")
    )
    return [
        LetterOpen(
            village_id=row["village_id"],
            district_code=row["village_id"][:8],
            letter_type=row["letter_type__slug"],
            status=row["status"],
            due_on=row["due_on"],
            count=row["n"],
        )
        for row in rows
        if row["n"]
    ]


def compute(village_codes: list[str], today: dt.date) -> None:
    """Replace these villages' letter roll-ups with figures from the requests and their
    history (three reads, two deletes, then the inserts). ``today`` is not used:
    nothing here moves with the calendar alone (overdue is counted at page time)."""
    codes = sorted(set(village_codes))
    if not codes:
        return
    months = _month_rows(codes)
    month_rows = [
        LetterMonth(
            village_id=village,
            district_code=village[:8],
            year=year,
            month=month,
            letter_type=letter_type,
            **figures,
        )
        for (village, year, month, letter_type), figures in sorted(months.items())
        if any(figures.values())
    ]
    open_rows = _open_rows(codes)
    LetterMonth.objects.filter(village_id__in=codes).delete()
    LetterOpen.objects.filter(village_id__in=codes).delete()
    LetterMonth.objects.bulk_create(month_rows, batch_size=500)
    LetterOpen.objects.bulk_create(open_rows, batch_size=500)
