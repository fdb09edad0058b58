from django.urls import re_path

from mercador_dashboard.content.virtual_regions import views

urlpatterns = [
    re_path(r'^$', views.IndexView.as_view(), name='index'),
    re_path(r'^create/$', views.CreateView.as_view(), name='create'),
    re_path(r'^(?P<virtual_region_id>[^/]+)/$',
            views.DetailView.as_view(), name='detail'),
    re_path(r'^(?P<virtual_region_id>[^/]+)/update/$',
            views.UpdateView.as_view(), name='update'),
]
