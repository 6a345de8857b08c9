"""The command line: parse options, call one library function, print, exit. Nothing else lives here."""

from __future__ import annotations

import json
import sys
import traceback
from collections.abc import Callable
from pathlib import Path
from typing import Any

import click

from . import __version__
from .errors import ExitCode, TrustfillError, UsageError
from .output import OutputFormat


def _echo_json(data: Any) -> None:
    click.echo(json.dumps(data, indent=2, ensure_ascii=False, default=str))


def _import_options(func: Callable[..., Any]) -> Callable[..., Any]:
    """Detection overrides shared by inspect, match and fill."""
    options = [
        click.option("--sheet", help="Only this sheet (xlsx)."),
        click.option("--question-col", help="Column with the question text (letter, header name or number)."),
        click.option("--answer-col", help="Column for the short answer."),
        click.option("--comment-col", help="Column for the narrative / comments."),
        click.option("--id-col", help="Column with the customer's question ids."),
        click.option("--header-row", type=int, help="1-based header row."),
        click.option("--encoding", help="Text encoding of a csv file (default: utf-8, utf-8-sig, cp1252 in turn)."),
        click.option("--layout", "layout_file", type=click.Path(dir_okay=False, path_type=Path),
                     help="Saved layout file (YAML with the keys above) for a customer's recurring format."),
    ]
    for option in reversed(options):
        func = option(func)
    return func


def _options_from(kwargs: dict[str, Any]) -> Any:
    from .importers import ImportOptions
    from .layout_file import load_layout, merge_options

    base = load_layout(kwargs.pop("layout_file")) if kwargs.get("layout_file") else ImportOptions()
    kwargs.pop("layout_file", None)
    keys = ("sheet", "question_col", "answer_col", "comment_col", "id_col", "header_row", "encoding")
    return merge_options(base, **{k: kwargs.pop(k) for k in keys})


_workspace_option = click.option(
    "-w", "--workspace", type=click.Path(file_okay=False, path_type=Path),
    help="Workspace folder (default: the current folder if it has question_bank/, else the bundled default).",
)
_profile_option = click.option(
    "-p", "--profile", type=click.Path(dir_okay=False, path_type=Path),
    help="Company profile YAML (default: the workspace's profile.yaml; there is no fallback).",
)
_demo_option = click.option(
    "--demo", is_flag=True,
    help="Try trustfill with the bundled example company (fictional); every output is labelled as demo data.",
)


def _say_what_is_used(session: Any) -> None:
    """First line of every command that answers: which workspace and profile (stderr, so --json stays JSON)."""
    from .session import describe

    click.secho(describe(session), err=True, fg="yellow" if session.demo else None, bold=session.demo)

_matcher_option = click.option(
    "--matcher", type=click.Choice(["semantic", "lexical"]), default=None,
    help="semantic: words and meaning (the bundled sentence model); lexical: words only. Default: the workspace's "
         "trustfill.yaml, else semantic.",
)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="trustfill")
@click.option("-v", "--verbose", is_flag=True, help="Show tracebacks for errors.")
def cli(verbose: bool) -> None:
    """Answer security questionnaires from a question bank, a company profile and answer templates.

    Everything runs offline; customer files never leave this machine and are never modified.
    """


