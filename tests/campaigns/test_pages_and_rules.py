"""Campaign pages in Orga and the remaining rules: edit, delete, external id, several sendings, codes."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape

from campaigns.models import Campaign, CampaignParticipation
from campaigns.services import campaigns as campaign_services
from campaigns.services import participations
from pixorga.errors import ApplicationError
from tests.accounts.factories import UserFactory
from tests.students.factories import CampaignFactory, OrganizationLearnerFactory
from tests.tenancy import assert_cross_tenant_404

pytestmark = pytest.mark.django_db


def url(name, **kwargs):
    return reverse(f"campaigns:{name}", kwargs=kwargs)


def test_another_schools_campaign_pages_are_404(client, admin_b, school_a):
    campaign = CampaignFactory(organization=school_a)
    client.force_login(admin_b)
    org, cid = school_a.pk, campaign.pk
    assert_cross_tenant_404(
        client,
        [
            ("get", url("list", org_id=org)),
            ("get", url("orga_create", org_id=org)),
            ("get", url("orga_detail", org_id=org, campaign_id=cid)),
            ("get", url("orga_flyer", org_id=org, campaign_id=cid)),
            ("post", url("orga_archive", org_id=org, campaign_id=cid)),
            ("get", url("orga_edit", org_id=org, campaign_id=cid)),
            ("post", url("orga_delete", org_id=org, campaign_id=cid)),
        ],
    )
    school_b = admin_b.memberships.get().organization
    assert client.get(url("orga_detail", org_id=school_b.pk, campaign_id=cid)).status_code == 404


def test_a_member_who_does_not_own_the_campaign_cannot_edit_or_delete_it(client, member_a, school_a):
    campaign = CampaignFactory(organization=school_a)
    client.force_login(member_a)
    assert client.get(url("orga_edit", org_id=school_a.pk, campaign_id=campaign.pk)).status_code == 403
    client.post(url("orga_delete", org_id=school_a.pk, campaign_id=campaign.pk))
    campaign.refresh_from_db()
    assert campaign.deleted_at is None
    assert client.get(url("orga_detail", org_id=school_a.pk, campaign_id=campaign.pk)).status_code == 200


def test_the_owner_edits_and_hands_the_campaign_to_a_colleague(client, member_a, admin_a, school_a):
    campaign = CampaignFactory(organization=school_a, owner=member_a)
    client.force_login(member_a)
    response = client.post(
        url("orga_edit", org_id=school_a.pk, campaign_id=campaign.pk),
        {
            "name": "Rentrée 2nde 4",
            "title": "",
            "custom_landing_page_text": "Avant les vacances",
            "owner_id": admin_a.pk,
        },
    )
    assert response.status_code == 302
    campaign.refresh_from_db()
    assert (campaign.name, campaign.owner, campaign.custom_landing_page_text) == (
        "Rentrée 2nde 4",
        admin_a,
        "Avant les vacances",
    )


def test_deleting_a_campaign_anonymises_its_participations(client, admin_a, school_a, student):
    campaign = CampaignFactory(organization=school_a)
    participation = CampaignParticipation.objects.create(campaign=campaign, user=student, participant_external_id="G2")
    client.force_login(admin_a)
    client.post(url("orga_delete", org_id=school_a.pk, campaign_id=campaign.pk))
    campaign.refresh_from_db()
    participation.refresh_from_db()
    assert campaign.deleted_at and campaign.deleted_by == admin_a
    assert participation.deleted_at and participation.user is None and participation.participant_external_id == ""
    assert client.get(url("landing", code=campaign.code)).status_code == 404


def test_an_email_external_id_must_be_an_email(school_a, student):
    OrganizationLearnerFactory(organization=school_a, user=student)
    campaign = CampaignFactory(organization=school_a, external_id_label="E-mail académique", external_id_type="EMAIL")
    with pytest.raises(ApplicationError) as error:
        participations.participation_start(campaign=campaign, user=student, participant_external_id="pas-un-mail")
    assert error.value.code == "INVALID_EMAIL"
    assert participations.participation_start(campaign=campaign, user=student, participant_external_id="lea@ac-lyon.fr")


def shared(campaign, user, *, days_ago=0, mastery=0.5):
    return CampaignParticipation.objects.create(
        campaign=campaign,
        user=user,
        status="SHARED",
        shared_at=timezone.now() - timedelta(days=days_ago),
        mastery_rate=mastery,
    )


def test_retrying_needs_multiple_sendings_four_days_and_something_left_to_learn(school_a, student):
    single = CampaignFactory(organization=school_a, type="ASSESSMENT")
    assert participations.participation_retry_delay(shared(single, student)) is None
    several = CampaignFactory(organization=school_a, type="ASSESSMENT", multiple_sendings=True)
    assert participations.participation_retry_delay(shared(several, student, days_ago=1)) == 3
    other = UserFactory()
    assert participations.participation_retry_delay(shared(several, other, days_ago=9, mastery=1)) is None


def test_a_retry_keeps_the_old_sending_and_starts_a_new_test(school_a, student):
    campaign = CampaignFactory(organization=school_a, type="ASSESSMENT", multiple_sendings=True)
    old = shared(campaign, student, days_ago=5)
    new = participations.participation_retry(participation=old, user=student)
    old.refresh_from_db()
    assert old.is_improved and new.status == "STARTED" and new.assessments.count() == 1
    with pytest.raises(ApplicationError):
        participations.participation_retry(participation=old, user=student)


def test_a_profile_can_be_sent_again_at_once_when_allowed(school_a, student):
    campaign = CampaignFactory(organization=school_a, type="PROFILES_COLLECTION", multiple_sendings=True)
    new = participations.participation_retry(participation=shared(campaign, student), user=student)
    assert new.status == "TO_SHARE"


def test_a_code_already_taken_is_drawn_again(monkeypatch, school_a, member_a):
    taken = CampaignFactory(organization=school_a).code
    codes = iter([taken, "BCDFGH234"])
    monkeypatch.setattr(campaign_services, "campaign_code_generate", lambda: next(codes))
    campaign = campaign_services.campaign_create(
        organization=school_a, creator=member_a, name="C", type="PROFILES_COLLECTION"
    )
    assert campaign.code == "BCDFGH234"
    assert Campaign.objects.filter(code=taken).count() == 1


def test_the_campaign_list_counts_participants_and_shared_results(client, member_a, school_a, student):
    campaign = CampaignFactory(organization=school_a, name="Rentrée 2nde 3")
    shared(campaign, student)
    CampaignParticipation.objects.create(campaign=campaign, user=UserFactory())
    CampaignFactory(organization=school_a, name="Ancienne", archived_at=timezone.now())
    client.force_login(member_a)
    page = client.get(url("list", org_id=school_a.pk)).content.decode()
    assert "Rentrée 2nde 3" in page and "Ancienne" not in page
    assert "<td>2</td><td>1</td>" in page
    assert "Ancienne" in client.get(url("list", org_id=school_a.pk), {"statut": "archivees"}).content.decode()


def test_guessing_codes_is_stopped_but_a_class_entering_the_right_code_never_is(client, school_a):
    from campaigns.learner_views import TOO_MANY_UNKNOWN_CODES, UNKNOWN_CODES_PER_WINDOW

    campaign = CampaignFactory(organization=school_a)
    for _ in range(40):  # a class behind the school's one address
        assert client.post(url("code_entry"), {"code": campaign.code}).status_code == 302
    for number in range(UNKNOWN_CODES_PER_WINDOW):
        assert client.post(url("code_entry"), {"code": f"ZZZZZZ{number:03d}"}).status_code == 400

    refused = client.post(url("code_entry"), {"code": campaign.code})
    assert refused.status_code == 429
    assert escape(TOO_MANY_UNKNOWN_CODES) in refused.content.decode()
    landing = client.get(url("landing", code=campaign.code))
    assert landing.status_code == 429 and escape(TOO_MANY_UNKNOWN_CODES) in landing.content.decode()


def test_unknown_codes_typed_in_the_address_bar_count_too(client, school_a):
    from campaigns.learner_views import UNKNOWN_CODES_PER_WINDOW

    campaign = CampaignFactory(organization=school_a)
    for number in range(UNKNOWN_CODES_PER_WINDOW):
        assert client.get(url("landing", code=f"ZZZZZZ{number:03d}")).status_code == 404
    assert client.post(url("code_entry"), {"code": campaign.code}).status_code == 429


def test_the_creation_page_keeps_multiple_sendings_and_the_email_external_id(client, school_a, member_a):
    client.force_login(member_a)
    response = client.post(
        url("orga_create", org_id=school_a.pk),
        {
            "name": "Collecte 2nde",
            "type": "PROFILES_COLLECTION",
            "ask_external_id": "oui",
            "external_id_label": "E-mail académique",
            "external_id_type": "EMAIL",
            "multiple_sendings": "on",
        },
    )
    assert response.status_code == 302
    campaign = Campaign.objects.get(name="Collecte 2nde")
    assert campaign.multiple_sendings and campaign.external_id_type == "EMAIL"


def test_an_external_id_type_without_an_external_id_is_plain_text(school_a, member_a):
    campaign = campaign_services.campaign_create(
        organization=school_a, creator=member_a, name="C", type="PROFILES_COLLECTION", external_id_type="EMAIL"
    )
    assert campaign.external_id_type == "STRING"


def test_a_learner_who_left_the_school_cannot_join_and_is_told_why(client, school_a, student):
    OrganizationLearnerFactory(organization=school_a, user=student, is_disabled=True)
    campaign = CampaignFactory(organization=school_a, type="ASSESSMENT")
    with pytest.raises(ApplicationError) as error:
        participations.participation_start(campaign=campaign, user=student)
    assert (error.value.code, error.value.status_code) == ("LEARNER_DISABLED", 403)
    client.force_login(student)
    page = client.get(url("landing", code=campaign.code)).content.decode()
    assert escape(participations.LEARNER_DISABLED) in page and "Je m&#x27;identifie" not in page


def test_a_learner_who_left_a_school_that_does_not_import_students_cannot_join_either(student):
    from tests.accounts.factories import OrganizationFactory

    company = OrganizationFactory(type="PRO", is_managing_students=False)
    OrganizationLearnerFactory(organization=company, user=student, is_disabled=True)
    campaign = CampaignFactory(organization=company, type="PROFILES_COLLECTION")
    with pytest.raises(ApplicationError) as error:
        participations.participation_start(campaign=campaign, user=student)
    assert error.value.code == "LEARNER_DISABLED"
    assert company.learners.filter(user=student).count() == 1  # no fresh record to get round the rule


def test_a_school_record_already_used_by_another_account_cannot_join_again(school_a, student):
    learner = OrganizationLearnerFactory(organization=school_a, user=student)
    campaign = CampaignFactory(organization=school_a, type="PROFILES_COLLECTION")
    first = UserFactory()
    CampaignParticipation.objects.create(campaign=campaign, user=first, organization_learner=learner)
    with pytest.raises(ApplicationError) as error:
        participations.participation_start(campaign=campaign, user=student)
    assert (error.value.code, error.value.status_code) == ("ORGANIZATION_LEARNER_HAS_ALREADY_PARTICIPATED", 409)


def test_nothing_left_to_learn_is_said_so_and_a_learner_who_left_cannot_retry(school_a, student):
    campaign = CampaignFactory(organization=school_a, type="ASSESSMENT", multiple_sendings=True)
    perfect = shared(campaign, student, days_ago=9, mastery=1)
    with pytest.raises(ApplicationError) as error:
        participations.participation_retry(participation=perfect, user=student)
    assert error.value.code == "NOTHING_TO_IMPROVE" and error.value.message == participations.RETRY_NOTHING_TO_IMPROVE

    other = UserFactory()
    learner = OrganizationLearnerFactory(organization=school_a, user=other, is_disabled=True)
    left = shared(campaign, other, days_ago=9)
    left.organization_learner = learner
    left.save()
    assert participations.participation_retry_delay(left) is None
    with pytest.raises(ApplicationError) as error:
        participations.participation_retry(participation=left, user=other)
    assert error.value.code == "RETRY_NOT_ALLOWED"


def test_an_archived_campaign_still_shows_a_participant_their_results(client, school_a, student):
    OrganizationLearnerFactory(organization=school_a, user=student)
    campaign = CampaignFactory(organization=school_a, type="ASSESSMENT")
    shared(campaign, student)
    campaign.archived_at = timezone.now()
    campaign.save()
    client.force_login(student)
    page = client.get(url("landing", code=campaign.code)).content.decode()
    assert "Cette campagne est terminée" in page and url("result", code=campaign.code) in page


def resettable_campaign(school_a, **extra):
    from crcn.models import TargetProfile

    profile = TargetProfile.objects.create(
        key=f"entrainement-{TargetProfile.objects.count()}",
        name="Entraînement",
        category="COMPETENCES",
        description="Refaire une compétence depuis le début.",
        are_knowledge_elements_resettable=True,
    )
    return CampaignFactory(
        organization=school_a, type="ASSESSMENT", target_profile=profile, **{"multiple_sendings": True, **extra}
    )


def test_resetting_needs_a_resettable_parcours_several_sendings_and_four_days(school_a, student):
    campaign = resettable_campaign(school_a)
    assert participations.participation_reset_delay(shared(campaign, student, days_ago=1, mastery=1)) == 3
    assert participations.participation_reset_delay(shared(campaign, UserFactory(), days_ago=5, mastery=1)) == 0
    plain = CampaignFactory(organization=school_a, type="ASSESSMENT", multiple_sendings=True)
    assert participations.participation_reset_delay(shared(plain, UserFactory(), days_ago=5)) is None
    single = resettable_campaign(school_a, multiple_sendings=False)
    assert participations.participation_reset_delay(shared(single, UserFactory(), days_ago=5)) is None


def test_a_reset_forgets_the_campaign_skills_and_starts_a_new_test_on_all_of_them(tmp_path, school_a, student):
    from assessments.models import KnowledgeElement
    from assessments.services import current_knowledge
    from campaigns.models import CampaignSkill
    from crcn.models import Skill
    from crcn.services import content_load
    from tests.crcn.bank import write_bank

    content_load(content_dir=write_bank(tmp_path))
    campaign = resettable_campaign(school_a)
    skills = list(Skill.objects.order_by("name")[:2])
    outside = Skill.objects.exclude(pk__in=[s.pk for s in skills]).first()
    CampaignSkill.objects.bulk_create([CampaignSkill(campaign=campaign, skill=s) for s in skills])
    for skill in [*skills, outside]:
        KnowledgeElement.objects.create(
            user=student, skill=skill, competence_code="1.1", status="validated", source="direct", earned_pix=2
        )
    old = shared(campaign, student, days_ago=5, mastery=1)

    new = participations.participation_reset(participation=old, user=student)

    old.refresh_from_db()
    assert old.is_improved and new.status == "STARTED" and new.assessments.count() == 1
    assert list(current_knowledge(user=student)) == [outside.pk]  # only the campaign's skills are forgotten
    assert KnowledgeElement.objects.filter(user=student, status="validated").count() == 3  # history kept


def test_a_reset_too_early_says_when_it_will_be_possible(school_a, student):
    old = shared(resettable_campaign(school_a), student, days_ago=2)
    with pytest.raises(ApplicationError) as error:
        participations.participation_reset(participation=old, user=student)
    assert (error.value.code, error.value.status_code) == ("RESET_TOO_EARLY", 412)
    assert error.value.message == "Vous pourrez remettre à zéro et repasser ce parcours dans 2 jours."


def test_the_result_page_offers_the_reset_once_allowed_and_it_starts_again(client, school_a, student):
    OrganizationLearnerFactory(organization=school_a, user=student)
    campaign = resettable_campaign(school_a)
    shared(campaign, student, days_ago=5, mastery=1)
    client.force_login(student)
    page = client.get(url("result", code=campaign.code)).content.decode()
    assert "Remettre à zéro et repasser" in page and "Repasser mon parcours" not in page
    assert client.post(url("reset", code=campaign.code)).status_code == 302
    assert campaign.participations.filter(is_improved=False, status="STARTED").count() == 1
