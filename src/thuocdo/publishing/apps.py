from django.apps import AppConfig


class PublishingConfig(AppConfig):
    name = "thuocdo.publishing"
    label = "publishing"
    verbose_name = "Cổng công khai"
