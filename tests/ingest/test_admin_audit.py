"""Extract uploads, reverts and re-runs reach the audit log with who did them."""

from indicators.models import AuditEvent, Extract
from tests.extracts import SMOKING_2023, counts_file, upload


def events(action):
    return list(AuditEvent.objects.filter(action=action).order_by("id"))


def test_uploads_reverts_and_reruns_are_recorded(signed_in, analyst):
    upload(signed_in, counts_file(SMOKING_2023))
    extract = Extract.objects.get()
    (uploaded,) = events("upload")
    assert uploaded.user == analyst and uploaded.object_id == str(extract.pk)
    assert uploaded.details["original_name"] == "smoking.csv"
    signed_in.post(f"/admin/indicators/extract/{extract.pk}/revert/")
    (reverted,) = events("revert")
    assert reverted.user == analyst and reverted.details["observations_removed"] > 0
    Extract.objects.filter(pk=extract.pk).update(status="failed")
    signed_in.post(f"/admin/indicators/extract/{extract.pk}/rerun/")
    (rerun,) = events("rerun")
    assert rerun.user == analyst and rerun.details == {"was": "failed"}
