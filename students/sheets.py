"""Class sheets of credentials: a PDF to print and cut (one page per class), and a CSV.

The CSV is written by ``pixorga.spreadsheet``, every cell guarded against formulas.
"""

from __future__ import annotations

import io
from itertools import groupby

from django.utils import timezone
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import getSampleStyleSheet
from reportlab.lib.units import mm
from reportlab.platypus import PageBreak, Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from pixorga.spreadsheet import csv_text, formula_guarded
from students.services.accounts import Credential


def credentials_csv(credentials: list[Credential]) -> bytes:
    header = ["Classe", "Nom", "Prénom", "Identifiant", "Mot de passe provisoire"]
    rows = [
        [formula_guarded(v) for v in (c.division, c.last_name, c.first_name, c.username, c.password)]
        for c in credentials
    ]
    return csv_text([header, *rows]).encode("utf-8")


def credentials_pdf(*, organization_name: str, login_url: str, credentials: list[Credential]) -> bytes:
    buffer = io.BytesIO()
    document = SimpleDocTemplate(
        buffer,
        pagesize=A4,
        leftMargin=15 * mm,
        rightMargin=15 * mm,
        topMargin=15 * mm,
        bottomMargin=15 * mm,
        title=f"Identifiants — {organization_name}",
        author="Pix Orga",
    )
    styles = getSampleStyleSheet()
    story = []
    today = timezone.localdate().strftime("%d/%m/%Y")
    groups = groupby(
        sorted(credentials, key=lambda c: (c.division, c.last_name, c.first_name)), key=lambda c: c.division
    )
    for index, (division, rows) in enumerate(groups):
        if index:
            story.append(PageBreak())
        story.append(Paragraph(f"{organization_name} — classe {division or 'sans classe'}", styles["Heading2"]))
        story.append(
            Paragraph(
                f"Identifiants de connexion remis le {today}. Connectez-vous sur <b>{login_url}</b> : "
                "au premier accès, vous choisirez votre propre mot de passe.",
                styles["BodyText"],
            )
        )
        story.append(Spacer(1, 6 * mm))
        data = [["Nom", "Prénom", "Identifiant", "Mot de passe provisoire"]]
        data += [[r.last_name, r.first_name, r.username, r.password] for r in rows]
        table = Table(data, colWidths=[45 * mm, 40 * mm, 55 * mm, 40 * mm], repeatRows=1)
        table.setStyle(
            TableStyle(
                [
                    ("FONT", (0, 0), (-1, 0), "Helvetica-Bold"),
                    ("FONT", (2, 1), (3, -1), "Courier"),
                    ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#dfe3eb")),
                    ("GRID", (0, 0), (-1, -1), 0.5, colors.HexColor("#8993a4")),
                    ("TOPPADDING", (0, 0), (-1, -1), 5),
                    ("BOTTOMPADDING", (0, 0), (-1, -1), 5),
                ]
            )
        )
        story.append(table)
    if not credentials:
        story.append(Paragraph("Aucun identifiant.", styles["BodyText"]))
    document.build(story)
    return buffer.getvalue()
