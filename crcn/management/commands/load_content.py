from django.core.management.base import BaseCommand, CommandError

from crcn.services import ContentError, content_load


class Command(BaseCommand):
    help = "Valide puis charge le contenu (crcn/content/) en une transaction ; sans effet si rien n'a changé."

    def add_arguments(self, parser):
        parser.add_argument("--force", action="store_true", help="recharger même si les fichiers n'ont pas changé")

    def handle(self, *args, force=False, **options):
        try:
            report = content_load(force=force)
        except ContentError as error:
            for message in error.messages:
                self.stderr.write(f"  {message}")
            raise CommandError(f"Contenu refusé : {len(error.messages)} erreur(s), rien n'a été modifié.") from error
        order = [
            "domaines",
            "compétences",
            "sujets",
            "acquis",
            "épreuves",
            "tutoriels",
            "parcours",
            "épreuves archivées",
        ]
        counts = ", ".join(f"{report.counts[name]} {name}" for name in order if name in report.counts)
        if report.already_loaded:
            self.stdout.write(f"Contenu déjà à jour (version {report.release_id[:12]}) : {counts}.")
        else:
            self.stdout.write(self.style.SUCCESS(f"Contenu chargé (version {report.release_id[:12]}) : {counts}."))
