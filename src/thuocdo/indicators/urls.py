from django.urls import path

from thuocdo.indicators import views

app_name = "indicators"
urlpatterns = [
    path("", views.dashboard, name="index"),
    path("submit/", views.submit, name="submit"),
    path("overdue/", views.overdue, name="overdue"),
    path("new/", views.indicator_new, name="new"),
    path("digital-economy/", views.digital_economy, name="digital_economy"),
    path("digital-economy/new/", views.digital_economy_form, name="digital_economy_form"),
    path("proposals/", views.proposals, name="proposals"),
    path("<slug:code>/", views.indicator_detail, name="detail"),
    path("<slug:code>/edit/", views.indicator_edit, name="edit"),
]
