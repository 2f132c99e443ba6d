from django.contrib.auth.decorators import login_required
from django.shortcuts import render

from .models import Municipality, Unit
from .tenancy import scope


@login_required
def staff_home(request):
    municipalities = scope(Municipality.objects.all(), request.user, field="pk")
    units = scope(Unit.objects.select_related("municipality"), request.user)
    return render(request, "core/staff_home.html", {"municipalities": municipalities, "units": units})
