from django.urls import path

from explorer import api

app_name = "api"
urlpatterns = [
    path("", api.index, name="index"),
    path("indicators/", api.indicators, name="indicators"),
    path("areas/", api.areas, name="areas"),
    path("data/", api.data, name="data"),
    path("inequalities/", api.inequalities, name="inequalities"),
]
