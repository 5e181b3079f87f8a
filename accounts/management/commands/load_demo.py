from django.core.management.base import BaseCommand

from accounts.demo import DEMO_SIECLE_FILE, demo_data_load


class Command(BaseCommand):
    help = "Charge les données de démonstration (idempotent) et affiche les identifiants."

    def handle(self, *args, **options):
        logins = demo_data_load()
        self.stdout.write(self.style.SUCCESS("Identifiants de démonstration :"))
        for login in logins:
            self.stdout.write(f"  {login.who:<58} {login.login:<32} {login.password}")
        self.stdout.write(f"Fichier SIECLE de démonstration (import par l'administratrice) : {DEMO_SIECLE_FILE}")
