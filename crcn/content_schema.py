"""Validation of the content files (`crcn/content/`), with no database and no Django.

The loader refuses a release that breaks any rule listed in `crcn/content/README.md`; authors run
``python -m crcn.content_schema [files…]`` while writing. Every error names the file and the item,
so a broken file is found without reading a stack trace.
"""

from __future__ import annotations

import re
import sys
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from crcn.answers import CHALLENGE_TYPES, check_answer

CONTENT_DIR = Path(__file__).resolve().parent / "content"
COMPETENCES_DIR = CONTENT_DIR / "competences"
FILES_DIR = CONTENT_DIR / "files"

MIN_TUBES_PER_COMPETENCE = 3
MIN_SKILLS_PER_COMPETENCE = 18
REQUIRED_LEVELS = range(1, 7)
MIN_SKILLS_PER_LEVEL = 2
MIN_CHALLENGES_PER_SKILL = 2
TUTORIAL_FORMATS = ("page", "vidéo")

_TUBE_NAME = re.compile(r"^@[a-zA-Z][a-zA-Z0-9]*$")
_COMPETENCE_CODE = re.compile(r"^[1-5]\.[1-4]$")


@dataclass
class ContentErrors:
    """Errors collected across files; ids are checked for uniqueness across the whole bank."""

    messages: list[str] = field(default_factory=list)
    seen_ids: dict[str, str] = field(default_factory=dict)

    def add(self, where: str, message: str) -> None:
        self.messages.append(f"{where} : {message}")

    def claim_id(self, kind: str, identifier: str, where: str) -> None:
        key = f"{kind}:{identifier}"
        if key in self.seen_ids:
            self.add(where, f"identifiant {kind} « {identifier} » déjà utilisé ({self.seen_ids[key]})")
        else:
            self.seen_ids[key] = where


def load_yaml(path: Path, errors: ContentErrors) -> Any:
    try:
        with path.open(encoding="utf-8") as handle:
            return yaml.safe_load(handle)
    except (OSError, yaml.YAMLError) as exc:
        errors.add(path.name, f"fichier illisible ({exc})")
        return None


def skill_level(skill_name: str) -> int | None:
    """The level is the single trailing digit of a skill name (`@sourceImage2` → 2)."""
    if len(skill_name) < 3 or not skill_name[-1].isdigit():
        return None
    level = int(skill_name[-1])
    return level if 1 <= level <= 8 else None


def solution_for_checker(challenge: dict[str, Any]) -> Any:
    """The stated solution in the shape `check_answer` expects (QROCM: key → accepted list)."""
    return challenge.get("solution")


def right_answer_of(challenge: dict[str, Any]) -> Any:
    """What a learner who knows the answer types, used to prove the solution passes the checker."""
    kind, solution = challenge["type"], challenge["solution"]
    if kind == "QCU":
        return str(solution)
    if kind == "QCM":
        return ",".join(str(n) for n in solution)
    if kind == "QROC":
        return solution[0]
    return {key: accepted[0] for key, accepted in solution.items()}


