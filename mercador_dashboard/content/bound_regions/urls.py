from django.urls import re_path

from mercador_dashboard.content.bound_regions import views

urlpatterns = [
    re_path(r'^$', views.IndexView.as_view(), name='index'),
    re_path(r'^(?P<bound_region_id>[^/]+)/entitlements/$',
            views.EntitlementsView.as_view(), name='entitlements'),
]
