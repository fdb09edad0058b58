from django.urls import re_path

from mercador_dashboard.content.offers import views

urlpatterns = [
    re_path(r'^$', views.IndexView.as_view(), name='index'),
    re_path(r'^(?P<provider_id>[^/]+)/(?P<offer_id>[^/]+)/bind/$',
            views.BindView.as_view(), name='bind'),
]
