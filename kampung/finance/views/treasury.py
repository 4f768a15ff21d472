"""The treasurer's pages of one village and year: receipts (TBP), moves between cash and
bank, tax deposits, financing outlays, the journal with its corrections, and month closing.

Readable by every finance reader in scope; writes are POSTs handled by
:mod:`kampung.finance.services.treasury` (only the village's treasurer gets through), whose
refusals are shown as messages. Another village or a kelurahan → 404."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from kampung.accounts.roles import Role
from kampung.accounts.scope import scope_for
from kampung.core.errors import KampungError
from kampung.core.formatting import rupiah
from kampung.finance.access import FINANCE_READERS, desa_in_scope_or_404
from kampung.finance.forms import treasury as forms
from kampung.finance.ledger import month_name
from kampung.finance.models import (
    BANK,
    CASH,
    TAX_PAYABLE,
    Account,
    Book,
    CashTransfer,
    EntryKind,
    FinancingOutlay,
    FundSource,
    JournalEntry,
    JournalLine,
    Receipt,
    TaxDeposit,
    TaxRate,
)
from kampung.finance.selectors.books import tax_summary
from kampung.finance.selectors.ledger import book_balances
from kampung.finance.services import treasury as svc
from kampung.regions.calendar import local_today
from kampung.regions.models import Region

MIN_YEAR, MAX_YEAR = 2000, 2100
PAGE_SIZE = 50


class Page:
    """What every treasury page knows: the village, the year, its book and the user's rights."""

    def __init__(self, request: HttpRequest, code: str, year: int) -> None:
        self.village: Region = desa_in_scope_or_404(request.user, code, *FINANCE_READERS)
        if not MIN_YEAR <= year <= MAX_YEAR:
            raise Http404("Tahun anggaran tidak dikenal.")
        self.year = year
        self.book: Book | None = Book.objects.filter(village=self.village, year=year).first()
        self.roles = scope_for(request.user).roles_at(self.village.code)
        self.can_write = Role.TREASURER in self.roles
        self.today = local_today(self.village)

    @property
    def closed_through(self) -> int:
        return self.book.closed_through if self.book else 0

    @property
    def default_date(self) -> str:
        """The date a new entry form starts with: today, or the year's last day."""
        return min(self.today, dt.date(self.year, 12, 31)).isoformat()

    def restrict(self, form: Any) -> Any:
        """Date inputs start after the last closed month and end with the year."""
        field = form.fields.get("date")
        if field is not None:
            closed = self.closed_through
            field.widget.attrs["min"] = dt.date(self.year, min(closed + 1, 12), 1).isoformat()
            field.widget.attrs["max"] = dt.date(self.year, 12, 31).isoformat()
        return form

    def context(self, **extra: Any) -> dict[str, Any]:
        closed = self.closed_through
        first_open = dt.date(self.year, closed + 1, 1) if closed < 12 else None
        return {
            "village": self.village,
            "year": self.year,
            "book": self.book,
            "can_write": self.can_write,
            "closed_through": closed,
            "closed_label": month_name(closed) if closed else "",
            "first_open": first_open,
            "year_closed": closed == 12,
            "default_date": self.default_date,
            "nav_active": "finance",
            **extra,
        }


def _run(request: HttpRequest, call: Callable[[], Any], success: str) -> Any:
    try:
        result = call()
    except KampungError as exc:
        messages.error(request, exc.message)
        return None
    messages.success(request, success)
    return result


def _form_errors(request: HttpRequest, form: Any) -> None:
    for field, errors in form.errors.items():
        label = form.fields[field].label if field in form.fields else ""
        for error in errors:
            messages.error(request, f"{label}: {error}" if label else str(error))


def _to(name: str, page: Page) -> HttpResponse:
    return redirect(reverse(f"finance:{name}", args=[page.village.code, page.year]))


