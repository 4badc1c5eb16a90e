from django.urls import URLPattern, URLResolver, include, path

from thuocdo.assessments.views import officer, offline, public

app_name = "assessments"
urlpatterns: list[URLPattern | URLResolver] = [
    path("", officer.index, name="index"),
    path("campaigns/<int:pk>/", officer.campaign_detail, name="campaign"),
    path("campaigns/<int:pk>/status/", officer.campaign_status, name="campaign-status"),
    path("campaigns/<int:pk>/strata/", officer.campaign_strata, name="campaign-strata"),
    path("campaigns/<int:pk>/responses/", officer.response_list, name="responses"),
    path("campaigns/<int:pk>/agencies/", officer.agency_results, name="agency-results"),
    path("campaigns/<int:pk>/named/", officer.named_publication, name="named-publication"),
    path("responses/<int:pk>/", officer.response_detail, name="response"),
    path("responses/<int:pk>/decide/", officer.response_decide, name="response-decide"),
    path("c/<str:token>/", public.start, name="start"),
    path("c/<str:token>/register/", public.register, name="register"),
    path("c/<str:token>/r/<str:code>/<int:n>/", public.pillar_page, name="pillar"),
    path("c/<str:token>/r/<str:code>/<int:n>/save/", public.autosave, name="autosave"),
    path("c/<str:token>/r/<str:code>/result/", public.result, name="result"),
    path("c/<str:token>/r/<str:code>/reopen/", public.reopen, name="reopen"),
    path("c/<str:token>/r/<str:code>/contact/", public.contact, name="contact"),
    path("c/<str:token>/r/<str:code>/certificate.pdf", public.certificate, name="certificate"),
    path("offline/", offline.offline_form, name="offline"),
    path("offline/campaigns.json", offline.offline_campaigns, name="offline-campaigns"),
    path("manifest.webmanifest", offline.manifest, name="manifest"),
    path("sw.js", offline.service_worker, name="service-worker"),
    path("import/", include("thuocdo.assessments.importing.urls")),
]
