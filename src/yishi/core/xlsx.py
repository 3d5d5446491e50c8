"""Excel files in and out, safely: what openpyxl cannot write, and uploads that must not stall
the server.

Out: a suggestion's text may hold control characters (a resident's phone or a pasted text sends
them, and the app keeps what was sent), which openpyxl refuses to write; `clean` replaces them in
the exported copy only. In: `read_rows` opens an upload in a worker thread (asyncio.to_thread),
after checking how much it unpacks to, and stops reading at a row limit, so a "row bomb" (a small
file that unpacks to millions of blank rows) is refused quickly and ballots go on meanwhile."""
from __future__ import annotations

import asyncio
import io
import re
import zipfile
from typing import Any

from yishi.core.errors import DomainError
from yishi.core.i18n import _

# openpyxl.cell.cell.ILLEGAL_CHARACTERS_RE: the C0 controls XML 1.0 does not allow (tab, line
# feed and carriage return are allowed). Kept here so exports need not import openpyxl to clean.
_ILLEGAL = re.compile(r"[\000-\010\013\014\016-\037]")
MAX_UNPACKED = 40 * 1024 * 1024  # a 2,000-row import unpacks to a few MB


def clean(value: Any) -> Any:
    """A value as openpyxl will write it: control characters become U+FFFD (visible, not lost
    silently); anything not a string as it is."""
    return _ILLEGAL.sub("\ufffd", value) if isinstance(value, str) else value


def clean_row(values: list[Any]) -> list[Any]:
    return [clean(v) for v in values]


def append(sheet: Any, values: list[Any]) -> None:
    """The one way exports add a row: cleaned as above, since openpyxl refuses the whole file
    (a 500 for everyone who exports it) for one control character that a resident, a clerk or
    a unit typed. What was stored stays as it was sent; only the file's copy is cleaned."""
    sheet.append(clean_row(list(values)))


class UploadRefused(DomainError):
    pass


def _read(data: bytes, sheet: str, max_rows: int) -> list[tuple]:
    from openpyxl import load_workbook  # noqa: PLC0415 — start-up cost
    from openpyxl.utils.exceptions import InvalidFileException  # noqa: PLC0415 — start-up cost

    invalid = _("这不是有效的 Excel(.xlsx)文件，请用下载的模板填写后上传。")
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            unpacked = sum(info.file_size for info in archive.infolist())
    except (zipfile.BadZipFile, OSError, ValueError):
        raise UploadRefused(invalid) from None
    if unpacked > MAX_UNPACKED:
        raise UploadRefused(_("文件内容太多，请删去空行、分成几个文件后再导入。"))
    try:
        wb = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
        ws = wb[sheet] if sheet in wb.sheetnames else wb.worksheets[0]
        rows = []
        # Blank rows count too, with room for as many blank as filled ones: a sheet of three
        # million blank rows is read no further than that, and refused rather than cut short.
        for values in ws.iter_rows(values_only=True):
            rows.append(values)
            if len(rows) > 2 * max_rows + 1:
                wb.close()
                raise UploadRefused(_("一次最多导入 {n} 行，请分成几个文件。").format(n=max_rows))
        wb.close()
    except (zipfile.BadZipFile, InvalidFileException, KeyError, OSError, ValueError, IndexError):
        raise UploadRefused(invalid) from None
    return rows


async def read_rows(data: bytes, sheet: str, max_rows: int) -> list[tuple]:
    """The rows of an uploaded workbook's `sheet` (or its first), header first, read in a worker
    thread; UploadRefused (a 400) for a file that is not a workbook, unpacks to too much, or has
    more than twice max_rows rows (blank ones included)."""
    return await asyncio.to_thread(_read, data, sheet, max_rows)


def workbook(sheets: list[tuple[str, list[str], list[list[Any]]]]) -> bytes:
    """A workbook of (title, header, rows) sheets: the header bold and frozen, every row through
    `append`."""
    from openpyxl import Workbook  # noqa: PLC0415 — start-up cost
    from openpyxl.styles import Font  # noqa: PLC0415 — start-up cost

    book = Workbook()
    book.remove(book.active)
    for title, header, rows in sheets:
        sheet = book.create_sheet(title[:31])
        append(sheet, header)
        for cell in sheet[1]:
            cell.font = Font(bold=True)
        for row in rows:
            append(sheet, row)
        sheet.freeze_panes = "A2"
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
