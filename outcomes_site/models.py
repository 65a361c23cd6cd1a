from django.conf import settings
from django.db import models


class SingleSignOnIdentity(models.Model):
    """The account a person's identity at an OpenID Connect provider signs in to: the
    provider's issuer and its subject (``sub``) for that person, which never changes, unlike an
    e-mail address (README, "Single sign-on"). Created at a first sign-in, or by an
    administrator to link an existing account the sign-in may not link by itself."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="sso_identities"
    )
    issuer = models.CharField(max_length=255, help_text="The provider's issuer URL (iss).")
    subject = models.CharField(max_length=255, help_text="The person's subject there (sub).")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "single sign-on identity"
        verbose_name_plural = "single sign-on identities"
        constraints = [
            models.UniqueConstraint(fields=["issuer", "subject"], name="sso_identity_unique")
        ]

    def __str__(self):
        return f"{self.user} as {self.subject} at {self.issuer}"
