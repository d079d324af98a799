from django.urls import path

from downloads import views

urlpatterns = [
    path("healthz/", views.healthz),
    path("login/", views.login),
    path("manifests/<str:archive_id>", views.manifest),
    path("signed-link/<str:archive_id>", views.signed_link),
]