def _validate_challenge(challenge: Any, where: str, errors: ContentErrors, files_dir: Path = FILES_DIR) -> None:
    if not isinstance(challenge, dict):
        errors.add(where, "une épreuve doit être un objet")
        return
    cid = challenge.get("id")
    if not isinstance(cid, str) or not cid:
        errors.add(where, "épreuve sans « id »")
        return
    where = f"{where} > {cid}"
    errors.claim_id("épreuve", cid, where)
    kind = challenge.get("type")
    if kind not in CHALLENGE_TYPES:
        errors.add(where, f"type « {kind} » inconnu (attendu : {', '.join(CHALLENGE_TYPES)})")
        return
    instruction = challenge.get("instruction")
    if not isinstance(instruction, str) or not instruction.strip():
        errors.add(where, "consigne (« instruction ») manquante")
    if "solution" not in challenge or challenge["solution"] in (None, "", []):
        errors.add(where, "solution manquante")
        return
    solution = challenge["solution"]
    proposals = challenge.get("proposals")
    if kind in ("QCU", "QCM"):
        if not isinstance(proposals, list) or len(proposals) < 3:
            errors.add(where, "au moins 3 propositions sont attendues")
            return
        if len({str(p).strip() for p in proposals}) != len(proposals):
            errors.add(where, "deux propositions sont identiques")
        numbers = [solution] if kind == "QCU" else solution
        if kind == "QCU" and not isinstance(solution, int):
            errors.add(where, "la solution d'un QCU est le numéro (entier) de la bonne proposition")
            return
        if kind == "QCM" and (
            not isinstance(solution, list) or len(solution) < 2 or not all(isinstance(n, int) for n in solution)
        ):
            errors.add(where, "la solution d'un QCM est une liste d'au moins 2 numéros")
            return
        if any(n < 1 or n > len(proposals) for n in numbers):
            errors.add(where, "la solution désigne une proposition qui n'existe pas")
            return
    elif kind == "QROC":
        if not isinstance(solution, list) or not all(isinstance(s, str | int | float) for s in solution):
            errors.add(where, "la solution d'un QROC est une liste de réponses acceptées")
            return
    else:
        fields = challenge.get("fields")
        if not isinstance(fields, list) or len(fields) < 2:
            errors.add(where, "un QROCM a au moins 2 champs (« fields »)")
            return
        keys = [f.get("key") for f in fields if isinstance(f, dict)]
        if len(keys) != len(fields) or not all(isinstance(f.get("label"), str) for f in fields):
            errors.add(where, "chaque champ a une clé (« key ») et un libellé (« label »)")
            return
        if not isinstance(solution, dict) or set(solution) != set(keys):
            errors.add(where, "la solution d'un QROCM donne les réponses acceptées de chaque champ, et seulement eux")
            return
        if not all(isinstance(v, list) and v for v in solution.values()):
            errors.add(where, "chaque champ d'un QROCM a une liste de réponses acceptées")
            return
    checker_kwargs = {
        "challenge_type": kind,
        "solution": solution_for_checker(challenge),
        "proposals_count": len(proposals) if isinstance(proposals, list) else None,
        "typo_tolerance": bool(challenge.get("typo_tolerance", False)),
    }
    if check_answer(raw_value=right_answer_of(challenge), **checker_kwargs) != "ok":
        errors.add(where, "la bonne réponse indiquée est refusée par le correcteur")
    if kind == "QCU":
        wrong = 1 if solution != 1 else 2
        if check_answer(raw_value=str(wrong), **checker_kwargs) != "ko":
            errors.add(where, "une mauvaise proposition est acceptée par le correcteur")
    timer = challenge.get("timer")
    if timer is not None and (not isinstance(timer, int) or timer <= 0):
        errors.add(where, "« timer » est une durée en secondes")
    for key in ("illustration", "attachment"):
        media = challenge.get(key)
        if media is None:
            continue
        if not isinstance(media, dict) or not isinstance(media.get("file"), str):
            errors.add(where, f"« {key} » attend {{file, …}}")
            continue
        if ".." in Path(media["file"]).parts or not (files_dir / media["file"]).is_file():
            errors.add(where, f"fichier « {media['file']} » introuvable sous crcn/content/files/")
        if key == "illustration" and not media.get("alt"):
            errors.add(where, "une illustration a un texte alternatif (« alt »)")


