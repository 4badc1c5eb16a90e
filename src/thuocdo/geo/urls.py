from django.urls import path

from thuocdo.geo import views

app_name = "geo"
urlpatterns = [
    path("", views.index, name="index"),
    path("<str:structure>/<str:code>/", views.unit_detail, name="unit"),
]
