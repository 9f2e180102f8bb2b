"""URL patterns of the funding overview pages (included by reporting/funding/urls.py)."""

from django.urls import path

from . import views_overview

urlpatterns = [
    path("uebersicht/", views_overview.FundingOverviewView.as_view(), name="overview"),
    path(
        "uebersicht/xlsx/", views_overview.FundingOverviewXlsxView.as_view(), name="overview_xlsx"
    ),
]
