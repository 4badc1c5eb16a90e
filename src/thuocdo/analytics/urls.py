from django.urls import path

from thuocdo.analytics import views

app_name = "analytics"
urlpatterns = [
    path("", views.index, name="index"),
    path("national/", views.national_officers, name="national"),
    path("<int:campaign_id>/", views.dashboard, name="dashboard"),
    path("<int:campaign_id>/csv/<str:chart>/", views.chart_csv, name="csv"),
    path("<int:campaign_id>/report/", views.report, name="report"),
]