def validate_competence(data: Any, filename: str, errors: ContentErrors, files_dir: Path = FILES_DIR) -> None:
    """Check one competence file; errors are appended, nothing is raised."""
    if not isinstance(data, dict):
        errors.add(filename, "le fichier doit décrire une compétence (objet YAML)")
        return
    code = str(data.get("competence", ""))
    if not _COMPETENCE_CODE.match(code) or Path(filename).stem != code:
        errors.add(filename, f"code de compétence « {code} » absent ou différent du nom du fichier")
    for key in ("name", "description"):
        if not isinstance(data.get(key), str) or not data[key].strip():
            errors.add(filename, f"« {key} » manquant")
    levels = data.get("levels")
    if not isinstance(levels, dict) or sorted(levels) != list(range(1, 9)):
        errors.add(filename, "« levels » doit décrire les niveaux 1 à 8")
    tubes = data.get("tubes")
    if not isinstance(tubes, list) or len(tubes) < MIN_TUBES_PER_COMPETENCE:
        errors.add(filename, f"au moins {MIN_TUBES_PER_COMPETENCE} sujets (« tubes ») sont attendus")
        return
    skills_per_level: Counter[int] = Counter()
    types_used: set[str] = set()
    for tube in tubes:
        if not isinstance(tube, dict) or not isinstance(tube.get("name"), str):
            errors.add(filename, "un sujet sans nom (« name »)")
            continue
        tube_name = tube["name"]
        where = f"{filename} > {tube_name}"
        if not _TUBE_NAME.match(tube_name):
            errors.add(where, "un nom de sujet s'écrit « @motEnCamelCase »")
        errors.claim_id("sujet", tube_name, where)
        for key in ("title", "description"):
            if not isinstance(tube.get(key), str) or not tube[key].strip():
                errors.add(where, f"« {key} » manquant")
        tutorial_ids: set[str] = set()
        for tutorial in tube.get("tutorials") or []:
            tid = tutorial.get("id") if isinstance(tutorial, dict) else None
            if not isinstance(tid, str):
                errors.add(where, "tutoriel sans « id »")
                continue
            twhere = f"{where} > {tid}"
            errors.claim_id("tutoriel", tid, twhere)
            tutorial_ids.add(tid)
            for key in ("title", "source"):
                if not isinstance(tutorial.get(key), str) or not tutorial[key].strip():
                    errors.add(twhere, f"« {key} » manquant")
            if not str(tutorial.get("url", "")).startswith("https://"):
                errors.add(twhere, "l'adresse (« url ») doit commencer par https://")
            if tutorial.get("format") not in TUTORIAL_FORMATS:
                errors.add(twhere, "« format » vaut page ou vidéo")
            if not isinstance(tutorial.get("duration_minutes"), int) or tutorial["duration_minutes"] <= 0:
                errors.add(twhere, "« duration_minutes » est un nombre entier de minutes")
        if not tutorial_ids:
            errors.add(where, "au moins un tutoriel par sujet")
        linked_tutorials: set[str] = set()
        skills = tube.get("skills")
        if not isinstance(skills, list) or not skills:
            errors.add(where, "sujet sans acquis (« skills »)")
            continue
        for skill in skills:
            sname = skill.get("name") if isinstance(skill, dict) else None
            if not isinstance(sname, str):
                errors.add(where, "acquis sans nom")
                continue
            swhere = f"{where} > {sname}"
            level = skill_level(sname)
            if level is None or sname[:-1] != tube_name:
                errors.add(swhere, f"un acquis s'appelle {tube_name}N avec N le niveau (1 à 8)")
                continue
            errors.claim_id("acquis", sname, swhere)
            skills_per_level[level] += 1
            if not isinstance(skill.get("description"), str) or not skill["description"].strip():
                errors.add(swhere, "« description » manquante")
            for tid in skill.get("tutorials") or []:
                if tid not in tutorial_ids:
                    errors.add(swhere, f"tutoriel « {tid} » inconnu dans ce sujet")
                linked_tutorials.add(tid)
            challenges = skill.get("challenges")
            if not isinstance(challenges, list) or len(challenges) < MIN_CHALLENGES_PER_SKILL:
                errors.add(swhere, f"au moins {MIN_CHALLENGES_PER_SKILL} épreuves (variantes) par acquis")
                continue
            instructions = [str(c.get("instruction", "")).strip() for c in challenges if isinstance(c, dict)]
            if len(set(instructions)) != len(instructions):
                errors.add(swhere, "deux variantes ont la même consigne")
            for challenge in challenges:
                _validate_challenge(challenge, swhere, errors, files_dir)
                if isinstance(challenge, dict) and challenge.get("type") in CHALLENGE_TYPES:
                    types_used.add(challenge["type"])
        for tid in tutorial_ids - linked_tutorials:
            errors.add(f"{where} > {tid}", "tutoriel rattaché à aucun acquis")
    total_skills = sum(skills_per_level.values())
    if total_skills < MIN_SKILLS_PER_COMPETENCE:
        errors.add(filename, f"{total_skills} acquis, au moins {MIN_SKILLS_PER_COMPETENCE} attendus")
    for level in sorted(set(REQUIRED_LEVELS) | set(skills_per_level)):
        if skills_per_level[level] < MIN_SKILLS_PER_LEVEL:
            errors.add(
                filename,
                f"niveau {level} : {skills_per_level[level]} acquis, au moins {MIN_SKILLS_PER_LEVEL} attendus",
            )
    missing_types = set(CHALLENGE_TYPES) - types_used
    if missing_types:
        errors.add(filename, f"types d'épreuve jamais utilisés : {', '.join(sorted(missing_types))}")


