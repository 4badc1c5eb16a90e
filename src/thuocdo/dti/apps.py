from django.apps import AppConfig


class DtiConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "thuocdo.dti"
    label = "dti"
    verbose_name = "DTI"
