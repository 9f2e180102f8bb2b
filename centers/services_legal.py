"""Services of the legal pages (issue 14): a user's feedback on accessibility."""

from __future__ import annotations

from django.conf import settings
from django.db import transaction
from django.utils.translation import gettext as _

from .legal import AccessibilityFeedback
from .notifications import _send, absolute_url


@transaction.atomic
def accessibility_feedback_submit(
    *, message: str, name: str = "", email: str = "", page: str = ""
) -> AccessibilityFeedback:
    """Store a feedback message and mail it to the operator's accessibility contact
    (``settings.ACCESSIBILITY_CONTACT_EMAIL``) once the transaction commits."""
    feedback = AccessibilityFeedback(
        message=message.strip(), name=name.strip(), email=email.strip(), page=page.strip()
    )
    feedback.full_clean()
    feedback.save()
    _send(
        to=[settings.ACCESSIBILITY_CONTACT_EMAIL],
        subject=_("KI-Portal: Rückmeldung zur Barrierefreiheit"),
        template="legal/feedback_mail.txt",
        context={
            "feedback": feedback,
            "admin_url": absolute_url(f"/admin/centers/accessibilityfeedback/{feedback.pk}/"),
        },
    )
    return feedback
