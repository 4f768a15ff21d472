"""Login, logout, password change and each user's home page."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse, reverse_lazy

from kampung.accounts import selectors, services
from kampung.accounts.forms import ChangePasswordForm, LoginForm
from kampung.accounts.roles import Role
from kampung.accounts.scope import scope_for


class LoginView(auth_views.LoginView):
    template_name = "accounts/login.html"
    authentication_form = LoginForm
    redirect_authenticated_user = True

    def get_success_url(self) -> str:
        """Officials who must confirm with a code go to the code step first."""
        from kampung.accounts.services_two_factor import PENDING, session_state

        url = super().get_success_url()
        if session_state(self.request.session, self.request.user) == PENDING:
            return f"{reverse('accounts:two_factor')}?{urlencode({'next': url})}"
        return url


class PasswordChangeView(auth_views.PasswordChangeView):
    template_name = "accounts/password_change.html"
    form_class = ChangePasswordForm
    success_url = reverse_lazy("accounts:home")

    def form_valid(self, form: Any) -> HttpResponse:
        response = super().form_valid(form)
        services.password_changed(user=form.user)
        messages.success(self.request, "Kata sandi berhasil diganti.")
        return response


@login_required
def home(request: HttpRequest) -> HttpResponse:
    """A user of one village lands on that village's page; others see their regions."""
    scope = scope_for(request.user)
    if scope.roles == {Role.RESIDENT}:
        return redirect("portal:home")
    villages = scope.village_codes()
    if len(scope.region_codes()) == 1 and len(villages) == 1:
        return redirect("regions:village_detail", code=next(iter(villages)))
    context = {"nav_active": "home", "summary": selectors.home_summary(user=request.user)}
    return render(request, "accounts/home.html", context)
