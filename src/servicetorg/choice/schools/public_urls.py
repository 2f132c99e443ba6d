"""School choice for families (namespace ``schools_public``): the rules, the schools, the published
cutoffs, and on Min side the application, the placement with its explanation, the answer and the
appeal."""

app_name = "schools_public"
urlpatterns: list = []