def pix_value(skills_at_same_level: int) -> float:
    """Reference §1.3: 8 pix per level split across the competence's skills of that level, capped at 4."""
    return min(8 / skills_at_same_level, 4.0)


def validate_files(paths: list[Path]) -> tuple[dict[str, Any], list[str]]:
    """Parse and check competence files; returns the parsed data by code and every error found."""
    errors = ContentErrors()
    parsed: dict[str, Any] = {}
    for path in paths:
        data = load_yaml(path, errors)
        if data is None:
            continue
        validate_competence(data, path.name, errors)
        parsed[path.stem] = data
    return parsed, errors.messages


def competence_files(content_dir: Path = CONTENT_DIR) -> list[Path]:
    return sorted((content_dir / "competences").glob("*.yaml"))


TARGET_PROFILE_CATEGORIES = ("BACK_TO_SCHOOL", "COMPETENCES", "DISCIPLINE", "SUBJECT", "PREDEFINED", "CUSTOM", "OTHER")
_SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")


def validate_referential(data: Any, filename: str, competences: dict[str, Any], errors: ContentErrors) -> None:
    if not isinstance(data, dict) or not isinstance(data.get("areas"), list):
        errors.add(filename, "« areas » (les 5 domaines) manquant")
        return
    codes = [str(a.get("code")) for a in data["areas"] if isinstance(a, dict)]
    if sorted(codes) != ["1", "2", "3", "4", "5"]:
        errors.add(filename, "les domaines attendus sont 1 à 5")
    for area in data["areas"]:
        if not isinstance(area.get("name"), str) or not re.match(r"^#[0-9a-fA-F]{6}$", str(area.get("color", ""))):
            errors.add(f"{filename} > domaine {area.get('code')}", "« name » et « color » (#rrggbb) attendus")
    labels = data.get("level_labels")
    if not isinstance(labels, dict) or sorted(labels) != list(range(1, 9)):
        errors.add(filename, "« level_labels » doit nommer les niveaux 1 à 8")
    for code in competences:
        if code.split(".")[0] not in codes:
            errors.add(filename, f"la compétence {code} n'a pas de domaine")


