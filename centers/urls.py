from django.urls import path

from . import views, views_activity, views_concepts

app_name = "centers"

concept = "<str:key>/konzepte/<int:pk>/"
funding = "<str:key>/foerderung/"

urlpatterns = [
    path("", views.CenterListView.as_view(), name="list"),
    # State-wide pages before the one-segment centre pattern below.
    path(
        "konzepte/pruefung/",
        views_concepts.ConceptReviewQueueView.as_view(),
        name="concept_review_queue",
    ),
    path("foerderprogramme/", views_concepts.ProgrammeListView.as_view(), name="programmes"),
    path("<str:key>/", views.CenterDetailView.as_view(), name="detail"),
    path("<str:key>/aktivitaet/", views_activity.ActivityView.as_view(), name="activity"),
    # Integrationskonzept (Nr. 1.4)
    path("<str:key>/konzepte/", views_concepts.ConceptListView.as_view(), name="concept_list"),
    path(
        "<str:key>/konzepte/neu/",
        views_concepts.ConceptCreateView.as_view(),
        name="concept_create",
    ),
    path(concept, views_concepts.ConceptDetailView.as_view(), name="concept_detail"),
    path(
        concept + "bearbeiten/",
        views_concepts.ConceptUpdateView.as_view(),
        name="concept_update",
    ),
    path(
        concept + "dokument/",
        views_concepts.ConceptDocumentView.as_view(),
        name="concept_document",
    ),
    path(
        concept + "dokument/hochladen/",
        views_concepts.ConceptUploadView.as_view(),
        name="concept_upload",
    ),
    path(
        concept + "beteiligungen/neu/",
        views_concepts.ParticipationCreateView.as_view(),
        name="participation_create",
    ),
    path(
        concept + "beteiligungen/<int:participation>/bearbeiten/",
        views_concepts.ParticipationUpdateView.as_view(),
        name="participation_update",
    ),
    path(
        concept + "beteiligungen/<int:participation>/loeschen/",
        views_concepts.ParticipationDeleteView.as_view(),
        name="participation_delete",
    ),
    path(
        concept + "einreichen/",
        views_concepts.concept_transition("submit"),
        name="concept_submit",
    ),
    path(
        concept + "bewilligen/",
        views_concepts.concept_transition("approve"),
        name="concept_approve",
    ),
    path(
        concept + "zurueckgeben/",
        views_concepts.concept_transition("return"),
        name="concept_return",
    ),
    # Landesförderung (Nr. 6.2) and Zielvereinbarung (Nr. 1.4)
    path(funding, views_concepts.FundingView.as_view(), name="funding"),
    path(
        funding + "bescheide/neu/",
        views_concepts.FundingDecisionCreateView.as_view(),
        name="funding_decision_create",
    ),
    path(
        funding + "bescheide/<int:pk>/bearbeiten/",
        views_concepts.FundingDecisionUpdateView.as_view(),
        name="funding_decision_update",
    ),
    path(
        funding + "zielvereinbarungen/neu/",
        views_concepts.TargetAgreementCreateView.as_view(),
        name="target_agreement_create",
    ),
    path(
        funding + "zielvereinbarungen/<int:pk>/bearbeiten/",
        views_concepts.TargetAgreementUpdateView.as_view(),
        name="target_agreement_update",
    ),
    path(
        funding + "zielvereinbarungen/<int:pk>/dokument/",
        views_concepts.TargetAgreementDocumentView.as_view(),
        name="target_agreement_document",
    ),
]
