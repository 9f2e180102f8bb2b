"""The legal pages a public body's portal must publish (issue 14): Erklärung zur
Barrierefreiheit, Datenschutzerklärung, Impressum and an explanation in Leichte Sprache —
one row per kind, kept by the ministry in the admin (versioned, with a "Stand" date) —
and the feedback that users send from the accessibility statement.

The texts are plain text (``blocks`` below turns them into headings, paragraphs and
lists); the shipped defaults are in ``centers/legal_texts.py``.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from simple_history.models import HistoricalRecords

from . import legal_texts


class LegalPageKind(models.TextChoices):
    ACCESSIBILITY = "accessibility", _("Erklärung zur Barrierefreiheit")
    PRIVACY = "privacy", _("Datenschutzerklärung")
    IMPRINT = "imprint", _("Impressum")
    EASY_LANGUAGE = "easy_language", _("Leichte Sprache")


# The URL name of each kind's page (kiportal/urls.py).
LEGAL_URL_NAMES = {
    LegalPageKind.ACCESSIBILITY: "legal_accessibility",
    LegalPageKind.PRIVACY: "legal_privacy",
    LegalPageKind.IMPRINT: "legal_imprint",
    LegalPageKind.EASY_LANGUAGE: "legal_easy_language",
}


@dataclass(frozen=True)
class Block:
    """One part of a page's text: ``heading`` (text), ``paragraph`` (lines) or ``list``
    (items)."""

    kind: str
    text: str = ""
    lines: tuple[str, ...] = ()


def text_blocks(text: str) -> list[Block]:
    """Plain text → blocks: a blank line separates blocks; ``## `` starts a heading; a
    block whose lines all start with ``- `` is a list. No markup is interpreted."""
    blocks = []
    for chunk in text.replace("\r\n", "\n").split("\n\n"):
        lines = [line.strip() for line in chunk.strip().split("\n") if line.strip()]
        if not lines:
            continue
        if lines[0].startswith("## "):
            blocks.append(Block("heading", text=lines[0][3:].strip()))
            lines = lines[1:]
            if not lines:
                continue
        if all(line.startswith("- ") for line in lines):
            blocks.append(Block("list", lines=tuple(line[2:].strip() for line in lines)))
        else:
            blocks.append(Block("paragraph", lines=tuple(lines)))
    return blocks


class LegalPage(models.Model):
    kind = models.CharField(_("Seite"), max_length=20, choices=LegalPageKind.choices, unique=True)
    title = models.CharField(_("Überschrift"), max_length=200)
    body = models.TextField(
        _("Text"),
        help_text=_(
            "Reiner Text. Absätze durch eine Leerzeile trennen; eine Zeile, die mit „## “ "
            "beginnt, ist eine Zwischenüberschrift; Zeilen, die mit „- “ beginnen, bilden "
            "eine Aufzählung. Platzhalter in eckigen Klammern bitte ersetzen."
        ),
    )
    as_of = models.DateField(pgettext_lazy("Datum", "Stand"))
    sign_language_video_url = models.URLField(
        _("Video in Deutscher Gebärdensprache (Link)"),
        blank=True,
        help_text=_("Wird auf der Seite nur angezeigt, wenn ein Link eingetragen ist."),
    )

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("Rechtliche Seite")
        verbose_name_plural = _("Rechtliche Seiten")
        ordering = ["kind"]

    def __str__(self):
        return self.get_kind_display()

    def get_absolute_url(self):
        return reverse(LEGAL_URL_NAMES[self.kind])

    @property
    def blocks(self) -> list[Block]:
        return text_blocks(self.body)

    @classmethod
    def shipped(cls, kind: str) -> LegalPage:
        """The page with the shipped default text (unsaved)."""
        title, body = legal_texts.DEFAULT_PAGES[kind]
        return cls(kind=kind, title=title, body=body, as_of=legal_texts.AS_OF)


class AccessibilityFeedback(models.Model):
    """A message about a barrier, sent from the accessibility statement's form."""

    MESSAGE_MAX_LENGTH = 5000

    name = models.CharField(_("Name"), max_length=200, blank=True)
    email = models.EmailField(_("E-Mail-Adresse"), blank=True)
    message = models.TextField(_("Nachricht"), max_length=MESSAGE_MAX_LENGTH)
    page = models.CharField(
        _("Betroffene Seite (Adresse)"),
        max_length=500,
        blank=True,
        help_text=_("Optional: die Adresse der Seite, auf der die Barriere besteht."),
    )
    created_at = models.DateTimeField(_("Eingegangen am"), auto_now_add=True)

    class Meta:
        verbose_name = _("Rückmeldung zur Barrierefreiheit")
        verbose_name_plural = _("Rückmeldungen zur Barrierefreiheit")
        ordering = ["-created_at"]

    def __str__(self):
        return f"{self.created_at:%d.%m.%Y %H:%M} – {self.name or self.email or '–'}"