@cli.command()
@click.argument("workspace", required=False, type=click.Path(file_okay=False, path_type=Path))
@_profile_option
@click.option("--json", "as_json", is_flag=True, help="Machine-readable output.")
@click.option("--strict", is_flag=True, help="Warnings fail the check too.")
def check(workspace: Path | None, profile: Path | None, as_json: bool, strict: bool) -> None:
    """Validate bank, templates, evidence and profile: every problem at once; exit 0 when there are no errors."""
    from .check import check_workspace
    from .workspace import find_workspace, load_library, shown

    ws = find_workspace(workspace)
    profile = profile or ws.default_profile()
    click.echo(f"workspace: {ws.describe()}; profile: {shown(profile) if profile else 'none (checking the bank only)'}", err=True)
    report = check_workspace(load_library(ws), profile=profile)
    if as_json:
        _echo_json(report.as_dict())
    else:
        for problem in report.problems:
            click.echo(f"{problem.place}: {problem.level}: {problem.message}", err=problem.level == "error")
        status = "clean" if not report.problems else f"{len(report.errors)} error(s)"
        click.echo(
            f"checked {report.workspace}: {report.entries} entries, {report.facts} facts, {report.templates} templates, "
            f"{report.evidence} evidence documents{f', profile {report.profile}' if report.profile else ''}: "
            f"{status}, {len(report.warnings)} warning(s)"
        )
        if report.unset_facts:
            where = "" if workspace is None else f" {workspace}"
            click.echo(f"{report.unset_facts} fact(s) an answer needs are not set: 'trustfill profile{where}' asks for them")
    if report.errors or (strict and report.warnings):
        sys.exit(ExitCode.PROBLEMS)


@cli.command()
@click.argument("directory", type=click.Path(file_okay=False, path_type=Path))
@click.option("--force", is_flag=True, help="Replace the bank, templates and evidence already in DIRECTORY (profile.yaml is kept).")
def init(directory: Path, force: bool) -> None:
    """Create a workspace in DIRECTORY from the bundled defaults, to edit."""
    from .workspace import init_workspace

    for path in init_workspace(directory, force=force):
        click.echo(f"created {path}")
    click.echo(f"next: describe your company with 'trustfill profile {directory}' (or edit {directory / 'profile.yaml'}), "
               f"replace the placeholder documents in {directory / 'evidence' / 'docs'}, then run 'trustfill check {directory}'")


@cli.command()
@click.argument("workspace", required=False, type=click.Path(file_okay=False, path_type=Path))
def profile(workspace: Path | None) -> None:
    """Answer questions about your company to write the workspace's profile.yaml.

    The deciding facts come first (deployment model, hosting provider, certifications, AI use); then only the
    facts some answer still needs. Each answer is saved at once; run it again to continue where you stopped.
    """
    from . import views
    from .profiling import interview
    from .workspace import PROFILE_FILE, find_workspace, load_library, require_clean, shown

    ws = find_workspace(workspace)
    if ws.is_default:
        raise UsageError(f"{shown(ws.root)}: not your workspace; create one with 'trustfill init DIR', "
                         "then run 'trustfill profile DIR'")
    lib = require_clean(load_library(ws))
    path = ws.root / PROFILE_FILE
    where = shown(ws.root)
    click.echo(f"workspace: {ws.describe()}; profile: {shown(path)}", err=True)
    click.echo("Answer for your own company. Enter leaves a fact unset (asked again next time); q saves and stops.")
    result = interview(lib, path, views.fact_asker(lib), where=where)
    views.print_interview_result(result, shown(path), where)


@cli.command()
@click.argument("kind", type=click.Choice(["bank", "profile", "evidence"]))
@_workspace_option
def schema(kind: str, workspace: Path | None) -> None:
    """Print the JSON Schema of a bank file, a profile or the evidence index."""
    from .schema import json_schema
    from .workspace import find_workspace, load_library, require_clean

    lib = require_clean(load_library(find_workspace(workspace))) if kind == "profile" else None
    _echo_json(json_schema(kind, lib))


@cli.command()
@click.argument("question")
@_workspace_option
@_profile_option
@_demo_option
@click.option("--json", "as_json", is_flag=True, help="Machine-readable output.")
@_matcher_option
def answer(question: str, workspace: Path | None, profile: Path | None, demo: bool, as_json: bool,
           matcher: str | None) -> None:
    """Answer one QUESTION: best entry, answer, evidence, explanation and rationale."""
    from . import views
    from .pipeline import answer_one
    from .session import open_session

    session = open_session(workspace, profile, matcher, demo=demo)
    _say_what_is_used(session)
    view = answer_one(session, question)
    if as_json:
        _echo_json({**views.answer_dict(view), "demo": session.demo})
    else:
        views.print_answer(view)
    if view.answer is None:
        sys.exit(ExitCode.PROBLEMS)


