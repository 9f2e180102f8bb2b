from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_not_required
from django.urls import include, path
from django.utils.translation import gettext_lazy as _
from django.views.i18n import set_language

from centers import views as center_views
from centers import views_legal
from centers.forms import LoginForm, PasswordChangeForm

admin.site.site_header = _("KI-Portal – Verwaltung")
admin.site.site_title = _("KI-Portal")
admin.site.index_title = _("Stammdaten, Benutzer und Berechtigungen")

urlpatterns = [
    path("", center_views.DashboardView.as_view(), name="dashboard"),
    path("zentren/", include("centers.urls")),
    path("personal/", include("staffing.urls")),
    path("einsatzmanagement/", include("deployment.urls")),
    path("berichte/", include("reporting.urls")),
    path("foerderung/", include("reporting.funding.urls")),
    path(
        "accounts/login/",
        auth_views.LoginView.as_view(
            authentication_form=LoginForm, redirect_authenticated_user=True
        ),
        name="login",
    ),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path(
        "accounts/password_change/",
        auth_views.PasswordChangeView.as_view(form_class=PasswordChangeForm),
        name="password_change",
    ),
    path(
        "accounts/password_change/done/",
        auth_views.PasswordChangeDoneView.as_view(),
        name="password_change_done",
    ),
    # The language switch works on the login page too.
    path("i18n/setlang/", login_not_required(set_language), name="set_language"),
    path("healthz/", center_views.health, name="health"),
    # The legal pages (issue 14): public, linked from every page's footer.
    path("barrierefreiheit/", views_legal.accessibility, name="legal_accessibility"),
    path("datenschutz/", views_legal.privacy, name="legal_privacy"),
    path("impressum/", views_legal.imprint, name="legal_imprint"),
    path("leichte-sprache/", views_legal.easy_language, name="legal_easy_language"),
    path("admin/", admin.site.urls),
]
