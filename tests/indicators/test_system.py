"""The configured system: one row, read once per request, a clear stand-in when there is none,
edited in the admin by analysts and admins only, and every change audited."""

import pytest
from django.core.cache import cache
from django.db import IntegrityError, transaction
from django.test.utils import CaptureQueriesContext

from indicators.models import (
    AuditEvent,
    ComparatorGroup,
    ComparatorGroupMember,
    ComparatorKind,
    System,
)
from indicators.system import system_current
from tests.cast import make_user


def test_there_is_at_most_one_system(geography):
    with pytest.raises(IntegrityError), transaction.atomic():
        System.objects.create(
            id=2, name="Another", short_name="Other", headline_area=geography["region"],
            benchmark_area=geography["england"],
        )  # fmt: skip
    assert System.objects.count() == 1


def test_the_current_system_comes_with_its_areas_in_one_query(geography, django_assert_num_queries):
    with django_assert_num_queries(1):
        system = system_current()
        assert system.headline_area.parent.code == "E40000006"
        assert system.benchmark_area.code == "E92000001"
        assert system.headline_area.area_type.code == "icb"
    assert system.is_configured and system.title == "BNSSG system outcomes framework"


def test_a_request_reads_the_system_once_however_often_a_page_asks(client, viewer, geography):
    client.force_login(viewer)
    client.get("/")  # warm up the session and role lookups
    cache.clear()  # built, not served from the page cache (which reads no system at all)
    with CaptureQueriesContext(transaction.get_connection()) as captured:
        response = client.get("/")
    assert response.status_code == 200
    reads = [query for query in captured if '"indicators_system"' in query["sql"]]
    assert len(reads) == 1
    assert "BNSSG system outcomes framework" in response.text


def test_with_no_system_pages_show_england_and_tell_analysts_only(client, viewer, analyst, db):
    from indicators.models import Area, AreaType

    Area.objects.create(
        code="E92000001", name="England", area_type=AreaType.objects.get(code="england")
    )
    system = system_current()
    assert not system.is_configured and system.headline_area.code == "E92000001"
    client.force_login(analyst)
    page = client.get("/").text
    assert "The system is not configured" in page and "import_system" in page
    assert "Outcomes system outcomes framework" in page
    client.force_login(viewer)
    page = client.get("/")
    assert page.status_code == 200 and "The system is not configured" not in page.text


def test_with_nothing_loaded_at_all_the_pages_still_work(client, viewer, db):
    client.force_login(viewer)
    for url in ["/", "/explore/compare/", "/api/indicators/"]:
        assert client.get(url).status_code == 200, url


def test_analysts_edit_the_system_in_the_admin_and_the_change_is_audited(
    client, analyst, geography
):
    client.force_login(analyst)
    response = client.post(
        "/admin/indicators/system/1/change/",
        {"name": geography["system"].name, "short_name": "BNSSG Healthier Together",
         "headline_area": geography["icb"].pk, "benchmark_area": geography["england"].pk,
         "framework_title": "", "introduction": "",
         "deprivation_edition": geography["system"].deprivation_edition_id},
    )  # fmt: skip
    assert response.status_code == 302, response.text[:2000]
    assert System.objects.get().short_name == "BNSSG Healthier Together"
    (changed,) = AuditEvent.objects.filter(action="changed", object_type="indicators.System")
    assert changed.user == analyst
    assert changed.details == {"changed": {"short_name": ["BNSSG", "BNSSG Healthier Together"]}}
    # One system only: the admin offers no second.
    assert client.get("/admin/indicators/system/add/").status_code == 403


@pytest.mark.parametrize("role", ["viewer", "owner"])
def test_viewers_and_owners_cannot_edit_the_system_or_groups(client, geography, role):
    user = make_user(f"someone_{role}", role)
    client.force_login(user)
    for url in ["/admin/indicators/system/1/change/", "/admin/indicators/comparatorgroup/add/"]:
        response = client.post(url, {"name": "Hijacked"})
        assert response.status_code == 403 or "/admin/login/" in response.get("Location", "")
        # Staff or not, the role holds no permission to change either.
        assert not user.has_perm("indicators.change_system")
        assert not user.has_perm("indicators.add_comparatorgroup")
    assert System.objects.get().name != "Hijacked" and not ComparatorGroup.objects.exists()


def test_comparator_groups_and_their_members_are_audited(client, analyst, geography):
    client.force_login(analyst)
    response = client.post(
        "/admin/indicators/comparatorgroup/add/",
        {"code": "SW", "name": "South West", "kind": "nhs_region", "method_note": "",
         "is_default": "on",
         "members-TOTAL_FORMS": "1", "members-INITIAL_FORMS": "0",
         "members-0-area": geography["icb"].pk, "members-0-position": "1"},
    )  # fmt: skip
    assert response.status_code == 302, response.text[:3000]
    group = ComparatorGroup.objects.get(code="SW")
    created = AuditEvent.objects.filter(action="created").values_list("object_type", flat=True)
    assert set(created) >= {"indicators.ComparatorGroup", "indicators.ComparatorGroupMember"}
    group.areas.add(geography["region"], through_defaults={"position": 2})
    added = AuditEvent.objects.filter(action="changed", object_type="indicators.ComparatorGroup")
    assert added.get().details == {"added": [str(geography["region"])]}
    ComparatorGroupMember.objects.filter(group=group, position=2).delete()
    group.delete()
    deleted = AuditEvent.objects.filter(action="deleted").values_list("object_type", flat=True)
    assert set(deleted) == {"indicators.ComparatorGroup", "indicators.ComparatorGroupMember"}


def test_the_admin_refuses_a_group_of_mixed_area_types(client, analyst, geography):
    client.force_login(analyst)
    response = client.post(
        "/admin/indicators/comparatorgroup/add/",
        {"code": "MIX", "name": "Mixed", "kind": ComparatorKind.CUSTOM, "method_note": "",
         "members-TOTAL_FORMS": "2", "members-INITIAL_FORMS": "0",
         "members-0-area": geography["icb"].pk, "members-0-position": "1",
         "members-1-area": geography["bristol"].pk, "members-1-position": "2"},
    )  # fmt: skip
    assert response.status_code == 200
    assert "are of different area types" in response.text
    assert not ComparatorGroup.objects.exists()


def test_at_most_one_default_group(geography):
    ComparatorGroup.objects.create(code="A", name="A", kind="custom", is_default=True)
    with pytest.raises(IntegrityError), transaction.atomic():
        ComparatorGroup.objects.create(code="B", name="B", kind="custom", is_default=True)