@cli.command()
@click.argument("file", type=click.Path(path_type=Path))
@_import_options
@click.option("--json", "as_json", is_flag=True, help="Machine-readable output.")
@click.option("--all", "show_all", is_flag=True, help="List every question, not only the first 15 per part.")
def inspect(file: Path, as_json: bool, show_all: bool, **kwargs: Any) -> None:
    """Show what trustfill detects in FILE: parts, header, columns, questions and answer slots."""
    from . import views
    from .importers import load_questionnaire

    questionnaire = load_questionnaire(file, _options_from(kwargs))
    if as_json:
        _echo_json(views.questionnaire_dict(questionnaire))
    else:
        views.print_inspect(questionnaire, show_all=show_all)


@cli.command()
@click.argument("file", type=click.Path(path_type=Path))
@_workspace_option
@_profile_option
@_demo_option
@_import_options
@click.option("--explain", is_flag=True, help="Show why: shared terms, thesaurus hits, alias used, semantic similarity, nearest phrasing.")
@click.option("--json", "as_json", is_flag=True, help="Machine-readable output.")
@_matcher_option
def match(file: Path, workspace: Path | None, profile: Path | None, demo: bool, explain: bool, as_json: bool,
          matcher: str | None,
          **kwargs: Any) -> None:
    """Preview how each question of FILE matches the bank. Writes nothing."""
    from . import views
    from .pipeline import preview_matches
    from .session import open_session

    session = open_session(workspace, profile, matcher, demo=demo)
    _say_what_is_used(session)
    with views.progress_bar("embedding the question bank") as progress:
        session.build_matcher(progress)
    questionnaire, matches = preview_matches(session, file, _options_from(kwargs), explain=explain)
    if as_json:
        _echo_json({**views.matches_dict(questionnaire, matches), "demo": session.demo})
    else:
        views.print_matches(questionnaire, matches, explain=explain)


@cli.command()
@click.argument("file", type=click.Path(path_type=Path))
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), required=True,
              help="Where to write. Same kind of file as the input: answers go into a copy of it.")
@_workspace_option
@_profile_option
@_demo_option
@click.option("--report", "report_path", type=click.Path(dir_okay=False, path_type=Path), help="Write the JSON report here.")
@click.option("--review-file", type=click.Path(dir_okay=False, path_type=Path),
              help="Where to write the review workbook (default: OUTPUT's name with .review.xlsx, beside it).")
@click.option("--format", "fmt", type=click.Choice([f.value for f in OutputFormat]),
              default="auto", show_default=True, help="same: into a copy of the input; xlsx/docx/csv/json/md: a new answer document.")
@click.option("--force", is_flag=True, help="Replace OUTPUT (and the report, review workbook, internal copy) if they exist.")
@click.option("--overwrite", is_flag=True, help="Replace answers and formulas already in the customer's file (each is reported).")
@click.option("--review-in-file", is_flag=True,
              help="Also put the review material in OUTPUT: review colours and notes on the cells, and the "
                   "'trustfill review' sheet in an xlsx. Not for sending to the customer.")
@click.option("--no-review-sheet", is_flag=True, help="With --review-in-file: colours and notes only, no review sheet.")
@click.option("--internal", is_flag=True,
              help="Also write the reviewer's version of OUTPUT (status, scores, notes, review marks) as NAME.internal.EXT.")
@click.option("--clean", is_flag=True, hidden=True, help="Deprecated: answers only is now the default.")
@click.option("--review-mode", type=click.Choice(["blank", "fill"]), default="blank", show_default=True,
              help="blank: leave review answers empty, suggestion in the review workbook; fill: write them (flagged with --review-in-file).")
