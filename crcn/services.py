"""Loading the content files into the database.

Rules:
- nothing is written unless the whole bank validates (`crcn.content_schema.read_bank`);
- the load is one transaction; a release id (hash of the files) makes a second load of the same files a
  no-op;
- a skill is worth 8 pix ÷ the number of active skills of its competence at its level, capped at 4
  (reference pix-algorithms §1.3);
- a challenge or skill that disappears from the files is archived, never deleted (answers point at it);
  a target profile that disappears becomes outdated.
"""

from __future__ import annotations

import hashlib
from collections import Counter
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path
from typing import Any

from django.db import connection, transaction
from django.utils import timezone

from crcn.content_schema import CONTENT_DIR, ContentBank, pix_value, read_bank, skill_level
from crcn.models import (
    Area,
    Challenge,
    Competence,
    ContentRelease,
    LevelDescriptor,
    Skill,
    Stage,
    TargetProfile,
    TargetProfileTube,
    Tube,
    Tutorial,
)

CONTENT_LOAD_LOCK = 7_301_001


class ContentError(Exception):
    """The content files break a rule; ``messages`` name the file and the item of each problem."""

    def __init__(self, messages: list[str]):
        super().__init__(f"{len(messages)} erreur(s) dans le contenu")
        self.messages = messages


@dataclass
class ContentLoadReport:
    release_id: str
    already_loaded: bool
    counts: dict[str, int] = field(default_factory=dict)
    archived_challenges: int = 0


