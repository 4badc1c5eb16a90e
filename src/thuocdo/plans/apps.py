from django.apps import AppConfig


class PlansConfig(AppConfig):
    name = "thuocdo.plans"
    label = "plans"
    verbose_name = "Kế hoạch hành động"
