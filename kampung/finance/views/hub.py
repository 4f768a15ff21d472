"""/keuangan/desa/<code>/pelaksanaan/<year>/: the village's execution of one budget year —
balances, the budget in force, and the panels of payments, treasury, reports and assets."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render

from kampung.accounts.scope import scope_for
from kampung.finance.access import FINANCE_READERS, desa_in_scope_or_404
from kampung.finance.ledger import month_name
from kampung.finance.models import ADVANCE, BANK, CASH, TAX_PAYABLE, Book
from kampung.finance.selectors.ledger import book_balances, budget_in_force
from kampung.finance.selectors.realisation import hub_panel
from kampung.regions.calendar import local_today

MIN_YEAR, MAX_YEAR = 2000, 2100


@login_required
def execution_hub(request: HttpRequest, code: str, year: int) -> HttpResponse:
    village = desa_in_scope_or_404(request.user, code, *FINANCE_READERS)
    if not MIN_YEAR <= year <= MAX_YEAR:
        raise Http404("Tahun anggaran tidak dikenal.")
    book = Book.objects.filter(village=village, year=year).first()
    balances = book_balances(book)
    return render(
        request,
        "finance/exec/hub.html",
        {
            "village": village,
            "year": year,
            "book": book,
            "apbdes": budget_in_force(village.code, year),
            "cash": balances[CASH],
            "bank": balances[BANK],
            "bku_balance": balances[CASH] + balances[BANK],
            "advances": balances[ADVANCE],
            "tax_payable": balances[TAX_PAYABLE],
            "closed_through": book.closed_through if book else 0,
            "closed_label": month_name(book.closed_through) if book and book.closed_through else "",
            "next_close_label": month_name(book.closed_through + 1)
            if book and book.closed_through < 12
            else "",
            "roles": scope_for(request.user).roles_at(village.code),
            "reports_panel": hub_panel(village.code, year, today=local_today(village)),
            "nav_active": "finance",
        },
    )
