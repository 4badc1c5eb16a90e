from django.apps import AppConfig


class FrameworksConfig(AppConfig):
    name = "thuocdo.frameworks"
    label = "frameworks"
    verbose_name = "Bộ tiêu chí"
