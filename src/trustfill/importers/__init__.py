"""Read a customer's questionnaire, whatever its format."""

from __future__ import annotations

import dataclasses
import enum
import importlib
from pathlib import Path

from ..errors import ImportFormatError
from ..questionnaire import Questionnaire
from ._container import reading_snapshot, take_snapshot
from .interface import Importer, ImportOptions

__all__ = ["ImportOptions", "Importer", "InputFormat", "importer_for", "load_questionnaire"]


class InputFormat(str, enum.Enum):
    """Questionnaire formats trustfill reads; ``--input-format`` takes these names."""

    XLSX = "xlsx"
    CSV = "csv"
    DOCX = "docx"
    VSAQ = "vsaq"


_CLASSES = {
    InputFormat.XLSX: ("xlsx", "XlsxImporter"),
    InputFormat.CSV: ("csv", "CsvImporter"),
    InputFormat.DOCX: ("docx", "DocxImporter"),
    InputFormat.VSAQ: ("vsaq", "VsaqImporter"),
}

_SUFFIXES = {
    ".xlsx": InputFormat.XLSX,
    ".xlsm": InputFormat.XLSX,
    ".csv": InputFormat.CSV,
    ".tsv": InputFormat.CSV,
    ".txt": InputFormat.CSV,
    ".docx": InputFormat.DOCX,
    ".json": InputFormat.VSAQ,
}

_LEGACY = {
    ".xls": "a legacy Excel 97-2003 workbook (.xls); open it in Excel or LibreOffice and save as .xlsx",
    ".doc": "a legacy Word 97-2003 document (.doc); open it in Word or LibreOffice and save as .docx",
    ".pdf": "a PDF; trustfill reads xlsx, xlsm, csv, docx and VSAQ json; ask the customer for the editable file",
    ".numbers": "an Apple Numbers file; export it as .xlsx",
    ".pages": "an Apple Pages file; export it as .docx",
}


def importer_for(fmt: InputFormat) -> Importer:
    """The importer class of ``fmt``, imported lazily so a broken optional format never blocks the others."""
    module_name, class_name = _CLASSES[fmt]
    module = importlib.import_module(f"{__name__}.{module_name}")
    cls: type[Importer] = getattr(module, class_name)
    return cls()


def detect_format(path: Path) -> InputFormat:
    """Pick the format from the suffix; refuse formats we cannot read with a way out."""
    suffix = path.suffix.lower()
    if suffix in _LEGACY:
        raise ImportFormatError(f"{path}: this is {_LEGACY[suffix]}")
    try:
        return _SUFFIXES[suffix]
    except KeyError:
        raise ImportFormatError(
            f"{path}: unknown questionnaire format '{suffix or '(no suffix)'}'; trustfill reads .xlsx, .xlsm, .csv, .docx and VSAQ .json"
        ) from None


def load_questionnaire(path: Path, options: ImportOptions | None = None, fmt: InputFormat | None = None) -> Questionnaire:
    """Find every question in ``path``. Never modifies the file, and reads it exactly once.

    The bytes read are kept on the result (``Questionnaire.data``) so the writers copy the file that was
    answered, not whatever is at the path by the time they run.
    """
    if not path.exists():
        raise ImportFormatError(f"{path}: no such file")
    if path.is_dir():
        raise ImportFormatError(f"{path}: is a folder; give a questionnaire file")
    fmt = fmt or detect_format(path)
    snapshot = take_snapshot(path)
    with reading_snapshot(snapshot):
        questionnaire = importer_for(fmt).collect(path, options or ImportOptions())
    return dataclasses.replace(questionnaire, data=snapshot.data)
