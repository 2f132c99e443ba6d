app_name = "surveys_api"
urlpatterns: list = []
