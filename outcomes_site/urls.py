from django.contrib import admin
from django.contrib.auth.decorators import login_not_required
from django.urls import include, path

from outcomes_site import views

admin.site.site_header = "Outcomes administration"
admin.site.site_title = "Outcomes admin"
admin.site.index_title = "Registry, areas and data"

handler500 = "outcomes_site.views.server_error"

urlpatterns = [
    path("healthz", views.healthz, name="healthz"),
    path("accounts/login/", views.SignInView.as_view(), name="login"),
    # Anyone may log out, including a signed-in user who has no role yet.
    path("accounts/logout/", login_not_required(views.SignOutView.as_view()), name="logout"),
    # Single sign-on (404 unless OIDC_ISSUER is set); the provider's reply comes without a
    # session of ours, so the callback needs no login. Names are mozilla-django-oidc's.
    path(
        "oidc/authenticate/",
        login_not_required(views.SingleSignOnStart.as_view()),
        name="oidc_authentication_init",
    ),
    path(
        "oidc/callback/",
        login_not_required(views.SingleSignOnCallback.as_view()),
        name="oidc_authentication_callback",
    ),
    path("admin/", admin.site.urls),
    path("explore/", include("explorer.urls")),
    path("api/", include("explorer.api_urls")),
    path("", include("reporting.urls")),
]
