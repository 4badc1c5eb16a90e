from django.apps import AppConfig


class OpsConfig(AppConfig):
    name = "thuocdo.ops"
    label = "ops"
    verbose_name = "Vận hành"
