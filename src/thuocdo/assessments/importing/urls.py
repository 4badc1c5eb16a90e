"""Import pages (included by the assessments URLs under ``import/``)."""

from django.urls import path

from . import views

app_name = "importing"
urlpatterns = [
    path("campaigns/<int:campaign_id>/", views.import_form, name="form"),
    path(
        "campaigns/<int:campaign_id>/template.<str:fmt>",
        views.template_download,
        name="template",
    ),
    path("campaigns/<int:campaign_id>/xlsform.xlsx", views.xlsform_download, name="xlsform"),
    path("jobs/<int:job_id>/", views.job_detail, name="job"),
    path("jobs/<int:job_id>/errors.<str:fmt>", views.job_report, name="report"),
]
