"""URL patterns of the funding activity pages (included by reporting/funding/urls.py)."""

urlpatterns = []
