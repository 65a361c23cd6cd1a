"""Narrative edits reach the audit log with who made them and what changed."""

from indicators.models import AuditEvent
from tests.reporting.test_narrative import TEXT, URL, council_owner  # noqa: F401 - a fixture


def test_narrative_edits_are_audited(client, council_owner):  # noqa: F811
    client.force_login(council_owner)
    client.post(URL, {"period": "2023", **TEXT, "save_draft": ""})
    client.post(URL, {"period": "2023", **TEXT, "limitations": "Small sample.", "publish": ""})
    first, second = AuditEvent.objects.filter(action="narrative", user=council_owner).order_by("id")
    assert first.user == council_owner and first.details == {"created": True, "status": "draft"}
    assert second.user == council_owner and second.object_type == "indicators.Commentary"
    changed = second.details["changed"]
    assert changed["limitations"] == ["Survey-based estimate.", "Small sample."]
    assert changed["status"] == ["draft", "published"]
