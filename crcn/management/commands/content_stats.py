from django.core.management.base import BaseCommand

from crcn.models import COMPETENCE_CODES
from crcn.selectors import content_statistics

MINIMUMS = {"competences": len(COMPETENCE_CODES), "tubes": 48, "skills": 300, "challenges": 600, "tutorials": 60}


class Command(BaseCommand):
    help = "Statistiques du contenu chargé, par compétence, et vérification des minimums."

    def handle(self, *args, **options):
        rows = content_statistics()
        header = (
            f"{'comp.':<6}{'sujets':>7}{'acquis':>7}  {'niv. 1 2 3 4 5 6 7 8':<24}"
            f"{'épreuves':>9}{'variantes':>10}{'tutoriels':>10}"
        )
        self.stdout.write(header)
        for row in rows:
            levels = " ".join(f"{n}" for n in row["levels"])
            self.stdout.write(
                f"{row['code']:<6}{row['tubes']:>7}{row['skills']:>7}  {levels:<24}{row['challenges']:>9}"
                f"{row['variants']:>10}{row['tutorials']:>10}"
            )
        totals = {
            "competences": len(rows),
            "tubes": sum(r["tubes"] for r in rows),
            "skills": sum(r["skills"] for r in rows),
            "challenges": sum(r["challenges"] for r in rows),
            "tutorials": sum(r["tutorials"] for r in rows),
        }
        types = {}
        for row in rows:
            for kind, count in row["types"].items():
                types[kind] = types.get(kind, 0) + count
        self.stdout.write(
            f"TOTAL : {totals['competences']} compétences, {totals['tubes']} sujets, {totals['skills']} acquis, "
            f"{totals['challenges']} épreuves ({', '.join(f'{k} {v}' for k, v in sorted(types.items()))}), "
            f"{totals['tutorials']} tutoriels"
        )
        problems = [
            f"{name} : {totals[name]} < {minimum}" for name, minimum in MINIMUMS.items() if totals[name] < minimum
        ]
        problems += [f"{r['code']} : un niveau de 1 à 6 sans acquis" for r in rows if 0 in r["levels"][:6]]
        problems += [f"{r['code']} : des acquis sans variante" for r in rows if r["skills_with_variants"] < r["skills"]]
        if problems:
            for problem in problems:
                self.stdout.write(self.style.ERROR(f"EN DESSOUS DU MINIMUM — {problem}"))
        else:
            self.stdout.write(self.style.SUCCESS("Tous les minimums du contenu sont atteints."))
