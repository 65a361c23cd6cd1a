import csv
import io

import pytest

from indicators.exports import EXPORT_HEADER
from indicators.models import Area, ComparatorGroup, ComparatorGroupMember, Observation
from tests.series import REASON, rebased_values, series_with_change_point
from tests.target_gaps import ANALYST_GAP, DSR_NOTE, VIEWER_GAP, build_target_gaps

pytestmark = pytest.mark.django_db


def test_api_without_a_session_is_401_json(client, explorer_data):
    response = client.get("/api/data/?indicator=LTC03")
    assert response.status_code == 401
    assert "detail" in response.json()


def test_index_lists_the_endpoints(viewer_client):
    assert set(viewer_client.get("/api/").json()) == {"indicators", "areas", "data", "inequalities"}


def test_indicators_hide_drafts_from_viewers(client, viewer, analyst, explorer_data):
    client.force_login(viewer)
    codes = [row["code"] for row in client.get("/api/indicators/").json()["results"]]
    assert "INT09" not in codes and "LTC03" in codes
    client.force_login(analyst)
    codes = [row["code"] for row in client.get("/api/indicators/").json()["results"]]
    assert "INT09" in codes


def test_data_pages_follow_next_cursors_without_counting(viewer_client, explorer_data):
    url = "/api/data/?indicator=LTC03&area_type=icb&category_type=none&page_size=5"
    first = viewer_client.get(url).json()
    assert first["count"] is None and first["page"] == 1 and len(first["results"]) == 5
    assert first["previous"] is None and "cursor=" in first["next"]
    rows, link = list(first["results"]), first["next"]
    while link:
        page = viewer_client.get(link).json()
        assert page["page"] is None and page["previous"] is None
        rows += page["results"]
        link = page["next"]
    keys = [(row["area"], row["period"], row["sex"]) for row in rows]
    assert len(keys) == len(set(keys)) == 4 * 3


def test_data_numbered_pages_still_work_near_the_start(viewer_client, explorer_data):
    url = "/api/data/?indicator=LTC03&area_type=icb&category_type=none&page_size=5"
    by_cursor = viewer_client.get(viewer_client.get(url).json()["next"]).json()["results"]
    second = viewer_client.get(f"{url}&page=2").json()
    assert second["results"] == by_cursor and "page=1" in second["previous"]
    assert len(viewer_client.get(f"{url}&page=3").json()["results"]) == 2
    assert viewer_client.get("/api/data/?indicator=LTC03&page=99").status_code == 404
    assert viewer_client.get("/api/data/?indicator=LTC03&page=101").status_code == 400
    assert viewer_client.get("/api/data/?page_size=100000").status_code == 400


def test_data_cursors_and_numbered_pages_walk_every_indicator_alike(analyst, client, explorer_data):
    client.force_login(analyst)
    url = "/api/data/?area_type=icb&page_size=7"
    by_cursor, link = [], url
    while link:
        page = client.get(link).json()
        by_cursor += page["results"]
        link = page["next"]
    by_number = []
    for number in range(1, 100):
        page = client.get(f"{url}&page={number}")
        if page.status_code == 404:
            break
        by_number += page.json()["results"]
    keys = [(r["indicator"], r["area"], r["period"], r["sex"], r["category"]) for r in by_cursor]
    assert by_cursor == by_number and len(set(keys)) == len(keys)
    assert len(keys) == Observation.objects.filter(area__area_type__code="icb").count()
    assert len({row["indicator"] for row in by_cursor}) > 1


def test_data_refuses_a_cursor_it_did_not_give(viewer_client, explorer_data):
    response = viewer_client.get("/api/data/?indicator=LTC03&cursor=WzEsMiwzXQ")

    assert response.status_code == 400
    assert response.json()["errors"] == {
        "cursor": ["Not a cursor this API gave: follow the next link."]
    }


def test_data_filters_and_derived_fields(viewer_client, explorer_data):
    body = viewer_client.get(
        "/api/data/?indicator=LTC03&area=E54000039&category_type=none&sex=Persons"
    ).json()
    rows = body["results"]
    assert [row["period"] for row in rows] == ["2018/19", "2019/20", "2020/21"]
    latest = rows[-1]
    assert latest["lower_95"] is not None and latest["compared_to_england"]
    assert latest["recent_trend"] == "Increasing and getting better"
    assert latest["is_latest_period"] and latest["spc_variation"] == "Special cause improvement"
    assert rows[0]["spc_variation"] is None  # SPC belongs to the latest point only
    one = viewer_client.get("/api/data/?indicator=LTC03&period=2019/20&area_type=region").json()
    assert {row["area"] for row in one["results"]} == {"E40000006"}


