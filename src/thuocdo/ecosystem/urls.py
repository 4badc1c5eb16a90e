from django.urls import URLPattern

app_name = "ecosystem"
urlpatterns: list[URLPattern] = []
