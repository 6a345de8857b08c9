"""Build a synthetic CSA CAIQ v4 workbook: the layout of the real one, with question texts of our own.

The real CAIQ v4 is not redistributed here. This file has its layout, which is what the importer must
understand: an ``Introduction`` sheet of instructions; a sheet ``CAIQv4.0.3`` whose row 1 is a title row
(a version string in A1, the title in B1) above the header row 2; four answer columns (``CSP CAIQ Answer``
with a ``Yes,No,NA`` list, ``SSRM Control Ownership`` with the five ownership values, the implementation
description and the customer's responsibilities); two empty columns; then reference columns (CCM control
id, specification, title and domain title) that are context, never answer slots.

Every domain opens with the two policy-family questions CAIQ asks of every domain, then asks about its
controls. Run: python examples/make_caiq_v4.py [OUT.xlsx]
"""

from __future__ import annotations

import sys
from pathlib import Path

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.worksheet.datavalidation import DataValidation

VERSION = "4.0.3"
SHEET = f"CAIQv{VERSION}"
TITLE = "Consensus Assessments Initiative Questionnaire (synthetic test copy)"
HEADERS = (
    "Question ID",
    "Question",
    "CSP CAIQ Answer",
    "SSRM Control Ownership",
    "CSP Implementation Description (Optional/Recommended)",
    "CSC Responsibilities (Optional/Recommended)",
    None,
    None,
    "CCM Control ID",
    "CCM Control Specification",
    "CCM Control Title",
    "CCM Domain Title",
)
ANSWERS = ("Yes", "No", "NA")
OWNERSHIP = ("CSP-owned", "CSC-owned", "3rd-party outsourced", "Shared CSP and CSC", "Shared CSP and 3rd-party")
REFERENCE_COLUMNS = ("I", "J", "K", "L")
"""Columns of the CCM reference text: never written by a fill."""

ESTABLISHED = "Are {topic} policies and procedures established, documented, approved, communicated, applied, evaluated and maintained?"
REVIEWED = "Are {topic} policies and procedures reviewed and updated at least annually?"

