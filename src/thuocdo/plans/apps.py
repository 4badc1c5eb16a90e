from django.apps import AppConfig


class PlansConfig(AppConfig):
    name = "thuocdo.plans"
    label = "plans"
    verbose_name = "Kế hoạch hành động"

    def ready(self) -> None:
        from thuocdo.plans.services.lifecycle import follow_registry

        follow_registry()
