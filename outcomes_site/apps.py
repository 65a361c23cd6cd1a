from django.apps import AppConfig


class OutcomesSiteConfig(AppConfig):
    """The project itself, as an app only so that it can connect its signal receivers."""

    name = "outcomes_site"
    verbose_name = "Outcomes site"

    def ready(self):
        from django.contrib.auth.signals import user_logged_in

        from outcomes_site.middleware import stamp_session_at_sign_in

        user_logged_in.connect(stamp_session_at_sign_in, dispatch_uid="outcomes_session_stamp")
