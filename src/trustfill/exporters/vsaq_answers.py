"""Write answers for a VSAQ questionnaire as the VSAQ app loads them.

VSAQ keeps answers apart from the template, as one flat JSON object ``{item_id: value}`` (what
``vsaq.Questionnaire.getValuesAsJson`` produces and ``setValues`` reads back):

* ``line`` / ``box`` / ``tip`` items: the text;
* ``yesno``: ``"yes"`` or ``"no"``;
* ``radiogroup``: the chosen *choice* id set to ``"checked"`` (the group id itself holds nothing);
* ``checkgroup``: every chosen choice id set to ``"checked"`` (several values are separated by new
  lines or ``;`` in :attr:`SlotWrite.value`);
* stand-alone ``radio`` / ``check``: ``"checked"`` for Yes, ``""`` for No.

Turning a choice caption back into a choice id needs the template, so pass ``template`` (the
questionnaire the importer read). Without it every value is written under its slot address as
given, which is right only for text items. VSAQ has no way to flag a value for review, so
:attr:`SlotWrite.review` and ``note`` are left to the fill report.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from pathlib import Path

from ..errors import OutputError, TrustfillError
from ..importers._container import InputSnapshot, reading_snapshot
from ..importers.vsaq import VsaqItem, load_vsaq, vsaq_items
from .interface import SlotWrite

CHECKED = "checked"
_YES = {"yes", "y", "true", "checked"}
_NO = {"no", "n", "false", "unchecked", ""}


def _fold(text: str) -> str:
    return re.sub(r"[^a-z0-9/]+", " ", text.casefold()).strip()


def _pick(item: VsaqItem, value: str) -> str:
    """The choice id whose caption is ``value`` (or that starts with the same Yes/No word)."""
    folded = _fold(value)
    for cid, caption in item.choices:
        if _fold(caption) == folded or cid == value:
            return cid
    first = folded.split(" ")[0] if folded else ""
    if first in ("yes", "no"):
        starts = [cid for cid, caption in item.choices if _fold(caption).split(" ")[0] == first]
        if len(starts) == 1:
            return starts[0]
    options = "; ".join(caption for _, caption in item.choices)
    raise OutputError(f"item {item.address}: {value!r} is not one of its choices ({options})")


def answer_values(item: VsaqItem | None, address: str, value: str) -> dict[str, str]:
    """The ``{id: value}`` entries that record ``value`` for one item (``item`` None: as given)."""
    if item is None or item.type in ("line", "box", "upload", "tip"):
        return {address: value}
    if item.type == "yesno":
        return {address: _pick(item, value)}
    if item.type in ("radio", "check"):
        folded = _fold(value)
        if folded in _YES:
            return {address: CHECKED}
        if folded in _NO:
            return {address: ""}
        raise OutputError(f"item {address}: {value!r} is not Yes or No")
    if item.type == "checkgroup":
        parts = [p for p in re.split(r"\s*(?:\n|;)\s*", value.strip()) if p]
        # A caption may itself contain ';': try the whole value first.
        try:
            return {_pick(item, value): CHECKED}
        except OutputError:
            return {_pick(item, part): CHECKED for part in parts}
    return {_pick(item, value): CHECKED}


def write_vsaq_answers(dest: Path, writes: Sequence[SlotWrite], template: Path | None = None,
                       data: bytes | None = None) -> None:
    """Write ``writes`` to ``dest`` as a VSAQ answers file.

    Args:
        dest: Where to write the JSON (UTF-8, indented, keys in write order).
        writes: Slot writes whose addresses are the importer's item ids.
        template: The VSAQ template the questions came from; needed to turn choice captions into
            choice ids. Without it values are written as given.
        data: The template's bytes as imported; read from ``template`` only when absent.

    Raises:
        OutputError: A write names an item the template lacks, a value is not one of the item's
            choices, or ``dest`` cannot be written.
    """
    by_address: dict[str, VsaqItem] | None = None
    if template is not None:
        try:
            if data is not None:
                with reading_snapshot(InputSnapshot(template, data)):
                    items, _ = vsaq_items(load_vsaq(template))
            else:
                items, _ = vsaq_items(load_vsaq(template))
        except TrustfillError as exc:  # the template changed since it was imported
            raise OutputError(f"{template}: cannot read the template again: {exc}") from exc
        by_address = {item.address: item for item in items}
    answers: dict[str, str] = {}
    for write in writes:
        item = None
        if by_address is not None:
            item = by_address.get(write.address)
            if item is None:
                raise OutputError(f"item {write.address}: no such answerable item in {template}")
        try:
            answers.update(answer_values(item, write.address, write.value))
        except OutputError as exc:
            raise OutputError(f"{dest}: {exc}") from exc
    try:
        dest.write_text(json.dumps(answers, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    except OSError as exc:
        raise OutputError(f"{dest}: cannot write: {exc.strerror or exc}") from exc
