from django.urls import path

from thuocdo.publishing import views

app_name = "publishing"
urlpatterns = [
    path("", views.index, name="index"),
    path("national/", views.national, name="national"),
    path("data-dictionary.csv", views.dictionary, name="dictionary"),
    path("<int:campaign_id>/", views.dashboard, name="dashboard"),
    path("agencies/<int:campaign_id>/", views.agency_results, name="agency-results"),
    path("<int:campaign_id>/csv/<str:chart>/", views.chart_csv, name="csv"),
    path("<int:campaign_id>/report/", views.report, name="report"),
    path("<int:campaign_id>/data/<str:dataset>.<str:fmt>", views.download, name="download"),
]