def _accounts(village: Region, prefixes: tuple[str, ...]) -> list[tuple[str, str]]:
    rows = (
        Account.objects.filter(level=4, active=True)
        .filter(Q(regency__isnull=True) | Q(regency_id=village.regency_code))
        .filter(Q(*[Q(code__startswith=p + ".") for p in prefixes], _connector=Q.OR))
        .order_by("code", "regency_id")
        .values_list("code", "name")
    )
    seen: dict[str, str] = {}
    for code, name in rows:
        seen.setdefault(code, name)
    return [(code, f"{code} {name}") for code, name in sorted(seen.items())]


def _sources() -> list[tuple[str, str]]:
    return [(s.code, f"{s.code} — {s.name}") for s in FundSource.objects.order_by("order", "code")]


def _posted(request: HttpRequest) -> Any:
    return request.POST if request.method == "POST" else None


def _page_of(request: HttpRequest, qs: Any) -> Any:
    return Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))


def _reversed_ids(book: Book | None) -> set[int]:
    if book is None:
        return set()
    return set(
        JournalEntry.objects.filter(book=book, reverses__isnull=False).values_list("reverses_id", flat=True)
    )


def _record(request: HttpRequest, page: Page, form: Any, record: Callable[..., Any], success: str) -> Any:
    """Handle a POST of one of the treasurer's entry forms: an invalid form's errors become
    messages; a valid one goes to ``record`` (a service of
    :mod:`kampung.finance.services.treasury` whose keyword arguments are the form's fields)
    through :func:`_run`. Returns what the service made, or None (a GET, invalid input or a
    refusal)."""
    if request.method != "POST":
        return None
    if not form.is_valid():
        _form_errors(request, form)
        return None
    data = form.cleaned_data
    return _run(
        request,
        lambda: record(actor=request.user, village_code=page.village.code, year=page.year, **data),
        success,
    )


def _book_docs(model: Any, page: Page) -> Any:
    """The documents of ``model`` in the page's book, newest first (none without a book)."""
    return (
        model.objects.filter(book=page.book).order_by("-date", "-pk") if page.book else model.objects.none()
    )


def _entry_page(
    request: HttpRequest, page: Page, template: str, form: Any, listing: Any, **extra: Any
) -> HttpResponse:
    """Render an entry form above the paginated list of what was recorded (400 after a
    failed POST). ``extra`` adds to or overrides the common context."""
    context: dict[str, Any] = {
        "form": form,
        "page_obj": listing,
        "reversed_ids": _reversed_ids(page.book),
        "querystring_base": "",
        **extra,
    }
    return render(request, template, page.context(**context), status=400 if request.method == "POST" else 200)


# -- receipts ------------------------------------------------------------------------------


@login_required
def receipts(request: HttpRequest, code: str, year: int) -> HttpResponse:
    page = Page(request, code, year)
    accounts = _accounts(page.village, ("4", "6.1"))
    form = page.restrict(
        forms.ReceiptForm(
            _posted(request),
            accounts=accounts,
            sources=_sources(),
            initial={"date": page.default_date, "method": "transfer"},
        )
    )
    receipt = _record(request, page, form, svc.receipt_record, "Penerimaan dicatat.")
    if receipt is not None:
        if receipt.budget_warning:
            messages.warning(request, receipt.budget_warning)
        return _to("treasury_receipts", page)
    qs = _book_docs(Receipt, page)
    query = request.GET.get("q", "").strip()[:80]
    if query:
        qs = qs.filter(
            Q(number__icontains=query) | Q(description__icontains=query) | Q(payer__icontains=query)
        )
    return _entry_page(
        request,
        page,
        "finance/treasury/receipts.html",
        form,
        _page_of(request, qs),
        query=query,
        querystring_base=urlencode({"q": query}) + "&" if query else "",
    )


# -- cash ↔ bank ---------------------------------------------------------------------------


