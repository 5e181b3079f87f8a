"""Factories of learners and campaigns; a learner and its campaign share the school they are given."""

import datetime
import random

import factory

from campaigns.models import CODE_DIGITS, CODE_LETTERS, Campaign
from students.models import OrganizationLearner
from tests.accounts.factories import OrganizationFactory


class OrganizationLearnerFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = OrganizationLearner
        skip_postgeneration_save = True

    organization = factory.SubFactory(OrganizationFactory)
    first_name = factory.Sequence(lambda n: f"Prénom{n}")
    last_name = factory.Sequence(lambda n: f"Nom{n}")
    birthdate = datetime.date(2010, 3, 14)
    sex = "F"
    division = "2NDE 1"
    national_student_id = factory.Sequence(lambda n: f"{n:09d}ZZ")

    @factory.post_generation
    def search(obj, create, extracted, **kwargs):
        obj.refresh_search_text()
        if create:
            obj.save(update_fields=["search_text"])


def campaign_code() -> str:
    rng = random.SystemRandom()
    return "".join(rng.choice(CODE_LETTERS) for _ in range(6)) + "".join(rng.choice(CODE_DIGITS) for _ in range(3))


class CampaignFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Campaign

    organization = factory.SubFactory(OrganizationFactory)
    name = factory.Sequence(lambda n: f"Campagne {n}")
    code = factory.LazyFunction(campaign_code)
    type = Campaign.Type.PROFILES_COLLECTION
