"""SIECLE XML export (`ElevesSansAdresses.xml`, or the zip SIECLE produces) → learners.

Safety (ecosystem.md §2): the parser never resolves entities, never loads a DTD, never touches the
network and keeps libxml2's size limits (``huge_tree=False``); a file that declares a DOCTYPE is refused
before parsing. Zips are read in memory-bounded streams: exactly one ``.xml`` member, no path tricks, and
a byte counter stops any member that inflates past the limit, whatever its header claims.

Streaming: ``iterparse`` on the few tags we need, clearing each element once read, so memory follows
the number of students kept, not the file size. Encoding comes from the XML prolog (ISO-8859-15 in real
exports), handled by libxml2 itself.
"""

from __future__ import annotations

import io
import zipfile
from collections.abc import Callable, Iterator
from pathlib import PurePosixPath
from typing import BinaryIO

from lxml import etree

from students.importers.common import (
    ImportFileError,
    ParsedLearner,
    ParseResult,
    check_identity,
    check_unique_ine,
    issue,
    parse_french_date,
)

MAX_UNCOMPRESSED_BYTES = 200 * 1024 * 1024
MAX_ZIP_MEMBERS = 50
INACTIVE_DIVISION = "Inactifs"
ZIP_MAGIC = b"PK\x03\x04"
SEX_CODES = {"1": "M", "2": "F"}

ELEVE_FIELDS = {
    "ID_NATIONAL": "national_student_id",
    "NOM_DE_FAMILLE": "last_name",
    "NOM_USAGE": "preferred_last_name",
    "PRENOM": "first_name",
    "PRENOM2": "middle_name",
    "PRENOM3": "third_name",
    "CODE_PAYS": "birth_country_code",
    "CODE_DEPARTEMENT_NAISS": "birth_province_code",
    "CODE_COMMUNE_INSEE_NAISS": "birth_city_code",
    "VILLE_NAISS": "birth_city",
    "CODE_MEF": "mef_code",
    "CODE_STATUT": "status",
}


class _CappedReader(io.RawIOBase):
    """Counts bytes as they are read and stops past ``limit``: declared zip sizes can lie."""

    def __init__(self, raw: BinaryIO, limit: int):
        self._raw, self._limit, self._read = raw, limit, 0

    @property
    def bytes_read(self) -> int:
        return self._read

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:
        chunk = self._raw.read(len(buffer))
        self._read += len(chunk)
        if self._read > self._limit:
            raise ImportFileError(issue("INVALID_FILE", reason="il dépasse la taille maximale une fois décompressé."))
        buffer[: len(chunk)] = chunk
        return len(chunk)

    def read(self, size: int = -1) -> bytes:
        if size is None or size < 0:
            size = 1 << 20
        buffer = bytearray(size)
        count = self.readinto(buffer)
        return bytes(buffer[:count])


def _xml_member(archive: zipfile.ZipFile) -> zipfile.ZipInfo:
    members = archive.infolist()
    if len(members) > MAX_ZIP_MEMBERS:
        raise ImportFileError(issue("INVALID_FILE", reason="l'archive contient trop de fichiers."))
    candidates = []
    for info in members:
        path = PurePosixPath(info.filename)
        if info.is_dir() or any(part.startswith(".") or part == "__MACOSX" for part in path.parts):
            continue
        if info.filename.startswith("/") or ".." in path.parts or "\\" in info.filename:
            raise ImportFileError(issue("INVALID_FILE", reason="l'archive contient un chemin de fichier invalide."))
        if path.suffix.lower() == ".xml":
            candidates.append(info)
    if len(candidates) != 1:
        raise ImportFileError(
            issue("INVALID_FILE", reason=f"l'archive doit contenir un seul fichier .xml (trouvé : {len(candidates)}).")
        )
    member = candidates[0]
    if member.file_size > MAX_UNCOMPRESSED_BYTES:
        raise ImportFileError(issue("INVALID_FILE", reason="il dépasse la taille maximale une fois décompressé."))
    return member


def open_siecle_file(source: BinaryIO) -> tuple[BinaryIO, int]:
    """The XML stream of an upload (plain XML or zip, recognised by content) and its expected size."""
    head = source.read(4)
    source.seek(0)
    if head != ZIP_MAGIC:
        source.seek(0, io.SEEK_END)
        size = source.tell()
        source.seek(0)
        return source, size
    try:
        archive = zipfile.ZipFile(source)
        member = _xml_member(archive)
        return archive.open(member), member.file_size
    except zipfile.BadZipFile as exc:
        raise ImportFileError(issue("INVALID_FILE", reason="l'archive zip est illisible.")) from exc


def _refuse_doctype(stream: BinaryIO) -> bytes:
    head = stream.read(4096)
    if b"<!DOCTYPE" in head.upper() or b"<!ENTITY" in head.upper():
        raise ImportFileError(
            issue("INVALID_FILE", reason="il contient une déclaration DOCTYPE, absente des exports SIECLE.")
        )
    return head


