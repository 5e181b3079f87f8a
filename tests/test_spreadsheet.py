"""The cells of every CSV a school opens: campaign exports, class credential sheets, certification results."""

from types import SimpleNamespace

from pixorga.spreadsheet import cell, csv_line, csv_text, formula_guarded
from students.sheets import credentials_csv


def test_a_cell_that_would_run_as_a_formula_is_shown_as_text():
    for typed in ("=HYPERLINK(1)", "+33", "-3", "@dmin", "\tx", "\rx"):
        assert formula_guarded(typed) == "'" + typed
    assert formula_guarded("Léa") == "Léa" and formula_guarded("") == "" and formula_guarded("a=b") == "a=b"


def test_campaign_export_cells_follow_the_french_spreadsheet_conventions():
    assert cell(None) == '"NA"' and cell(True) == '"Oui"' and cell(False) == '"Non"'
    assert cell(0.35) == "0,35" and cell(1.0) == "1" and cell(12) == "12"
    assert cell('=HYPERLINK("x")') == '"\'=HYPERLINK(""x"")"' and cell("-3") == '"\'-3"'
    assert cell("0691234") == "0691234" and cell("Lycée") == '"Lycée"'
    assert cell("²") == '"²"'  # only ASCII digits stay unquoted, as in the SQL that writes the lines
    assert csv_line(["Nom", 2, None]) == '"Nom";2;"NA"\r\n'


def test_other_sheets_quote_only_where_needed_and_start_with_a_bom():
    assert csv_text([["Nom", "a;b", 'O"B'], [1, "-", None]]) == '\ufeffNom;"a;b";"O""B"\r\n1;-;\r\n'


def test_the_credential_sheet_guards_every_cell():
    credential = SimpleNamespace(division="=1+1", last_name="-Roux", first_name="Léa", username="@lea", password="+x")
    assert credentials_csv([credential]).decode("utf-8") == (
        "\ufeffClasse;Nom;Prénom;Identifiant;Mot de passe provisoire\r\n'=1+1;'-Roux;Léa;'@lea;'+x\r\n"
    )