def validate_target_profiles(
    data: Any, filename: str, tube_levels: dict[str, list[int]], errors: ContentErrors
) -> None:
    """Every profile names existing tubes with a reachable cap, and 3 to 5 ascending stages from 0 %."""
    profiles = data.get("target_profiles") if isinstance(data, dict) else None
    if not isinstance(profiles, list) or not profiles:
        errors.add(filename, "« target_profiles » manquant ou vide")
        return
    for profile in profiles:
        key = profile.get("id") if isinstance(profile, dict) else None
        if not isinstance(key, str) or not _SLUG.match(key):
            errors.add(filename, f"parcours sans identifiant valide ({key!r})")
            continue
        where = f"{filename} > {key}"
        errors.claim_id("parcours", key, where)
        for field_name in ("name", "description"):
            if not isinstance(profile.get(field_name), str) or not profile[field_name].strip():
                errors.add(where, f"« {field_name} » manquant")
        if profile.get("category") not in TARGET_PROFILE_CATEGORIES:
            errors.add(where, f"catégorie « {profile.get('category')} » inconnue")
        for flag in ("is_public", "resettable"):
            if flag in profile and not isinstance(profile[flag], bool):
                errors.add(where, f"« {flag} » vaut true ou false")
        tubes = profile.get("tubes")
        if not isinstance(tubes, list) or not tubes:
            errors.add(where, "aucun sujet")
            tubes = []
        seen: set[str] = set()
        for capped in tubes:
            tube = capped.get("tube") if isinstance(capped, dict) else None
            level = capped.get("level") if isinstance(capped, dict) else None
            if tube not in tube_levels:
                errors.add(where, f"sujet « {tube} » inconnu")
                continue
            if tube in seen:
                errors.add(where, f"sujet « {tube} » présent deux fois")
            seen.add(tube)
            if not isinstance(level, int) or not min(tube_levels[tube]) <= level <= 8:
                errors.add(where, f"niveau maximum {level!r} impossible pour « {tube} »")
        stages = profile.get("stages")
        thresholds = [s.get("threshold") for s in stages if isinstance(s, dict)] if isinstance(stages, list) else []
        if not (3 <= len(thresholds) <= 5) or thresholds[:1] != [0] or thresholds != sorted(set(thresholds)):
            errors.add(where, "3 à 5 paliers aux seuils croissants, le premier à 0")
        elif thresholds[-1] > 100:
            errors.add(where, "un seuil de palier est un pourcentage (0 à 100)")
        for stage in stages if isinstance(stages, list) else []:
            missing = [
                k for k in ("title", "message", "prescriber_title", "prescriber_description") if not stage.get(k)
            ]
            if missing:
                errors.add(where, f"palier {stage.get('threshold')} : {', '.join(missing)} manquant(s)")


@dataclass
class ContentBank:
    """Everything the content files say, parsed; valid only when ``errors`` is empty."""

    referential: dict[str, Any]
    competences: dict[str, Any]
    target_profiles: list[dict[str, Any]]
    errors: list[str]
    files: list[Path]


def read_bank(content_dir: Path = CONTENT_DIR) -> ContentBank:
    """Parse and validate the whole bank: competences, referential, target profiles."""
    errors = ContentErrors()
    competences: dict[str, Any] = {}
    files = competence_files(content_dir)
    for path in files:
        data = load_yaml(path, errors)
        if data is not None:
            validate_competence(data, path.name, errors, files_dir=content_dir / "files")
            competences[path.stem] = data
    referential_path = content_dir / "referential.yaml"
    referential = load_yaml(referential_path, errors) or {}
    validate_referential(referential, referential_path.name, competences, errors)
    tube_levels = {
        tube["name"]: [skill_level(s["name"]) or 0 for s in tube.get("skills") or [] if isinstance(s, dict)]
        for data in competences.values()
        for tube in data.get("tubes") or []
        if isinstance(tube, dict) and isinstance(tube.get("name"), str) and tube.get("skills")
    }
    profiles_path = content_dir / "target_profiles.yaml"
    profiles_data = load_yaml(profiles_path, errors) or {}
    validate_target_profiles(profiles_data, profiles_path.name, tube_levels, errors)
    return ContentBank(
        referential=referential,
        competences=competences,
        target_profiles=profiles_data.get("target_profiles") or [] if isinstance(profiles_data, dict) else [],
        errors=errors.messages,
        files=[*files, referential_path, profiles_path],
    )


def _summary(data: dict[str, Any]) -> str:
    tubes = data.get("tubes") or []
    skills = [s for t in tubes for s in (t.get("skills") or [])]
    challenges = [c for s in skills for c in (s.get("challenges") or [])]
    types = Counter(c.get("type") for c in challenges)
    tutorials = sum(len(t.get("tutorials") or []) for t in tubes)
    return (
        f"{data.get('competence')}: {len(tubes)} sujets, {len(skills)} acquis, {len(challenges)} épreuves "
        f"({', '.join(f'{k} {v}' for k, v in sorted(types.items()))}), {tutorials} tutoriels"
    )


def main(argv: list[str]) -> int:
    if argv:
        parsed, messages = validate_files([Path(a) for a in argv])
    else:
        bank = read_bank()
        parsed, messages = bank.competences, bank.errors
        print(f"{len(bank.target_profiles)} parcours")
    for data in parsed.values():
        print(_summary(data))
    for message in messages:
        print("ERREUR", message)
    print(f"{len(messages)} erreur(s)")
    return 1 if messages else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
