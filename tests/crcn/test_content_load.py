from decimal import Decimal

import pytest
from django.core.management import call_command
from django.test import Client

from crcn.models import Challenge, ContentRelease, Skill, Stage, TargetProfile, Tube
from crcn.selectors import content_statistics, target_profile_description
from crcn.services import ContentError, content_load
from tests.accounts.factories import UserFactory
from tests.crcn.bank import competence_data, profiles_data, write_bank

pytestmark = pytest.mark.django_db


def test_a_valid_bank_is_loaded_with_its_counts(tmp_path):
    report = content_load(content_dir=write_bank(tmp_path))
    assert not report.already_loaded
    assert report.counts["sujets"] == 3 and report.counts["acquis"] == 18 and report.counts["épreuves"] == 36
    assert report.counts["parcours"] == 1
    assert Stage.objects.filter(target_profile__key="parcours-essai").count() == 3


def test_loading_the_same_files_twice_changes_nothing(tmp_path):
    root = write_bank(tmp_path)
    first = content_load(content_dir=root)
    second = content_load(content_dir=root)
    assert second.already_loaded and second.release_id == first.release_id
    assert ContentRelease.objects.count() == 1


def test_each_level_is_worth_eight_pix_split_across_its_skills(tmp_path):
    content_load(content_dir=write_bank(tmp_path))
    for level in range(1, 7):
        values = Skill.objects.filter(level=level).values_list("pix_value", flat=True)
        assert abs(sum(values) - Decimal("8")) <= Decimal("0.001")  # 3 skills × 2.6667
        assert all(v == Decimal("2.6667") for v in values)


def test_a_level_with_one_skill_is_capped_at_four_pix(tmp_path):
    data = competence_data()
    data["tubes"][0]["skills"].append(
        {
            **data["tubes"][0]["skills"][0],
            "name": "@sujet11x07",
            "challenges": [{**c, "id": c["id"] + "-7"} for c in data["tubes"][0]["skills"][0]["challenges"]],
        }
    )
    with pytest.raises(ContentError) as error:  # one skill at level 7 is refused by the validator…
        content_load(content_dir=write_bank(tmp_path, [data]))
    assert any("niveau 7" in m for m in error.value.messages)


def _broken(tmp_path, mutate):
    data = competence_data()
    profiles = profiles_data()
    mutate(data, profiles)
    return write_bank(tmp_path, [data], profiles)


@pytest.mark.parametrize(
    ("mutate", "expected"),
    [
        (
            lambda d, p: d["tubes"][1]["skills"][0]["challenges"][0].update(id="ch-sujet11x01-a"),
            "1.1.yaml > @sujet11x1 > @sujet11x11 > ch-sujet11x01-a : "
            "identifiant épreuve « ch-sujet11x01-a » déjà utilisé",
        ),
        (
            lambda d, p: d["tubes"][0]["skills"][2]["challenges"][1].pop("solution"),
            "1.1.yaml > @sujet11x0 > @sujet11x03 > ch-sujet11x03-b : solution manquante",
        ),
        (
            lambda d, p: p["target_profiles"][0]["tubes"].append({"tube": "@inconnu", "level": 2}),
            "target_profiles.yaml > parcours-essai : sujet « @inconnu » inconnu",
        ),
        (
            lambda d, p: d["tubes"][0]["skills"][0]["challenges"][0].update(solution=7),
            "1.1.yaml > @sujet11x0 > @sujet11x01 > ch-sujet11x01-a : "
            "la solution désigne une proposition qui n'existe pas",
        ),
        (
            lambda d, p: d["tubes"][0]["skills"][1]["challenges"].pop(),
            "1.1.yaml > @sujet11x0 > @sujet11x02 : au moins 2 épreuves (variantes) par acquis",
        ),
        (
            lambda d, p: p["target_profiles"][0].update(resettable="oui"),
            "target_profiles.yaml > parcours-essai : « resettable » vaut true ou false",
        ),
    ],
    ids=[
        "duplicate-id",
        "missing-solution",
        "unknown-profile-tube",
        "solution-out-of-range",
        "no-variant",
        "resettable-not-a-boolean",
    ],
)
def test_a_broken_bank_is_refused_naming_file_and_item_and_nothing_is_written(tmp_path, mutate, expected):
    with pytest.raises(ContentError) as error:
        content_load(content_dir=_broken(tmp_path, mutate))
    assert any(message.startswith(expected) for message in error.value.messages), error.value.messages
    assert not Tube.objects.exists() and not Challenge.objects.exists() and not ContentRelease.objects.exists()


def test_a_broken_release_leaves_the_previous_one_untouched(tmp_path):
    content_load(content_dir=write_bank(tmp_path / "v1"))
    before = list(Challenge.objects.order_by("id").values_list("id", "instruction", "status"))
    with pytest.raises(ContentError):
        content_load(
            content_dir=_broken(
                tmp_path / "v2", lambda d, p: d["tubes"][0]["skills"][0]["challenges"][0].pop("solution")
            )
        )
    assert list(Challenge.objects.order_by("id").values_list("id", "instruction", "status")) == before


