"""Results CSV exports (reference §5.5): columns, formats, NA for non-shared, guard, isolation, worker."""

import csv
import io
from datetime import timedelta

import pytest
from django.core.files.base import ContentFile
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from assessments.models import KnowledgeElement
from campaigns.exports import assessment_rows, campaign_exports_clean, cell, profiles_rows
from campaigns.models import CampaignExport, CampaignParticipation, CampaignSkill
from crcn.models import Skill, TargetProfile
from tests.accounts.factories import UserFactory
from tests.conftest import wait_until
from tests.crcn.bank import write_bank
from tests.students.factories import CampaignFactory, OrganizationLearnerFactory
from tests.tenancy import assert_cross_tenant_404

pytestmark = pytest.mark.django_db


def test_cells_follow_the_french_spreadsheet_conventions():
    assert cell(None) == '"NA"' and cell(True) == '"Oui"' and cell(False) == '"Non"'
    assert cell(0.35) == "0,35" and cell(1.0) == "1" and cell(12) == "12"
    assert cell('=HYPERLINK("x")') == '"\'=HYPERLINK(""x"")"' and cell("-3") == '"\'-3"'
    assert cell("0691234") == "0691234" and cell("Lycée") == '"Lycée"'


@pytest.fixture
def campaign(tmp_path, school_a):
    from crcn.services import content_load

    content_load(content_dir=write_bank(tmp_path))
    profile = TargetProfile.objects.get(key="parcours-essai")
    campaign = CampaignFactory(
        organization=school_a,
        type="ASSESSMENT",
        target_profile=profile,
        name="Rentrée 2nde",
        external_id_label="Groupe",
    )
    CampaignSkill.objects.bulk_create(
        [CampaignSkill(campaign=campaign, skill=s) for s in Skill.objects.filter(tube_id="@sujet11x0", level__lte=4)]
    )
    return campaign


def participant(campaign, *, first, last, shared, validated=0, external="G1"):
    user = UserFactory(first_name=first, last_name=last)
    learner = OrganizationLearnerFactory(
        organization=campaign.organization, user=user, first_name=first, last_name=last, division="2NDE 3"
    )
    participation = CampaignParticipation.objects.create(
        campaign=campaign,
        user=user,
        organization_learner=learner,
        participant_external_id=external,
        status="SHARED" if shared else "STARTED",
        shared_at=timezone.now() if shared else None,
        mastery_rate=validated / 4 if shared else None,
    )
    before = timezone.now() - timedelta(minutes=5)
    for level in range(1, 5):
        KnowledgeElement.objects.create(
            user=user,
            skill_id=f"@sujet11x0{level}",
            competence_code="1.1",
            source="direct",
            created_at=before,
            status="validated" if level <= validated else "invalidated",
            earned_pix=2 if level <= validated else 0,
        )
    return participation


def parse(rows):
    text = "".join(";".join(cell(v) for v in row) + "\r\n" for row in rows)
    return list(csv.reader(io.StringIO(text), delimiter=";"))


def test_the_assessment_export_has_pix_columns_and_na_for_non_shared(campaign):
    participant(campaign, first="Léa", last="Martin", shared=True, validated=3, external="=cmd")
    participant(campaign, first="Noé", last="Dupré", shared=False)
    header, *rows = parse(assessment_rows(campaign))
    assert header[:8] == [
        "Nom de l'organisation",
        "ID Campagne",
        "Code",
        "Nom de la campagne",
        "Parcours",
        "Nom du Participant",
        "Prénom du Participant",
        "Classe",
    ]
    assert header[8:14] == [
        "Groupe",
        "% de progression",
        "Date de début",
        "Partage (O/N)",
        "Date du partage",
        "Palier obtenu (/2)",
    ]
    assert header[14] == "% maitrise de l'ensemble des acquis du profil"
    assert header[15:18] == [
        "% de maitrise des acquis de la compétence Compétence 1.1",
        "Nombre d'acquis du profil cible dans la compétence Compétence 1.1",
        "Acquis maitrisés dans la compétence Compétence 1.1",
    ]
    assert header[18:] == [
        "% de maitrise des acquis du domaine Domaine 1",
        "Nombre d'acquis du profil cible du domaine Domaine 1",
        "Acquis maitrisés du domaine Domaine 1",
    ]
    dupre, martin = rows
    assert martin[:8] == [
        "Lycée Victor Hugo",
        str(campaign.pk),
        campaign.code,
        "Rentrée 2nde",
        "Parcours d'essai",
        "Martin",
        "Léa",
        "2NDE 3",
    ]
    assert martin[8] == "'=cmd" and martin[9] == "1" and martin[11] == "Oui"
    assert martin[13:] == ["1", "0,75", "0,75", "4", "3", "0,75", "4", "3"]
    assert dupre[11] == "Non" and dupre[12] == "NA" and dupre[13:] == ["NA", "NA", "NA", "4", "NA", "NA", "4", "NA"]


