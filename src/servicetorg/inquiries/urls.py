app_name = "inquiries"
urlpatterns: list = []
