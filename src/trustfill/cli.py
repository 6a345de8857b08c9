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
    help="Company profile YAML (default: the workspace's profile.yaml, or the bundled Heroku SaaS example).",
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
    """Validate bank, templates, evidence and profile; exit 0 only when clean."""
    from .check import check_workspace
    from .workspace import find_workspace, load_library

    report = check_workspace(load_library(find_workspace(workspace)), profile=profile)
    if as_json:
        _echo_json(report.as_dict())
    else:
        for problem in report.problems:
            click.echo(f"{problem.place}: {problem.level}: {problem.message}", err=problem.level == "error")
        status = "clean" if not report.errors else f"{len(report.errors)} error(s)"
        click.echo(
            f"checked {report.workspace}: {report.entries} entries, {report.facts} facts, {report.templates} templates, "
            f"{report.evidence} evidence documents{f', profile {report.profile}' if report.profile else ''}: "
            f"{status}, {len(report.warnings)} warning(s)"
        )
    if report.errors or (strict and report.warnings):
        sys.exit(ExitCode.PROBLEMS)


@cli.command()
@click.argument("directory", type=click.Path(file_okay=False, path_type=Path))
@click.option("--force", is_flag=True, help="Replace the bank, templates and evidence already in DIRECTORY.")
def init(directory: Path, force: bool) -> None:
    """Create a workspace in DIRECTORY from the bundled defaults, to edit."""
    from .workspace import init_workspace

    for path in init_workspace(directory, force=force):
        click.echo(f"created {path}")
    click.echo(f"next: edit {directory / 'profile.yaml'}, then run 'trustfill check {directory}'")


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
@click.option("--json", "as_json", is_flag=True, help="Machine-readable output.")
def answer(question: str, workspace: Path | None, profile: Path | None, as_json: bool) -> None:
    """Answer one QUESTION: best entry, answer, evidence, explanation and rationale."""
    from . import views
    from .pipeline import answer_one
    from .session import open_session

    view = answer_one(open_session(workspace, profile), question)
    if as_json:
        _echo_json(views.answer_dict(view))
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
@_import_options
@click.option("--explain", is_flag=True, help="Show why: shared terms, thesaurus hits, alias used.")
@click.option("--json", "as_json", is_flag=True, help="Machine-readable output.")
def match(file: Path, workspace: Path | None, profile: Path | None, explain: bool, as_json: bool, **kwargs: Any) -> None:
    """Preview how each question of FILE matches the bank. Writes nothing."""
    from . import views
    from .pipeline import preview_matches
    from .session import open_session

    questionnaire, matches = preview_matches(open_session(workspace, profile), file, _options_from(kwargs), explain=explain)
    if as_json:
        _echo_json(views.matches_dict(questionnaire, matches))
    else:
        views.print_matches(questionnaire, matches, explain=explain)


@cli.command()
@click.argument("file", type=click.Path(path_type=Path))
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), required=True,
              help="Where to write. Same kind of file as the input: answers go into a copy of it.")
@_workspace_option
@_profile_option
@click.option("--report", "report_path", type=click.Path(dir_okay=False, path_type=Path), help="Write the JSON report here.")
@click.option("--review-file", type=click.Path(dir_okay=False, path_type=Path),
              help="Also write the review sheet as an .xlsx of its own (for Word, csv and VSAQ outputs); decide rows there.")
@click.option("--format", "fmt", type=click.Choice([f.value for f in OutputFormat]),
              default="auto", show_default=True, help="same: into a copy of the input; xlsx/docx/csv/json/md: a new answer document.")
@click.option("--force", is_flag=True, help="Replace OUTPUT (and REPORT, REVIEW_FILE) if they exist.")
@click.option("--overwrite", is_flag=True, help="Replace answers and formulas already in the customer's file (each is reported).")
@click.option("--clean", is_flag=True, help="Answers only: no review colours, notes or review sheet in the customer's file.")
@click.option("--no-review-sheet", is_flag=True, help="Do not add the 'trustfill review' sheet to an xlsx.")
@click.option("--review-mode", type=click.Choice(["blank", "fill"]), default="blank", show_default=True,
              help="blank: leave review answers empty, suggestion in the report and review sheet; fill: write them and flag them.")
@click.option("--customer", help="Customer name, for per-customer learned mappings.")
@click.option("--strict", is_flag=True, help="Import warnings fail the run.")
@_import_options
def fill(file: Path, output: Path, workspace: Path | None, profile: Path | None, report_path: Path | None,
         review_file: Path | None, fmt: str,
         force: bool, overwrite: bool, clean: bool, no_review_sheet: bool, review_mode: str, customer: str | None,
         strict: bool, **kwargs: Any) -> None:
    """Answer FILE and write the answers to OUTPUT, flagging what a person must review."""
    from . import views
    from .fill import FillOptions
    from .pipeline import fill_file
    from .session import open_session

    session = open_session(workspace, profile)
    options = FillOptions(review_mode=review_mode, overwrite=overwrite, customer=customer, mark_review=not clean)
    with views.progress_bar("answering") as progress:
        summary = fill_file(session, file, output, import_options=_options_from(kwargs), options=options,
                            fmt=OutputFormat(fmt), force=force, report_path=report_path, review_file=review_file,
                            review_sheet=not no_review_sheet, clean=clean, progress=progress)
    views.print_fill_summary(summary, report_path, review_file)
    if strict and summary.filled.questionnaire.problems:
        sys.exit(ExitCode.PROBLEMS)


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
    except click.exceptions.Abort:
        click.echo("aborted", err=True)
        sys.exit(ExitCode.PROBLEMS)
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

