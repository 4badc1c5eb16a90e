from django.urls import path

from thuocdo.dti import views

app_name = "dti"

urlpatterns = [
    path("", views.index, name="index"),
    path("<str:kind>/<str:code>/<int:year>/", views.card, name="card"),
]
