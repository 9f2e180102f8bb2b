"""django-import-export resources: the staffing list in the import's column format.

Export goes through ``StaffingListResource`` (tablib underneath), in the
browser and in the ministry's admin. Every cell is escaped against formula
injection and formatted so that the import reads it back unchanged.
"""

from import_export import fields, resources

from .importing import escape_cell, format_date, format_fte
from .models import Assignment


def _column(attribute_name: str, header: str, dehydrate):
    return fields.Field(
        column_name=header, dehydrate_method=lambda obj: escape_cell(dehydrate(obj))
    )


class StaffingListResource(resources.ModelResource):
    center = _column("center", "KI-Schlüssel", lambda a: a.post.center.key)
    last_name = _column("last_name", "Nachname", lambda a: a.member.last_name)
    first_name = _column("first_name", "Vorname", lambda a: a.member.first_name)
    email = _column("email", "E-Mail", lambda a: a.member.email)
    kind = _column("kind", "Stellenart", lambda a: str(a.post.get_kind_display()))
    fte = _column("fte", "Stellenanteil", lambda a: format_fte(a.fte))
    start = _column("start", "Beginn", lambda a: format_date(a.start))
    end = _column("end", "Ende", lambda a: format_date(a.end))
    role = _column("role", "Funktion", lambda a: str(a.get_role_display()) if a.role else "")
    seconding_school = _column(
        "seconding_school", "Abordnende Schule", lambda a: a.seconding_school
    )
    qualification = _column(
        "qualification",
        "Qualifikation",
        lambda a: str(a.member.get_qualification_display()) if a.member.qualification else "",
    )

    class Meta:
        model = Assignment
        fields = (
            "center",
            "last_name",
            "first_name",
            "email",
            "kind",
            "fte",
            "start",
            "end",
            "role",
            "seconding_school",
            "qualification",
        )
        export_order = fields

    def get_queryset(self):
        return Assignment.objects.select_related("post__center", "member").order_by(
            "post__center__key", "member__last_name", "member__first_name", "start", "pk"
        )