@click.option("--customer", help="Customer name, for per-customer learned mappings.")
@click.option("--strict", is_flag=True, help="Import warnings fail the run.")
@_matcher_option
@_import_options
def fill(file: Path, output: Path, workspace: Path | None, profile: Path | None, demo: bool, report_path: Path | None,
         review_file: Path | None, fmt: str, force: bool, overwrite: bool, review_in_file: bool, no_review_sheet: bool,
         internal: bool, clean: bool, review_mode: str, customer: str | None, strict: bool, matcher: str | None,
         **kwargs: Any) -> None:
    """Answer FILE and write the answers to OUTPUT, and the review workbook beside it.

    OUTPUT gets the answers only, ready for the customer. Everything a person needs to check them (status,
    proposed answers, bank entries, suggestions, notes and a Decision column for 'trustfill learn --from')
    goes to OUTPUT's name with .review.xlsx.
    """
    from . import views
    from .fill import FillOptions
    from .pipeline import fill_file
    from .session import open_session

    if clean and review_in_file:
        raise UsageError("--clean and --review-in-file contradict each other; answers only is the default, so drop --clean")
    if no_review_sheet and not review_in_file:
        raise UsageError("--no-review-sheet only applies with --review-in-file; the customer's file gets no review sheet by default")
    if clean:
        click.echo("note: --clean is no longer needed (answers only is the default) and will be removed", err=True)
    session = open_session(workspace, profile, matcher, demo=demo)
    _say_what_is_used(session)
    with views.progress_bar("embedding the question bank") as progress:
        session.build_matcher(progress)
    options = FillOptions(review_mode=review_mode, overwrite=overwrite, customer=customer)
    with views.progress_bar("answering") as progress:
        summary = fill_file(session, file, output, import_options=_options_from(kwargs), options=options,
                            fmt=OutputFormat(fmt), force=force, report_path=report_path, review_file=review_file,
                            review_in_file=review_in_file, review_sheet=not no_review_sheet, internal=internal,
                            progress=progress)
    views.print_fill_summary(summary, report_path, summary.review_file)
    if summary.internal_file is not None:
        click.echo(f"internal version: {summary.internal_file} (not for the customer)")
    views.print_next_steps(summary, session, file, report_path, summary.review_file)
    if strict and summary.filled.questionnaire.problems:
        sys.exit(ExitCode.PROBLEMS)


@cli.command()
@click.argument("entry_id", metavar="ID")
@_workspace_option
@click.option("-p", "--profile", type=click.Path(dir_okay=False, path_type=Path),
              help="Also show the entry's answer under this company profile.")
@click.option("--json", "as_json", is_flag=True, help="Machine-readable output.")
def entry(entry_id: str, workspace: Path | None, profile: Path | None, as_json: bool) -> None:
    """Show bank entry ID: question, explanation, rationale, evidence expected, aliases, frameworks, answer."""
    from . import views
    from .pipeline import entry_view

    view = entry_view(workspace, entry_id, profile)
    if as_json:
        _echo_json(views.entry_dict(view))
    else:
        views.print_entry(view)


@cli.command()
@click.argument("files", nargs=-1, required=True, type=click.Path(path_type=Path))
@_workspace_option
@click.option("--customer", help="The customer these questionnaires were answered for.")
@click.option("--date", "when", type=click.DateTime(formats=["%Y-%m-%d"]),
              help="When the answers were given, YYYY-MM-DD (default: each file's modification date).")
@click.option("--family", help="Questionnaire family (default: the file name's first word, e.g. 'hecvat').")
@click.option("--vsaq-template", type=click.Path(dir_okay=False, path_type=Path),
              help="The VSAQ template a VSAQ answers file (.json) answers.")
@click.option("--propose-profile", type=click.Path(dir_okay=False, path_type=Path),
              help="Also write a draft profile inferred from every past answer in the library.")
