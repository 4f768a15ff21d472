"""The regency's budget calendar (domain.md §1.7): deadlines per budget year, falling back to
:func:`kampung.finance.defaults.default_calendar`, and the state of each APBDes deadline.

Other areas call :func:`deadlines_for` and :func:`apbdes_deadlines`; keep their signatures.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from kampung.finance.defaults import default_calendar
from kampung.finance.models.ref import CalendarDeadline, CalendarEvent

# The APBDes events and the field of the Apbdes row that records when each was done.
APBDES_EVENTS: tuple[tuple[str, str], ...] = (
    (CalendarEvent.APBDES_AGREED, "bpd_agreed_on"),
    (CalendarEvent.APBDES_SUBMITTED, "submitted_on"),
    (CalendarEvent.APBDES_ENACTED, "perdes_date"),
)

SELESAI = "selesai"
TERLAMBAT = "terlambat"
LEWAT = "lewat"
MENDATANG = "mendatang"

STATE_LABELS = {
    SELESAI: "Tepat waktu",
    TERLAMBAT: "Terlambat",
    LEWAT: "Lewat batas waktu",
    MENDATANG: "Belum jatuh tempo",
}


def deadlines_for(*, regency_code: str, year: int) -> dict[str, dt.date]:
    """Every calendar event's due date for budget ``year`` in the regency (saved rows win over
    the defaults). Keys are :class:`CalendarEvent` values. One query."""
    result: dict[str, dt.date] = {str(k): v for k, v in default_calendar(year).items()}
    rows = CalendarDeadline.objects.filter(regency_id=regency_code, year=year).values_list(
        "event", "due_date"
    )
    for event, due in rows:
        result[str(event)] = due
    return result


def deadline_state(*, due: dt.date, done_on: dt.date | None, today: dt.date) -> str:
    if done_on is not None:
        return SELESAI if done_on <= due else TERLAMBAT
    return LEWAT if today > due else MENDATANG


@dataclass(frozen=True)
class DeadlineState:
    event: str
    label: str
    due: dt.date
    done_on: dt.date | None
    state: str

    @property
    def label_state(self) -> str:
        return STATE_LABELS[self.state]

    # Aliases for templates that read the names of the older draft.
    @property
    def due_date(self) -> dt.date:
        return self.due

    @property
    def state_label(self) -> str:
        return self.label_state

    @property
    def is_problem(self) -> bool:
        return self.state in (TERLAMBAT, LEWAT)


def apbdes_deadlines(
    *, regency_code: str, year: int, apbdes: Any | None, today: dt.date
) -> list[DeadlineState]:
    """The APBDes deadlines of budget ``year`` and their state for one village, given the
    original (revision 0) APBDes of that year or ``None``."""
    due_dates = deadlines_for(regency_code=regency_code, year=year)
    states = []
    for event, field in APBDES_EVENTS:
        due = due_dates[str(event)]
        done_on = getattr(apbdes, field, None) if apbdes is not None else None
        states.append(
            DeadlineState(
                event=str(event),
                label=str(CalendarEvent(event).label),
                due=due,
                done_on=done_on,
                state=deadline_state(due=due, done_on=done_on, today=today),
            )
        )
    return states
