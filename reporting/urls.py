from django.urls import path

from . import views

app_name = "reporting"

urlpatterns = [
    path("", views.ReportListView.as_view(), name="list"),
    path("dashboard/", views.StateDashboardView.as_view(), name="dashboard"),
    path("dashboard/<str:key>/", views.CenterDashboardView.as_view(), name="center_dashboard"),
    path("landesweit/anfordern/", views.StateOverviewRequestView.as_view(), name="state_request"),
    path("zentrum/<str:key>/", views.CenterReportsView.as_view(), name="center"),
    path("zentrum/<str:key>/anfordern/", views.ReportRequestView.as_view(), name="request"),
    path("<int:pk>/", views.ReportDetailView.as_view(), name="detail"),
    path("<int:pk>/status/", views.ReportStatusView.as_view(), name="status"),
    path("<int:pk>/pdf/", views.ReportDownloadView.as_view(), name="download"),
    path("<int:pk>/xlsx/", views.ReportXlsxDownloadView.as_view(), name="download_xlsx"),
    path("<int:pk>/erneut/", views.ReportRetryView.as_view(), name="retry"),
    path("<int:pk>/uebermitteln/", views.report_transition("submit"), name="submit"),
    path("<int:pk>/kenntnisnahme/", views.report_transition("acknowledge"), name="acknowledge"),
]