@login_required
def transfers(request: HttpRequest, code: str, year: int) -> HttpResponse:
    page = Page(request, code, year)
    form = page.restrict(forms.TransferForm(_posted(request), initial={"date": page.default_date}))
    if _record(request, page, form, svc.transfer_record, "Mutasi kas dicatat.") is not None:
        return _to("treasury_transfers", page)
    balances = book_balances(page.book)
    return _entry_page(
        request,
        page,
        "finance/treasury/transfers.html",
        form,
        _page_of(request, _book_docs(CashTransfer, page)),
        cash=balances[CASH],
        bank=balances[BANK],
        cash_limit=svc.cash_limit(page.village),
    )


# -- tax deposits --------------------------------------------------------------------------


def _tax_choices(page: Page) -> list[tuple[str, str]]:
    codes: dict[str, str] = {}
    for item in tax_summary(page.book):
        codes[item.code] = f"{item.code} (belum disetor {rupiah(item.outstanding)})"
    for code, name in (
        TaxRate.objects.filter(Q(regency__isnull=True) | Q(regency_id=page.village.regency_code))
        .order_by("code")
        .values_list("code", "name")
    ):
        codes.setdefault(code, f"{code} — {name}")
    return sorted(codes.items())


@login_required
def tax_deposits(request: HttpRequest, code: str, year: int) -> HttpResponse:
    page = Page(request, code, year)
    form = page.restrict(
        forms.TaxDepositForm(_posted(request), taxes=_tax_choices(page), initial={"date": page.default_date})
    )
    if _record(request, page, form, svc.tax_deposit_record, "Setoran pajak dicatat.") is not None:
        return _to("treasury_tax_deposits", page)
    return _entry_page(
        request,
        page,
        "finance/treasury/tax_deposits.html",
        form,
        _page_of(request, _book_docs(TaxDeposit, page)),
        summary=tax_summary(page.book),
    )


# -- financing outlays ---------------------------------------------------------------------


@login_required
def financing(request: HttpRequest, code: str, year: int) -> HttpResponse:
    page = Page(request, code, year)
    form = page.restrict(
        forms.FinancingOutlayForm(
            _posted(request),
            accounts=_accounts(page.village, ("6.2",)),
            sources=_sources(),
            initial={"date": page.default_date},
        )
    )
    if (
        _record(request, page, form, svc.financing_outlay_record, "Pengeluaran pembiayaan dicatat.")
        is not None
    ):
        return _to("treasury_financing", page)
    return _entry_page(
        request,
        page,
        "finance/treasury/financing.html",
        form,
        _page_of(request, _book_docs(FinancingOutlay, page)),
    )


# -- journal and corrections ---------------------------------------------------------------


def _month_param(request: HttpRequest) -> int | None:
    raw = request.GET.get("bulan", "")
    return int(raw) if raw.isdigit() and 1 <= int(raw) <= 12 else None


@login_required
def journal(request: HttpRequest, code: str, year: int) -> HttpResponse:
    page = Page(request, code, year)
    qs = (
        JournalEntry.objects.filter(book=page.book)
        .select_related("reverses", "posted_by")
        .order_by("-date", "-number")
        if page.book
        else JournalEntry.objects.none()
    )
    month = _month_param(request)
    kind = request.GET.get("jenis", "")
    query = request.GET.get("q", "").strip()[:80]
    if month:
        qs = qs.filter(date__month=month)
    if kind in EntryKind.values:
        qs = qs.filter(kind=kind)
    else:
        kind = ""
    if query:
        number = query.upper().removeprefix("J-")
        cond = Q(description__icontains=query) | Q(doc_number__icontains=query)
        if number.isdigit() and len(number) < 10:
            cond |= Q(number=int(number))
        qs = qs.filter(cond)
    params = {k: v for k, v in (("bulan", month or ""), ("jenis", kind), ("q", query)) if v}
    listing = _page_of(request, qs)
    totals: dict[int, Any] = {}
    for entry_id, debit in JournalLine.objects.filter(
        entry__in=[e.pk for e in listing.object_list]
    ).values_list("entry_id", "debit"):
        totals[entry_id] = totals.get(entry_id, 0) + debit
    rows = [{"entry": e, "amount": totals.get(e.pk, 0)} for e in listing.object_list]
    return render(
        request,
        "finance/treasury/journal.html",
        page.context(
            page_obj=listing,
            rows=rows,
            month=month,
            kind=kind,
            query=query,
            kinds=EntryKind.choices,
            months=[(i, month_name(i)) for i in range(1, 13)],
            reversed_ids=_reversed_ids(page.book),
            querystring_base=urlencode(params) + "&" if params else "",
        ),
    )