@click.option("--force", is_flag=True, help="Replace the draft profile if it exists.")
@click.option("--json", "as_json", is_flag=True, help="Machine-readable output.")
@_import_options
def harvest(files: tuple[Path, ...], workspace: Path | None, customer: str | None, when: Any, family: str | None,
            vsaq_template: Path | None, propose_profile: Path | None, force: bool, as_json: bool, **kwargs: Any) -> None:
    """Keep the answers of completed questionnaires FILES in the workspace's library/, for fill to reuse."""
    from . import views
    from .answer_library.harvest import run_harvest

    summary = run_harvest(workspace, list(files), customer=customer, date=when.date() if when else None, family=family,
                          import_options=_options_from(kwargs), vsaq_template=vsaq_template,
                          propose_profile=propose_profile, force=force)
    if as_json:
        _echo_json(views.harvest_dict(summary))
    else:
        views.print_harvest(summary, propose_profile)


@cli.command()
@click.argument("question", required=False)
@click.argument("entry", required=False)
@click.option("--not-in-bank", is_flag=True, help="Record that no bank entry answers QUESTION.")
@click.option("--from", "reviewed", type=click.Path(path_type=Path, dir_okay=False),
              help="Record every decision in the Decision column of a reviewed xlsx that 'fill' wrote.")
@click.option("--customer", help="Apply only to this customer's questionnaires.")
@click.option("--by", "decided_by", help="Who decided (kept with each decision).")
@_workspace_option
def learn(question: str | None, entry: str | None, not_in_bank: bool, reviewed: Path | None, customer: str | None,
          decided_by: str | None, workspace: Path | None) -> None:
    """Record a reviewer's decision: QUESTION is answered by bank ENTRY (or --not-in-bank).

    With --from, record all decisions written in a reviewed file's Decision column: an entry id (e.g. one of the
    Suggestions), 'ok' to confirm the matched entry, or 'not in bank'.
    """
    from . import views
    from .learning import record_decision, record_review
    from .workspace import find_workspace

    click.echo(f"workspace: {find_workspace(workspace).describe()}", err=True)
    if reviewed is not None:
        if question is not None or not_in_bank:
            raise UsageError("give either --from FILE or a QUESTION, not both")
        path, read = record_review(workspace, reviewed, customer=customer, decided_by=decided_by)
        views.print_review_learned(read, path)
        return
    if question is None:
        raise UsageError("give the QUESTION and its bank ENTRY, or --from a reviewed file")
    path = record_decision(workspace, question, None if not_in_bank else entry, customer=customer,
                           not_in_bank=not_in_bank, decided_by=decided_by)
    click.echo(f"recorded in {path}")


def main(argv: list[str] | None = None) -> None:
    """Entry point: run the CLI and turn errors into one message and an exit code."""
    args = sys.argv[1:] if argv is None else argv
    verbose = "-v" in args or "--verbose" in args
    try:
        cli.main(args=args, prog_name="trustfill", standalone_mode=False)
    except click.exceptions.Exit as exc:
        sys.exit(exc.exit_code)
    except click.exceptions.Abort:  # click's form of Ctrl-C (KeyboardInterrupt) and EOF
        click.echo("interrupted; nothing was written", err=True)
        sys.exit(130)
    except click.ClickException as exc:
        exc.show()
        sys.exit(ExitCode.USAGE)
    except TrustfillError as exc:
        if verbose:
            traceback.print_exc()
        click.echo(str(exc), err=True)
        sys.exit(exc.exit_code)
    except KeyboardInterrupt:
        click.echo("interrupted; nothing was written", err=True)
        sys.exit(130)
    except Exception as exc:  # a bug: say so plainly, traceback only with -v
        if verbose:
            traceback.print_exc()
        click.echo(f"trustfill: internal error: {type(exc).__name__}: {exc} (run with -v for the traceback and report it)", err=True)
        sys.exit(ExitCode.INTERNAL)
    sys.exit(0)

