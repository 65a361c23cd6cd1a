"""Narrative edits reach the audit log with who made them and what changed."""

from indicators.models import AuditEvent
from tests.narratives import TEXT, URL


def test_narrative_edits_are_audited(client, council_owner):
    client.force_login(council_owner)
    client.post(URL, {"period": "2023", **TEXT, "save_draft": ""})
    client.post(URL, {"period": "2023", **TEXT, "limitations": "Small sample.", "publish": ""})
    first, second = AuditEvent.objects.filter(action="narrative", user=council_owner).order_by("id")
    assert first.user == council_owner and first.details == {"created": True, "status": "draft"}
    assert second.user == council_owner and second.object_type == "indicators.Commentary"
    changed = second.details["changed"]
    assert changed["limitations"] == ["Survey-based estimate.", "Small sample."]
    assert changed["status"] == ["draft", "published"]
