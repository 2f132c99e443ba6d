app_name = "indicators_public"
urlpatterns: list = []
