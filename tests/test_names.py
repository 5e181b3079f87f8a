"""One way to fold a name (reference §2.3): generated usernames, learner search and reconciliation agree."""

import importlib
from datetime import date

import pytest
from rest_framework.test import APIClient

from accounts.services import username_generate
from pixorga.names import fold_name, name_key
from students.models import OrganizationLearner
from students.services.reconciliation import learner_match
from tests.students.factories import OrganizationLearnerFactory

pytestmark = pytest.mark.django_db

NAMES = {
    "Lætitia": "laetitia",
    "ÆLIS": "aelis",
    "Œdipe": "oedipe",
    "Bœuf": "boeuf",
    "Strauß": "strauss",
    "Søren": "soren",
    "Łukasz": "lukasz",
    "Jean-Éric": "jeaneric",
    "N'Diaye": "ndiaye",
    "Ḿaël ": "mael",
}


@pytest.mark.parametrize(("name", "key"), NAMES.items())
def test_a_name_is_folded_to_plain_letters(name, key):
    assert name_key(name) == key


def test_folding_for_search_keeps_the_words_apart():
    assert fold_name("Lætitia Bœuf-Strauß").split() == ["laetitia", "boeuf-strauss"]


def test_a_generated_username_spells_ligatures_out_like_reconciliation():
    username = username_generate(first_name="Lætitia", last_name="Strauß", birthdate=date(2011, 5, 4))
    assert username == "laetitia.strauss0405"


def test_search_finds_a_name_typed_without_its_ligature(admin_a, school_a):
    OrganizationLearnerFactory(organization=school_a, first_name="Lætitia", last_name="Strauß")
    api = APIClient()
    api.force_authenticate(admin_a)
    for typed in ("laetitia", "Lætitia", "strauss"):
        found = api.get(f"/api/organizations/{school_a.pk}/learners/", {"search": typed}).json()
        assert found["count"] == 1, typed


def test_reconciliation_matches_a_name_typed_without_its_ligature(school_a):
    learner = OrganizationLearnerFactory(organization=school_a, first_name="Lætitia", last_name="Strauß")
    assert learner_match(candidates=[learner], first_name="Laetitia", last_name="Strauss") == learner


def test_search_texts_written_before_are_folded_again(school_a):
    from django.apps import apps

    refold = importlib.import_module("students.migrations.0003_refold_search_text").refold
    strauss = OrganizationLearnerFactory(organization=school_a, first_name="Lætitia", last_name="Strauß")
    plain = OrganizationLearnerFactory(organization=school_a, first_name="Paul", last_name="Martin")
    OrganizationLearner.objects.filter(pk=strauss.pk).update(search_text="laetitia strau")  # as folded before
    refold(apps, None)
    strauss.refresh_from_db()
    assert strauss.search_text.startswith("laetitia strauss ")
    assert OrganizationLearner.objects.get(pk=plain.pk).search_text == plain.search_text
