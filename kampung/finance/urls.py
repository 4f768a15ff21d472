"""Finance pages under /keuangan/, one namespace ("finance"); each area keeps its own file."""

from django.urls import path

from kampung.finance import (
    urls_apbdes,
    urls_assets,
    urls_outputs,
    urls_payments,
    urls_planning,
    urls_ref,
    urls_reports,
    urls_treasury,
)
from kampung.finance.views.home import finance_home
from kampung.finance.views.hub import execution_hub

app_name = "finance"

urlpatterns = [
    path("", finance_home, name="home"),
    *urls_ref.urlpatterns,
    *urls_planning.urlpatterns,
    *urls_apbdes.urlpatterns,
    *urls_outputs.urlpatterns,
    path("desa/<str:code>/pelaksanaan/<int:year>/", execution_hub, name="exec_hub"),
    *urls_payments.urlpatterns,
    *urls_treasury.urlpatterns,
    *urls_reports.urlpatterns,
    *urls_assets.urlpatterns,
]