def _entry_or_404(page: Page, number: int) -> JournalEntry:
    entry = (
        JournalEntry.objects.filter(book=page.book, number=number)
        .select_related("reverses", "posted_by")
        .first()
        if page.book
        else None
    )
    if entry is None:
        raise Http404("Jurnal tidak ditemukan.")
    return entry


@login_required
def entry_detail(request: HttpRequest, code: str, year: int, number: int) -> HttpResponse:
    page = Page(request, code, year)
    entry = _entry_or_404(page, number)
    form = page.restrict(forms.ReverseForm(initial={"date": page.default_date}))
    if request.method == "POST":
        form = page.restrict(forms.ReverseForm(request.POST))
        if form.is_valid():
            data = form.cleaned_data
            mirror = _run(
                request,
                lambda: svc.entry_reverse(
                    actor=request.user, entry=entry, date=data["date"], reason=data["reason"]
                ),
                f"Jurnal J-{entry.number} dikoreksi.",
            )
            if mirror is not None:
                return redirect(
                    reverse("finance:treasury_entry", args=[page.village.code, page.year, mirror.number])
                )
        else:
            _form_errors(request, form)
    lines = list(entry.lines.order_by("pk"))
    reversal = JournalEntry.objects.filter(reverses=entry).first()
    return render(
        request,
        "finance/treasury/entry.html",
        page.context(
            title=f"Jurnal J-{entry.number}",
            entry=entry,
            lines=lines,
            reversal=reversal,
            form=form,
            can_reverse=page.can_write and entry.kind != EntryKind.REVERSAL and reversal is None,
            tax_account=TAX_PAYABLE,
        ),
        status=400 if request.method == "POST" else 200,
    )


# -- month closing -------------------------------------------------------------------------


@login_required
def month_close(request: HttpRequest, code: str, year: int) -> HttpResponse:
    page = Page(request, code, year)
    nxt = svc.next_month_to_close(page.book)
    return render(
        request,
        "finance/treasury/close.html",
        page.context(
            months=[
                {
                    "number": m,
                    "name": month_name(m),
                    "closed": m <= page.closed_through,
                    "ended": svc.month_end(year, m) < page.today,
                }
                for m in range(1, 13)
            ],
            next_month=nxt,
            next_label=month_name(nxt) if nxt else "",
            next_closable=bool(nxt) and svc.month_closable(page.village, year, nxt or 1),
        ),
    )


@require_POST
@login_required
def month_close_post(request: HttpRequest, code: str, year: int) -> HttpResponse:
    page = Page(request, code, year)
    from kampung.authority.services import may_act

    if not may_act(request.user, svc.MONTH_CLOSE_ACT, page.village.code, at=page.today).allowed:
        raise PermissionDenied("Anda tidak berwenang menutup buku desa ini.")
    form = forms.CloseForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Bulan tidak dikenal.")
    else:
        month = form.cleaned_data["month"]
        _run(
            request,
            lambda: svc.month_close(
                actor=request.user, village_code=page.village.code, year=year, month=month
            ),
            f"Buku bulan {month_name(month)} {year} ditutup."
            + (" Buku tahun ini selesai (tutup tahun)." if month == 12 else ""),
        )
    return _to("treasury_close", page)
