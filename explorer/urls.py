from django.urls import path

from explorer import overview, views

app_name = "explorer"
urlpatterns = [
    path("", views.index, name="index"),
    path("compare/", views.compare, name="compare"),
    path("area/", views.summary, name="summary"),
    path("inequalities/", views.inequalities, name="inequalities"),
    path("trends/", views.trends, name="trends"),
    path("map/", views.map_view, name="map"),
    path("funnel/", views.funnel, name="funnel"),
    path("overview/", overview.overview, name="overview"),
    path("overview/download.csv", overview.overview_download, name="overview_download"),
    path("<str:page>/download.csv", views.download, name="download"),
]
