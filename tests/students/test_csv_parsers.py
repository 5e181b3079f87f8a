import io

import pytest

from students.importers.common import ImportFileError
from students.importers.csv_formats import SIECLE_CSV_COLUMNS, SUP_CSV_COLUMNS, parse_siecle_csv, parse_sup_csv

SIECLE_HEADER = ";".join(c.header for c in SIECLE_CSV_COLUMNS)
SUP_HEADER = ";".join(c.header for c in SUP_CSV_COLUMNS)
ROW = "123456789AB;Cœline;;;Lefèvre;;F;14/03/2010;69123;;069;99100;ST;20010018110;2NDE  3"


def siecle(text: str, encoding: str = "utf-8"):
    return parse_siecle_csv(io.BytesIO(text.encode(encoding)))


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "cp1252"])
def test_siecle_csv_is_read_in_the_encodings_schools_produce(encoding):
    result = siecle(f"{SIECLE_HEADER}\n{ROW}\n", encoding)
    assert result.issues == []
    [learner] = result.learners
    assert (learner.first_name, learner.last_name, learner.division) == ("Cœline", "Lefèvre", "2NDE 3")
    assert learner.birth_country_code == "100" and learner.sex == "F"


def test_mac_roman_files_are_read_too():
    result = siecle(f"{SIECLE_HEADER}\n{ROW.replace('Cœline', 'Éloïse')}\n", "mac_roman")
    assert [learner.first_name for learner in result.learners] == ["Éloïse"]


def test_comma_separated_files_and_long_sex_labels_are_accepted():
    result = siecle(f"{SIECLE_HEADER.replace(';', ',')}\n{ROW.replace(';', ',').replace(',F,', ',Féminin,')}\n")
    assert result.issues == [] and result.learners[0].sex == "F"


def test_a_missing_or_unknown_column_is_named():
    with pytest.raises(ImportFileError) as missing:
        siecle(SIECLE_HEADER.replace("Division*", "Classe") + "\n" + ROW + "\n")
    assert missing.value.issue.code == "HEADER_UNKNOWN" and "Classe" in missing.value.issue.detail
    header = ";".join(c.header for c in SIECLE_CSV_COLUMNS if c.header != "Division*")
    with pytest.raises(ImportFileError) as unknown:
        siecle(header + "\n" + ROW.rsplit(";", 1)[0] + "\n")
    assert unknown.value.issue.code == "HEADER_REQUIRED" and "Division*" in unknown.value.issue.detail


def test_every_bad_line_is_reported_with_its_number():
    rows = [
        ROW,
        ROW.replace("14/03/2010", "2010-03-14").replace("123456789AB", "2B"),
        ROW.replace(";ST;", ";XX;").replace("123456789AB", "3C"),
        ROW.replace("99100", "99216").replace("123456789AB", "4D"),
        ROW,
    ]
    result = siecle(SIECLE_HEADER + "\n" + "\n".join(rows) + "\n")
    assert [(i.code, i.line) for i in result.issues] == [
        ("FIELD_DATE_FORMAT", 3),
        ("FIELD_BAD_VALUES", 4),
        ("FIELD_REQUIRED", 5),
        ("IDENTIFIER_UNIQUE", 6),
    ]


def test_sup_csv_reads_students_by_student_number():
    text = f"{SUP_HEADER}\nAnna;;;Kowalski;;01/02/2004;anna@univ.fr;E2026001;IUT;;G1;BUT Informatique;Initiale\n"
    result = parse_sup_csv(io.BytesIO(text.encode()))
    assert result.issues == []
    assert result.learners[0].student_number == "E2026001" and result.learners[0].national_student_id is None


def test_sup_csv_duplicates_and_bad_emails_are_reported():
    line = "Anna;;;Kowalski;;01/02/2004;anna@;E1;;;;;"
    result = parse_sup_csv(io.BytesIO(f"{SUP_HEADER}\n{line}\n{line}\n".encode()))
    assert [i.code for i in result.issues] == ["FIELD_EMAIL_FORMAT", "FIELD_EMAIL_FORMAT", "STUDENT_NUMBER_UNIQUE"]
