app_name = "inquiries_api"
urlpatterns: list = []
