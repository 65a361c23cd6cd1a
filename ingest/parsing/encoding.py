"""Which codec a CSV file's bytes are read with: UTF-8 (with or without BOM), else
Windows-1252 with a note; UTF-16 and binary files are refused."""

from __future__ import annotations

from ingest.parsing.table import ExtractRejected

# C0 control characters other than tab, LF and CR never appear in a text CSV.
TEXT_BYTES = bytes([9, 10, 13, *range(32, 256)])


def detect_text_encoding(data: bytes) -> tuple[str, list[str]]:
    """The codec to read ``data`` with, and notes on what was assumed; refuse non-text."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise ExtractRejected(
            "The file is UTF-16 text. Save it as 'CSV UTF-8 (comma delimited)' and upload again."
        )
    # Deleting every byte that may appear leaves the control characters, in order; a
    # regular expression takes ten times as long over a large file.
    control = data.translate(None, TEXT_BYTES)
    if control:
        kind = "NUL bytes" if control[:1] == b"\x00" else "control characters"
        raise ExtractRejected(
            f"The file contains {kind}, so it is not a plain-text CSV (it may be UTF-16 or a "
            "binary file renamed .csv). Save it as 'CSV UTF-8 (comma delimited)'."
        )
    try:
        if not data.isascii():  # ASCII is UTF-8; checked without building a copy of the text
            data.decode("utf-8")
        return "utf-8-sig", []
    except UnicodeDecodeError:
        pass
    try:
        data.decode("cp1252")
    except UnicodeDecodeError:
        raise ExtractRejected(
            "The file's text is neither UTF-8 nor Windows-1252. Save it as 'CSV UTF-8 (comma "
            "delimited)' and upload again."
        ) from None
    return "cp1252", [
        "Read as Windows-1252 (the file is not valid UTF-8, as when Excel saves 'CSV' rather "
        "than 'CSV UTF-8'). If names with accents or symbols such as £ look wrong, save the "
        "file as CSV UTF-8 and upload it again."
    ]