class _Prepend(io.RawIOBase):
    def __init__(self, head: bytes, rest: BinaryIO):
        self._head, self._rest = head, rest

    def readable(self) -> bool:
        return True

    def read(self, size: int = -1) -> bytes:
        if self._head:
            data, self._head = self._head[:size] if size and size > 0 else self._head, b""
            return data
        return self._rest.read(size)

    def readinto(self, buffer) -> int:
        data = self.read(len(buffer))
        buffer[: len(data)] = data
        return len(data)


def _text(element, tag: str) -> str:
    child = element.find(tag)
    return (child.text or "").strip() if child is not None and child.text else ""


def _position(stream) -> int:
    return stream.bytes_read if isinstance(stream, _CappedReader) else stream.tell()


def _iter_elements(stream: BinaryIO) -> Iterator[etree._Element]:
    context = etree.iterparse(
        stream,
        events=("end",),
        tag=("UAJ", "ELEVE", "STRUCTURES_ELEVE"),
        resolve_entities=False,
        no_network=True,
        load_dtd=False,
        huge_tree=False,
        remove_comments=True,
        remove_pis=True,
    )
    for _event, element in context:
        yield element
        element.clear(keep_tail=True)
        while element.getprevious() is not None:
            del element.getparent()[0]


def parse_siecle_xml(
    source: BinaryIO,
    *,
    expected_uai: str,
    organization_name: str,
    on_progress: Callable[[float], None] | None = None,
) -> ParseResult:
    """Read a SIECLE export; return the students to import and every problem found (reference §3.3)."""
    stream, size = open_siecle_file(source)
    if stream is source:
        # A plain upload: its size is already capped by the upload limit; lxml reads it directly.
        _refuse_doctype(stream)
        stream.seek(0)
        xml_input = stream
    else:
        capped = _CappedReader(stream, MAX_UNCOMPRESSED_BYTES)
        xml_input = io.BufferedReader(_Prepend(_refuse_doctype(capped), capped), buffer_size=1 << 16)
        stream = capped
    result = ParseResult(encoding="")
    kept: dict[str, tuple[ParsedLearner, str, str]] = {}
    uaj_seen = False
    seen = 0
    try:
        for element in _iter_elements(xml_input):
            seen += 1
            if on_progress and size and seen % 5000 == 0:
                on_progress(min(_position(stream) / size, 1.0))
            if element.tag == "UAJ":
                uaj = (element.text or "").strip()
                uaj_seen = True
                if uaj.upper() != expected_uai.strip().upper():
                    raise ImportFileError(
                        issue("UAI_MISMATCHED", uaj=uaj or "inconnu", organization=organization_name, uai=expected_uai)
                    )
            elif element.tag == "ELEVE":
                values = {child.tag: (child.text or "").strip() for child in element if child.text}
                if values.get("DATE_SORTIE") or not values.get("ID_NATIONAL"):
                    continue
                learner = ParsedLearner(**{field: values.get(tag, "") for tag, field in ELEVE_FIELDS.items()})
                sex_raw = values.get("CODE_SEXE", "")
                birthdate_raw = values.get("DATE_NAISS", "")
                learner.sex = SEX_CODES.get(sex_raw, "")
                learner.birthdate = parse_french_date(birthdate_raw) if birthdate_raw else None
                learner.status = learner.status or "ST"
                kept[element.get("ELEVE_ID", "")] = (learner, birthdate_raw, sex_raw)
            elif element.tag == "STRUCTURES_ELEVE":
                entry = kept.get(element.get("ELEVE_ID", ""))
                if entry is None:
                    continue
                for structure in element.iterfind("STRUCTURE"):
                    code = _text(structure, "CODE_STRUCTURE")
                    if _text(structure, "TYPE_STRUCTURE") == "D" and code and code != INACTIVE_DIVISION:
                        entry[0].division = " ".join(code.split())
    except etree.XMLSyntaxError as exc:
        message = str(exc)
        if "encoding" in message.lower() or "unsupported" in message.lower():
            raise ImportFileError(issue("ENCODING_NOT_SUPPORTED", encoding=message)) from exc
        raise ImportFileError(issue("INVALID_FILE", reason=f"XML incorrect ({message}).")) from exc
    except LookupError as exc:
        raise ImportFileError(issue("ENCODING_NOT_SUPPORTED", encoding=str(exc))) from exc
    if not uaj_seen:
        raise ImportFileError(issue("UAI_MISSING"))
    for learner, birthdate_raw, sex_raw in kept.values():
        if not learner.division:
            continue  # reference §3.3: students without a class are not imported
        check_identity(learner, result.issues, birthdate_raw=birthdate_raw, sex_raw=sex_raw)
        result.learners.append(learner)
    check_unique_ine(result.learners, result.issues)
    if not result.learners and not result.issues:
        result.issues.append(issue("EMPTY"))
    return result
