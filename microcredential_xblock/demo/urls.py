"""The workbench's URLs plus the service's public credential URLs at /microvet/ (as in the LMS plugin).

Scenario pages use the demo's own template: the workbench's prints the scenario's OLX, answer key included.
"""

from django.urls import include, path, re_path
from workbench import views
from workbench.urls import urlpatterns as workbench_urls

from .alliance import impact_page

SCENARIO_PAGE = {"template": "microvet_demo/scenario.html"}

urlpatterns = [
    path("microvet/", include("microcredential_xblock.service.urls")),
    path(".well-known/", include("microcredential_xblock.wallet.well_known_urls")),
    # The LMS shows this page to platform staff only (/microvet/alliance/impact/); the workbench has no logins.
    path("demo/alliance/impact/", impact_page, name="demo_alliance_impact"),
    re_path(r"^scenario/(?P<scenario_id>[^/]+)/(?P<view_name>[^/]+)/$", views.show_scenario, SCENARIO_PAGE),
    re_path(r"^scenario/(?P<scenario_id>[^/]+)/$", views.show_scenario, SCENARIO_PAGE),
    re_path(r"^view/(?P<scenario_id>[^/]+)/(?P<view_name>[^/]+)/$", views.show_scenario, SCENARIO_PAGE),
    re_path(r"^view/(?P<scenario_id>[^/]+)/$", views.show_scenario, SCENARIO_PAGE),
    *workbench_urls,
]
