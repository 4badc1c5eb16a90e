from django.urls import path

from thuocdo.frameworks import views

app_name = "frameworks"
urlpatterns = [
    path("", views.index, name="index"),
    path("upload/", views.upload, name="upload"),
    path("<slug:code>/<str:version>/", views.detail, name="detail"),
    path("<slug:code>/<str:version>/yaml/", views.yaml_file, name="yaml"),
    path("<slug:code>/<str:version>/diff/", views.diff, name="diff"),
    path("<slug:code>/<str:version>/publish/", views.publish, name="publish"),
    path("<slug:code>/<str:version>/retire/", views.retire, name="retire"),
    path("<slug:code>/<str:version>/copy/", views.copy, name="copy"),
]
