"""Campaign pages in Orga and the remaining rules: edit, delete, external id, several sendings, codes."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape

from campaigns import services
from campaigns.models import Campaign, CampaignParticipation
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
        services.participation_start(campaign=campaign, user=student, participant_external_id="pas-un-mail")
    assert error.value.code == "INVALID_EMAIL"
    assert services.participation_start(campaign=campaign, user=student, participant_external_id="lea@ac-lyon.fr")


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
    assert services.participation_retry_delay(shared(single, student)) is None
    several = CampaignFactory(organization=school_a, type="ASSESSMENT", multiple_sendings=True)
    assert services.participation_retry_delay(shared(several, student, days_ago=1)) == 3
    other = UserFactory()
    assert services.participation_retry_delay(shared(several, other, days_ago=9, mastery=1)) is None


def test_a_retry_keeps_the_old_sending_and_starts_a_new_test(school_a, student):
    campaign = CampaignFactory(organization=school_a, type="ASSESSMENT", multiple_sendings=True)
    old = shared(campaign, student, days_ago=5)
    new = services.participation_retry(participation=old, user=student)
    old.refresh_from_db()
    assert old.is_improved and new.status == "STARTED" and new.assessments.count() == 1
    with pytest.raises(ApplicationError):
        services.participation_retry(participation=old, user=student)


def test_a_profile_can_be_sent_again_at_once_when_allowed(school_a, student):
    campaign = CampaignFactory(organization=school_a, type="PROFILES_COLLECTION", multiple_sendings=True)
    new = services.participation_retry(participation=shared(campaign, student), user=student)
    assert new.status == "TO_SHARE"


def test_a_code_already_taken_is_drawn_again(monkeypatch, school_a, member_a):
    taken = CampaignFactory(organization=school_a).code
    codes = iter([taken, "BCDFGH234"])
    monkeypatch.setattr(services, "campaign_code_generate", lambda: next(codes))
    campaign = services.campaign_create(organization=school_a, creator=member_a, name="C", type="PROFILES_COLLECTION")
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
    from campaigns.views import TOO_MANY_UNKNOWN_CODES, UNKNOWN_CODES_PER_WINDOW

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
    from campaigns.views import UNKNOWN_CODES_PER_WINDOW

    campaign = CampaignFactory(organization=school_a)
    for number in range(UNKNOWN_CODES_PER_WINDOW):
        assert client.get(url("landing", code=f"ZZZZZZ{number:03d}")).status_code == 404
    assert client.post(url("code_entry"), {"code": campaign.code}).status_code == 429
