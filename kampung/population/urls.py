"""The population register's pages under /penduduk/: each part keeps its own URL list."""

from kampung.population import urls_accounts, urls_import, urls_pages, urls_reports

app_name = "population"
urlpatterns = [
    *urls_import.urlpatterns,
    *urls_reports.urlpatterns,
    *urls_accounts.urlpatterns,
    *urls_pages.urlpatterns,
]
