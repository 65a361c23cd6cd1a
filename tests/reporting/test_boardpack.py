import io

from pypdf import PdfReader


def _heading(text: str) -> str:
    """The first line of a page after the running footer (which extracts first)."""
    lines = text.splitlines()
    after = next(index for index, line in enumerate(lines) if line.startswith("Page "))
    return lines[after + 1] if after + 1 < len(lines) else ""


def _pages(response) -> list[str]:
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    return [page.extract_text() for page in PdfReader(io.BytesIO(response.content)).pages]


def test_board_pack_has_cover_summary_and_a_section_per_indicator(client, viewer, scenario):
    client.force_login(viewer)
    pages = _pages(client.get("/board-pack.pdf"))
    assert "Board pack" in pages[0] and "latest data" in pages[0] and "Produced on" in pages[0]
    assert "Under-75 preventable mortality" in pages[0]  # worse than England and worsening
    assert "Summary" in pages[1]
    for code, name in [("PRV01", "Smoking prevalence in adults"),
                       ("OVR04", "Under-75 preventable mortality"),
                       ("LTC03", "Bowel screening coverage")]:  # fmt: skip
        sections = [text for text in pages[2:] if _heading(text).startswith(code)]
        assert len(sections) == 1, code
        assert name in sections[0]
    smoking = next(text for text in pages if _heading(text).startswith("PRV01"))
    assert "Smoking fell for the third year running." in smoking
    assert "Special cause improvement" in smoking
    assert "Unpublished flow measure" not in "".join(pages)


def test_board_pack_for_one_domain_at_an_earlier_period(client, viewer, scenario):
    client.force_login(viewer)
    response = client.get("/board-pack.pdf", {"domain": "OVR", "period": "2022"})
    assert "board-pack-OVR-2022.pdf" in response["Content-Disposition"]
    pages = _pages(response)
    text = "".join(pages)
    assert "Longer, healthier, fairer lives" in pages[0] and "as it stood at 2022" in pages[0]
    assert "Bowel screening coverage" not in text  # another domain
    assert "19.5%" in text and "No published narrative" in text
    assert client.get("/board-pack.pdf", {"domain": "NOPE"}).status_code == 404
