"""Reconciliation: one student links their account to their school record (reference §2.3 and §0)."""

import datetime

import pytest

from pixorga.errors import ApplicationError
from students.services.reconciliation import learner_reconcile, learner_reconcile_attempt, normalize_for_matching
from tests.accounts.factories import OrganizationFactory, StudentUserFactory, UserFactory
from tests.ratelimit import end_windows_after_add
from tests.students.factories import CampaignFactory, OrganizationLearnerFactory

pytestmark = pytest.mark.django_db
BIRTH = datetime.date(2010, 3, 14)


@pytest.fixture
def campaign(school_a):
    return CampaignFactory(organization=school_a)


@pytest.fixture
def lea(school_a):
    return OrganizationLearnerFactory(
        organization=school_a,
        first_name="Léa-Marie",
        middle_name="Chloé",
        last_name="N'Diaye",
        preferred_last_name="Dupont",
        birthdate=BIRTH,
        national_student_id="123456789AB",
    )


def reconcile(campaign, user, first="Léa-Marie", last="N'Diaye", birthdate=BIRTH):
    return learner_reconcile(campaign=campaign, user=user, first_name=first, last_name=last, birthdate=birthdate)


def test_names_are_compared_without_case_accents_spaces_or_punctuation():
    assert normalize_for_matching(" Léa-Marie ") == normalize_for_matching("lea marie") == "leamarie"
    assert normalize_for_matching("N'Diaye") == "ndiaye"


@pytest.mark.parametrize(
    ("first", "last"),
    [("lea marie", "ndiaye"), ("Chloé", "N'Diaye"), ("Léa-Marie", "Dupont"), ("Lea-Mari", "N'Diay")],
    ids=["normalised", "second-given-name", "usage-name", "small-typos"],
)
def test_a_student_is_found_by_any_given_name_and_family_or_usage_name(campaign, lea, first, last):
    user = UserFactory()
    assert reconcile(campaign, user, first, last) == lea
    lea.refresh_from_db()
    assert lea.user == user


def test_the_birthdate_must_match_exactly(campaign, lea):
    with pytest.raises(ApplicationError) as error:
        reconcile(campaign, UserFactory(), birthdate=BIRTH + datetime.timedelta(days=1))
    assert error.value.code == "NOT_FOUND" and "Lycée Victor Hugo" in error.value.message


def test_two_students_matching_the_same_names_are_not_guessed(campaign, lea, school_a):
    OrganizationLearnerFactory(organization=school_a, first_name="Léa-Marie", last_name="N'Diaye", birthdate=BIRTH)
    with pytest.raises(ApplicationError) as error:
        reconcile(campaign, UserFactory())
    assert error.value.code == "NOT_FOUND"


def test_a_disabled_student_cannot_be_claimed(campaign, lea):
    lea.is_disabled = True
    lea.save()
    with pytest.raises(ApplicationError):
        reconcile(campaign, UserFactory())


def test_a_record_already_linked_to_another_account_names_the_way_it_logs_in(campaign, lea):
    lea.user = StudentUserFactory(username="leamarie.ndiaye1403")
    lea.save()
    with pytest.raises(ApplicationError) as error:
        reconcile(campaign, UserFactory())
    assert error.value.code == "R32" and "lea***03" in error.value.message
    lea.user = UserFactory(email="lea@exemple.fr")
    lea.save()
    with pytest.raises(ApplicationError) as error:
        reconcile(campaign, UserFactory())
    assert error.value.code == "R31" and "l***@exemple.fr" in error.value.message


def test_an_account_linked_to_another_student_of_the_school_is_refused(campaign, lea, school_a):
    user = UserFactory()
    OrganizationLearnerFactory(
        organization=school_a, user=user, first_name="Frère", birthdate=datetime.date(2012, 1, 1)
    )
    with pytest.raises(ApplicationError) as error:
        reconcile(campaign, user)
    assert error.value.code == "R70"


def test_the_same_ine_linked_in_another_school_points_to_that_account(campaign, lea):
    other_school = OrganizationFactory()
    previous_account = StudentUserFactory(username="leamarie.ndiaye1403")
    OrganizationLearnerFactory(organization=other_school, national_student_id="123456789AB", user=previous_account)
    with pytest.raises(ApplicationError) as error:
        reconcile(campaign, UserFactory())
    assert error.value.code == "R12"


def test_a_shared_family_account_is_recognised_as_someone_elses(campaign, lea):
    sibling_account = UserFactory()
    OrganizationLearnerFactory(
        organization=OrganizationFactory(),
        user=sibling_account,
        national_student_id="999999999ZZ",
        birthdate=datetime.date(2007, 5, 5),
    )
    with pytest.raises(ApplicationError) as error:
        reconcile(campaign, sibling_account)
    assert error.value.code == "R90"


def test_reconciling_twice_is_harmless(campaign, lea):
    user = UserFactory()
    assert reconcile(campaign, user) == reconcile(campaign, user) == lea


def test_after_five_failures_the_student_must_wait(campaign, lea):
    user = UserFactory()
    for _ in range(5):
        with pytest.raises(ApplicationError):
            learner_reconcile_attempt(campaign=campaign, user=user, first_name="X", last_name="Y", birthdate=BIRTH)
    with pytest.raises(ApplicationError) as error:
        learner_reconcile_attempt(
            campaign=campaign, user=user, first_name="Léa-Marie", last_name="N'Diaye", birthdate=BIRTH
        )
    assert error.value.status_code == 429


def test_a_failure_when_the_waiting_window_ends_is_still_refused_in_french_and_counted(campaign, lea, monkeypatch):
    end_windows_after_add(monkeypatch)
    user = UserFactory()
    for _ in range(5):
        with pytest.raises(ApplicationError) as error:
            learner_reconcile_attempt(campaign=campaign, user=user, first_name="X", last_name="Y", birthdate=BIRTH)
        assert error.value.code == "NOT_FOUND"  # not a 500 from the cache
    # each failure opened a window of its own, so no brake yet
    found = learner_reconcile_attempt(
        campaign=campaign, user=user, first_name="Léa-Marie", last_name="N'Diaye", birthdate=BIRTH
    )
    assert found == lea


def test_a_campaign_of_a_school_without_imported_students_needs_no_reconciliation(school_b):
    school_b.is_managing_students = False
    school_b.save()
    with pytest.raises(ApplicationError) as error:
        reconcile(CampaignFactory(organization=school_b), UserFactory())
    assert error.value.code == "NOT_RESTRICTED"
