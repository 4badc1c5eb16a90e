from django.urls import URLPattern, path

from thuocdo.ecosystem import views

app_name = "ecosystem"
urlpatterns: list[URLPattern] = [
    path("", views.index, name="index"),
    path("solutions/<int:solution_id>/", views.solution_detail, name="solution"),
    path("solutions/<int:solution_id>/submit/", views.solution_submit, name="submit"),
    path("solutions/<int:solution_id>/review/", views.review, name="review"),
    path("promotions/<int:promotion_id>/review/", views.promotion_review, name="promotion_review"),
    path("provider/", views.provider_dashboard, name="provider"),
    path("provider/new/", views.solution_new, name="new"),
    path("approvals/", views.approvals, name="approvals"),
    path("connections/", views.connections_view, name="connections"),
    path("connections/<int:connection_id>/move/", views.connection_transition, name="move"),
    path("connections/new/", views.request_solution, name="request"),
    path("effect/", views.effect_view, name="effect"),
    path("gaps/", views.gaps_view, name="gaps"),
    path(
        "responses/<int:response_id>/recommendations/",
        views.recommendations,
        name="recommendations",
    ),
]
