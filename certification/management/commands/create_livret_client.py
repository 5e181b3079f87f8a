"""Create a client of the livret scolaire API and print its credentials once."""

from django.core.management.base import BaseCommand

from certification.services.livret import LIVRET_SCOPE, livret_client_create


class Command(BaseCommand):
    help = "Crée un client de l'API du livret scolaire (LSU/LSL) et affiche ses identifiants une seule fois."

    def add_arguments(self, parser):
        parser.add_argument("name", help="Nom du client, par exemple « LSU académie de Lyon »")

    def handle(self, *args, name: str, **options):
        client, secret = livret_client_create(name=name)
        self.stdout.write(f"client_id={client.client_id}\nclient_secret={secret}\nscope={LIVRET_SCOPE}")
        self.stdout.write("Conservez ce secret : il ne sera plus affiché.")
