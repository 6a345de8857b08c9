"""The review sheet puts the questions the customer's workbook marks critical or required first."""

from __future__ import annotations

from pathlib import Path

import pytest
from openpyxl import Workbook, load_workbook

from trustfill.importers._priority import RANK, question_priorities
from trustfill.workspace import default_root


def _book(path: Path, header: list[str], rows: list[list[object]], title_row: bool = False) -> Path:
    wb = Workbook()
    wb.active.title = "Vendor"
    ws = wb.create_sheet("Questions")
    ws.sheet_state = "hidden"
    if title_row:
        ws.append(["This worksheet is filled in automatically."])
    ws.append(header)
    for row in rows:
        ws.append(row)
    wb.save(path)
    return path


def test_hecvat4_importance_and_hecvat3_required_and_high_risk_flags(tmp_path: Path) -> None:
    v4 = _book(tmp_path / "v4.xlsx", ["New ID", "Question", "Default Importance"],
               [["A-01", "q", "Critical Importance"], ["A-02", "q", "Standard Importance"], ["A-03", "q", "Minor Importance"],
                ["A-04", "q", None]], title_row=True)
    assert question_priorities(v4) == {"A-01": "critical", "A-02": "", "A-03": "minor", "A-04": ""}
    v3 = _book(tmp_path / "v3.xlsx", ["Order", "ID", "Question", "High Risk", "Required"],
               [[1, "B-01", "q", "TRUE", "1"], [2, "B-02", "q", "FALSE", "1"], [3, "B-03", "q", "FALSE", "0"]])
    assert question_priorities(v3) == {"B-01": "critical", "B-02": "required", "B-03": ""}
    plain = _book(tmp_path / "plain.xlsx", ["ID", "Question"], [["C-01", "q"]])
    assert question_priorities(plain) == {}
    broken = tmp_path / "broken.xlsx"
    broken.write_bytes(b"not a zip")
    assert question_priorities(broken) == {}  # it only orders a list: never an error


@pytest.mark.filterwarnings("ignore:.* extension is not supported and will be removed:UserWarning")
def test_hecvat_review_workbook_lists_critical_questions_first_within_each_status(shared: Path, tmp_path: Path, run_cli) -> None:
    out = tmp_path / "h.xlsx"
    code, _, err = run_cli("fill", str(shared / "hecvat-4.1.4.xlsx"), "-o", str(out),
                           "--profile", str(default_root() / "examples" / "saas-heroku.yaml"))
    assert code == 0, err
    ws = load_workbook(tmp_path / "h.review.xlsx", read_only=True)["trustfill review"]
    rows = list(ws.iter_rows(values_only=True))
    header = list(rows[0])
    status, importance = header.index("Status"), header.index("Importance")
    seen: dict[str, list[int]] = {}
    for row in rows[1:]:
        seen.setdefault(row[status], []).append(RANK[row[importance] or ""])
    assert seen["review"][0] == 0  # a critical question heads the list
    for ranks in seen.values():
        assert ranks == sorted(ranks)
    assert sum(r == 0 for ranks in seen.values() for r in ranks) > 20
