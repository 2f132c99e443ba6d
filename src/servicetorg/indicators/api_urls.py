app_name = "indicators_api"
urlpatterns: list = []
