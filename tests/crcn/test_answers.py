import pytest

from crcn.answers import check_answer, normalize_free_text

QROC = ["mot de passe", "mdp"]


@pytest.mark.parametrize(
    ("challenge_type", "solution", "value", "expected"),
    [
        ("QCU", 2, "2", "ok"),
        ("QCU", 2, " 2 ", "ok"),
        ("QCU", 2, "3", "ko"),
        ("QCU", 2, "2,3", "ko"),
        ("QCU", 2, "deux", "ko"),
        ("QCU", 2, "#ABAND#", "skipped"),
        ("QCM", [1, 3], "1,3", "ok"),
        ("QCM", [1, 3], "3, 1", "ok"),
        ("QCM", [1, 3], "1", "ko"),
        ("QCM", [1, 3], "1,2,3", "ko"),
        ("QCM", [1, 3], "1,1,3", "ko"),
        ("QCM", [1, 3], "", "ko"),
        ("QROC", QROC, "Mot de passe", "ok"),
        ("QROC", QROC, "  MOT   DE  PASSE. ", "ok"),
        ("QROC", QROC, "motdepasse", "ok"),
        ("QROC", QROC, "MDP", "ok"),
        ("QROC", QROC, "mot de passe oublié", "ko"),
        ("QROC", QROC, "", "ko"),
        ("QROC", ["Système d’exploitation"], "systeme d'exploitation", "ok"),
        ("QROC", ["œuvre"], "oeuvre", "ok"),
        ("QROC", ["téléchargement"], "Téléchargement", "ok"),
        ("QROC", ["3,5"], "3.5", "ko"),
        ("QROCM", {"a": ["Paris"], "b": ["75"]}, {"a": "paris", "b": "75"}, "ok"),
        ("QROCM", {"a": ["Paris"], "b": ["75"]}, '{"a": "PARIS", "b": " 75 "}', "ok"),
        ("QROCM", {"a": ["Paris"], "b": ["75"]}, {"a": "paris"}, "ko"),
        ("QROCM", {"a": ["Paris"], "b": ["75"]}, "n'importe quoi", "ko"),
    ],
)
def test_answer_checker(challenge_type, solution, value, expected):
    assert check_answer(challenge_type=challenge_type, solution=solution, raw_value=value) == expected


def test_a_typing_slip_is_forgiven_only_when_the_challenge_allows_it():
    assert check_answer(challenge_type="QROC", solution=["navigateur"], raw_value="navigatuer") == "ko"
    assert (
        check_answer(challenge_type="QROC", solution=["navigateur"], raw_value="navigatuer", typo_tolerance=True)
        == "ok"
    )
    assert check_answer(challenge_type="QROC", solution=["navigateur"], raw_value="nav", typo_tolerance=True) == "ko"


def test_normalisation_ignores_what_phones_add():
    assert normalize_free_text("  L’Œuvre  «Été» ") == normalize_free_text('l\'oeuvre "ete"')
