from django.apps import AppConfig


class EcosystemConfig(AppConfig):
    name = "thuocdo.ecosystem"
    label = "ecosystem"
    verbose_name = "Giải pháp số"
