"""Factories of the accounts app. Every related object stays in the same organisation."""

import factory
from django.contrib.auth.hashers import make_password

from accounts.models import Invitation, Membership, Organization, User

PASSWORD = "Motdepasse1"
# Hash once (real Argon2), reuse for every user: tests stay fast without weakening the hasher.
_PASSWORD_HASH = make_password(PASSWORD)


class OrganizationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organization

    type = Organization.Type.SCO
    name = factory.Sequence(lambda n: f"Collège numéro {n}")
    external_id = factory.Sequence(lambda n: f"{n:07d}A")
    is_managing_students = True
    email = factory.LazyAttribute(lambda o: f"ce.{o.external_id.lower()}@ac-test.fr")


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User

    first_name = factory.Sequence(lambda n: f"Prénom{n}")
    last_name = factory.Sequence(lambda n: f"Nom{n}")
    email = factory.Sequence(lambda n: f"personne{n}@exemple.fr")
    password = _PASSWORD_HASH


class StudentUserFactory(UserFactory):
    email = None
    username = factory.Sequence(lambda n: f"eleve.nom{n:04d}")


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership

    user = factory.SubFactory(UserFactory)
    organization = factory.SubFactory(OrganizationFactory)
    role = Membership.Role.MEMBER


class InvitationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Invitation

    organization = factory.SubFactory(OrganizationFactory)
    email = factory.Sequence(lambda n: f"invite{n}@exemple.fr")
    role = Membership.Role.MEMBER
