from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect
from django.urls import include, path
from django.views.decorators.http import require_GET

from kampung.core.uploads import serve_public_image


def root(request: HttpRequest) -> HttpResponse:
    """Signed-in people go to their home page; everyone else sees the public site."""
    if request.user.is_authenticated:
        return redirect("accounts:home")
    return redirect("public:home")


@require_GET
def public_logo(request: HttpRequest, path: str) -> HttpResponseBase:
    """A village logo, public; served only when its bytes are a PNG, JPEG or WebP image,
    with that type (never one guessed from the name) and the headers of a served upload."""
    return serve_public_image(settings.MEDIA_ROOT / "logo", path)


urlpatterns = [
    path("", root, name="root"),
    path("akun/", include("kampung.accounts.urls")),
    path("wilayah/", include("kampung.regions.urls")),
    path("audit/", include("kampung.audit.urls")),
    path("kewenangan/", include("kampung.authority.urls")),
    path("penduduk/", include("kampung.population.urls")),
    path("warga/usulan/", include("kampung.finance.urls_portal")),
    path("warga/bantuan/", include("kampung.assistance.urls_portal")),
    path("warga/", include("kampung.population.urls_portal")),
    path("dokumen/", include("kampung.documents.urls")),
    path("surat/", include("kampung.letters.urls")),
    path("keuangan/", include("kampung.finance.urls")),
    path("bantuan/", include("kampung.assistance.urls")),
    path("pemantauan/", include("kampung.monitoring.urls")),
    path("notifikasi/", include("kampung.notifications.urls")),
    path("publik/", include("kampung.kiosk.urls_public")),
    path("anjungan/", include("kampung.kiosk.urls_kiosk")),
    path("antrian/", include("kampung.kiosk.urls_queue")),
    path("layar/", include("kampung.kiosk.urls_lounge")),
    path("pengumuman/", include("kampung.kiosk.urls_announcements")),
    path("api/", include("kampung.api.urls")),
    path("api-klien/", include("kampung.api.urls_admin")),
    path("i18n/", include("django.conf.urls.i18n")),
    # Only village logos are public uploads; every other file is served by a scoped view.
    # In production the proxy serves MEDIA_ROOT/logo/ directly.
    path("media/logo/<path:path>", public_logo),
]
