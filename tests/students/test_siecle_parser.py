"""The SIECLE XML parser on its own: selection rules, every error code, encodings, hostile files."""

import io
import time

import pytest

from students.importers import siecle_xml
from students.importers.common import ImportFileError
from students.importers.samples import SampleStudent
from students.importers.siecle_xml import parse_siecle_xml
from tests.students.files import BILLION_LAUGHS, UAI, XXE, students, xml_file, zipped


def parse(data: bytes, uai: str = UAI):
    return parse_siecle_xml(io.BytesIO(data), expected_uai=uai, organization_name="Lycée Victor Hugo")


def codes(result):
    return [i.code for i in result.issues]


def one(**changes) -> SampleStudent:
    base = SampleStudent("1", "123456789AB", "Léa", "Martin")
    for key, value in changes.items():
        setattr(base, key, value)
    return base


def test_a_real_shaped_iso_8859_15_file_keeps_oe_and_accents():
    result = parse(xml_file([one(first_name="Cœline", last_name="Bœuf-Lefèvre")]))
    assert codes(result) == []
    [learner] = result.learners
    assert (learner.first_name, learner.last_name) == ("Cœline", "Bœuf-Lefèvre")
    assert learner.sex == "F" and str(learner.birthdate) == "2010-03-14"
    assert learner.division == "2NDE 3" and learner.birth_country_code == "100"


@pytest.mark.parametrize(("encoding", "bom"), [("UTF-8", False), ("UTF-8", True), ("ISO-8859-15", False)])
def test_utf8_with_or_without_bom_and_latin9_are_read(encoding, bom):
    result = parse(xml_file([one(first_name="Éloïse")], encoding=encoding, bom=bom))
    assert [learner.first_name for learner in result.learners] == ["Éloïse"]


def test_selection_rules_of_siecle():
    left = one(eleve_id="2", ine="222222222BB", date_sortie="30/06/2026")
    not_arrived = one(eleve_id="3", ine="")
    inactive = one(eleve_id="4", ine="444444444DD", division="Inactifs")
    grouped = one(eleve_id="5", ine="555555555EE", extra_structures=[("LV2 ESP", "G")])
    result = parse(xml_file([one(), left, not_arrived, inactive, grouped]))
    assert sorted(learner.national_student_id for learner in result.learners) == ["123456789AB", "555555555EE"]
    assert {learner.division for learner in result.learners} == {"2NDE 3"}


def test_a_file_of_another_school_is_refused_naming_both_uai():
    with pytest.raises(ImportFileError) as error:
        parse(xml_file(uaj="0690000Z"))
    assert error.value.issue.code == "UAI_MISMATCHED"
    assert "0690000Z" in error.value.issue.detail and UAI in error.value.issue.detail


def test_a_file_without_uaj_is_refused():
    data = xml_file().replace(b"<UAJ>0691234A</UAJ>", b"")
    with pytest.raises(ImportFileError) as error:
        parse(data)
    assert error.value.issue.code == "UAI_MISSING"


def test_a_duplicate_ine_names_both_students():
    result = parse(xml_file([one(first_name="Léa"), one(eleve_id="2", first_name="Zoé", last_name="Simon")]))
    [problem] = result.issues
    assert problem.code == "INE_UNIQUE" and problem.ine == "123456789AB"
    assert "Léa Martin" in problem.detail and "Zoé Simon" in problem.detail


