from django.urls import path

from reporting import views

urlpatterns = [
    path("", views.home, name="home"),
    path("board-pack.pdf", views.board_pack, name="board_pack"),
    path("domains/<str:code>/", views.domain_detail, name="domain_detail"),
    path("indicators/<str:code>/", views.indicator_detail, name="indicator_detail"),
    path("indicators/<str:code>/narrative/", views.narrative_edit, name="narrative_edit"),
    path("indicators/<str:code>/<str:chart>.csv", views.indicator_csv, name="indicator_csv"),
    path("programmes/", views.programme_list, name="programme_list"),
    path("programmes/<str:code>/", views.programme_detail, name="programme_detail"),
]