def test_data_bad_filters_are_400_with_reasons(viewer_client, explorer_data):
    response = viewer_client.get("/api/data/?indicator=INT09,NOPE&area=XX&period=1066&sex=Q")
    assert response.status_code == 400
    assert set(response.json()["errors"]) == {"indicator", "area", "period", "sex"}


def test_data_as_csv_uses_the_export_format(viewer_client, explorer_data):
    response = viewer_client.get(
        "/api/data/?indicator=LTC03&area=E54000039&category_type=none&format=csv"
    )
    assert response.streaming  # written as the rows are read, never held whole
    rows = list(csv.reader(io.StringIO(response.getvalue().decode())))
    assert rows[0] == EXPORT_HEADER and len(rows) == 4


def test_areas_and_inequalities(viewer_client, explorer_data):
    areas = viewer_client.get("/api/areas/?area_type=icb&parent=E40000006").json()
    assert areas["count"] == 2
    summaries = viewer_client.get("/api/inequalities/?indicator=LTC03&area=E54000039").json()
    assert summaries["count"] == 3
    assert summaries["results"][0]["sii_lower_95"] == 15.0
    draft = viewer_client.get("/api/inequalities/?indicator=INT09")
    assert draft.status_code == 400


def peer_group(code="PEERS", members=("E54000101", "E54000039", "E54000102")):
    group = ComparatorGroup.objects.create(code=code, name="Peer ICBs", kind="custom")
    for position, area_code in enumerate(members, start=1):
        ComparatorGroupMember.objects.create(
            group=group, area=Area.objects.get(code=area_code), position=position
        )
    return group


def test_data_for_a_group_is_its_members_rows(viewer_client, explorer_data):
    peer_group()

    body = viewer_client.get(
        "/api/data/?indicator=LTC03&group=PEERS&period=2020/21&category_type=none"
    ).json()

    assert sorted(row["area"] for row in body["results"]) == [
        "E54000039", "E54000101", "E54000102",
    ]  # fmt: skip


def test_inequalities_for_a_group_are_its_members_summaries(viewer_client, explorer_data):
    peer_group()
    peer_group("OTHERS", members=("E54000100",))

    inside = viewer_client.get("/api/inequalities/?indicator=LTC03&group=PEERS").json()
    outside = viewer_client.get("/api/inequalities/?indicator=LTC03&group=OTHERS").json()

    assert {row["area"] for row in inside["results"]} == {"E54000039"}
    assert inside["count"] == 3 and outside["count"] == 0


@pytest.mark.parametrize("endpoint", ["data", "inequalities"])
def test_an_unknown_group_is_400_naming_it(viewer_client, explorer_data, endpoint):
    response = viewer_client.get(f"/api/{endpoint}/?indicator=LTC03&group=NOPE")

    assert response.status_code == 400
    assert response.json()["errors"] == {"group": ["No comparator group has the code 'NOPE'."]}


@pytest.mark.parametrize(
    ("role", "number", "approximate"), [("analyst", 177, False), ("viewer", 180, True)]
)
def test_indicators_carry_the_gap_to_target(client, request, framework, geography, role,
                                            number, approximate):  # fmt: skip
    build_target_gaps(framework, geography)
    client.force_login(request.getfixturevalue(role))
    rows = client.get("/api/indicators/?indicator=GAP01,GAP02,OVR04,LTC03").json()["results"]
    gaps = {row["code"]: row["gap_to_target"] for row in rows}
    assert gaps["GAP01"] == {
        "number": number, "unit": "people", "direction": "more", "period": "2024",
        "approximate": approximate, "label": VIEWER_GAP if approximate else ANALYST_GAP,
        "note": "",
    }  # fmt: skip
    assert gaps["GAP02"]["direction"] == "met" and gaps["GAP02"]["number"] is None
    assert gaps["GAP02"]["label"] == "Target met"
    assert gaps["OVR04"]["direction"] is None and gaps["OVR04"]["note"] == DSR_NOTE
    assert gaps["LTC03"]["note"] == "No target set"


def test_data_rows_carry_the_spc_phase_and_change_point(client, viewer, framework, geography):
    values, start = rebased_values()
    periods = series_with_change_point(values, start)
    client.force_login(viewer)
    rows = client.get("/api/data/?indicator=PRV01&area=E54000039&page_size=100").json()["results"]
    by_period = {row["period"]: row for row in rows if row["category_type"] == ""}
    assert len(by_period) == len(periods)
    assert by_period[periods[start]]["change_point"] == REASON
    assert by_period[periods[start]]["spc_phase_start"] == periods[start]
    assert by_period[periods[start + 1]]["change_point"] == ""
    assert by_period[periods[start + 1]]["spc_phase_start"] == periods[start]
    assert by_period[periods[0]]["spc_phase_start"] == periods[0]
    assert all(by_period[period]["change_point"] == "" for period in periods[:start])
