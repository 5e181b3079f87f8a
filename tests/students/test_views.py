"""Students pages: permissions, cross-school isolation, accounts and class sheets."""

import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from students.models import LearnerImport
from tests.accounts.factories import PASSWORD
from tests.students.factories import OrganizationLearnerFactory
from tests.students.files import xml_file
from tests.tenancy import assert_cross_tenant_404

pytestmark = pytest.mark.django_db


def url(name, **kwargs):
    return reverse(f"students:{name}", kwargs=kwargs)


@pytest.fixture
def class_a(school_a):
    return [
        OrganizationLearnerFactory(organization=school_a, first_name=first, last_name=last, division=division)
        for first, last, division in [
            ("Léa", "Martin", "2NDE 1"),
            ("Noé", "Dupré", "2NDE 1"),
            ("Zoé", "Simon", "2NDE 2"),
        ]
    ]


def test_members_see_the_list_filtered_by_class_and_search(client, member_a, school_a, class_a):
    client.force_login(member_a)
    page = client.get(url("list", org_id=school_a.pk), {"divisions": ["2NDE 1"]}).content.decode()
    assert "Martin" in page and "Dupré" in page and "Simon" not in page
    page = client.get(url("list", org_id=school_a.pk), {"search": "dupre"}).content.decode()
    assert "Dupré" in page and "Martin" not in page


def test_disabled_students_are_hidden_unless_asked(client, member_a, school_a, class_a):
    class_a[0].is_disabled = True
    class_a[0].save()
    client.force_login(member_a)
    assert "Martin" not in client.get(url("list", org_id=school_a.pk)).content.decode()
    assert "Martin" in client.get(url("list", org_id=school_a.pk), {"include_disabled": "on"}).content.decode()


def test_the_list_uses_a_constant_number_of_queries(client, member_a, school_a, django_assert_max_num_queries):
    OrganizationLearnerFactory.create_batch(60, organization=school_a)
    client.force_login(member_a)
    with django_assert_max_num_queries(12):
        client.get(url("list", org_id=school_a.pk))


def test_only_admins_import(client, member_a, school_a):
    client.force_login(member_a)
    assert client.get(url("import", org_id=school_a.pk)).status_code == 403


def test_an_upload_of_the_wrong_kind_is_a_french_400(client, admin_a, school_a):
    client.force_login(admin_a)
    response = client.post(
        url("import", org_id=school_a.pk), {"format": "siecle-xml", "file": SimpleUploadedFile("notes.pdf", b"%PDF")}
    )
    assert response.status_code == 400
    assert "exporté de SIECLE" in response.content.decode()


def test_another_schools_students_pages_are_404(client, admin_b, school_a, class_a, admin_a):
    learner_import = LearnerImport.objects.create(
        organization=school_a, created_by=admin_a, format="siecle-xml", filename="a.xml"
    )
    client.force_login(admin_b)
    assert_cross_tenant_404(
        client,
        [
            ("get", url("list", org_id=school_a.pk)),
            ("get", url("detail", org_id=school_a.pk, learner_id=class_a[0].pk)),
            ("get", url("import", org_id=school_a.pk)),
            ("get", url("import_detail", org_id=school_a.pk, import_id=learner_import.pk)),
            ("post", url("import_confirm", org_id=school_a.pk, import_id=learner_import.pk)),
            ("post", url("accounts_create", org_id=school_a.pk)),
            ("post", url("passwords_reset", org_id=school_a.pk)),
            ("get", url("credentials", org_id=school_a.pk, token="x")),
            ("get", url("import_template", org_id=school_a.pk, file_format="siecle-csv")),
        ],
    )


def test_school_b_ids_through_school_b_urls_are_404_too(client, admin_b, school_b, school_a, class_a, admin_a):
    learner_import = LearnerImport.objects.create(
        organization=school_a, created_by=admin_a, format="siecle-xml", filename="a.xml"
    )
    client.force_login(admin_b)
    assert client.get(url("detail", org_id=school_b.pk, learner_id=class_a[0].pk)).status_code == 404
    assert client.get(url("import_detail", org_id=school_b.pk, import_id=learner_import.pk)).status_code == 404
    response = client.post(url("accounts_create", org_id=school_b.pk), {"learner_ids": [class_a[0].pk]})
    assert response.status_code == 302
    class_a[0].refresh_from_db()
    assert class_a[0].user is None


def test_a_teacher_creates_accounts_and_downloads_the_class_sheet(client, member_a, school_a, class_a):
    client.force_login(member_a)
    response = client.post(url("accounts_create", org_id=school_a.pk), {"learner_ids": [class_a[0].pk, class_a[1].pk]})
    page = client.get(response["Location"]).content.decode()
    class_a[0].refresh_from_db()
    user = class_a[0].user
    assert user.username == "lea.martin1403" and user.must_change_password
    assert "lea.martin1403" in page
    token = response["Location"].rstrip("/").rsplit("/", 1)[1]
    csv_body = client.get(url("credentials_file", org_id=school_a.pk, token=token, file_format="csv")).content.decode(
        "utf-8-sig"
    )
    lines = csv_body.strip().splitlines()
    assert lines[0] == "Classe;Nom;Prénom;Identifiant;Mot de passe provisoire"
    password = lines[2].split(";")[-1] if "lea.martin1403" in lines[2] else lines[1].split(";")[-1]
    assert len(password) == 8 and password[:6].isalpha() and password[6:].isdigit() and not set("ilo") & set(password)
    assert user.check_password(password)
    pdf = client.get(url("credentials_file", org_id=school_a.pk, token=token, file_format="pdf"))
    assert pdf["Content-Type"] == "application/pdf" and pdf.content.startswith(b"%PDF")


