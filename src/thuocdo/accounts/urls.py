from django.urls import path

from thuocdo.accounts import views

app_name = "accounts"
urlpatterns = [
    path("login/", views.login_view, name="login"),
    path("logout/", views.logout_view, name="logout"),
    path("users/", views.users_view, name="users"),
    path("users/<int:user_id>/", views.user_detail_view, name="user"),
    path("audit/", views.audit_view, name="audit"),
]
