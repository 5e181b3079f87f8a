"""Results CSV exports (reference pix-domain §5.5): the file, written in constant memory.

Format: Pix's, as ``pixorga.spreadsheet`` writes it (BOM, ``;``, text quoted and guarded against formulas,
comma decimals, ``Oui``/``Non``), ``NA`` where a result is not shared, dates in Europe/Paris. Results of a
shared participation are read as they were when it was shared (``campaigns.knowledge``).

PostgreSQL writes the lines: per chunk of participations (in the order of the file), one query counts each
participant's validated skills per competence and returns the chunk's lines already formatted, which go
straight to the file. Python writes the header and the cells that are the same on every line, with
``cell``; its SQL twins below format the rest. Memory and the work per query do not grow with the number
of participants.

The job around the file (request, build, progress, cleaning) is ``campaigns.services.exports``.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from itertools import islice

from django.conf import settings
from django.db import connection
from django.utils import timezone

from accounts.models import Organization
from assessments.algorithm.scoring import MIN_CERTIFIABLE_COMPETENCES, MIN_CERTIFIABLE_LEVEL, PIX_PER_LEVEL
from campaigns.knowledge import LATEST_AT_SHARE_PARAMS, latest_at_share_sql
from campaigns.models import Campaign, CampaignParticipation
from crcn.models import Area, Competence, Skill
from pixorga.spreadsheet import BOM, FORMULA_PREFIXES, cell, csv_line
from students.models import OrganizationLearner

CHUNK = 1000
PARTICIPATIONS = CampaignParticipation._meta.db_table
LEARNERS = OrganizationLearner._meta.db_table


# --- cell() in SQL, for the columns that change on every line -------------------------------------------


def _text_sql(value: str) -> str:
    """A text column: digits as they are, anything else guarded against formulas, quotes doubled, quoted."""
    return (
        f"CASE WHEN {value} ~ '^[0-9]+$' THEN {value} ELSE '\"' || replace("
        f"CASE WHEN left({value}, 1) = ANY(%(formula_prefixes)s) THEN '''' ELSE '' END || {value}, "
        "'\"', '\"\"') || '\"' END"
    )


def _date_sql(value: str, pattern: str) -> str:
    """A moment as Paris reads it (quoted text), NA when there is none."""
    return f"""coalesce('"' || to_char({value} AT TIME ZONE %(time_zone)s, '{pattern}') || '"', %(na)s)"""


def _decimal_sql(value: str) -> str:
    """A two-decimal rate the way ``cell`` writes a float: no trailing zero, a comma, NA when unknown."""
    return f"coalesce(replace(rtrim(rtrim({value}::text, '0'), '.'), '.', ','), %(na)s)"


def _common_params() -> dict:
    return {
        **LATEST_AT_SHARE_PARAMS,
        "formula_prefixes": list(FORMULA_PREFIXES),
        "time_zone": settings.TIME_ZONE,
        "na": cell(None),
        "yes": cell(True),
        "no": cell(False),
        "started": CampaignParticipation.Status.STARTED,
    }


def _identity(campaign: Campaign) -> list[tuple[str, str]]:
    """(header, SQL cell) of the columns that depend on the organisation and the campaign."""
    organization = campaign.organization
    columns = []
    if organization.is_sco_managing_students:
        columns.append(("Classe", _text_sql("coalesce(p.division, '')")))
    if organization.type == Organization.Type.SUP and organization.is_managing_students:
        columns += [
            ("Groupe", _text_sql("""coalesce(p."group", '')""")),
            ("Numéro Étudiant", _text_sql("coalesce(p.student_number, '')")),
        ]
    if campaign.external_id_label:
        columns.append((campaign.external_id_label, _text_sql("p.participant_external_id")))
    return columns


def _names() -> list[str]:
    return [_text_sql("coalesce(p.last_name, '')"), _text_sql("coalesce(p.first_name, '')")]


def _lines_query(*, cells: list[str], shared: list[str], known: list[str], targeted_only: bool) -> str:
    """The lines of a chunk of participations (``ids``, in file order), and how many came out NULL (none should).

    ``cells``: SQL of the cells of every line; ``shared``: of the cells that are ``%(not_shared)s`` when the
    results were not shared; ``known``: aggregates, one row per participation, over the skills it had
    validated when shared (``v``) and their competence's position (``t.competence``). A line reads its
    participation and learner as ``p``, its aggregates as ``known``.
    """
    shared_cells = " || ';' || ".join(shared) if shared else "''"
    line = " || ';' || ".join([*cells, f"CASE WHEN p.status = %(shared)s THEN {shared_cells} ELSE %(not_shared)s END"])
    return f"""
        WITH chunk AS (
            SELECT o.position, p.*, l.last_name, l.first_name, l.division, l."group", l.student_number
            FROM unnest(%(ids)s::bigint[]) WITH ORDINALITY AS o(id, position)
            JOIN {PARTICIPATIONS} p ON p.id = o.id
            LEFT JOIN {LEARNERS} l ON l.id = p.organization_learner_id
        ), validated AS MATERIALIZED (
            SELECT p.id AS participation, latest.skill_id, latest.earned_pix
            FROM chunk p CROSS JOIN LATERAL ({latest_at_share_sql(targeted_only=targeted_only)}) latest
            WHERE latest.status = %(validated)s
        ), known AS (
            SELECT p.id AS participation, {", ".join(["count(t.skill_id) AS validated", *known])}
            FROM chunk p
            LEFT JOIN (
                validated v
                JOIN unnest(%(skills)s::text[], %(competence_of)s::int[]) AS t(skill_id, competence) USING (skill_id)
            ) ON v.participation = p.id
            GROUP BY p.id
        ), lines AS MATERIALIZED (
            SELECT p.position, {line} || E'\\r\\n' AS line
            FROM chunk p JOIN known ON known.participation = p.id
        )
        SELECT convert_to(string_agg(line, '' ORDER BY position), 'UTF8'), count(*) - count(line) FROM lines
    """


# --- the two kinds of export ----------------------------------------------------------------------------


def _assessment_file(campaign: Campaign) -> tuple[str, str, dict]:
    """Header, chunk query and its parameters of an assessment campaign (columns of reference §5.5)."""
    skills = list(Skill.objects.filter(campaign_links__campaign=campaign).select_related("tube").order_by("name"))
    competences = list(Competence.objects.filter(code__in={s.tube.competence_id for s in skills}).order_by("code"))
    areas = list(Area.objects.filter(competences__in=competences).distinct().order_by("code"))
    stages = list(campaign.target_profile.stages.order_by("threshold")) if campaign.target_profile_id else []
    index = {c.code: i for i, c in enumerate(competences)}
    sizes = [sum(1 for s in skills if s.tube.competence_id == c.code) for c in competences]
    identity = _identity(campaign)
    header = [
        "Nom de l'organisation",
        "ID Campagne",
        "Code",
        "Nom de la campagne",
        "Parcours",
        "Nom du Participant",
        "Prénom du Participant",
        *(name for name, _ in identity),
        "% de progression",
        "Date de début",
        "Partage (O/N)",
        "Date du partage",
    ]
    if stages:
        header.append(f"Palier obtenu (/{len(stages) - 1})")
    header.append("% maitrise de l'ensemble des acquis du profil")
    for competence in competences:
        header += [
            f"% de maitrise des acquis de la compétence {competence.name}",
            f"Nombre d'acquis du profil cible dans la compétence {competence.name}",
            f"Acquis maitrisés dans la compétence {competence.name}",
        ]
    for area in areas:
        header += [
            f"% de maitrise des acquis du domaine {area.name}",
            f"Nombre d'acquis du profil cible du domaine {area.name}",
            f"Acquis maitrisés du domaine {area.name}",
        ]
    profile_name = campaign.target_profile.name if campaign.target_profile_id else ""
    params = {
        **_common_params(),
        "head": ";".join(
            cell(v) for v in (campaign.organization.name, campaign.pk, campaign.code, campaign.name, profile_name)
        ),
        "skills": [s.name for s in skills],
        "competence_of": [index[s.tube.competence_id] for s in skills],
        "thresholds": [s.threshold for s in stages],
    }
    # A competence (or an area) has few skills: its three cells are written by Python once per possible
    # number of validated skills, and SQL picks the right one (Python's rounding, byte for byte).
    groups = [([i], sizes[i]) for i in range(len(competences))]
    groups += [
        (members := [index[c.code] for c in competences if c.area_id == area.code], sum(sizes[i] for i in members))
        for area in areas
    ]
    shared = []
    if stages:
        shared.append(
            "(SELECT count(*) - 1 FROM unnest(%(thresholds)s::int[]) AS s(threshold)"
            " WHERE s.threshold <= round(coalesce(p.mastery_rate, 0) * 100))::text"
        )
    shared.append(_decimal_sql("p.mastery_rate"))
    not_shared = [cell(None)] * len(shared)
    for number, (members, size) in enumerate(groups):
        params[f"cells_{number}"] = [f"{cell(round(k / size, 2))};{size};{k}" for k in range(size + 1)]
        validated = " + ".join(f"known.validated_{i}" for i in members)
        shared.append(f"(%(cells_{number})s::text[])[{validated} + 1]")
        not_shared.append(f"{cell(None)};{size};{cell(None)}")
    params["not_shared"] = ";".join(not_shared)
    known = [f"count(t.skill_id) FILTER (WHERE t.competence = {i}) AS validated_{i}" for i in range(len(competences))]
    cells = [
        "%(head)s",
        *_names(),
        *(sql for _, sql in identity),
        "CASE WHEN p.status = %(started)s THEN '0' ELSE '1' END",
        _date_sql("p.created_at", "DD/MM/YYYY HH24:MI"),
        "CASE WHEN p.status = %(shared)s THEN %(yes)s ELSE %(no)s END",
        f"CASE WHEN p.status = %(shared)s THEN {_date_sql('p.shared_at', 'DD/MM/YYYY HH24:MI')} ELSE %(na)s END",
    ]
    return csv_line(header), _lines_query(cells=cells, shared=shared, known=known, targeted_only=True), params


def _profiles_file(campaign: Campaign, *, max_level: int) -> tuple[str, str, dict]:
    """Header, chunk query and parameters of a profiles collection: level and pix of the 16 competences."""
    competences = list(Competence.objects.order_by("code"))
    index = {c.code: i for i, c in enumerate(competences)}
    skills = list(Skill.objects.values_list("name", "tube__competence_id"))
    identity = _identity(campaign)
    header = [
        "Nom de l'organisation",
        "ID Campagne",
        "Code",
        "Nom de la campagne",
        "Nom du Participant",
        "Prénom du Participant",
        *(name for name, _ in identity),
        "Envoi (O/N)",
        "Date de l'envoi",
        "Nombre de pix total",
        "Certifiable (O/N)",
        "Nombre de compétences certifiables",
    ]
    for competence in competences:
        header += [
            f"Niveau pour la compétence {competence.name}",
            f"Nombre de pix pour la compétence {competence.name}",
        ]
    params = {
        **_common_params(),
        "head": ";".join(cell(v) for v in (campaign.organization.name, campaign.pk, campaign.code, campaign.name)),
        "skills": [name for name, _ in skills],
        "competence_of": [index[code] for _, code in skills],
        "pix_per_level": PIX_PER_LEVEL,
        "max_level": max_level,
        "max_pix": max_level * PIX_PER_LEVEL,
        "certifiable_level": MIN_CERTIFIABLE_LEVEL,
        "certifiable_count": MIN_CERTIFIABLE_COMPETENCES,
        "not_shared": ";".join([cell(None)] * (3 + 2 * len(competences))),
    }
    # Per competence (reference pix-algorithms §3): pix = Σ validated, level = pix / 8, both capped.
    known = []
    for i in range(len(competences)):
        earned = f"coalesce(sum(v.earned_pix) FILTER (WHERE t.competence = {i}), 0)"
        known += [
            f"least(floor({earned} / %(pix_per_level)s), %(max_level)s)::int AS level_{i}",
            f"least(floor({earned}), %(max_pix)s)::int AS pix_{i}",
        ]
    levels = [f"known.level_{i}" for i in range(len(competences))]
    certifiable = " + ".join(f"(known.level_{i} >= %(certifiable_level)s)::int" for i in range(len(competences)))
    certifiable = certifiable or "0"
    shared = [
        "(" + (" + ".join(f"known.pix_{i}" for i in range(len(competences))) or "0") + ")::text",
        f"CASE WHEN {certifiable} >= %(certifiable_count)s THEN %(yes)s ELSE %(no)s END",
        f"({certifiable})::text",
        *(f"{level}::text || ';' || known.pix_{i}::text" for i, level in enumerate(levels)),
    ]
    cells = [
        "%(head)s",
        *_names(),
        *(sql for _, sql in identity),
        "CASE WHEN p.status = %(shared)s THEN %(yes)s ELSE %(no)s END",
        f"CASE WHEN p.status = %(shared)s THEN {_date_sql('p.shared_at', 'YYYY-MM-DD')} ELSE %(na)s END",
    ]
    return csv_line(header), _lines_query(cells=cells, shared=shared, known=known, targeted_only=False), params


# --- the file -------------------------------------------------------------------------------------------


def _chunks_of_ids(campaign: Campaign) -> Iterator[list[int]]:
    """Current participations in the file's order (name, first name), CHUNK ids at a time (server-side cursor)."""
    ids = (
        campaign.participations.filter(is_improved=False, deleted_at__isnull=True)
        .order_by("organization_learner__last_name", "organization_learner__first_name", "id")
        .values_list("id", flat=True)
        .iterator(chunk_size=CHUNK)
    )
    while chunk := list(islice(ids, CHUNK)):
        yield chunk


def export_write(campaign: Campaign, out, *, max_level: int, on_chunk=None) -> int:
    """Write the campaign's results CSV (BOM, header, one line per participation) to ``out``; returns the line count.

    ``on_chunk(lines_written)`` is called after each chunk (progress).
    """
    if campaign.type == Campaign.Type.ASSESSMENT:
        header, query, params = _assessment_file(campaign)
    else:
        header, query, params = _profiles_file(campaign, max_level=max_level)
    out.write((BOM + header).encode("utf-8"))
    written = 0
    with connection.cursor() as cursor:
        for ids in _chunks_of_ids(campaign):
            cursor.execute(query, {**params, "ids": ids})
            lines, missing = cursor.fetchone()
            if missing:
                raise RuntimeError(f"{missing} ligne(s) de l'export sans valeur")
            out.write(lines)
            written += len(ids)
            if on_chunk:
                on_chunk(written)
    return written


def export_filename(campaign: Campaign) -> str:
    safe = re.sub(r"[^\w\- ]", "", campaign.name).strip().replace(" ", "_")[:80] or "campagne"
    return f"Resultats-{safe}-{campaign.pk}-{timezone.localdate():%Y-%m-%d}.csv"
