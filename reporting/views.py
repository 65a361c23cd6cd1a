from django.http import Http404
from django.shortcuts import render

from indicators.models import Indicator
from indicators.selectors import domains_with_indicators, indicator_for_page


def home(request):
    """The framework at a glance: its domains and their indicators."""
    domains = domains_with_indicators(user=request.user)
    return render(request, "reporting/home.html", {"domains": domains})


def indicator_detail(request, code):
    try:
        indicator = indicator_for_page(code=code, user=request.user)
    except Indicator.DoesNotExist:
        raise Http404(f"No indicator {code}") from None
    return render(request, "reporting/indicator_detail.html", {"indicator": indicator})
