from django.urls import path

from reporting import pack_views, views

urlpatterns = [
    path("", views.home, name="home"),
    path("summary/", views.summary_icons, name="summary_icons"),
    path("summary.csv", views.summary_icons_csv, name="summary_icons_csv"),
    path("board-pack.pdf", pack_views.board_pack, name="board_pack"),
    path("board-pack/", pack_views.board_pack_request, name="board_pack_request"),
    path("board-pack/<int:pk>/", pack_views.board_pack_status, name="board_pack_status"),
    path(
        "board-pack/<int:pk>/download/", pack_views.board_pack_download, name="board_pack_download"
    ),  # fmt: skip
    path("domains/<str:code>/", views.domain_detail, name="domain_detail"),
    path("indicators/<str:code>/", views.indicator_detail, name="indicator_detail"),
    path("indicators/<str:code>/narrative/", views.narrative_edit, name="narrative_edit"),
    path("indicators/<str:code>/<str:chart>.csv", views.indicator_csv, name="indicator_csv"),
    path("programmes/", views.programme_list, name="programme_list"),
    path("programmes/<str:code>/", views.programme_detail, name="programme_detail"),
]
