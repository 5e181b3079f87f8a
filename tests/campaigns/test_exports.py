"""Results CSV exports (reference §5.5): columns, formats, NA for non-shared, guard, isolation, worker."""

import csv
import io
from datetime import UTC, datetime, timedelta

import pytest
from django.core.files.base import ContentFile
from django.urls import reverse
from django.utils import timezone
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from assessments.models import KnowledgeElement
from campaigns.exports import export_write
from campaigns.models import CampaignExport, CampaignParticipation, CampaignSkill
from campaigns.services.exports import campaign_exports_clean
from crcn.models import Skill, TargetProfile
from tests.accounts.factories import UserFactory
from tests.conftest import wait_until
from tests.crcn.bank import write_bank
from tests.students.factories import CampaignFactory, OrganizationLearnerFactory
from tests.tenancy import assert_cross_tenant_404

pytestmark = pytest.mark.django_db


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


def parse(campaign):
    out = io.BytesIO()
    export_write(campaign, out, max_level=5)
    text = out.getvalue().decode("utf-8").removeprefix("\ufeff")
    return list(csv.reader(io.StringIO(text), delimiter=";"))


def test_the_assessment_export_has_pix_columns_and_na_for_non_shared(campaign):
    participant(campaign, first="Léa", last="Martin", shared=True, validated=3, external="=cmd")
    participant(campaign, first="Noé", last="Dupré", shared=False)
    header, *rows = parse(campaign)
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
    header, dupre, martin = parse(campaign)
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


def test_the_file_is_written_chunk_by_chunk_with_its_progress(campaign, monkeypatch):
    from campaigns import exports

    for index in range(5):
        participant(campaign, first=f"P{index}", last=f"N{index}", shared=index % 2 == 0, validated=index % 4)
    monkeypatch.setattr(exports, "CHUNK", 2)
    out, written = io.BytesIO(), []
    assert export_write(campaign, out, max_level=5, on_chunk=written.append) == 5
    assert written == [2, 4, 5]
    _header, *rows = csv.reader(io.StringIO(out.getvalue().decode("utf-8")), delimiter=";")
    assert [row[5] for row in rows] == ["N0", "N1", "N2", "N3", "N4"] and len(set(map(len, rows))) == 1


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
        api,
        [
            ("post", f"/api/campaigns/{campaign.pk}/exports/"),
            ("get", f"/api/exports/{export.pk}/"),
            ("get", f"/api/exports/{export.pk}/file/"),
        ],
    )


def finished_export(campaign, content=b'\xef\xbb\xbf"Nom de l\'organisation"\r\n'):
    export = CampaignExport.objects.create(
        campaign=campaign, status="DONE", filename="Resultats-Rentree.csv", finished_at=timezone.now()
    )
    export.file.save("r.csv", ContentFile(content))
    return export


def test_an_archived_organizations_exports_are_404_like_its_campaigns(member_a, campaign):
    export = finished_export(campaign)
    campaign.organization.archived_at = timezone.now()
    campaign.organization.save(update_fields=["archived_at"])
    api = APIClient()
    api.force_authenticate(member_a)
    assert api.get(f"/api/campaigns/{campaign.pk}/").status_code == 404
    assert_cross_tenant_404(api, [("get", f"/api/exports/{export.pk}/"), ("get", f"/api/exports/{export.pk}/file/")])


def test_a_token_client_downloads_a_finished_export_through_the_api(member_a, campaign):
    export = finished_export(campaign)
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=member_a).key}")
    download_url = api.get(f"/api/exports/{export.pk}/").json()["download_url"]
    assert download_url == f"http://testserver/api/exports/{export.pk}/file/"
    response = api.get(download_url)
    assert response.status_code == 200 and response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == 'attachment; filename="Resultats-Rentree.csv"'
    assert b"".join(response.streaming_content).decode("utf-8") == '\ufeff"Nom de l\'organisation"\r\n'


def test_an_export_file_is_404_until_it_is_built_and_refuses_other_methods(member_a, campaign):
    pending = CampaignExport.objects.create(campaign=campaign)
    api = APIClient()
    api.force_authenticate(member_a)
    response = api.get(f"/api/exports/{pending.pk}/file/")
    assert response.status_code == 404 and response.json()["code"] == "NOT_FOUND"
    assert api.post(f"/api/exports/{finished_export(campaign).pk}/file/").status_code == 405