def test_a_credentials_sheet_is_only_for_the_teacher_who_made_it(client, member_a, admin_a, school_a, class_a):
    client.force_login(member_a)
    response = client.post(url("accounts_create", org_id=school_a.pk), {"learner_ids": [class_a[0].pk]})
    client.force_login(admin_a)
    assert client.get(response["Location"]).status_code == 404


def test_students_with_an_account_are_skipped_and_reset_works(client, member_a, school_a, class_a, student):
    class_a[0].user = student
    class_a[0].save()
    client.force_login(member_a)
    response = client.post(url("passwords_reset", org_id=school_a.pk), {"learner_ids": [class_a[0].pk]})
    assert response.status_code == 302
    student.refresh_from_db()
    assert student.must_change_password and not student.check_password(PASSWORD)


def test_a_temporary_password_must_be_changed_before_anything_else(client, school_a, class_a, member_a):
    client.force_login(member_a)
    client.post(url("accounts_create", org_id=school_a.pk), {"learner_ids": [class_a[0].pk]})
    class_a[0].refresh_from_db()
    client.force_login(class_a[0].user)
    response = client.get(reverse("accounts:my_account"))
    assert response.status_code == 302 and response["Location"].startswith(reverse("accounts:password_change"))
    client.post(reverse("accounts:password_change"), {"new_password1": "Rentree2026x", "new_password2": "Rentree2026x"})
    assert client.get(reverse("accounts:my_account")).status_code == 200


def test_the_csv_template_has_the_siecle_headers(client, admin_a, school_a):
    client.force_login(admin_a)
    body = client.get(url("import_template", org_id=school_a.pk, file_format="siecle-csv")).content.decode("utf-8-sig")
    assert body.startswith("Identifiant unique*;Premier prénom*;")


def test_an_import_page_shows_the_preview_and_confirmation(client, admin_a, school_a):
    from students.services import imports

    client.force_login(admin_a)
    learner_import = imports.learner_import_create(
        organization=school_a,
        created_by=admin_a,
        uploaded_file=SimpleUploadedFile("e.xml", xml_file()),
        file_format="siecle-xml",
        enqueue=False,
    )
    imports.learner_import_validate(import_id=learner_import.pk)
    page = client.get(url("import_detail", org_id=school_a.pk, import_id=learner_import.pk)).content.decode()
    assert "3 nouveaux" in page and "Confirmer l'import" in page


def test_a_students_page_lists_the_campaigns_taken(client, member_a, school_a, student):
    from campaigns.models import CampaignParticipation
    from tests.students.factories import CampaignFactory

    learner = OrganizationLearnerFactory(organization=school_a, user=student)
    campaign = CampaignFactory(organization=school_a, name="Rentrée 2nde 3")
    CampaignParticipation.objects.create(
        campaign=campaign, user=student, organization_learner=learner, status="SHARED", mastery_rate=0.42
    )
    client.force_login(member_a)
    page = client.get(url("detail", org_id=school_a.pk, learner_id=learner.pk)).content.decode()
    assert "Rentrée 2nde 3" in page and "42 %" in page


def test_a_students_page_title_is_the_students_name(client, member_a, school_a, class_a):
    client.force_login(member_a)
    page = client.get(url("detail", org_id=school_a.pk, learner_id=class_a[0].pk)).content.decode()
    title = re.search(r"<title>(.*?)</title>", page, re.DOTALL).group(1)
    assert title == "Léa Martin · Pix Orga"
    assert page.count("<h2>Campagnes</h2>") == 1


def test_certificability_comes_from_the_latest_shared_profile_collection(client, member_a, school_a, student):
    from datetime import timedelta

    from django.utils import timezone

    from campaigns.models import CampaignParticipation
    from tests.students.factories import CampaignFactory

    learner = OrganizationLearnerFactory(organization=school_a, user=student, last_name="Certifiée")
    OrganizationLearnerFactory(organization=school_a, last_name="Inconnue")
    collection = CampaignFactory(organization=school_a, type="PROFILES_COLLECTION")
    for days, certifiable in ((10, False), (1, True)):
        CampaignParticipation.objects.create(
            campaign=collection,
            user=student,
            organization_learner=learner,
            status="SHARED",
            shared_at=timezone.now() - timedelta(days=days),
            is_certifiable=certifiable,
            is_improved=days == 10,
        )
    client.force_login(member_a)
    certifiable = client.get(url("list", org_id=school_a.pk), {"certificability": "certifiable"}).content.decode()
    assert "Certifiée" in certifiable and "Inconnue" not in certifiable
    unknown = client.get(url("list", org_id=school_a.pk), {"certificability": "unknown"}).content.decode()
    assert "Inconnue" in unknown and "Certifiée" not in unknown
