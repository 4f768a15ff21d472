from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import include, path
from django.views.static import serve


@login_required
def root(request: HttpRequest) -> HttpResponse:
    return redirect("accounts:home")


urlpatterns = [
    path("", root, name="root"),
    path("akun/", include("kampung.accounts.urls")),
    path("wilayah/", include("kampung.regions.urls")),
    path("audit/", include("kampung.audit.urls")),
    path("kewenangan/", include("kampung.authority.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    # Uploaded logos are public; a proxy may serve MEDIA_ROOT directly in production.
    path("media/<path:path>", serve, {"document_root": settings.MEDIA_ROOT}),
]
