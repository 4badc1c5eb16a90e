from django.urls import path

from thuocdo.plans import views

app_name = "plans"
urlpatterns = [
    path("", views.index, name="index"),
    path("new/", views.wizard, name="wizard"),
    path("national/", views.national, name="national"),
    path("systems/", views.systems, name="systems"),
    path("import/", views.plan_import, name="import"),
    path("<int:plan_id>/", views.plan_detail, name="plan"),
    path("<int:plan_id>/timeline/", views.plan_timeline, name="timeline"),
    path("<int:plan_id>/overdue/", views.plan_overdue, name="overdue"),
    path("<int:plan_id>/dashboard/", views.plan_dashboard, name="dashboard"),
    path("<int:plan_id>/export.xlsx", views.plan_export, name="export"),
    path("<int:plan_id>/evaluation/", views.plan_evaluation, name="evaluation"),
    path(
        "<int:plan_id>/evaluation.xlsx",
        views.plan_evaluation,
        {"fmt": "xlsx"},
        name="evaluation_xlsx",
    ),
    path(
        "<int:plan_id>/evaluation.pdf", views.plan_evaluation, {"fmt": "pdf"}, name="evaluation_pdf"
    ),
    path("tasks/<int:task_id>/", views.task_detail, name="task"),
    path("tasks/<int:task_id>/evidence/", views.task_evidence, name="evidence"),
    path("evidence/<int:evidence_id>/", views.evidence_download, name="evidence_file"),
]
