"""SIECLE files for tests: real structure, optional zip, and hostile variants (XXE, billion laughs)."""

import io
import zipfile

from students.importers.samples import SampleStudent, fake_students, siecle_xml

UAI = "0691234A"


def students(count: int = 3) -> list[SampleStudent]:
    return fake_students(count, seed=7, divisions=2)


def xml_file(items=None, *, uaj: str = UAI, encoding: str = "ISO-8859-15", bom: bool = False) -> bytes:
    return siecle_xml(students() if items is None else items, uaj=uaj, encoding=encoding, bom=bom)


def zipped(members: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return buffer.getvalue()


XXE = b"""<?xml version="1.0" encoding="UTF-8"?>
<!DOCTYPE BEE_ELEVES [<!ENTITY secret SYSTEM "file:///etc/passwd">]>
<BEE_ELEVES><PARAMETRES><UAJ>0691234A</UAJ></PARAMETRES><DONNEES><ELEVES>
<ELEVE ELEVE_ID="1"><ID_NATIONAL>123456789AB</ID_NATIONAL><NOM_DE_FAMILLE>&secret;</NOM_DE_FAMILLE>
<PRENOM>Eve</PRENOM><CODE_SEXE>2</CODE_SEXE><DATE_NAISS>01/01/2010</DATE_NAISS></ELEVE>
</ELEVES><STRUCTURES><STRUCTURES_ELEVE ELEVE_ID="1"><STRUCTURE><CODE_STRUCTURE>2NDE 1</CODE_STRUCTURE>
<TYPE_STRUCTURE>D</TYPE_STRUCTURE></STRUCTURE></STRUCTURES_ELEVE></STRUCTURES></DONNEES></BEE_ELEVES>
"""

BILLION_LAUGHS = (
    b'<?xml version="1.0"?>\n<!DOCTYPE lolz [<!ENTITY lol "lol">'
    + b"".join(
        f'<!ENTITY lol{i} "{("&lol" + (str(i - 1) if i > 1 else "") + ";") * 10}">'.encode() for i in range(1, 10)
    )
    + b"]>\n<BEE_ELEVES><PARAMETRES><UAJ>&lol9;</UAJ></PARAMETRES></BEE_ELEVES>\n"
)
