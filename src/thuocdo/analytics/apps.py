from django.apps import AppConfig


class AnalyticsConfig(AppConfig):
    name = "thuocdo.analytics"
    label = "analytics"
    verbose_name = "Kết quả và phân tích"

    def ready(self) -> None:
        from thuocdo.analytics.survey_sources import register

        register()