@pytest.mark.parametrize(
    ("changes", "code"),
    [
        ({"sex": "9"}, "SEX_CODE_REQUIRED"),
        ({"birthdate": ""}, "BIRTHDATE_REQUIRED"),
        ({"birthdate": "31/02/2010"}, "INVALID_BIRTHDATE_FORMAT"),
        ({"birthdate": "2010-03-14"}, "INVALID_BIRTHDATE_FORMAT"),
        ({"city_code": ""}, "BIRTH_CITY_CODE_REQUIRED_FOR_FR_STUDENT"),
        ({"last_name": ""}, "LAST_NAME_REQUIRED"),
        ({"first_name": ""}, "FIRST_NAME_REQUIRED"),
    ],
)
def test_each_student_error_has_its_code_ine_and_a_french_sentence(changes, code):
    result = parse(xml_file([one(**changes), one(eleve_id="2", ine="999999999ZZ")]))
    [problem] = result.issues
    assert problem.code == code and problem.ine == "123456789AB"
    assert problem.detail and problem.detail[0].isupper()


def test_every_error_is_reported_not_only_the_first():
    result = parse(
        xml_file([one(sex=""), one(eleve_id="2", ine="2B", birthdate=""), one(eleve_id="3", ine="3C", city_code="")])
    )
    assert codes(result) == ["SEX_CODE_REQUIRED", "BIRTHDATE_REQUIRED", "BIRTH_CITY_CODE_REQUIRED_FOR_FR_STUDENT"]


def test_a_foreign_born_student_needs_no_insee_code():
    result = parse(xml_file([one(country="216", city_code="", city="Tunis")]))
    assert codes(result) == []


def test_a_file_with_nobody_to_import_is_empty():
    result = parse(xml_file([one(date_sortie="01/09/2025")]))
    assert codes(result) == ["EMPTY"]


def test_a_truncated_file_is_refused():
    data = xml_file()
    with pytest.raises(ImportFileError) as error:
        parse(data[: len(data) // 2])
    assert error.value.issue.code == "INVALID_FILE"


def test_an_unknown_encoding_is_refused():
    data = xml_file(encoding="UTF-8").replace(b'encoding="UTF-8"', b'encoding="KLINGON-1"')
    with pytest.raises(ImportFileError) as error:
        parse(data)
    assert error.value.issue.code in ("ENCODING_NOT_SUPPORTED", "INVALID_FILE")


def test_xxe_is_refused_without_reading_the_file():
    with pytest.raises(ImportFileError) as error:
        parse(XXE)
    assert error.value.issue.code == "INVALID_FILE"
    assert "root:" not in error.value.issue.detail


def test_entities_are_never_resolved_even_without_the_doctype_check(monkeypatch):
    monkeypatch.setattr(siecle_xml, "_refuse_doctype", lambda stream: stream.read(0))
    try:
        result = parse(XXE)
    except ImportFileError as error:
        assert "root:" not in error.issue.detail
    else:
        assert all("root:" not in learner.last_name for learner in result.learners)


def test_billion_laughs_is_refused_quickly():
    started = time.monotonic()
    with pytest.raises(ImportFileError):
        parse(BILLION_LAUGHS)
    assert time.monotonic() - started < 5


def test_a_zip_with_exactly_one_xml_is_read_and_macos_extras_ignored():
    data = zipped(
        {"ElevesSansAdresses.xml": xml_file(), "__MACOSX/._ElevesSansAdresses.xml": b"junk", ".DS_Store": b"x"}
    )
    assert len(parse(data).learners) == 3


@pytest.mark.parametrize(
    "members",
    [{"lisez-moi.txt": b"x"}, {"a.xml": xml_file(), "b.xml": xml_file()}, {"../../evil.xml": xml_file()}],
    ids=["no-xml", "two-xml", "path-trick"],
)
def test_a_zip_without_a_single_safe_xml_is_refused(members):
    with pytest.raises(ImportFileError) as error:
        parse(zipped(members))
    assert error.value.issue.code == "INVALID_FILE"


def test_a_zip_that_inflates_past_the_limit_is_stopped(monkeypatch):
    monkeypatch.setattr(siecle_xml, "MAX_UNCOMPRESSED_BYTES", 2_000)
    with pytest.raises(ImportFileError) as error:
        parse(zipped({"ElevesSansAdresses.xml": xml_file(students(50))}))
    assert "taille maximale" in error.value.issue.detail
