"""The decree's vocabularies for Schwerpunkte (Gem. RdErl. v. 8.5.2018).

Codes are English and stable; labels are the decree's German words.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Field(models.TextChoices):
    """Handlungsfelder, the complete list of Nr. 1.3.2."""

    EDUCATION = "education", _("Bildung, Erziehung und Betreuung")
    EMPLOYMENT = "employment", _("Beschäftigung")
    CULTURE = "culture", _("Kultur")
    SPORT = "sport", _("Sport")
    PARTICIPATION = "participation", _("Politische Partizipation")
    VOLUNTEERING = "volunteering", _("Ehrenamtliches Engagement")
    REFUGEES = "refugees", _("Soziale Arbeit im Bereich Flüchtlinge und Neuzuwanderung")
    HEALTH = "health", _("Gesundheit")
    ELDERLY_CARE = "elderly_care", _("Pflege älterer Menschen")
    CONFLICT = "conflict", _("Kommunale Konfliktbearbeitung")
    ANTI_RACISM = "anti_racism", _("Arbeit gegen Rassismus")
    EARLY_LANGUAGE = (
        "early_language",
        _("Durchgängige Sprachbildung für Kinder von drei bis sechs Jahren"),
    )


class Stage(models.TextChoices):
    """Stages of the Bildungskette, Nr. 1.3.1."""

    EARLY = "early", _("Frühe Förderung")
    ELEMENTARY = "elementary", _("Elementarbereich")
    SCHOOL = "school", _("Schule")
    YOUTH_WORK = "youth_work", _("Außerschulische Kinder- und Jugendarbeit")
    TRANSITION = "transition", _("Übergang Schule – Ausbildung, Studium, Beruf")
    ACROSS = "across", _("übergreifend")


class TargetGroup(models.TextChoices):
    """Whom the centre supports (Nr. 2.1) and advises (Nr. 2.2)."""

    SCHOOLS = "schools", _("Schulen und andere Bildungseinrichtungen")
    DAYCARE = "daycare", _("Kindertageseinrichtungen")
    YOUTH_WELFARE = "youth_welfare", _("Träger der Kinder- und Jugendhilfe")
    MUNICIPAL_OFFICES = "municipal_offices", _("Städtische Ämter und Dienststellen")
    ORGANISATIONS = "organisations", _("Weitere Einrichtungen und Organisationen")
    CHILDREN_FAMILIES = "children_families", _("Kinder, Jugendliche und Eltern bzw. Familien")
    LATERAL_ENTRY = "lateral_entry", _("Seiteneinsteigerinnen und Seiteneinsteiger")
    MUNICIPAL_INSTITUTIONS = (
        "municipal_institutions",
        _("Kommunale Einrichtungen und Institutionen"),
    )
    VOLUNTEERS = "volunteers", _("Ehrenamtlich Engagierte")


class PartnerKind(models.TextChoices):
    """Kooperationspartner vor Ort (Nr. 1.3.1, Nr. 1.4)."""

    EARLY_EDUCATION = "early_education", _("Träger frühkindlicher Bildungseinrichtungen")
    SCHOOL_AUTHORITY = "school_authority", _("Staatliches Schulamt")
    EDUCATION_OFFICE = "education_office", _("Regionales Bildungsbüro")
    TRANSITION_COORDINATION = (
        "transition_coordination",
        _("Kommunale Koordinierung Übergang Schule–Beruf (KAoA)"),
    )
    SCHOOL_ADMINISTRATION = "school_administration", _("Örtliche Schulverwaltung")
    PUBLIC_YOUTH_WELFARE = "public_youth_welfare", _("Träger der öffentlichen Jugendhilfe")
    FREE_YOUTH_WELFARE = "free_youth_welfare", _("Träger der freien Jugendhilfe")
    WELFARE_ASSOCIATIONS = "welfare_associations", _("Wohlfahrtsverbände")
    INTEGRATION_COUNCIL = "integration_council", _("Integrationsrat (§ 27 GO)")
    MIGRANT_ORGANISATIONS = "migrant_organisations", _("Migrantenorganisationen")
    JOB_CENTRE = "job_centre", _("Jobcenter / Agentur für Arbeit")
    OTHER = "other", _("Weitere örtliche Partner")


class Programme(models.TextChoices):
    """Programme tags; IfKuF and KIM have their own guidelines (Nr. 1.3.3)."""

    IFKUF = "ifkuf", _("IfKuF – Integrationschancen für Kinder und Familien")
    KIM = "kim", _("KIM – Kommunales Integrationsmanagement")
    GRIFFBEREIT = "griffbereit", _("Griffbereit")
    RUCKSACK_KITA = "rucksack_kita", _("Rucksack KiTa")
    RUCKSACK_SCHOOL = "rucksack_school", _("Rucksack Schule")
    LANGUAGE_MEDIATORS = "language_mediators", _("Laiensprachmittlerpool")
    VOLUNTEERING = "volunteering", _("Ehrenamt in der Flüchtlingshilfe")
    SCHOOL_WITHOUT_RACISM = "school_without_racism", _("Schule ohne Rassismus – Schule mit Courage")


class BasicComponent(models.TextChoices):
    """Grundförderung parts every plan contains (Nr. 1.3.3); they cannot be removed."""

    NONE = "", _("–")
    LANGUAGE_MEDIATORS = "language_mediators", _("Laiensprachmittlerpool")
    VOLUNTEERING = (
        "volunteering",
        _("Unterstützung des ehrenamtlichen Engagements für Geflüchtete und Neuzugewanderte"),
    )


def labels(choices, codes) -> list[str]:
    """German labels of stored codes, in the vocabulary's order."""
    wanted = set(codes or ())
    return [str(label) for value, label in choices.choices if value in wanted]
