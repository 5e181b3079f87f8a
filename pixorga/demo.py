"""Demo data for `make run`, across the apps: one lycée and a collège, their teams, two classes of students
with accounts, a SIECLE file to import, a campaign; then the certification part (``certification/demo.py``).

Idempotent: a second run finds what the first created and changes nothing.
"""

from __future__ import annotations

import io
import zipfile
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from django.conf import settings
from django.db import transaction

from accounts.models import Membership, Organization, User
from accounts.services import user_create
from campaigns.models import Campaign
from campaigns.services.campaigns import campaign_create
from certification.demo import demo_certification_load
from crcn.models import TargetProfile
from students.importers.samples import SampleStudent, fake_students, siecle_xml
from students.models import OrganizationLearner

DEMO_UAI = "0699999Z"
DEMO_PASSWORD = "Demo2026!"  # noqa: S105 - printed on purpose: demo logins only
OTHER_UAI = "0698888Y"

DIVISIONS = {
    "2nde 3": [
        ("Léa", "Martin", date(2010, 3, 14), "F"),
        ("Noah", "Bernard", date(2010, 7, 2), "M"),
        ("Chloé", "Dubois", date(2010, 11, 23), "F"),
        ("Lucas", "Thomas", date(2010, 1, 9), "M"),
        ("Inès", "Robert", date(2010, 5, 30), "F"),
        ("Hugo", "Richard", date(2010, 9, 18), "M"),
        ("Jade", "Petit", date(2010, 12, 5), "F"),
        ("Gabriel", "Durand", date(2010, 4, 27), "M"),
    ],
    "2nde 5": [
        ("Manon", "Leroy", date(2010, 2, 11), "F"),
        ("Louis", "Moreau", date(2010, 6, 21), "M"),
        ("Zoé", "Simon", date(2010, 8, 8), "F"),
        ("Arthur", "Laurent", date(2010, 10, 3), "M"),
        ("Camille", "Lefèvre", date(2010, 3, 29), "F"),
        ("Raphaël", "Michel", date(2010, 7, 15), "M"),
        ("Lina", "Garcia", date(2010, 1, 26), "F"),
        ("Éthan", "Bœuf", date(2010, 11, 1), "M"),
    ],
}


@dataclass
class DemoLogin:
    who: str
    login: str
    password: str


def _staff(email: str, first_name: str, last_name: str) -> User:
    existing = User.objects.filter(email__iexact=email).first()
    return existing or user_create(first_name=first_name, last_name=last_name, email=email, password=DEMO_PASSWORD)


def _membership(user: User, organization: Organization, role: str) -> None:
    Membership.objects.get_or_create(user=user, organization=organization, disabled_at=None, defaults={"role": role})


def demo_data_load() -> list[DemoLogin]:
    """Schools, staff, students and a campaign in one transaction; then the certification demo, whose
    services each open their own (durable) transaction."""
    logins, lycee, admin = _demo_schools_load()
    for who, login, password in demo_certification_load(lycee=lycee, admin=admin):
        logins.append(DemoLogin(who, login, password or DEMO_PASSWORD))
    return logins