def test_the_profiles_collection_export_lists_the_sixteen_competences(campaign):
    campaign.type, campaign.target_profile = "PROFILES_COLLECTION", None
    campaign.save()
    participant(campaign, first="Léa", last="Martin", shared=True, validated=4)
    participant(campaign, first="Noé", last="Dupré", shared=False)
    header, dupre, martin = parse(profiles_rows(campaign, max_level=5))
    assert header[8:13] == [
        "Envoi (O/N)",
        "Date de l'envoi",
        "Nombre de pix total",
        "Certifiable (O/N)",
        "Nombre de compétences certifiables",
    ]
    assert header[13:] == [
        "Niveau pour la compétence Compétence 1.1",
        "Nombre de pix pour la compétence Compétence 1.1",
    ]
    assert martin[8] == "Oui" and martin[10:] == ["8", "Non", "1", "1", "8"]
    assert dupre[8] == "Non" and set(dupre[9:]) == {"NA"}


def test_old_exports_are_cleaned_after_seven_days(campaign):
    old = CampaignExport.objects.create(campaign=campaign, status="DONE", created_at=timezone.now() - timedelta(days=8))
    old.file.save("vieux.csv", ContentFile(b"x"))
    recent = CampaignExport.objects.create(campaign=campaign, status="DONE")
    assert campaign_exports_clean() == 1
    assert list(CampaignExport.objects.all()) == [recent]


def test_export_routes_of_another_school_are_404(client, admin_b, campaign):
    export = CampaignExport.objects.create(campaign=campaign, status="DONE")
    export.file.save("r.csv", ContentFile(b"\xef\xbb\xbf"))
    client.force_login(admin_b)
    org = campaign.organization_id
    assert_cross_tenant_404(
        client,
        [
            ("post", reverse("campaigns:orga_export_request", kwargs={"org_id": org, "campaign_id": campaign.pk})),
            ("get", reverse("campaigns:orga_export", kwargs={"org_id": org, "export_id": export.pk})),
            ("get", reverse("campaigns:orga_export_download", kwargs={"org_id": org, "export_id": export.pk})),
        ],
    )
    api = APIClient()
    api.force_authenticate(admin_b)
    assert_cross_tenant_404(
        api, [("post", f"/api/campaigns/{campaign.pk}/exports/"), ("get", f"/api/exports/{export.pk}/")]
    )


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_an_export_is_built_by_the_worker_and_downloaded(celery_worker_process, member_a, campaign):
    participant(campaign, first="Léa", last="Martin", shared=True, validated=2)
    api = APIClient()
    api.force_authenticate(member_a)
    export_id = api.post(f"/api/campaigns/{campaign.pk}/exports/").json()["id"]
    body = wait_until(lambda: (b := api.get(f"/api/exports/{export_id}/").json())["status"] == "DONE" and b)
    assert body["progress"] == 100 and body["download_url"].endswith("/fichier.csv")
    from django.test import Client

    client = Client()
    client.force_login(member_a)
    response = client.get(
        reverse("campaigns:orga_export_download", kwargs={"org_id": campaign.organization_id, "export_id": export_id})
    )
    content = b"".join(response.streaming_content).decode("utf-8")
    assert content.startswith('\ufeff"Nom de l\'organisation";"ID Campagne"')
    assert (
        response["Content-Disposition"].startswith('attachment; filename="Resultats-Rentrée_2nde')
        or "Resultats-" in response["Content-Disposition"]
    )
