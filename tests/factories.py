"""factory-boy factories shared by all tests. Reference data (the 54 centres)
is loaded once per test database (see conftest.py); factories use it."""

import factory
from django.contrib.auth import get_user_model

from centers import services
from centers.models import Center, Role


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ("username",)

    username = factory.Sequence(lambda n: f"user{n}")
    first_name = factory.Faker("first_name", locale="de_DE")
    last_name = factory.Faker("last_name", locale="de_DE")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.org")
    password = factory.django.Password("test-passwort-123")


def center(key: str = "05315") -> Center:
    return Center.objects.select_related("sponsor", "school_authority").get(key=key)


def user_with_role(role: str, center_obj: Center | None = None, username: str | None = None):
    """A user holding ``role``; centre roles on ``center_obj``, the Schulaufsicht on
    the Schulamt of ``center_obj``."""
    user = UserFactory(**({"username": username} if username else {}))
    if role in Role.center_roles():
        services.membership_grant(user=user, role=role, center=center_obj)
    elif role == Role.SCHOOL_AUTHORITY:
        services.membership_grant(
            user=user, role=role, school_authority=center_obj.school_authority
        )
    else:
        services.membership_grant(user=user, role=role)
        if role == Role.MINISTRY:
            user.is_staff = True
            user.is_superuser = True
            user.save(update_fields=["is_staff", "is_superuser"])
    return user


def basic_programme():
    """The Grundförderung (seeded by the migrations): the programme of Nr. 1.4."""
    from centers.programmes import Programme

    return Programme.objects.get(required_for_operation=True)
