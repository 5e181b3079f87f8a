from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from pixorga.demo import DEMO_SIECLE_FILE, demo_data_load

DEMO_REFUSED = (
    "Les données de démonstration créent des comptes dont le mot de passe est public : elles ne se chargent "
    "que sur un site de démonstration (PIXORGA_DEMO=true, comme `make run` et le profil « demo » de docker "
    "compose). Sur un vrai site, créez le compte de l'opérateur avec `manage.py createsuperuser`."
)


class Command(BaseCommand):
    help = "Charge les données de démonstration (idempotent) et affiche les identifiants ; démonstration seulement."

    def handle(self, *args, **options):
        if not settings.DEMO:
            raise CommandError(DEMO_REFUSED)
        logins = demo_data_load()
        self.stdout.write(self.style.SUCCESS("Identifiants de démonstration :"))
        for login in logins:
            self.stdout.write(f"  {login.who:<58} {login.login:<32} {login.password}")
        self.stdout.write(f"Fichier SIECLE de démonstration (import par l'administratrice) : {DEMO_SIECLE_FILE}")