# (code, domain title, policy topic as the questions name it, [(control title, [questions])])
DOMAINS: list[tuple[str, str, str, list[tuple[str, list[str]]]]] = [
    ("A&A", "Audit & Assurance", "audit and assurance", [
        ("Independent Assessments", ["Are independent audit and assurance assessments conducted at least annually?"]),
        ("Risk Based Planning Assessment", ["Are audits planned from a risk-based view of the services in scope?"]),
        ("Requirements Compliance", ["Is compliance with relevant legal, regulatory and contractual requirements verified?"]),
        ("Audit Management Process", ["Is there a process to manage audit reporting, including scope, evidence and findings?"]),
        ("Remediation", ["Are corrective action plans for audit findings tracked to closure?",
                         "Is the status of audit remediation reported to management?"]),
        ("Audit Scope", ["Is the scope of each audit agreed and documented before it starts?"]),
        ("Auditor Independence", ["Are auditors independent of the activities they audit?", "Are external auditors rotated or re-selected on a defined cycle?"]),
        ("Audit Results Sharing", ["Are audit reports made available to customers on request?"]),
        ("Continuous Monitoring", ["Are controls monitored between formal audits?"]),
        ("Regulatory Mapping", ["Are controls mapped to the laws and standards that apply to the service?"]),
        ("Audit Evidence Retention", ["Is audit evidence retained for the period required by the audit standard?"]),
    ]),
    ("AIS", "Application & Interface Security", "application security", [
        ("Application Security Baseline Requirements", ["Are baseline security requirements defined for every application?"]),
        ("Application Security Metrics", ["Are technical and operational metrics tracked for application security?"]),
        ("Secure Application Design and Development", ["Is a documented secure software development lifecycle followed?"]),
        ("Automated Application Security Testing", ["Is application security testing automated in the build pipeline?",
                                                    "Are static code analysis and dependency scanning run on every change?"]),
        ("Automated Secure Application Deployment", ["Are applications deployed through an automated, approved pipeline?"]),
        ("Application Vulnerability Remediation", ["Are application vulnerabilities remediated within defined timeframes?"]),
        ("Secure Coding Training", ["Do developers receive secure coding training at least annually?"]),
        ("Code Review", ["Is every code change peer reviewed before it is merged?"]),
        ("Secrets in Code", ["Are secrets kept out of source code repositories?"]),
        ("API Security", ["Are application programming interfaces authenticated and rate limited?", "Are API inputs validated against a schema?"]),
        ("Web Application Firewall", ["Is a web application firewall placed in front of public applications?"]),
        ("Third-Party Components", ["Is a software bill of materials kept for each application?"]),
    ]),
    ("BCR", "Business Continuity Management and Operational Resilience", "business continuity", [
        ("Risk Assessment and Impact Analysis", ["Is a business impact analysis performed and kept current?"]),
        ("Business Continuity Strategy", ["Is there a documented business continuity strategy?"]),
        ("Business Continuity Planning", ["Is a business continuity plan documented and approved?"]),
        ("Business Continuity Exercises", ["Is the business continuity plan tested at least annually?"]),
        ("Backup", ["Are backups of cloud data taken regularly?", "Are backups encrypted?",
                    "Are restores from backup tested?"]),
        ("Disaster Response Plan", ["Is there a disaster recovery plan with defined RTO and RPO?"]),
        ("Equipment Redundancy", ["Is critical equipment redundant and located at a reasonable distance?"]),
        ("Business Continuity Roles", ["Are roles and responsibilities for business continuity assigned?"]),
        ("Communication", ["Are customers informed during a major outage through a status page?"]),
        ("Documentation Availability", ["Is continuity documentation available when primary systems are down?"]),
        ("Response Plan Testing", ["Are disaster recovery exercises performed at least annually?", "Are the results of recovery exercises used to update the plan?"]),
        ("Geographic Resilience", ["Is the service able to fail over to another region or availability zone?"]),
    ]),
    ("CCC", "Change Control and Configuration Management", "change management", [
        ("Quality Testing", ["Are changes tested before they are released to production?"]),
        ("Change Management Technology", ["Are changes to production systems reviewed and approved before deployment?"]),
        ("Unauthorized Change Protection", ["Are unauthorized changes to production detected?"]),
        ("Change Agreements", ["Are customers told about changes that affect their service?"]),
        ("Change Management Baseline", ["Are baseline configurations defined for production systems?"]),
        ("Detection of Baseline Deviation", ["Are deviations from the baseline configuration detected and alerted?"]),
        ("Change Restoration", ["Can a failed change be rolled back to a known good state?"]),
        ("Emergency Changes", ["Is there a documented process for emergency changes?"]),
        ("Segregation of Change Duties", ["Is the person who approves a change different from the person who makes it?"]),
        ("Change Records", ["Are records of changes kept with their approvals and test results?"]),
        ("Infrastructure as Code", ["Is infrastructure defined and changed as code under version control?"]),
        ("Configuration Inventory", ["Is an inventory of configuration items kept up to date?"]),
        ("Exceptions to Baselines", ["Are exceptions to baseline configurations approved and time-limited?"]),
    ]),
    ("CEK", "Cryptography, Encryption & Key Management", "cryptography, encryption and key management", [
        ("CEK Roles and Responsibilities", ["Are roles and responsibilities for key management defined?"]),
        ("Data Encryption", ["Is customer data encrypted at rest?", "Is data encrypted in transit over public networks?"]),
        ("Encryption Algorithm", ["Are only approved, industry-standard encryption algorithms used?"]),
        ("Encryption Change Management", ["Are changes to cryptographic configuration reviewed before release?"]),
        ("Key Generation", ["Are cryptographic keys generated with approved random number generators?"]),
        ("Key Rotation", ["Are encryption keys rotated on a defined schedule?"]),
        ("Key Revocation", ["Is there a process to revoke keys suspected of compromise?"]),
        ("Key Destruction", ["Are keys destroyed securely when they are no longer needed?"]),
        ("Key Inventory", ["Is an inventory of cryptographic keys maintained?"]),
        ("Customer Key Management", ["Can customers manage their own encryption keys?"]),
        ("Key Storage", ["Are keys stored in a hardware security module or a managed key service?"]),
        ("Key Separation", ["Are encryption keys stored separately from the data they protect?"]),
        ("Key Archival", ["Are archived keys protected and retrievable only by authorized roles?"]),
        ("Key Escrow", ["Is key escrow used, and if so, are escrowed keys protected?"]),
        ("Certificate Management", ["Are TLS certificates tracked and renewed before they expire?"]),
        ("Cryptographic Risk Assessment", ["Are cryptographic risks assessed when algorithms become weak?"]),
    ]),
    ("DCS", "Datacenter Security", "datacenter security", [
        ("Off-Site Equipment Disposal", ["Is equipment used outside the premises disposed of securely?"]),
        ("Secure Area Policy", ["Are physical security perimeters defined around datacenters?"]),
        ("Secure Media Transportation", ["Are storage media transported securely between sites?"]),
        ("Controlled Access Points", ["Is physical access to datacenters restricted to authorized personnel?"]),
        ("Equipment Identification", ["Is datacenter equipment identified and tracked?"]),
        ("Surveillance System", ["Are datacenters monitored by video surveillance?"]),
        ("Environmental Systems", ["Are datacenters protected against fire, flood and power loss?"]),
        ("Asset Transfer Authorization", ["Is moving equipment between sites authorized and recorded?"]),
        ("Secure Media Destruction", ["Are storage devices sanitized or destroyed before disposal?"]),
        ("Physical Access Logs", ["Are physical access logs kept and reviewed?"]),
        ("Visitor Management", ["Are visitors to secure areas escorted at all times?"]),
        ("Power and Telecommunications", ["Are datacenter power and telecommunication cables protected from damage?"]),
        ("Datacenter Certifications", ["Are the datacenters hosting the service independently certified?"]),
    ]),
    ("DSP", "Data Security and Privacy Lifecycle Management", "data security and privacy lifecycle management", [
        ("Data Classification", ["Is data classified according to its type and sensitivity?"]),
        ("Data Inventory", ["Is an inventory of sensitive and personal data kept?"]),
        ("Data Flow Documentation", ["Are data flows documented?"]),
        ("Data Retention and Deletion", ["Is customer data deleted when the contract ends?"]),
        ("Personal Data Access", ["Can data subjects access, correct and delete their personal data?"]),
        ("Limitation of Purpose", ["Is personal data processed only for the purposes declared to the customer?"]),
        ("Data Location", ["Can customers choose the region where their data is stored?"]),
        ("Disclosure Notification", ["Are customers notified of legally compelled requests for their data?"]),
        ("Data Minimization", ["Is only the personal data needed for the service collected?"]),
        ("Privacy by Design", ["Are privacy requirements considered when new features are designed?"]),
        ("Data Protection Impact Assessment", ["Are data protection impact assessments performed for high-risk processing?"]),
        ("Sensitive Data Transfer", ["Are transfers of personal data across borders protected by approved safeguards?"]),
        ("Subprocessor Disclosure", ["Is a list of subprocessors published to customers?"]),
        ("Data Anonymization", ["Is personal data anonymized or pseudonymized in non-production environments?"]),
    ]),
    ("GRC", "Governance, Risk and Compliance", "risk management", [
        ("Risk Management Program", ["Is a formal risk management program established?"]),
        ("Organizational Policy Reviews", ["Are all policies reviewed at least annually?"]),
        ("Policy Exception Process", ["Is there a process for approving exceptions to security policies?"]),
        ("Information Security Program", ["Is an information security program established and maintained?"]),
        ("Governance Responsibility Model", ["Are roles and responsibilities for information security defined?"]),
        ("Special Interest Groups", ["Do you take part in security special interest groups or forums?"]),
        ("Risk Assessment Frequency", ["Is a risk assessment performed at least annually?"]),
        ("Risk Treatment", ["Are identified risks treated, accepted or transferred with management approval?"]),
        ("Compliance Monitoring", ["Is compliance with security policies monitored?"]),
        ("Management Review", ["Does senior management review the security program at least annually?"]),
        ("Regulatory Change", ["Are changes in applicable laws and regulations tracked?"]),
        ("Cyber Insurance", ["Do you hold cyber liability insurance?"]),
    ]),
    ("HRS", "Human Resources", "human resources security", [
        ("Background Screening", ["Are background checks performed on new employees?"]),
        ("Acceptable Use of Technology", ["Is there an acceptable use policy that employees accept?"]),
        ("Clean Desk Policy", ["Is there a clear desk and clear screen policy?"]),
        ("Remote and Home Working", ["Is there a policy for working remotely?"]),
        ("Asset Returns", ["Do departing employees return company assets?"]),
        ("Employment Termination", ["Is access revoked promptly when an employee leaves?"]),
        ("Non-Disclosure Agreements", ["Do employees sign confidentiality agreements?"]),
        ("Security Awareness Training", ["Do all employees complete security awareness training at least annually?"]),
        ("Terms of Employment", ["Do employment contracts include information security responsibilities?"]),
        ("Disciplinary Process", ["Is there a disciplinary process for security policy violations?"]),
        ("Role-Based Training", ["Do personnel with privileged access receive role-specific security training?"]),
        ("Personnel Roles", ["Are security responsibilities documented in job descriptions?"]),
        ("Phishing Exercises", ["Are phishing simulation exercises run for employees?"]),
        ("Contractor Screening", ["Are contractors screened to the same standard as employees?"]),
        ("Security Awareness Records", ["Are records of completed security training kept?"]),
    ]),
    ("IAM", "Identity & Access Management", "identity and access management", [
        ("Strong Password Policy", ["Is a strong password policy enforced for workforce accounts?"]),
        ("Identity Inventory", ["Is an inventory of system identities and their access kept?"]),
        ("Separation of Duties", ["Is separation of duties applied to sensitive functions?"]),
        ("Least Privilege", ["Is access granted on the principle of least privilege?"]),
        ("User Access Review", ["Are user access rights reviewed at least quarterly?"]),
        ("Privileged Access", ["Is privileged access restricted and monitored?"]),
        ("Multi-Factor Authentication", ["Is multi-factor authentication enforced for all employees accessing production systems?",
                                         "Do you support multi-factor authentication for customer users?"]),
        ("Federated Identity", ["Do you support single sign-on via SAML 2.0 for customer users?"]),
        ("Access Provisioning", ["Is access granted only after documented approval?"]),
        ("Access Changes on Role Change", ["Is access adjusted when an employee changes role?"]),
        ("Service Accounts", ["Are service accounts inventoried and their credentials rotated?"]),
        ("Authentication Logging", ["Are failed and successful logins logged?"]),
        ("Customer Access Controls", ["Can customer administrators assign roles and permissions to their users?"]),
        ("Session Management", ["Do user sessions time out after a period of inactivity?"]),
        ("Credential Storage", ["Are passwords stored using a salted, adaptive hashing function?"]),
    ]),
    ("IPY", "Interoperability & Portability", "interoperability and portability", [
        ("Interoperability and Portability Policy and Procedures", ["Are application interfaces documented for customers?"]),
        ("Application Interface Availability", ["Are programmatic interfaces available to export customer data?"]),
        ("Secure Interoperability and Portability Management", ["Are data exports protected with secure protocols?"]),
        ("Data Portability Contractual Obligations", ["Do contracts state how customer data is returned at the end of the service?"]),
        ("Data Export Formats", ["Can customers export their data in a standard, machine-readable format?"]),
        ("Interface Documentation", ["Is documentation of the public API kept current?"]),
        ("Portability Timelines", ["Is there a defined period after termination during which customers can retrieve their data?"]),
        ("Data Deletion after Export", ["Is customer data deleted after the retrieval period ends?"]),
        ("Interoperability Standards", ["Does the service support open standards for data exchange?"]),
        ("Portability Testing", ["Is the data export function tested regularly?"]),
    ]),
    ("IVS", "Infrastructure & Virtualization Security", "infrastructure and virtualization security", [
        ("Capacity and Resource Planning", ["Is capacity planned and monitored?"]),
        ("Network Security", ["Are network communications between environments monitored and encrypted?"]),
        ("OS Hardening and Base Controls", ["Are server operating systems hardened from a secure baseline?"]),
        ("Production and Non-Production Environments", ["Are production and non-production environments separated?"]),
        ("Segmentation and Segregation", ["Is the network segmented to isolate customer environments?"]),
        ("Network Defense", ["Are firewalls and intrusion detection used to protect the network?"]),
        ("Hypervisor Hardening", ["Are hypervisors and host systems hardened and patched?"]),
        ("Tenant Isolation", ["Is one customer's data logically isolated from another's?"]),
        ("Network Architecture Documentation", ["Is the network architecture documented and kept current?"]),
        ("Migration to Cloud", ["Are secure protocols used when migrating servers or data between environments?"]),
        ("Denial of Service Protection", ["Is the service protected against denial-of-service attacks?"]),
        ("Remote Administration", ["Is remote administration restricted to encrypted channels and approved hosts?"]),
    ]),
    ("LOG", "Logging and Monitoring", "logging and monitoring", [
        ("Audit Logs Protection", ["Are audit logs protected from modification and deletion?"]),
        ("Security Monitoring and Alerting", ["Are security events monitored and alerted on?"]),
        ("Audit Logs Retention", ["Are audit logs retained for at least a year?"]),
        ("Clock Synchronization", ["Are system clocks synchronized to a reliable time source?"]),
        ("Log Records", ["Are access to customer data and administrative actions logged?"]),
        ("Failures and Anomalies Reporting", ["Are logging failures detected and reported?"]),
        ("Log Access", ["Is access to logs restricted to authorized personnel?"]),
        ("Centralized Logging", ["Are logs collected in a central system?"]),
        ("Log Review", ["Are security logs reviewed regularly?"]),
        ("Customer Audit Logs", ["Can customers view an audit log of actions taken in their account?"]),
        ("Encryption Monitoring", ["Is the use of cryptographic keys logged and monitored?"]),
        ("Log Completeness", ["Do logs record the user, time, source and outcome of each event?"]),
        ("Transaction Logging", ["Are changes to customer data recorded in a tamper-evident way?"]),
    ]),
    ("SEF", "Security Incident Management, E-Discovery, & Cloud Forensics", "security incident management", [
        ("Incident Response Plans", ["Is there a documented security incident response plan?"]),
        ("Incident Response Testing", ["Is the incident response plan tested at least annually?"]),
        ("Incident Response Metrics", ["Are metrics on security incidents collected and reviewed?"]),
        ("Points of Contact Maintenance", ["Are contacts with authorities and law enforcement maintained?"]),
        ("Security Breach Notification", ["Are customers notified of security breaches affecting their data within a defined time?"]),
        ("Electronic Discovery", ["Can you support the customer's legal hold and e-discovery requests?"]),
        ("Incident Classification", ["Are incidents classified by severity with defined response times?"]),
        ("Incident Lessons Learned", ["Is a post-incident review performed after major incidents?"]),
        ("Forensic Readiness", ["Is evidence from security incidents collected and preserved with a chain of custody?"]),
        ("Incident Response Team", ["Is there a designated incident response team available around the clock?"]),
        ("Law Enforcement Requests", ["Is there a process for responding to law enforcement requests for customer data?"]),
        ("Incident Tracking", ["Are incidents tracked from detection to closure in a ticketing system?"]),
        ("Customer Incident Reporting", ["Can customers report suspected security incidents around the clock?"]),
    ]),
    ("STA", "Supply Chain Management, Transparency, and Accountability", "supply chain management", [
        ("SSRM Policy and Procedures", ["Is the shared security responsibility model documented for customers?"]),
        ("SSRM Guidance", ["Do you give customers guidance on their responsibilities under the shared responsibility model?"]),
        ("Supply Chain Inventory", ["Is an inventory of suppliers and subprocessors kept?"]),
        ("Supply Chain Risk Management", ["Are suppliers assessed for security risk before they are engaged?"]),
        ("Supply Chain Agreement Review", ["Do supplier contracts include security and confidentiality requirements?"]),
        ("Supply Chain Governance Review", ["Are critical suppliers reviewed at least annually?"]),
        ("Supplier Due Diligence", ["Is security due diligence performed on new suppliers?"]),
        ("Subprocessor Changes", ["Are customers notified before a new subprocessor is engaged?"]),
        ("Supplier Right to Audit", ["Do supplier contracts give you the right to audit or receive assurance reports?"]),
        ("Supplier Offboarding", ["Is supplier access removed and data returned when a supplier relationship ends?"]),
        ("Fourth Parties", ["Are the critical suppliers of your suppliers known and assessed?"]),
        ("Supplier Incidents", ["Are suppliers required to notify you of security incidents?"]),
    ]),
    ("TVM", "Threat & Vulnerability Management", "threat and vulnerability management", [
        ("Malware Protection Policy and Procedures", ["Is malware protection deployed on systems that need it?"]),
        ("Vulnerability Remediation Schedule", ["Are critical vulnerabilities patched within a defined time?"]),
        ("Threat Intelligence", ["Do you use threat intelligence to update your defences?"]),
        ("Penetration Testing", ["Are penetration tests by an independent third party performed at least annually?"]),
        ("Vulnerability Identification", ["Are systems scanned for vulnerabilities at least monthly?"]),
        ("External Library Vulnerabilities", ["Are third-party and open-source libraries checked for known vulnerabilities?"]),
        ("Vulnerability Prioritization", ["Are vulnerabilities prioritized by risk before remediation?"]),
        ("Vulnerability Disclosure", ["Is there a public way for researchers to report vulnerabilities?"]),
        ("Bug Bounty", ["Do you run a bug bounty program?"]),
        ("Patch Testing", ["Are patches tested before they are deployed to production?"]),
        ("Vulnerability Reporting", ["Are open vulnerabilities reported to management?"]),
        ("Container Image Scanning", ["Are container images scanned for vulnerabilities before deployment?"]),
    ]),
    ("UEM", "Universal Endpoint Management", "endpoint management", [
        ("Endpoint Devices Inventory", ["Is an inventory of endpoint devices kept?"]),
        ("Endpoint Storage Encryption", ["Is full-disk encryption enforced on employee laptops?"]),
        ("Anti-Malware Detection and Prevention", ["Is anti-malware software installed on employee endpoints?"]),
        ("Operating Systems", ["Are endpoint operating systems kept up to date?"]),
        ("Automatic Lock Screen", ["Do endpoints lock automatically after a period of inactivity?"]),
        ("Remote Wipe", ["Can lost or stolen endpoints be wiped remotely?"]),
        ("Third-Party Endpoint Security Posture", ["Is access from personal devices restricted?"]),
        ("Approved Applications", ["Is the software allowed on endpoints restricted to an approved list?"]),
        ("Endpoint Configuration Baseline", ["Are endpoints configured from a hardened baseline?"]),
        ("Mobile Device Management", ["Are mobile devices that access company data enrolled in device management?"]),
        ("Removable Media", ["Is the use of removable media on endpoints restricted?"]),
        ("Endpoint Firewall", ["Is a host firewall enabled on endpoints?"]),
        ("Lost Device Reporting", ["Must employees report lost or stolen devices immediately?"]),
    ]),
]


