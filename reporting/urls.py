from django.urls import path

from reporting import views

urlpatterns = [
    path("", views.home, name="home"),
    path("indicators/<str:code>/", views.indicator_detail, name="indicator_detail"),
]
