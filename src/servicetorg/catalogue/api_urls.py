app_name = "catalogue_api"
urlpatterns: list = []