@transaction.atomic
def _demo_schools_load() -> tuple[list[DemoLogin], Organization, User]:
    lycee, _ = Organization.objects.get_or_create(
        external_id=DEMO_UAI,
        defaults={
            "type": Organization.Type.SCO,
            "name": "Lycée Marie Curie (démo)",
            "is_managing_students": True,
            "email": "ce.0699999z@ac-demo.fr",
        },
    )
    college, _ = Organization.objects.get_or_create(
        external_id=OTHER_UAI,
        defaults={
            "type": Organization.Type.SCO,
            "name": "Collège Jean Moulin (démo)",
            "is_managing_students": True,
            "email": "ce.0698888y@ac-demo.fr",
        },
    )
    admin = _staff("direction@lycee-demo.fr", "Claire", "Proviseure")
    teacher = _staff("prof.snt@lycee-demo.fr", "Karim", "Enseignant")
    other_admin = _staff("direction@college-demo.fr", "Paul", "Principal")
    _membership(admin, lycee, Membership.Role.ADMIN)
    _membership(teacher, lycee, Membership.Role.MEMBER)
    _membership(other_admin, college, Membership.Role.ADMIN)
    if not User.objects.filter(email__iexact="operateur@pix-orga.local").exists():
        User.objects.create_superuser(
            email="operateur@pix-orga.local", first_name="Opératrice", last_name="Plateforme", password=DEMO_PASSWORD
        )

    logins = [
        DemoLogin("Opérateur (Django admin, /admin/)", "operateur@pix-orga.local", DEMO_PASSWORD),
        DemoLogin(f"Administratrice de {lycee.name}", admin.email, DEMO_PASSWORD),
        DemoLogin(f"Enseignant de {lycee.name}", teacher.email, DEMO_PASSWORD),
        DemoLogin(f"Administrateur de {college.name}", other_admin.email, DEMO_PASSWORD),
    ]
    for division_index, (division, students) in enumerate(DIVISIONS.items(), start=1):
        for index, (first_name, last_name, birthdate, sex) in enumerate(students):
            ine = f"0699{division_index:02d}{index:04d}K"
            learner = OrganizationLearner.objects.filter(
                organization=lycee, first_name=first_name, last_name=last_name, birthdate=birthdate
            ).first()
            if learner is None:
                student = user_create(
                    first_name=first_name, last_name=last_name, birthdate=birthdate, password=DEMO_PASSWORD
                )
                learner = OrganizationLearner(
                    organization=lycee,
                    user=student,
                    national_student_id=ine,
                    first_name=first_name,
                    last_name=last_name,
                    birthdate=birthdate,
                    sex=sex,
                    division=division,
                    mef_code="20010018110",
                )
                learner.refresh_search_text()
                learner.save()
            if index == 0:
                logins.append(DemoLogin(f"Élève de {division}", learner.user.username, DEMO_PASSWORD))
    _write_demo_siecle_file(lycee)
    campaign = _demo_campaign(lycee, teacher)
    if campaign is not None:
        logins.append(DemoLogin("Code de la campagne de rentrée (élèves de 2nde)", campaign.code, "—"))
    return logins, lycee, admin


def _demo_campaign(lycee: Organization, teacher: User):
    """A parcours de rentrée campaign, once the content is loaded (make run loads it first)."""
    existing = lycee.campaigns.filter(name="Rentrée 2nde (démo)").first()
    if existing is not None:
        return existing
    profile = TargetProfile.objects.filter(key="rentree-2nde-gt").first()
    if profile is None:
        return None
    return campaign_create(
        organization=lycee,
        creator=teacher,
        name="Rentrée 2nde (démo)",
        type=Campaign.Type.ASSESSMENT,
        target_profile_id=profile.pk,
        title="Parcours de rentrée 2nde",
        custom_landing_page_text="Répondez seul, sans chercher sur internet : ce test sert à savoir par où commencer.",
    )


DEMO_SIECLE_FILE = "var/demo/ElevesSansAdresses-demo.zip"


def _write_demo_siecle_file(lycee: Organization) -> None:
    """A SIECLE export for the demo lycée, so the import can be tried: the two classes plus newcomers."""
    known = [
        SampleStudent(
            str(i),
            learner.national_student_id,
            learner.first_name,
            learner.last_name,
            birthdate=learner.birthdate.strftime("%d/%m/%Y"),
            sex="2" if learner.sex == "F" else "1",
            division=learner.division,
        )
        for i, learner in enumerate(lycee.learners.filter(is_disabled=False).order_by("pk")[:15], start=1)
    ]
    newcomers = fake_students(60, seed=2026, divisions=2)
    for student in newcomers:
        student.eleve_id = f"9{student.eleve_id}"
        student.division = student.division.replace("1ERE", "2NDE").replace("TLE", "2NDE")
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("ElevesSansAdresses.xml", siecle_xml(known + newcomers, uaj=lycee.external_id))
    path = Path(settings.BASE_DIR) / DEMO_SIECLE_FILE
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(buffer.getvalue())
