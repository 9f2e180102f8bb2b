"""Staffing factories (the deployment tests may use them too)."""

from datetime import date
from decimal import Decimal

import factory

from staffing.models import Assignment, FundingSource, Post, PostKind, Qualification, StaffMember
from tests.factories import center


class PostFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Post

    center = factory.LazyFunction(lambda: center("05315"))
    kind = PostKind.SPECIALIST
    label = factory.Sequence(lambda n: f"Stelle {n + 1}")
    fte = Decimal("1.00")
    funding_source = FundingSource.STATE_GRANT
    valid_from = date(2020, 1, 1)


class StaffMemberFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = StaffMember

    center = factory.LazyFunction(lambda: center("05315"))
    last_name = factory.Faker("last_name", locale="de_DE")
    first_name = factory.Faker("first_name", locale="de_DE")
    email = factory.Sequence(lambda n: f"person{n}@ki.example")
    qualification = Qualification.MASTER


class AssignmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Assignment

    post = factory.SubFactory(PostFactory)
    member = factory.SubFactory(StaffMemberFactory, center=factory.SelfAttribute("..post.center"))
    fte = Decimal("1.00")
    start = date(2021, 1, 1)
