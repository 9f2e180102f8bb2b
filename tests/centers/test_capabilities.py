"""Capabilities are one enum (centers.access.Capability); templates read them through
``caps`` (capabilities_for), never as codename strings."""

import re
from pathlib import Path

import pytest
from django.conf import settings

from centers.access import ROLE_PERMISSIONS, Capability, capabilities_for
from centers.models import Center, Role

TEMPLATES = Path(settings.BASE_DIR) / "templates"


def test_the_enum_is_exactly_the_permissions_on_a_centre():
    declared = {codename for codename, _label in Center._meta.permissions} | {"view_center"}
    assert {c.value for c in Capability} == declared
    assert set().union(*ROLE_PERMISSIONS.values()) <= declared


def _templates():
    return sorted(TEMPLATES.rglob("*.html"))


def test_templates_name_only_existing_capabilities():
    unknown = {
        (path.relative_to(TEMPLATES).as_posix(), name)
        for path in _templates()
        for name in re.findall(r"\bcaps\.([a-z_]+)", path.read_text())
        if name not in Capability._value2member_map_
    }
    assert unknown == set()


def test_no_template_spells_a_codename():
    codenames = "|".join(c.value for c in Capability)
    spelled = {
        path.relative_to(TEMPLATES).as_posix()
        for path in _templates()
        if re.search(rf"""["']({codenames})["']""", path.read_text())
    }
    assert spelled == set()


@pytest.mark.django_db
@pytest.mark.parametrize("role", [Role.CENTER_LEAD, Role.SPONSOR, Role.SCHOOL_AUTHORITY])
def test_capabilities_for_a_centre_and_its_objects(role, home_center, other_center, user_as):
    user = user_as(role, home_center)
    caps = capabilities_for(user, home_center)
    for capability in Capability:
        assert getattr(caps, capability.value) == (capability in ROLE_PERMISSIONS[role])
    assert not any(getattr(capabilities_for(user, other_center), c.value) for c in Capability)
    with pytest.raises(AttributeError):
        caps.manage_everything  # noqa: B018 - a typo must not read as "no"
