from django.urls import include, path

from . import views

app_name = "funding"

urlpatterns = [
    path("", views.ApplicationListView.as_view(), name="list"),
    path("zentrum/<str:key>/", views.CenterFundingView.as_view(), name="center"),
    path("zentrum/<str:key>/antrag/", views.ApplicationCreateView.as_view(), name="create"),
    path("antrag/<int:pk>/", views.ApplicationDetailView.as_view(), name="application"),
    path(
        "antrag/<int:pk>/finanzierungsplan/",
        views.ApplicationPlanView.as_view(),
        name="application_plan",
    ),
    path(
        "antrag/<int:pk>/anlagen/neu/",
        views.ApplicationDocumentAddView.as_view(),
        name="application_document_add",
    ),
    path(
        "antrag/<int:pk>/stellen/",
        views.application_transition("submit"),
        name="application_submit",
    ),
    path(
        "antrag/<int:pk>/zurueckgeben/",
        views.application_transition("return"),
        name="application_return",
    ),
    path(
        "antrag/<int:pk>/bescheiden/",
        views.ApplicationDecideView.as_view(),
        name="application_decide",
    ),
    path("anlage/<int:pk>/", views.ApplicationDocumentView.as_view(), name="document"),
    path(
        "anlage/<int:pk>/entfernen/",
        views.ApplicationDocumentDeleteView.as_view(),
        name="document_delete",
    ),
    path("bescheid/<int:pk>/aendern/", views.DecisionChangeView.as_view(), name="decision_change"),
    path("bescheid/<int:pk>/pdf/", views.DecisionDocumentView.as_view(), name="decision_document"),
    path("bescheid/<int:pk>/abruf/", views.DrawdownCreateView.as_view(), name="drawdown_create"),
    path("abruf/<int:pk>/", views.DrawdownDetailView.as_view(), name="drawdown"),
    path("abruf/<int:pk>/ausgezahlt/", views.drawdown_transition("pay"), name="drawdown_pay"),
    path("abruf/<int:pk>/ablehnen/", views.drawdown_transition("reject"), name="drawdown_reject"),
    path("bescheid/<int:pk>/nachweis/", views.ProofCreateView.as_view(), name="proof_create"),
    path("nachweis/<int:pk>/", views.ProofDetailView.as_view(), name="proof"),
    path("nachweis/<int:pk>/bearbeiten/", views.ProofEditView.as_view(), name="proof_edit"),
    path("nachweis/<int:pk>/pdf/", views.ProofDocumentView.as_view(), name="proof_document"),
    path("nachweis/<int:pk>/pdf/erneut/", views.ProofRetryView.as_view(), name="proof_retry"),
    path("nachweis/<int:pk>/einreichen/", views.proof_transition("submit"), name="proof_submit"),
    path("nachweis/<int:pk>/zurueckgeben/", views.proof_transition("return"), name="proof_return"),
    path("nachweis/<int:pk>/anerkennen/", views.proof_transition("accept"), name="proof_accept"),
    path(
        "nachweis/<int:pk>/rueckforderung/", views.ProofReclaimView.as_view(), name="proof_reclaim"
    ),
    path("", include("reporting.funding.urls_activity")),
    path("", include("reporting.funding.urls_overview")),
]
