from django.contrib import admin

from outcomes_site.models import SingleSignOnIdentity


@admin.register(SingleSignOnIdentity)
class SingleSignOnIdentityAdmin(admin.ModelAdmin):
    """Admins link an account to an identity by hand: the sign-in never links an admin account
    by itself (README, "Single sign-on")."""

    list_display = ("user", "subject", "issuer", "created_at")
    search_fields = ("user__username", "subject", "issuer")