def rows() -> list[tuple[str, str, str, str, str, str]]:
    """Every question row: (question id, question, CCM control id, specification, control title, domain title)."""
    out = []
    for code, domain, topic, controls in DOMAINS:
        policy_title = f"{domain} Policy and Procedures"
        spec = f"Policies and procedures for {topic} are set, approved, communicated and reviewed yearly."
        cid = f"{code}-01"
        out.append((f"{cid}.1", ESTABLISHED.format(topic=topic), cid, spec, policy_title, domain))
        out.append((f"{cid}.2", REVIEWED.format(topic=topic), cid, spec, policy_title, domain))
        for n, (title, questions) in enumerate(controls, start=2):
            cid = f"{code}-{n:02d}"
            spec = f"The provider maintains controls for {title.lower()}."
            for k, question in enumerate(questions, start=1):
                out.append((f"{cid}.{k}", question, cid, spec, title, domain))
    return out


def build(path: Path) -> Path:
    """Write the synthetic CAIQ v4 workbook to ``path`` and return it."""
    wb = Workbook()
    intro = wb.active
    intro.title = "Introduction"
    for i, line in enumerate([
        "Consensus Assessments Initiative Questionnaire (CAIQ) version 4 - synthetic copy for tests",
        "Answer each question in the CSP CAIQ Answer column with Yes, No or NA.",
        "State who owns each control in the SSRM Control Ownership column.",
        "Describe how the control is implemented, and what the cloud customer must do, in the next two columns.",
        "The CCM columns on the right are for reference; do not edit them.",
    ], start=1):
        intro.cell(i, 1, line)
    ws = wb.create_sheet(SHEET)
    ws["A1"] = SHEET
    ws["B1"] = TITLE
    ws["A1"].font = ws["B1"].font = Font(bold=True, size=14)
    bold, fill = Font(bold=True, color="FFFFFF"), PatternFill("solid", fgColor="1F4E78")
    for c, header in enumerate(HEADERS, start=1):
        if header is not None:
            cell = ws.cell(2, c, header)
            cell.font, cell.fill = bold, fill
            cell.alignment = Alignment(wrap_text=True, vertical="top")
    data = rows()
    for r, (qid, question, cid, spec, title, domain) in enumerate(data, start=3):
        ws.cell(r, 1, qid)
        ws.cell(r, 2, question).alignment = Alignment(wrap_text=True)
        ws.cell(r, 9, cid)
        ws.cell(r, 10, spec)
        ws.cell(r, 11, title)
        ws.cell(r, 12, domain)
    last = 2 + len(data)
    answer = DataValidation(type="list", formula1='"' + ",".join(ANSWERS) + '"', allow_blank=True)
    owner = DataValidation(type="list", formula1='"' + ",".join(OWNERSHIP) + '"', allow_blank=True)
    ws.add_data_validation(answer)
    ws.add_data_validation(owner)
    answer.add(f"C3:C{last}")
    owner.add(f"D3:D{last}")
    for col, width in zip("ABCDEFGHIJKL", (12, 70, 14, 24, 60, 50, 4, 4, 14, 60, 30, 30), strict=True):
        ws.column_dimensions[col].width = width
    ws.freeze_panes = "C3"
    wb.save(path)
    return path


if __name__ == "__main__":
    out = Path(sys.argv[1]) if len(sys.argv) > 1 else Path("caiq-v4-synthetic.xlsx")
    build(out)
    print(f"wrote {out} ({len(rows())} questions)")
