from django.apps import AppConfig


class CrcnConfig(AppConfig):
    name = "crcn"
    verbose_name = "Référentiel CRCN et contenus"
