from django.apps import AppConfig


class IndicatorsConfig(AppConfig):
    name = "thuocdo.indicators"
    label = "indicators"
    verbose_name = "Chỉ tiêu chiến lược"