def test_the_export_file_needs_authentication(campaign):
    response = APIClient().get(f"/api/exports/{finished_export(campaign).pk}/file/")
    assert response.status_code in (401, 403) and response.json()["code"] == "NOT_AUTHENTICATED"


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_an_export_is_built_by_the_worker_and_downloaded(celery_worker_process, member_a, campaign):
    participant(campaign, first="Léa", last="Martin", shared=True, validated=2)
    api = APIClient()
    api.force_authenticate(member_a)
    export_id = api.post(f"/api/campaigns/{campaign.pk}/exports/").json()["id"]
    body = wait_until(lambda: (b := api.get(f"/api/exports/{export_id}/").json())["status"] == "DONE" and b)
    assert body["progress"] == 100 and body["download_url"].endswith(f"/api/exports/{export_id}/file/")
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


# --- The whole file, byte for byte ---------------------------------------------------------------------
# Edge cases of §5.5 in one file: formula guard on names, classes and external ids, quotes, separators and
# line breaks inside a value, digit-only ids, a learner-less participation, Paris time on both sides of
# daylight saving and of midnight, knowledge reset or created after the sharing, improved and deleted
# participations left out.

WINTER = datetime(2024, 1, 15, 23, 30, tzinfo=UTC)  # 16/01/2024 00:30 in Paris
SUMMER = datetime(2024, 7, 1, 22, 15, tzinfo=UTC)  # 02/07/2024 00:15 in Paris


def sharing(campaign, *, last, first, status, external="", mastery=None, division="2NDE 3", knowledge=(), **extra):
    """A participation with explicit dates; ``knowledge``: (skill, status, earned pix, created_at)."""
    user = UserFactory(first_name=first or "x", last_name=last or "x")
    learner = None
    if last is not None:
        learner = OrganizationLearnerFactory(
            organization=campaign.organization,
            user=user,
            first_name=first,
            last_name=last,
            division=division,
            **{k: extra.pop(k) for k in ("group", "student_number") if k in extra},
        )
    participation = CampaignParticipation.objects.create(
        campaign=campaign,
        user=user,
        organization_learner=learner,
        participant_external_id=external,
        status=status,
        created_at=WINTER,
        shared_at=SUMMER if status == "SHARED" else None,
        mastery_rate=mastery,
        **extra,
    )
    for skill, state, pix, created in knowledge:
        KnowledgeElement.objects.create(
            user=user,
            skill_id=skill,
            competence_code=f"{skill[6]}.{skill[7]}",
            source="direct",
            status=state,
            earned_pix=pix,
            created_at=created,
        )
    return participation


def built_file(campaign) -> str:
    from campaigns.services.exports import campaign_export_build

    export = CampaignExport.objects.create(campaign=campaign)
    campaign_export_build(export_id=export.pk, max_level=5)
    export.refresh_from_db()
    assert export.status == "DONE"
    with export.file.open("rb") as file:
        return file.read().decode("utf-8")


def test_the_assessment_file_is_written_byte_for_byte(campaign):
    before, after = SUMMER - timedelta(days=3), SUMMER + timedelta(days=1)
    skill = "@sujet11x0{}".format
    martin = sharing(
        campaign,
        last="Martin",
        first="Léa",
        status="SHARED",
        external="=cmd",
        mastery="0.75",
        knowledge=[(skill(level), "validated", 2, before) for level in (1, 2, 3)],
    )
    sharing(campaign, last="Martin", first="Léa", status="SHARED", mastery="0.25", is_improved=True)
    sharing(campaign, last="Dupré", first="Noé", status="STARTED", external="0691234", division="=2A")
    sharing(campaign, last='O"Brien', first="Zoé", status="TO_SHARE", external='a;b\r\n"c"')
    sharing(campaign, last="@dmin", first="+33", status="SHARED", mastery="0.00")
    sharing(
        campaign,
        last="Roux",
        first="Ana",
        status="SHARED",
        external="12ab",
        mastery="0.50",
        knowledge=[
            (skill(1), "validated", 2, before - timedelta(days=1)),
            (skill(1), "reset", 0, before),
            (skill(2), "validated", 2, before),
            (skill(3), "validated", 2, after),
            (skill(4), "invalidated", 0, before - timedelta(days=1)),
            (skill(4), "validated", 2, before),
        ],
    )
    sharing(
        campaign,
        last=None,
        first="",
        status="SHARED",
        external="-3",
        mastery="1.00",
        knowledge=[(skill(level), "validated", 2, before) for level in (1, 2, 3, 4)],
    )
    sharing(campaign, last="Zidane", first="Effacé", status="SHARED", mastery="0.50", deleted_at=SUMMER)
    assert martin.pk
    head = f'"Lycée Victor Hugo";{campaign.pk};"{campaign.code}";"Rentrée 2nde";"Parcours d\'essai"'
    assert built_file(campaign) == EXPECTED_ASSESSMENT.format(head=head)


