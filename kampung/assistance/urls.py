"""Assistance pages under /bantuan/, one namespace ("assistance"); each area keeps its own file."""

from kampung.assistance import urls_blt, urls_cases, urls_decisions, urls_overview

app_name = "assistance"

urlpatterns = [
    *urls_overview.urlpatterns,
    *urls_cases.urlpatterns,
    *urls_decisions.urlpatterns,
    *urls_blt.urlpatterns,
]
