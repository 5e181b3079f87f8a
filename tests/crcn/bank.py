"""A tiny but valid content bank written to a temporary folder, to test the loader's rules quickly."""

from __future__ import annotations

from pathlib import Path

import yaml

TYPES = ["QCU", "QCM", "QROC", "QROCM"]


def _challenge(skill: str, suffix: str, kind: str) -> dict:
    base = {"id": f"ch-{skill[1:]}-{suffix}", "type": kind, "instruction": f"Consigne {suffix} de {skill}"}
    if kind == "QCU":
        return {**base, "proposals": ["Un", "Deux", "Trois"], "solution": 2}
    if kind == "QCM":
        return {**base, "proposals": ["Un", "Deux", "Trois"], "solution": [1, 3]}
    if kind == "QROC":
        return {**base, "solution": ["réponse", "une réponse"]}
    return {
        **base,
        "fields": [{"key": "a", "label": "Champ A"}, {"key": "b", "label": "Champ B"}],
        "solution": {"a": ["alpha"], "b": ["bêta"]},
    }


def competence_data(code: str = "1.1", tubes: int = 3) -> dict:
    data = {
        "competence": code,
        "name": f"Compétence {code}",
        "description": "Une compétence d'essai.",
        "levels": {level: f"Niveau {level}" for level in range(1, 9)},
        "tubes": [],
    }
    counter = 0
    for t in range(tubes):
        name = f"@sujet{code.replace('.', '')}x{t}"
        tutorial = f"tuto-{code}-{t}"
        tube = {
            "name": name,
            "title": f"Sujet {t}",
            "description": f"Description du sujet {t}",
            "tutorials": [
                {
                    "id": tutorial,
                    "title": "Tuto",
                    "source": "Wikipédia",
                    "format": "page",
                    "duration_minutes": 5,
                    "url": "https://fr.wikipedia.org/wiki/Informatique",
                }
            ],
            "skills": [],
        }
        for level in range(1, 7):
            skill = f"{name}{level}"
            kinds = (TYPES[counter % 4], TYPES[(counter + 1) % 4])
            counter += 1
            tube["skills"].append(
                {
                    "name": skill,
                    "description": f"Acquis {skill}",
                    "hint": "Indice",
                    "tutorials": [tutorial],
                    "challenges": [_challenge(skill, "a", kinds[0]), _challenge(skill, "b", kinds[1])],
                }
            )
        data["tubes"].append(tube)
    return data


def referential_data() -> dict:
    return {
        "areas": [{"code": str(c), "name": f"Domaine {c}", "color": "#123456"} for c in range(1, 6)],
        "level_labels": dict.fromkeys(range(1, 9), "Novice"),
    }


def profiles_data(code: str = "1.1") -> dict:
    tube = f"@sujet{code.replace('.', '')}x0"
    return {
        "target_profiles": [
            {
                "id": "parcours-essai",
                "name": "Parcours d'essai",
                "category": "COMPETENCES",
                "description": "Un parcours d'essai.",
                "tubes": [{"tube": tube, "level": 4}, {"tube": f"@sujet{code.replace('.', '')}x1", "level": 2}],
                "stages": [
                    {
                        "threshold": t,
                        "title": f"T{t}",
                        "message": "M",
                        "prescriber_title": "P",
                        "prescriber_description": "D",
                    }
                    for t in (0, 40, 80)
                ],
            }
        ]
    }


def write_bank(root: Path, competences: list[dict] | None = None, profiles: dict | None = None) -> Path:
    (root / "competences").mkdir(parents=True, exist_ok=True)
    (root / "files").mkdir(exist_ok=True)
    for data in competences or [competence_data()]:
        (root / "competences" / f"{data['competence']}.yaml").write_text(yaml.safe_dump(data, allow_unicode=True))
    (root / "referential.yaml").write_text(yaml.safe_dump(referential_data(), allow_unicode=True))
    (root / "target_profiles.yaml").write_text(yaml.safe_dump(profiles or profiles_data(), allow_unicode=True))
    return root
