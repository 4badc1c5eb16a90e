from django.apps import AppConfig


class AssessmentsConfig(AppConfig):
    name = "thuocdo.assessments"
    label = "assessments"
    verbose_name = "Đợt đánh giá"
