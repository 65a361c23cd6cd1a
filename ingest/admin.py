"""The analysts' extract screens in the admin: upload, list, detail with live progress,
the review of what publishing would change (publish now, schedule, discard), error report,
revert and re-run, template files for each kind, and the indicators whose data is due."""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path
from django.utils import timezone
from django.views.decorators.http import require_POST

from indicators.models import ChangePoint, Extract, ExtractKind, ExtractStatus, Indicator, Status
from indicators.next_update import indicators_next_update
from ingest.change_points import change_point_delete, change_point_save, change_points_rederive
from ingest.publishing import (
    PublishRefused,
    extract_discard,
    extract_publish,
    extract_schedule,
    extract_unschedule,
    moment,
)
from ingest.queue import extract_is_waiting_for_queue, extract_resubmit, extract_submit
from ingest.services import ACTIVE, REVIEWABLE, ExtractRefused, extract_can_rerun, extract_revert
from ingest.templates_csv import TEMPLATES
from ingest.writing import RevertRefused


class UploadForm(forms.Form):
    file = forms.FileField(help_text="CSV or XLSX.")
    kind = forms.ChoiceField(choices=ExtractKind.choices, widget=forms.RadioSelect)
    create_areas = forms.BooleanField(
        required=False,
        label="Add areas the registry lacks (Fingertips-format files only)",
        help_text="Uses the file's Area Code, Area Name, Area Type and Parent Code columns.",
    )
    skip_unknown_indicators = forms.BooleanField(
        required=False,
        label="Leave out rows for indicators the registry does not track",
        help_text="Useful for Fingertips downloads that hold many indicators; the report counts them.",
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        # Refused before it is read into memory; Django has streamed it to a temporary file.
        if upload.size > settings.UPLOAD_MAX_BYTES:
            raise forms.ValidationError(
                f"The file is {upload.size:,} bytes; the limit is {settings.UPLOAD_MAX_BYTES:,} bytes."
            )
        return upload


class ScheduleForm(forms.Form):
    publish_at = forms.DateTimeField(
        label="Publish at",
        input_formats=["%Y-%m-%dT%H:%M"],
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        help_text="Local time, to the minute.",
    )


@admin.register(ChangePoint)
class ChangePointAdmin(admin.ModelAdmin):
    """Analysts' change points. Permissions follow the roles (indicators/roles.py): analysts
    and admins hold the add, change and delete permissions; viewers and owners none. Every
    save or delete re-derives the indicator's series, so the SPC follows at once."""

    list_display = ["indicator", "area", "period", "reason", "created_by", "created_at"]
    list_filter = ["indicator"]
    search_fields = ["indicator__code", "indicator__name", "area__code", "reason"]
    autocomplete_fields = ["indicator", "area", "period"]

    def save_model(self, request, obj, form, change):
        change_point_save(change_point=obj, user=request.user)

    def delete_model(self, request, obj):
        change_point_delete(change_point=obj)

    def delete_queryset(self, request, queryset):
        indicator_ids = set(queryset.values_list("indicator_id", flat=True))
        for change_point in queryset:  # one by one, so each delete is audited
            change_point.delete()
        change_points_rederive(indicator_ids=indicator_ids)


@admin.register(Extract)
class ExtractAdmin(admin.ModelAdmin):
    list_display = [
        "id", "original_name", "kind", "status", "progress", "rows_read", "rows_rejected",
        "uploaded_by", "created_at", "publish_at", "published_at",
    ]  # fmt: skip
    list_display_links = ["id", "original_name"]
    list_filter = ["status", "kind"]
    search_fields = ["original_name", "checksum"]
    change_list_template = "admin/ingest/extract/change_list.html"

    def has_change_permission(self, request, obj=None):
        return False  # extracts change only through the pipeline, revert and re-run

    def has_delete_permission(self, request, obj=None):
        return False  # the stored file, its report and its history are kept

    def get_urls(self):
        wrap = self.admin_site.admin_view
        return [
            path("upload/", wrap(self.upload_view), name="ingest_extract_upload"),
            path(
                "template/<str:kind>.csv", wrap(self.template_view), name="ingest_extract_template"
            ),
            path("<int:pk>/detail/", wrap(self.detail_view), name="ingest_extract_detail"),
            path("<int:pk>/progress/", wrap(self.progress_view), name="ingest_extract_progress"),
            path("<int:pk>/errors.csv", wrap(self.error_report_view), name="ingest_extract_errors"),
            path("<int:pk>/file/", wrap(self.file_view), name="ingest_extract_file"),
            path(
                "<int:pk>/revert/",
                wrap(require_POST(self.revert_view)),
                name="ingest_extract_revert",
            ),
            path(
                "<int:pk>/rerun/", wrap(require_POST(self.rerun_view)), name="ingest_extract_rerun"
            ),
            path(
                "<int:pk>/publish/",
                wrap(require_POST(self.publish_view)),
                name="ingest_extract_publish",
            ),
            path(
                "<int:pk>/schedule/",
                wrap(require_POST(self.schedule_view)),
                name="ingest_extract_schedule",
            ),
            path(
                "<int:pk>/unschedule/",
                wrap(require_POST(self.unschedule_view)),
                name="ingest_extract_unschedule",
            ),
            path(
                "<int:pk>/discard/",
                wrap(require_POST(self.discard_view)),
                name="ingest_extract_discard",
            ),
            path("due/", wrap(self.due_view), name="ingest_extract_due"),
            *super().get_urls(),
        ]

    def changelist_view(self, request, extra_context=None):
        """The list, with the extracts that came back for review and why at its top."""
        returned = Extract.objects.filter(status=ExtractStatus.AWAITING_REVIEW).exclude(
            review_notice=""
        )
        extra_context = {**(extra_context or {}), "returned_for_review": returned}
        return super().changelist_view(request, extra_context=extra_context)

    def change_view(self, request, object_id, form_url="", extra_context=None):
        return redirect("admin:ingest_extract_detail", pk=object_id)

    def add_view(self, request, form_url="", extra_context=None):
        return redirect("admin:ingest_extract_upload")

    # --- views ---------------------------------------------------------------------------

    def _require(self, request, action: str):
        allowed = (
            self.has_view_permission(request)
            if action == "view"
            else self.has_add_permission(request)
        )
        if not allowed:
            raise PermissionDenied

    def upload_view(self, request):
        self._require(request, "add")
        form = UploadForm(request.POST or None, request.FILES or None)
        earlier = None
        if request.method == "POST" and form.is_valid():
            upload = form.cleaned_data["file"]
            try:
                extract = extract_submit(
                    data=upload.read(), original_name=upload.name, kind=form.cleaned_data["kind"],
                    uploaded_by=request.user, create_areas=form.cleaned_data["create_areas"],
                    skip_unknown_indicators=form.cleaned_data["skip_unknown_indicators"],
                )  # fmt: skip
            except ExtractRefused as refusal:
                form.add_error("file", refusal.message)
                earlier = refusal.earlier
            else:
                extract.refresh_from_db()
                if extract_is_waiting_for_queue(extract):
                    messages.warning(
                        request,
                        f"Extract #{extract.pk} is saved and queued. The task queue is not "
                        "answering just now, so processing will start as soon as it is back. "
                        "There is no need to upload the file again.",
                    )
                else:
                    messages.success(
                        request,
                        f"Extract #{extract.pk} uploaded. Its progress and outcome show below.",
                    )
                return redirect("admin:ingest_extract_detail", pk=extract.pk)
        context = {
            **self.admin_site.each_context(request),
            "title": "Upload an extract",
            "form": form,
            "earlier": earlier,
            "opts": self.model._meta,
            "kinds": ExtractKind.choices,
        }
        return TemplateResponse(request, "admin/ingest/extract/upload.html", context)

    def template_view(self, request, kind):
        self._require(request, "view")
        if kind not in TEMPLATES:
            raise Http404("No template of that kind")
        response = HttpResponse(TEMPLATES[kind], content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="outcomes-{kind}-template.csv"'
        return response

    def detail_view(self, request, pk):
        self._require(request, "view")
        extract = get_object_or_404(Extract.objects.select_related("uploaded_by"), pk=pk)
        context = {
            **self.admin_site.each_context(request),
            "title": f"Extract #{extract.pk}: {extract.original_name}",
            "extract": extract,
            "opts": self.model._meta,
            "active": extract.status in ACTIVE,
            "can_change": self.has_add_permission(request),
            "can_rerun": extract_can_rerun(extract),
            "reviewable": extract.status in REVIEWABLE,
            "schedule_form": ScheduleForm(),
            "publish_at": moment(extract.publish_at) if extract.publish_at else "",
        }
        return TemplateResponse(request, "admin/ingest/extract/detail.html", context)

    def progress_view(self, request, pk):
        """The live part of the detail page; htmx polls it until the extract finishes."""
        self._require(request, "view")
        extract = get_object_or_404(Extract, pk=pk)
        context = {"extract": extract, "active": extract.status in ACTIVE,
                   "can_change": self.has_add_permission(request)}  # fmt: skip
        template = "admin/ingest/extract/detail.html#status"
        if extract.status not in ACTIVE and request.htmx:
            # Finished: reload the whole page so the report, buttons and messages appear.
            response = HttpResponse(status=204)
            response["HX-Refresh"] = "true"
            return response
        return TemplateResponse(request, template, context)

    def error_report_view(self, request, pk):
        self._require(request, "view")
        extract = get_object_or_404(Extract, pk=pk)
        if not extract.error_report:
            raise Http404("This extract has no error report")
        return FileResponse(
            extract.error_report.open("rb"), as_attachment=True,
            filename=f"extract-{extract.pk}-errors.csv", content_type="text/csv",
        )  # fmt: skip

    def file_view(self, request, pk):
        self._require(request, "view")
        extract = get_object_or_404(Extract, pk=pk)
        if not extract.stored_file:
            raise Http404("This extract has no file (the Fingertips refresh that made it failed)")
        return FileResponse(
            extract.stored_file.open("rb"), as_attachment=True, filename=extract.original_name
        )

    def revert_view(self, request, pk):
        self._require(request, "add")
        extract = get_object_or_404(Extract, pk=pk)
        try:
            extract_revert(extract=extract)
        except RevertRefused as refusal:
            messages.error(request, str(refusal))
        else:
            messages.success(
                request, f"Extract #{extract.pk} reverted: the earlier values are back."
            )
        return redirect("admin:ingest_extract_detail", pk=pk)

    def rerun_view(self, request, pk):
        self._require(request, "add")
        extract = get_object_or_404(Extract, pk=pk)
        try:
            extract_resubmit(extract=extract)
        except RevertRefused as refusal:
            messages.error(request, str(refusal))
        else:
            messages.success(request, f"Extract #{extract.pk} queued again.")
        return redirect("admin:ingest_extract_detail", pk=pk)

    # --- Review: publish now, at a set time, or discard ----------------------------------

    def publish_view(self, request, pk):
        self._require(request, "add")
        extract = get_object_or_404(Extract, pk=pk)
        try:
            extract = extract_publish(extract=extract, user=request.user)
        except PublishRefused as refusal:
            messages.error(request, refusal.message)
        else:
            if extract.status == ExtractStatus.SUCCEEDED:
                messages.success(request, f"Extract #{extract.pk} published: its values are live.")
            else:
                messages.warning(request, extract.review_notice)
        return redirect("admin:ingest_extract_detail", pk=pk)

    def schedule_view(self, request, pk):
        self._require(request, "add")
        extract = get_object_or_404(Extract, pk=pk)
        form = ScheduleForm(request.POST)
        if not form.is_valid():
            messages.error(
                request, "Give the date and time to publish at, such as 4 March 2027 09:30."
            )
            return redirect("admin:ingest_extract_detail", pk=pk)
        try:
            extract = extract_schedule(
                extract=extract, at=form.cleaned_data["publish_at"], user=request.user
            )
        except PublishRefused as refusal:
            messages.error(request, refusal.message)
        else:
            messages.success(
                request,
                f"Extract #{extract.pk} will be published at {moment(extract.publish_at)}. "
                "Until then nobody but analysts sees its values.",
            )
        return redirect("admin:ingest_extract_detail", pk=pk)

    def unschedule_view(self, request, pk):
        return self._review_action(
            request,
            pk,
            extract_unschedule,
            "Publication cancelled: the extract is awaiting review.",
        )

    def discard_view(self, request, pk):
        return self._review_action(
            request, pk, extract_discard,
            "Extract #{pk} discarded: none of its values were published.",
        )  # fmt: skip

    def _review_action(self, request, pk, action, done: str):
        """Cancel a schedule or discard: the service, its refusal or ``done`` as a message."""
        self._require(request, "add")
        extract = get_object_or_404(Extract, pk=pk)
        try:
            action(extract=extract, user=request.user)
        except PublishRefused as refusal:
            messages.error(request, refusal.message)
        else:
            messages.success(request, done.format(pk=extract.pk))
        return redirect("admin:ingest_extract_detail", pk=pk)

    # --- What is due ------------------------------------------------------------------------

    def due_view(self, request):
        """Indicators whose next data is overdue or due within a month, soonest first, and
        those with no data yet."""
        self._require(request, "view")
        indicators = list(Indicator.objects.exclude(status=Status.RETIRED).order_by("code"))
        updates = indicators_next_update([indicator.pk for indicator in indicators])
        today = timezone.localdate()
        rows = [
            {"indicator": indicator, "update": updates[indicator.pk],
             "status": updates[indicator.pk].status(today)}
            for indicator in indicators if updates.get(indicator.pk) is not None
        ]  # fmt: skip
        context = {
            **self.admin_site.each_context(request),
            "title": "Data due",
            "opts": self.model._meta,
            "due": sorted(
                (row for row in rows if row["status"]), key=lambda row: row["update"].expected
            ),
            "no_data": [indicator for indicator in indicators if updates.get(indicator.pk) is None],
            "today": today,
        }
        return TemplateResponse(request, "admin/ingest/extract/due.html", context)
