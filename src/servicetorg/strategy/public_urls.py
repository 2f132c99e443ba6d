app_name = "strategy_public"
urlpatterns: list = []
