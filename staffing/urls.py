from django.urls import path

from . import views, views_export, views_import

app_name = "staffing"

urlpatterns = [
    path("", views.home, name="home"),
    path("import/", views_import.import_upload, name="import"),
    path("import/vorlage/", views_export.import_template, name="import_template"),
    path("import/<uuid:pk>/", views_import.import_job, name="import_job"),
    path("import/<uuid:pk>/bestaetigen/", views_import.import_confirm, name="import_confirm"),
    path("import/<uuid:pk>/rueckgaengig/", views_import.import_undo, name="import_undo"),
    path("import/<uuid:pk>/erneut/", views_import.import_retry, name="import_retry"),
    path("land/", views.state_overview, name="state"),
    path("land/export/", views_export.state_export, name="state_export"),
    path("lehrkraefte/", views.teacher_posts, name="teacher_posts"),
    path("<str:key>/", views.center_overview, name="center"),
    path("<str:key>/vakanzen/", views.vacancies, name="vacancies"),
    path("<str:key>/export/", views_export.center_export, name="export"),
    path("<str:key>/stellen/neu/", views.post_create, name="post_create"),
    path("<str:key>/stellen/<int:pk>/", views.post_detail, name="post"),
    path("<str:key>/stellen/<int:pk>/bearbeiten/", views.post_edit, name="post_edit"),
    path("<str:key>/stellen/<int:pk>/beenden/", views.post_end, name="post_end"),
    path("<str:key>/stellen/<int:pk>/loeschen/", views.post_delete, name="post_delete"),
    path("<str:key>/personen/neu/", views.member_edit, name="member_create"),
    path("<str:key>/personen/<int:pk>/", views.member_detail, name="member"),
    path("<str:key>/personen/<int:pk>/bearbeiten/", views.member_edit, name="member_edit"),
    path(
        "<str:key>/personen/<int:pk>/selbstauskunft/",
        views.member_sensitive,
        name="member_sensitive",
    ),
    path(
        "<str:key>/personen/<int:pk>/auskunft/",
        views_export.member_information,
        name="member_information",
    ),
    path(
        "<str:key>/personen/<int:pk>/auskunft/json/",
        views_export.member_information_json,
        name="member_information_json",
    ),
    path(
        "<str:key>/personen/<int:pk>/ausnahme/",
        views.exception_propose,
        name="exception_propose",
    ),
    path(
        "<str:key>/ausnahmen/<int:pk>/entscheiden/",
        views.exception_decide,
        name="exception_decide",
    ),
    path(
        "<str:key>/ausnahmen/<int:pk>/genehmigen/",
        views.exception_transition("approve"),
        name="exception_approve",
    ),
    path(
        "<str:key>/ausnahmen/<int:pk>/ablehnen/",
        views.exception_transition("reject"),
        name="exception_reject",
    ),
    path("<str:key>/besetzungen/neu/", views.assignment_create, name="assignment_create"),
    path(
        "<str:key>/besetzungen/<int:pk>/bearbeiten/",
        views.assignment_edit,
        name="assignment_edit",
    ),
    path("<str:key>/besetzungen/<int:pk>/beenden/", views.assignment_end, name="assignment_end"),
    path(
        "<str:key>/besetzungen/<int:pk>/loeschen/",
        views.assignment_delete,
        name="assignment_delete",
    ),
]
