from django.apps import AppConfig


class OutcomesSiteConfig(AppConfig):
    """The project itself, as an app only so that it can connect its signal receivers."""

    name = "outcomes_site"
    verbose_name = "Outcomes site"

    def ready(self):
        from django.contrib.auth.signals import user_logged_in

        from outcomes_site.middleware import stamp_session_at_sign_in

        user_logged_in.connect(stamp_session_at_sign_in, dispatch_uid="outcomes_session_stamp")

        # Single sign-on identities are recorded in the audit log like the registry's rows.
        from django.db.models.signals import post_delete, post_save, pre_save

        from indicators import audit
        from outcomes_site.models import SingleSignOnIdentity

        uid = "audit_outcomes_site_identity"
        pre_save.connect(
            audit.remember_old_values, sender=SingleSignOnIdentity, dispatch_uid=f"{uid}_pre"
        )
        post_save.connect(audit.on_saved, sender=SingleSignOnIdentity, dispatch_uid=f"{uid}_post")
        post_delete.connect(
            audit.on_deleted, sender=SingleSignOnIdentity, dispatch_uid=f"{uid}_delete"
        )
