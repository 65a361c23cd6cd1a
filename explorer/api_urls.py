"""The API's URLs, from django-ninja: each endpoint, the OpenAPI schema and its docs.

The API answers 401 in JSON itself (``explorer.api.api_access``), so the site's login
redirect does not apply, and anonymous visitors may read it when PUBLIC_READ is on."""

from django.contrib.auth.decorators import login_not_required

from explorer.api import api
from outcomes_site.access import public_read

urlpatterns, _app_name, _namespace = api.urls
app_name = "api"
for pattern in urlpatterns:
    login_not_required(public_read(pattern.callback))