def test_the_profiles_collection_file_is_written_byte_for_byte(tmp_path, school_a):
    from crcn.services import content_load
    from tests.crcn.bank import competence_data

    content_load(content_dir=write_bank(tmp_path, competences=[competence_data("1.1"), competence_data("2.1")]))
    school_a.type = "SUP"
    school_a.save()
    campaign = CampaignFactory(organization=school_a, name="Collecte", external_id_label="N° INE")
    before = SUMMER - timedelta(days=3)
    sharing(
        campaign,
        last="Martin",
        first="Léa",
        status="SHARED",
        external="=1+1",
        group="G1",
        student_number="0042",
        knowledge=[
            *((f"@sujet11x0{level}", "validated", "2.5", before) for level in (1, 2, 3, 4)),
            ("@sujet21x01", "validated", "7.9999", before),
            ("@sujet21x02", "invalidated", 0, before),
            ("@sujet21x03", "validated", 3, SUMMER + timedelta(hours=1)),
        ],
    )
    sharing(campaign, last="Dupré", first="Noé", status="STARTED", group="G2")
    sharing(campaign, last="Simon", first="Zoé", status="SHARED", external="007")
    head = f'"Lycée Victor Hugo";{campaign.pk};"{campaign.code}";"Collecte"'
    assert built_file(campaign) == EXPECTED_PROFILES.format(head=head)


EXPECTED_ASSESSMENT = (
    '\ufeff"Nom de l\'organisation";"ID Campagne";"Code";"Nom de la campagne";"Parcours";"Nom du Participant";'
    '"Prénom du Participant";"Classe";"Groupe";"% de progression";"Date de début";"Partage (O/N)";'
    '"Date du partage";"Palier obtenu (/2)";"% maitrise de l\'ensemble des acquis du profil";'
    '"% de maitrise des acquis de la compétence Compétence 1.1";'
    '"Nombre d\'acquis du profil cible dans la compétence Compétence 1.1";'
    '"Acquis maitrisés dans la compétence Compétence 1.1";"% de maitrise des acquis du domaine Domaine 1";'
    '"Nombre d\'acquis du profil cible du domaine Domaine 1";"Acquis maitrisés du domaine Domaine 1"\r\n'
    '{head};"\'@dmin";"\'+33";"2NDE 3";"";1;"16/01/2024 00:30";"Oui";"02/07/2024 00:15";0;0;0;4;0;0;4;0\r\n'
    '{head};"Dupré";"Noé";"\'=2A";0691234;0;"16/01/2024 00:30";"Non";"NA";"NA";"NA";"NA";4;"NA";"NA";4;"NA"\r\n'
    '{head};"Martin";"Léa";"2NDE 3";"\'=cmd";1;"16/01/2024 00:30";"Oui";"02/07/2024 00:15";1;0,75;0,75;4;3;'
    "0,75;4;3\r\n"
    '{head};"O""Brien";"Zoé";"2NDE 3";"a;b\r\n""c""";1;"16/01/2024 00:30";"Non";"NA";"NA";"NA";"NA";4;"NA";'
    '"NA";4;"NA"\r\n'
    '{head};"Roux";"Ana";"2NDE 3";"12ab";1;"16/01/2024 00:30";"Oui";"02/07/2024 00:15";1;0,5;0,5;4;2;0,5;4;'
    "2\r\n"
    '{head};"";"";"";"\'-3";1;"16/01/2024 00:30";"Oui";"02/07/2024 00:15";2;1;1;4;4;1;4;4\r\n'
)
EXPECTED_PROFILES = (
    '\ufeff"Nom de l\'organisation";"ID Campagne";"Code";"Nom de la campagne";"Nom du Participant";'
    '"Prénom du Participant";"Groupe";"Numéro Étudiant";"N° INE";"Envoi (O/N)";"Date de l\'envoi";'
    '"Nombre de pix total";"Certifiable (O/N)";"Nombre de compétences certifiables";'
    '"Niveau pour la compétence Compétence 1.1";"Nombre de pix pour la compétence Compétence 1.1";'
    '"Niveau pour la compétence Compétence 2.1";"Nombre de pix pour la compétence Compétence 2.1"\r\n'
    '{head};"Dupré";"Noé";"G2";"";"";"Non";"NA";"NA";"NA";"NA";"NA";"NA";"NA";"NA"\r\n'
    '{head};"Martin";"Léa";"G1";0042;"\'=1+1";"Oui";"2024-07-02";17;"Non";1;1;10;0;7\r\n'
    '{head};"Simon";"Zoé";"";"";007;"Oui";"2024-07-02";0;"Non";0;0;0;0;0\r\n'
)
