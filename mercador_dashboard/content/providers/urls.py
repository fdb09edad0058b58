from django.urls import re_path

from mercador_dashboard.content.providers import views

urlpatterns = [
    re_path(r'^$', views.IndexView.as_view(), name='index'),
    re_path(r'^register/$', views.RegisterView.as_view(), name='register'),
]