def test_a_challenge_removed_from_the_files_is_archived_not_deleted(tmp_path):
    content_load(content_dir=write_bank(tmp_path / "v1"))
    data = competence_data()
    data["tubes"][0]["skills"][0]["challenges"].append(
        {**data["tubes"][0]["skills"][0]["challenges"][0], "id": "ch-nouvelle", "instruction": "Nouvelle consigne"}
    )
    data["tubes"][0]["skills"][0]["challenges"].pop(0)
    content_load(content_dir=write_bank(tmp_path / "v2", [data]))
    assert Challenge.objects.get(id="ch-sujet11x01-a").status == "archived"
    assert Challenge.objects.get(id="ch-nouvelle").status == "validated"


def test_a_profile_removed_from_the_files_becomes_outdated(tmp_path):
    content_load(content_dir=write_bank(tmp_path / "v1"))
    profiles = profiles_data()
    profiles["target_profiles"][0]["id"] = "autre-parcours"
    content_load(content_dir=write_bank(tmp_path / "v2", profiles=profiles))
    assert TargetProfile.objects.get(key="parcours-essai").outdated
    assert not TargetProfile.objects.get(key="autre-parcours").outdated


def test_a_parcours_says_whether_learners_may_reset_it_and_by_default_they_may_not(tmp_path):
    content_load(content_dir=write_bank(tmp_path / "v1"))
    assert not TargetProfile.objects.get(key="parcours-essai").are_knowledge_elements_resettable
    profiles = profiles_data()
    profiles["target_profiles"][0]["resettable"] = True
    content_load(content_dir=write_bank(tmp_path / "v2", profiles=profiles))
    assert TargetProfile.objects.get(key="parcours-essai").are_knowledge_elements_resettable


def test_the_profile_description_lists_tubes_by_competence_with_caps(tmp_path):
    content_load(content_dir=write_bank(tmp_path))
    [(competence, lines)] = target_profile_description(target_profile=TargetProfile.objects.get())
    assert competence.code == "1.1"
    assert [(line.tube.title, line.level, line.skills_count) for line in lines] == [
        ("Sujet 0", 4, 4),
        ("Sujet 1", 2, 2),
    ]


def test_the_real_bank_loads_meets_the_minimums_and_reloads_as_a_no_op(capsys):
    call_command("load_content")
    rows = content_statistics()
    assert len(rows) == 16
    assert sum(r["tubes"] for r in rows) >= 48
    assert sum(r["skills"] for r in rows) >= 300
    assert sum(r["challenges"] for r in rows) >= 600
    assert sum(r["tutorials"] for r in rows) >= 60
    assert all(0 not in r["levels"][:6] and r["skills"] >= 18 for r in rows)
    assert all(set(r["types"]) == {"QCU", "QCM", "QROC", "QROCM"} for r in rows)
    assert TargetProfile.objects.filter(outdated=False).count() >= 30
    call_command("load_content")
    assert "déjà à jour" in capsys.readouterr().out
    call_command("content_stats")
    assert "Tous les minimums du contenu sont atteints." in capsys.readouterr().out


def test_the_preview_checks_answers_for_operators_only(client, tmp_path, member_a):
    content_load(content_dir=write_bank(tmp_path))
    admin_client = Client()
    admin_client.force_login(UserFactory(is_staff=True))
    url = "/contenu/epreuves/ch-sujet11x01-a/"
    client.force_login(member_a)
    assert client.get(url).status_code == 302  # to the admin login: not an operator
    response = admin_client.post(url, {"answer": "2"})
    assert "Réponse correcte." in response.content.decode()
    response = admin_client.post(url, {"answer": "3"})
    assert "Réponse incorrecte." in response.content.decode()
    assert admin_client.get("/contenu/epreuves/inconnue/").status_code == 404


def test_public_pages_of_the_referential(client, tmp_path):
    content_load(content_dir=write_bank(tmp_path))
    assert client.get("/referentiel/").status_code == 200
    assert "Sujet 0" in client.get("/referentiel/1.1/").content.decode()
    assert client.get("/referentiel/9.9/").status_code == 404
    assert "Parcours d&#x27;essai" in client.get("/parcours/").content.decode()
    page = client.get("/parcours/parcours-essai/").content.decode()
    assert "Descriptif du parcours" in page and "Sujet 1" in page
    assert client.get("/parcours/inconnu/").status_code == 404


def test_the_preview_page_renders_before_any_answer(tmp_path):
    content_load(content_dir=write_bank(tmp_path))
    staff = Client()
    staff.force_login(UserFactory(is_staff=True))
    for challenge in Challenge.objects.all()[:4]:
        response = staff.get(f"/contenu/epreuves/{challenge.id}/")
        assert response.status_code == 200
        assert challenge.instruction in response.content.decode()
