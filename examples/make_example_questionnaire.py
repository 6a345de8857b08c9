"""Build examples/acme-customer-questionnaire.xlsx: a customer's home-made security questionnaire.

It has what real ones have: a title block above the header, section rows, customer ids, a Yes/No/N/A
dropdown fed from a named range on a hidden sheet, a comments column, company-detail questions,
questions our bank does not hold, and a formula. Run: python examples/make_example_questionnaire.py
"""

from __future__ import annotations

from pathlib import Path

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.workbook.defined_name import DefinedName
from openpyxl.worksheet.datavalidation import DataValidation

SECTIONS = [
    ("General", [
        ("GEN-01", "Vendor company name"),
        ("GEN-02", "Primary security contact email"),
        ("GEN-03", "Is the solution delivered as SaaS, or installed on premises?"),
    ]),
    ("Data & AI", [
        ("AI-01", "Is customer data used to train AI/ML models? If so, is this opt-in or opt-out, and can customers prohibit use of their data for training?"),
        ("AI-02", "Do you send our data to third-party AI or LLM providers?"),
        ("DAT-01", "Where is customer data stored (countries or regions)?"),
        ("DAT-02", "Is customer data deleted when the contract ends? Within how many days?"),
    ]),
    ("Access control", [
        ("AC-01", "Is multi-factor authentication enforced for all employees accessing production systems?"),
        ("AC-02", "Do you support single sign-on via SAML 2.0 for our users?"),
        ("AC-03", "How often are user access rights reviewed?"),
        ("AC-04", "Is access removed promptly when an employee leaves the company?"),
    ]),
    ("Encryption", [
        ("ENC-01", "Is data encrypted in transit using TLS 1.2 or higher?"),
        ("ENC-02", "Is customer data encrypted at rest?"),
        ("ENC-03", "How are encryption keys managed and rotated?"),
    ]),
    ("Security program", [
        ("SP-01", "Do you have a documented information security policy approved by management?"),
        ("SP-02", "Do all staff complete security awareness training at least annually?"),
        ("SP-03", "Are background checks performed on new hires?"),
        ("SP-04", "Do you hold a current SOC 2 Type II report?"),
        ("SP-05", "Are you ISO 27001 certified?"),
    ]),
    ("Operations", [
        ("OPS-01", "Do you perform penetration tests by an independent third party at least yearly?"),
        ("OPS-02", "How quickly are critical vulnerabilities patched?"),
        ("OPS-03", "Are security logs centrally collected and monitored?"),
        ("OPS-04", "Do you have a documented incident response plan?"),
        ("OPS-05", "Will you notify us of a security breach affecting our data, and within what timeframe?"),
        ("OPS-06", "Are backups encrypted and restore-tested?"),
        ("OPS-07", "Do you have a disaster recovery plan with defined RTO and RPO?"),
    ]),
    ("Vendors", [
        ("VEN-01", "Do you maintain a list of subprocessors and notify customers of changes?"),
        ("VEN-02", "Do you assess the security of your own suppliers?"),
    ]),
    ("Other", [
        ("OTH-01", "Does your cafeteria offer vegetarian meals?"),
        ("OTH-02", "How many parking spaces does your headquarters have?"),
    ]),
]


def build(dest: Path) -> Path:
    """Write the workbook to ``dest``."""
    wb = Workbook()
    ws = wb.active
    ws.title = "Security Questionnaire"
    ws["A1"] = "Acme University: Vendor Security Questionnaire"
    ws["A1"].font = Font(bold=True, size=14)
    ws["A2"] = "Please answer every question. Use the dropdown in column C and explain in column D."
    ws.append([])
    ws.append(["ID", "Question", "Response", "Comments / Evidence"])
    for cell in ws[4]:
        cell.font = Font(bold=True, color="FFFFFF")
        cell.fill = PatternFill("solid", fgColor="1F4E78")
    lists = wb.create_sheet("Lists")
    for i, value in enumerate(["Yes", "No", "N/A"], start=1):
        lists.cell(row=i, column=1, value=value)
    lists.sheet_state = "hidden"
    wb.defined_names["YesNoNA"] = DefinedName("YesNoNA", attr_text="Lists!$A$1:$A$3")
    dv = DataValidation(type="list", formula1="=YesNoNA", allow_blank=True)
    ws.add_data_validation(dv)
    row = 5
    for section, questions in SECTIONS:
        ws.cell(row=row, column=1, value=section).font = Font(bold=True)
        ws.merge_cells(start_row=row, start_column=1, end_row=row, end_column=4)
        row += 1
        for qid, text in questions:
            ws.cell(row=row, column=1, value=qid)
            ws.cell(row=row, column=2, value=text).alignment = Alignment(wrap_text=True)
            dv.add(f"C{row}")
            row += 1
    ws.cell(row=row + 1, column=1, value="Answered:")
    ws.cell(row=row + 1, column=2, value=f'=COUNTA(C5:C{row - 1})&" of {row - 5} answered"')
    ws.column_dimensions["A"].width = 10
    ws.column_dimensions["B"].width = 80
    ws.column_dimensions["C"].width = 12
    ws.column_dimensions["D"].width = 60
    wb.save(dest)
    return dest


if __name__ == "__main__":
    print(build(Path(__file__).with_name("acme-customer-questionnaire.xlsx")))
