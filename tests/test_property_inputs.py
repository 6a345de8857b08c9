"""Property run (issue 18): generated xlsx, csv and VSAQ inputs, well-formed or damaged, never end in exit 70.

The normal suite runs a few examples per format; ``TRUSTFILL_PROPERTY_EXAMPLES=2000`` runs the full search:

    TRUSTFILL_PROPERTY_EXAMPLES=2000 .venv/bin/python -m pytest tests/test_property_inputs.py -q -p no:cacheprovider
"""

from __future__ import annotations

import csv
import io
import json
import os
import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from trustfill.cli import main
from trustfill.errors import ExitCode

from .conftest import build_mini_workspace

EXAMPLES = int(os.environ.get("TRUSTFILL_PROPERTY_EXAMPLES", "12"))
SETTINGS = settings(max_examples=EXAMPLES, deadline=None, derandomize=EXAMPLES <= 12,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large,
                                           HealthCheck.function_scoped_fixture])  # capsys is read (reset) per example

# Characters an adversary likes: markup, quotes, formula signs (full-width too), controls, XML, surrogates' neighbours.
HOSTILE = list('abcXYZ ?,;"\'\t\n\r=+-@<>&[]/\\{}%#:！＝＋－＠﹦é—“”\x00\x01\x08\x0b\x1f\x7f\u200b\ufeff\U0001f600')
TEXT = st.text(alphabet=st.sampled_from(HOSTILE), max_size=40) | st.sampled_from(
    ["Do you encrypt customer data at rest?", "Question", "Answer", "Comments", "ID", "[/bold]", "<![CDATA[", "=1+1",
     "＝1+1+cmd|' /C calc'!A0", '"unterminated', "{{ 7*7 }}", ""])


def _workspace() -> Path:
    return build_mini_workspace(Path(tempfile.mkdtemp(prefix="tf-prop-ws-")))


WORKSPACE = _workspace()


def _code(*args: str) -> int:
    try:
        main(list(args))
    except SystemExit as exc:
        return int(exc.code or 0)
    return 0


def _never_a_bug(data: bytes, suffix: str, capsys: pytest.CaptureFixture[str]) -> None:
    with tempfile.TemporaryDirectory(prefix="tf-prop-") as tmp:
        src = Path(tmp) / f"q{suffix}"
        src.write_bytes(data)
        codes = [
            _code("inspect", str(src)),
            _code("fill", str(src), "-o", str(Path(tmp) / f"out{suffix}"), "-w", str(WORKSPACE),
                  "-p", str(WORKSPACE / "profile.yaml"), "--report", str(Path(tmp) / "r.json")),
            _code("fill", str(src), "-o", str(Path(tmp) / "out2.md"), "-w", str(WORKSPACE),
                  "-p", str(WORKSPACE / "profile.yaml"), "--review-file", str(Path(tmp) / "review.xlsx")),
        ]
        err = capsys.readouterr().err
        assert ExitCode.INTERNAL not in codes, err
        assert "Traceback" not in err
        assert src.read_bytes() == data  # the input is never modified


def _mutate(data: bytes, flips: list[tuple[int, int]]) -> bytes:
    out = bytearray(data)
    for pos, value in flips:
        if out:
            out[pos % len(out)] = value
    return bytes(out)


FLIPS = st.lists(st.tuples(st.integers(0, 10**6), st.integers(0, 255)), max_size=3)
ROWS = st.lists(st.lists(TEXT, min_size=1, max_size=5), min_size=1, max_size=8)


@SETTINGS
@given(rows=ROWS, delimiter=st.sampled_from([",", ";", "\t"]), encoding=st.sampled_from(["utf-8", "utf-8-sig", "cp1252", "utf-16"]),
       header=st.booleans(), flips=FLIPS, tail=st.sampled_from(["", '"', '\n"open', "\r\n"]))
def test_csv_inputs_never_exit_70(capsys: pytest.CaptureFixture[str], rows: list[list[str]], delimiter: str, encoding: str,
                                  header: bool, flips: list[tuple[int, int]], tail: str) -> None:
    buf = io.StringIO()
    writer = csv.writer(buf, delimiter=delimiter)
    if header:
        writer.writerow(["ID", "Question", "Answer", "Comments"])
    writer.writerows(rows)
    data = (buf.getvalue() + tail).encode(encoding, errors="replace")
    _never_a_bug(_mutate(data, flips), ".csv", capsys)


@SETTINGS
@given(rows=ROWS, title=TEXT, flips=FLIPS)
def test_xlsx_inputs_never_exit_70(capsys: pytest.CaptureFixture[str], rows: list[list[str]], title: str,
                                   flips: list[tuple[int, int]]) -> None:
    from openpyxl import Workbook
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

    wb = Workbook()
    ws = wb.active
    clean_title = ILLEGAL_CHARACTERS_RE.sub("", "".join(c for c in title if c not in "[]:*?/\\'")).strip()[:31]
    if clean_title:
        ws.title = clean_title
    ws.append(["ID", "Question", "Answer", "Comments"])
    for row in rows:
        ws.append([ILLEGAL_CHARACTERS_RE.sub("", c) for c in row])
    buf = io.BytesIO()
    wb.save(buf)
    _never_a_bug(_mutate(buf.getvalue(), flips), ".xlsx", capsys)


ITEM = st.fixed_dictionaries({
    "type": st.sampled_from(["line", "box", "yesno", "radiogroup", "checkgroup", "check", "radio", "upload", "tip", "info",
                             "spacer", "nonsense"]),
    "id": st.one_of(TEXT, st.integers(), st.none(), st.just(1)),
    "text": TEXT,
    "choices": st.lists(st.dictionaries(TEXT, TEXT, min_size=1, max_size=1), max_size=3),
})


@SETTINGS
@given(items=st.lists(ITEM, max_size=6), caption=TEXT, flips=FLIPS, comment=st.booleans())
def test_vsaq_inputs_never_exit_70(capsys: pytest.CaptureFixture[str], items: list[dict[str, object]], caption: str,
                                   flips: list[tuple[int, int]], comment: bool) -> None:
    doc = {"questionnaire": [{"type": "block", "text": caption, "items": items}]}
    text = json.dumps(doc, ensure_ascii=False)
    if comment:
        text = "// generated\n" + text.replace('"text": ', '"text": "" + ', 1)
    _never_a_bug(_mutate(text.encode("utf-8", errors="replace"), flips), ".json", capsys)
