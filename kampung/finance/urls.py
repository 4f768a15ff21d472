"""Finance pages under /keuangan/, one namespace ("finance"); each area keeps its own file."""

from django.urls import path

from kampung.finance import urls_apbdes, urls_outputs, urls_planning, urls_ref
from kampung.finance.views.home import finance_home

app_name = "finance"

urlpatterns = [
    path("", finance_home, name="home"),
    *urls_ref.urlpatterns,
    *urls_planning.urlpatterns,
    *urls_apbdes.urlpatterns,
    *urls_outputs.urlpatterns,
]
