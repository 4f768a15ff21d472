from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render

from kampung.accounts.roles import Role
from kampung.accounts.scope import scope_for
from kampung.audit import selectors


def _require_admin(request: HttpRequest) -> None:
    if not scope_for(request.user).has_role(Role.ADMIN):
        raise Http404("Halaman tidak ditemukan.")


@login_required
def entry_list(request: HttpRequest) -> HttpResponse:
    _require_admin(request)
    search = request.GET.get("q", "").strip()[:80]
    act = request.GET.get("tindakan", "").strip()[:80]
    chain = request.GET.get("rantai", "").strip()[:20]
    qs = selectors.entry_list(actor=request.user, search=search, act=act, chain=chain)
    page = Paginator(qs, 50).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "audit/entry_list.html",
        {
            "page_obj": page,
            "search": search,
            "act": act,
            "chain": chain,
            "querystring_base": (query.urlencode() + "&") if query else "",
            "nav_active": "audit",
        },
    )


@login_required
def anchor_list(request: HttpRequest) -> HttpResponse:
    """A printable list of anchored chain heads: keep the paper, compare later."""
    _require_admin(request)
    anchors = selectors.anchor_list(actor=request.user)
    page = Paginator(anchors, 200).get_page(request.GET.get("page"))
    return render(
        request, "audit/anchor_list.html", {"page_obj": page, "nav_active": "audit", "querystring_base": ""}
    )
