from django.urls import path

from . import views

app_name = "deployment"

urlpatterns = [
    path("", views.PlanListView.as_view(), name="plan_list"),
    path("land/", views.StateOverviewView.as_view(), name="state_overview"),
    path("zentrum/<str:key>/neu/", views.plan_create, name="plan_create"),
    path("plan/<int:pk>/", views.PlanDetailView.as_view(), name="plan_detail"),
    path("plan/<int:pk>/bearbeiten/", views.plan_edit, name="plan_edit"),
    path("plan/<int:pk>/einreichen/", views.plan_transition("submit"), name="plan_submit"),
    path("plan/<int:pk>/zurueckgeben/", views.plan_transition("return"), name="plan_return"),
    path("plan/<int:pk>/benehmen/", views.plan_transition("agree"), name="plan_agree"),
    path("plan/<int:pk>/melden/", views.plan_transition("report"), name="plan_report"),
    path(
        "plan/<int:pk>/kenntnisnahme/",
        views.plan_transition("acknowledge"),
        name="plan_acknowledge",
    ),
    path("plan/<int:pk>/neue-fassung/", views.plan_new_version, name="plan_new_version"),
    path("plan/<int:pk>/schwerpunkte/neu/", views.focus_create, name="focus_create"),
    path("plan/<int:pk>/kommentare/", views.comment_add, name="comment_add"),
    path("plan/<int:pk>/personaleinsatz/", views.allocations, name="allocations"),
    path("personaleinsatz/<int:pk>/entfernen/", views.allocation_delete, name="allocation_delete"),
    path("schwerpunkt/<int:pk>/", views.focus_detail, name="focus_detail"),
    path("schwerpunkt/<int:pk>/bearbeiten/", views.focus_edit, name="focus_edit"),
    path("schwerpunkt/<int:pk>/entfernen/", views.focus_delete, name="focus_delete"),
    path("kommentar/<int:pk>/eskalieren/", views.comment_escalate, name="comment_escalate"),
    path("kommentar/<int:pk>/klaeren/", views.comment_resolve, name="comment_resolve"),
    path("verbund/", views.VerbundListView.as_view(), name="verbund"),
    path("verbund/<int:pk>/", views.verbund_focus, name="verbund_focus"),
    path("verbund/<int:pk>/uebernehmen/", views.verbund_copy, name="verbund_copy"),
]
