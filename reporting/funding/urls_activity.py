"""URL patterns of the funding activity pages (included by reporting/funding/urls.py)."""

from django.urls import path

from . import views_activity as views

urlpatterns = [
    path(
        "zentrum/<str:key>/taetigkeit/",
        views.ActivityCenterView.as_view(),
        name="activity_center",
    ),
    path(
        "zentrum/<str:key>/taetigkeit/<int:year>/",
        views.ActivityEditView.as_view(),
        name="activity_edit",
    ),
    path("taetigkeit/", views.ActivityStateView.as_view(), name="activity_state"),
]
