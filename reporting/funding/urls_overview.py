"""URL patterns of the funding overview pages (included by reporting/funding/urls.py)."""

urlpatterns = []
