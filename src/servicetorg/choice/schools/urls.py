"""School choice's staff pages (/staff/skolevalg/, namespace ``schools``): each part keeps its own
list of paths (rounds and runs; applications, appeals and the budget)."""

from . import application_urls, round_urls

app_name = "schools"
urlpatterns = [*round_urls.urlpatterns, *application_urls.urlpatterns]
