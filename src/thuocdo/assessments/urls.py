from django.urls import URLPattern, URLResolver, include, path

app_name = "assessments"
urlpatterns: list[URLPattern | URLResolver] = [
    path("import/", include("thuocdo.assessments.importing.urls")),
]
