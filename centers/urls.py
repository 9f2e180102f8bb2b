from django.urls import path

from . import views

app_name = "centers"

urlpatterns = [
    path("", views.CenterListView.as_view(), name="list"),
    path("<str:key>/", views.CenterDetailView.as_view(), name="detail"),
]