def release_id_of(content_dir: Path) -> str:
    """Hash of every content file (YAML and media): the same files always give the same release."""
    digest = hashlib.sha256()
    for path in sorted(p for p in content_dir.rglob("*") if p.is_file() and p.suffix != ".md"):
        digest.update(str(path.relative_to(content_dir)).encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()


def _upsert(model, objects: list, unique: list[str], update: list[str]) -> None:
    if objects:
        model.objects.bulk_create(objects, update_conflicts=True, unique_fields=unique, update_fields=update)


def _challenge_row(challenge: dict[str, Any], skill_name: str) -> Challenge:
    illustration = challenge.get("illustration") or {}
    attachment = challenge.get("attachment") or {}
    return Challenge(
        id=challenge["id"],
        skill_id=skill_name,
        variant_group=skill_name,
        type=challenge["type"],
        instruction=challenge["instruction"].strip(),
        proposals=[str(p) for p in challenge.get("proposals") or []],
        fields=challenge.get("fields") or [],
        solution=challenge["solution"],
        typo_tolerance=bool(challenge.get("typo_tolerance", False)),
        placeholder=str(challenge.get("placeholder", "")),
        illustration_file=illustration.get("file", ""),
        illustration_alt=illustration.get("alt", ""),
        attachment_file=attachment.get("file", ""),
        attachment_label=attachment.get("label", ""),
        timer=challenge.get("timer"),
        status=Challenge.Status.VALIDATED,
    )


def _write_bank(bank: ContentBank) -> dict[str, int]:
    labels = {int(k): v for k, v in bank.referential["level_labels"].items()}
    _upsert(
        Area,
        [Area(code=str(a["code"]), name=a["name"], color=a["color"]) for a in bank.referential["areas"]],
        ["code"],
        ["name", "color"],
    )
    competences, descriptors, tubes, skills, challenges, tutorials = [], [], [], [], [], []
    tutorial_links: list[tuple[str, str]] = []
    for code, data in sorted(bank.competences.items()):
        competences.append(
            Competence(
                code=code, area_id=code.split(".")[0], name=data["name"], description=data["description"].strip()
            )
        )
        descriptors += [
            LevelDescriptor(competence_id=code, level=int(level), label=labels[int(level)], text=str(text).strip())
            for level, text in data["levels"].items()
        ]
        per_level = Counter(skill_level(s["name"]) for t in data["tubes"] for s in t["skills"])
        for tube in data["tubes"]:
            tubes.append(
                Tube(name=tube["name"], competence_id=code, title=tube["title"], description=tube["description"])
            )
            for tutorial in tube.get("tutorials") or []:
                tutorials.append(
                    Tutorial(
                        id=tutorial["id"],
                        title=tutorial["title"],
                        source=tutorial["source"],
                        format=tutorial["format"],
                        duration_minutes=tutorial["duration_minutes"],
                        url=tutorial["url"],
                        tube_id=tube["name"],
                    )
                )
            for skill in tube["skills"]:
                level = skill_level(skill["name"])
                value = Decimal(str(pix_value(per_level[level]))).quantize(Decimal("0.0001"), rounding=ROUND_HALF_UP)
                skills.append(
                    Skill(
                        name=skill["name"],
                        tube_id=tube["name"],
                        level=level,
                        pix_value=value,
                        description=skill["description"].strip(),
                        hint=str(skill.get("hint", "")).strip(),
                        status=Skill.Status.ACTIVE,
                    )
                )
                tutorial_links += [(tid, skill["name"]) for tid in skill.get("tutorials") or []]
                challenges += [_challenge_row(c, skill["name"]) for c in skill["challenges"]]

    _upsert(Competence, competences, ["code"], ["area", "name", "description"])
    _upsert(LevelDescriptor, descriptors, ["competence", "level"], ["label", "text"])
    _upsert(Tube, tubes, ["name"], ["competence", "title", "description"])
    _upsert(Skill, skills, ["name"], ["tube", "level", "pix_value", "description", "hint", "status"])
    challenge_fields = [f.name for f in Challenge._meta.concrete_fields if f.name != "id"]
    _upsert(Challenge, challenges, ["id"], challenge_fields)
    _upsert(Tutorial, tutorials, ["id"], ["title", "source", "format", "duration_minutes", "url", "tube"])
    links = Tutorial.skills.through
    links.objects.all().delete()
    links.objects.bulk_create([links(tutorial_id=t, skill_id=s) for t, s in tutorial_links])

    loaded_challenges = {c.id for c in challenges}
    archived = Challenge.objects.exclude(id__in=loaded_challenges).exclude(status=Challenge.Status.ARCHIVED)
    archived_count = archived.update(status=Challenge.Status.ARCHIVED)
    Skill.objects.exclude(name__in={s.name for s in skills}).update(status=Skill.Status.ARCHIVED)

    profile_keys = []
    for profile in bank.target_profiles:
        target_profile, _ = TargetProfile.objects.update_or_create(
            key=profile["id"],
            defaults={
                "name": profile["name"],
                "category": profile["category"],
                "description": profile["description"].strip(),
                "is_public": bool(profile.get("is_public", True)),
                "are_knowledge_elements_resettable": bool(profile.get("resettable", False)),
                "outdated": False,
            },
        )
        profile_keys.append(profile["id"])
        target_profile.capped_tubes.all().delete()
        TargetProfileTube.objects.bulk_create(
            [
                TargetProfileTube(target_profile=target_profile, tube_id=t["tube"], level=t["level"])
                for t in profile["tubes"]
            ]
        )
        target_profile.stages.all().delete()
        Stage.objects.bulk_create(
            [
                Stage(
                    target_profile=target_profile,
                    threshold=s["threshold"],
                    title=s["title"],
                    message=s["message"],
                    prescriber_title=s["prescriber_title"],
                    prescriber_description=s["prescriber_description"],
                )
                for s in profile["stages"]
            ]
        )
    TargetProfile.objects.exclude(key__in=profile_keys).exclude(category=TargetProfile.Category.CUSTOM).update(
        outdated=True
    )
    return {
        "domaines": len(bank.referential["areas"]),
        "compétences": len(competences),
        "sujets": len(tubes),
        "acquis": len(skills),
        "épreuves": len(challenges),
        "tutoriels": len(tutorials),
        "parcours": len(profile_keys),
        "épreuves archivées": archived_count,
    }


def content_load(*, content_dir: Path = CONTENT_DIR, force: bool = False) -> ContentLoadReport:
    """Validate every content file, then write them all in one transaction (or nothing at all)."""
    bank = read_bank(content_dir)
    if bank.errors:
        raise ContentError(bank.errors)
    release_id = release_id_of(content_dir)
    with transaction.atomic(durable=True):
        with connection.cursor() as cursor:  # one loader at a time, until this transaction ends
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [CONTENT_LOAD_LOCK])
        last = ContentRelease.objects.order_by("-loaded_at").first()
        if last is not None and last.release_id == release_id and not force:
            return ContentLoadReport(release_id=release_id, already_loaded=True, counts=last.counts)
        counts = _write_bank(bank)
        ContentRelease.objects.update_or_create(
            release_id=release_id, defaults={"counts": counts, "loaded_at": timezone.now()}
        )
    return ContentLoadReport(
        release_id=release_id, already_loaded=False, counts=counts, archived_challenges=counts["épreuves archivées"]
    )
