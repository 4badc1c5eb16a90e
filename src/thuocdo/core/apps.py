from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "thuocdo.core"
    label = "core"
    verbose_name = "Thước đo"

    def ready(self) -> None:
        from thuocdo.core import checks  # noqa: F401 - registers the production checks
