"""/keuangan/: where each finance user starts."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse

from kampung.accounts.roles import DISTRICT_ROLES, REGENCY_ROLES, Role
from kampung.accounts.scope import scope_for
from kampung.finance.access import VILLAGE_READERS
from kampung.regions.calendar import local_today
from kampung.regions.models import Region


@login_required
def finance_home(request: HttpRequest) -> HttpResponse:
    """District and regency users start at the budget summary of their area; village staff at
    their village's finance page (the first desa they serve, when they serve several); the
    treasurer and executors at the execution page of the current year."""
    scope = scope_for(request.user)
    if scope.roles & (DISTRICT_ROLES | REGENCY_ROLES):
        return redirect(reverse("finance:summary"))
    codes = sorted(scope.village_codes(*VILLAGE_READERS))
    if (
        codes
        and scope.roles & {Role.TREASURER, Role.EXECUTOR}
        and not scope.roles & {Role.SECRETARY, Role.HEAD}
    ):
        # The treasurer and the executors work in the year's execution.
        year = local_today(Region.objects.get(code=codes[0])).year
        return redirect(reverse("finance:exec_hub", args=[codes[0], year]))
    if codes:
        return redirect(reverse("finance:village", args=[codes[0]]))
    raise Http404("Anda tidak memiliki akses ke keuangan desa.")
