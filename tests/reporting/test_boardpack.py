"""The PDF a chair reads: cover, contents with page numbers and bookmarks, the summary-icons
table with its icons drawn, a section per indicator, and the system named as its author."""

import io
import re

from pypdf import PdfReader

from tests.board_packs import board_pack_download, board_pack_pdf, pdf_pages


def _heading(text: str) -> str:
    """The first line of a page after the running footer (which extracts first)."""
    lines = text.splitlines()
    after = next(index for index, line in enumerate(lines) if line.startswith("Page "))
    return lines[after + 1] if after + 1 < len(lines) else ""


def _outline(reader: PdfReader) -> list[tuple[int, str, int]]:
    """(depth, title, page number) of every bookmark, in order."""
    found = []

    def walk(items, depth):
        for item in items:
            if isinstance(item, list):
                walk(item, depth + 1)
            else:
                found.append((depth, item.title, reader.get_destination_page_number(item) + 1))

    walk(reader.outline, 0)
    return found


def test_board_pack_has_cover_contents_summary_and_a_section_per_indicator(
    client, viewer, scenario, eager_tasks
):
    client.force_login(viewer)
    pages = pdf_pages(board_pack_pdf(client))
    assert "Board pack" in pages[0] and "latest data" in pages[0] and "Produced on" in pages[0]
    assert "Under-75 preventable mortality" in pages[0]  # worse than England and worsening
    assert _heading(pages[1]) == "Contents"
    assert "Summary: every indicator at a glance" in pages[2]
    for code, name in [("PRV01", "Smoking prevalence in adults"),
                       ("OVR04", "Under-75 preventable mortality"),
                       ("LTC03", "Bowel screening coverage")]:  # fmt: skip
        sections = [text for text in pages[3:] if re.search(rf"^{code}\s", text, re.MULTILINE)]
        assert len(sections) == 1, code
        assert name in sections[0]
    smoking = next(text for text in pages[3:] if re.search(r"^PRV01\s", text, re.MULTILINE))
    assert "Smoking fell for the third year running." in smoking
    assert "Special cause improvement" in smoking
    assert "Unpublished flow measure" not in "".join(pages)


def test_the_contents_give_each_section_its_page_and_the_bookmarks_go_there(
    client, viewer, scenario, eager_tasks
):
    client.force_login(viewer)
    reader = PdfReader(io.BytesIO(board_pack_pdf(client)))
    pages = [page.extract_text() for page in reader.pages]
    contents = {}  # each contents line's title and the page number it ends with
    for line in reader.pages[1].extract_text(extraction_mode="layout").splitlines():
        found = re.match(r"\s*(\S.*?)[\s.]+(\d+)$", line)
        if found:
            contents[" ".join(found[1].split())] = int(found[2])
    outline = _outline(reader)
    assert [title for _, title, _ in outline][:3] == [
        "Board pack", "Contents", "Summary: every indicator at a glance",
    ]  # fmt: skip
    assert (0, "Domain: Longer, healthier, fairer lives") in [entry[:2] for entry in outline]
    for depth, title, page in outline:
        assert title.split()[0] in pages[page - 1], (title, page)
        if title.startswith(("PRV01", "OVR04", "LTC03")):
            assert depth == 1
            assert contents[" ".join(title.split())] == page, title
    assert contents["Summary: every indicator at a glance"] == 3


def test_the_summary_table_draws_each_icon_beside_its_words(client, viewer, scenario, eager_tasks):
    client.force_login(viewer)
    reader = PdfReader(io.BytesIO(board_pack_pdf(client)))
    summary = reader.pages[2]
    text = summary.extract_text()
    flowing = " ".join(text.split())
    for words in ["Special cause improvement – low", "Special cause concern – high",
                  "Consistently hits target", "Consistently fails target",
                  "Worse than England and getting worse", "Owner", "Gap to target"]:  # fmt: skip
        assert words in flowing, words
    # The icons are vector shapes with their letters as text, not pictures: the page holds
    # no image, and the icon letters (H and L, P and F) are on it.
    assert not summary.images
    assert re.search(r"^L\b", text, re.MULTILINE) and re.search(r"^F\b", text, re.MULTILINE)


def test_the_pdf_says_what_it_is_and_whose_it_is(client, viewer, scenario, eager_tasks):
    client.force_login(viewer)
    reader = PdfReader(io.BytesIO(board_pack_pdf(client)))
    system = scenario["system"]
    assert reader.metadata.title == f"Board pack: {system.title}"
    assert (
        reader.metadata.author == system.name == "Bristol, North Somerset and South Gloucestershire"
    )


def test_board_pack_for_one_domain_at_an_earlier_period(client, viewer, scenario, eager_tasks):
    client.force_login(viewer)
    response = board_pack_download(client, {"domain": "OVR", "period": "2022"})
    assert "board-pack-OVR-2022.pdf" in response["Content-Disposition"]
    pages = pdf_pages(b"".join(response.streaming_content))
    text = "".join(pages)
    assert "Longer, healthier, fairer lives" in pages[0] and "as it stood at 2022" in pages[0]
    assert "Bowel screening coverage" not in text  # another domain
    assert "19.5%" in text and "No published narrative" in text
