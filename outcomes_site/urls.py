from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_not_required
from django.urls import include, path

from outcomes_site import views

admin.site.site_header = "Outcomes administration"
admin.site.site_title = "Outcomes admin"
admin.site.index_title = "Registry, areas and data"

handler500 = "outcomes_site.views.server_error"

urlpatterns = [
    path("healthz", views.healthz, name="healthz"),
    path("accounts/login/", auth_views.LoginView.as_view(), name="login"),
    # Anyone may log out, including a signed-in user who has no role yet.
    path("accounts/logout/", login_not_required(auth_views.LogoutView.as_view()), name="logout"),
    path("admin/", admin.site.urls),
    path("explore/", include("explorer.urls")),
    path("api/", include("explorer.api_urls")),
    path("", include("reporting.urls")),
]
