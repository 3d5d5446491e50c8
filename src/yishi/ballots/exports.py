"""Exports of a round's ticking: functions returning (filename, mimetype, bytes).

Ballot-level exports are anonymous: no receipt, no community, no code, in a canonical order (by
the ticks), and only once the ticking has closed (a partial export taken before and after one
resident votes would show that resident's ticks)."""
from __future__ import annotations

import csv
import io

from yishi.ballots import casting, results, rules
from yishi.core import xlsx
from yishi.core.errors import Conflict
from yishi.core.i18n import _
from yishi.core.money import format_yuan
from yishi.wishlists import services as wishlists
from yishi.wishlists.enums import ItemKind

CSV = "text/csv; charset=utf-8"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


async def _closed(round_id: int) -> wishlists.RoundView:
    round_ = await wishlists.get_round(round_id)
    if round_.status not in results.CLOSED:
        raise Conflict(_("群众勾选结束后才能导出勾选结果和选票。"))
    return round_


async def pb_file(round_id: int) -> tuple[str, str, bytes]:
    await _closed(round_id)
    election = await casting.election_of_round(round_id)
    return f"round-{round_id}.pb", "text/plain; charset=utf-8", rules.write_pb(election).encode()


def _kind(value: str) -> str:
    try:
        return ItemKind(value).label
    except ValueError:
        return value


async def _result_rows(round_id: int) -> tuple[list[str], list[list], list[str], list[list]]:
    items = await wishlists.items_of(round_id)
    kept = await results.published(round_id)
    approvals = kept.approvals if kept else {}
    tally = await casting.tally(round_id)
    header = [_("项目编号"), _("项目名称"), _("类型"), _("预计费用（元）"), _("勾选数")]
    rows = [[i["id"], i["title"], _kind(i["kind"]), format_yuan(i["cost_fen"]), approvals.get(i["id"], 0)]
            for i in sorted(items, key=lambda i: (-approvals.get(i["id"], 0), i["position"], i["id"]))]
    t_header = [_("社区"), _("发放选票码"), _("已投"), _("参与率")]
    t_rows = [[c["name"], c["issued"], c["voted"], f"{c['voted'] / c['issued'] * 100:.1f}%" if c["issued"] else ""]
              for c in tally.per_community]
    return header, rows, t_header, t_rows


async def _ballot_rows(round_id: int) -> tuple[list[str], list[list]]:
    items = await wishlists.items_of(round_id)
    header = [_("选票序号")] + [f"{i['id']} {i['title']}" for i in items]
    rows = [[n] + [1 if i["id"] in b else 0 for i in items]
            for n, b in enumerate(await casting.stored_ballots(round_id), 1)]
    return header, rows


def _csv(header: list, rows: list[list]) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(header)
    writer.writerows(rows)
    # The BOM makes Excel on a council's Windows PC read the Chinese as UTF-8.
    return ("\ufeff" + buffer.getvalue()).encode()


def _xlsx(sheets: list[tuple[str, list, list[list]]]) -> bytes:
    from openpyxl import Workbook  # noqa: PLC0415 — start-up cost
    from openpyxl.styles import Font  # noqa: PLC0415 — start-up cost

    book = Workbook(write_only=False)
    book.remove(book.active)
    for title, header, rows in sheets:
        sheet = book.create_sheet(title)
        xlsx.append(sheet, header)
        for cell in sheet[1]:
            cell.font = Font(bold=True)
        for row in rows:
            xlsx.append(sheet, row)
        sheet.freeze_panes = "A2"
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


async def results_csv(round_id: int) -> tuple[str, str, bytes]:
    await _closed(round_id)
    header, rows, _th, _tr = await _result_rows(round_id)
    return f"round-{round_id}-results.csv", CSV, _csv(header, rows)


async def results_xlsx(round_id: int) -> tuple[str, str, bytes]:
    await _closed(round_id)
    header, rows, t_header, t_rows = await _result_rows(round_id)
    return f"round-{round_id}-results.xlsx", XLSX, _xlsx([(_("勾选结果"), header, rows),
                                                          (_("各社区参与率"), t_header, t_rows)])


async def ballots_csv(round_id: int) -> tuple[str, str, bytes]:
    await _closed(round_id)
    return f"round-{round_id}-ballots.csv", CSV, _csv(*await _ballot_rows(round_id))


async def ballots_xlsx(round_id: int) -> tuple[str, str, bytes]:
    await _closed(round_id)
    header, rows = await _ballot_rows(round_id)
    return f"round-{round_id}-ballots.xlsx", XLSX, _xlsx([(_("选票（匿名）"), header, rows)])


EXPORTS = {
    "round.pb": pb_file,
    "results.csv": results_csv,
    "results.xlsx": results_xlsx,
    "ballots.csv": ballots_csv,
    "ballots.xlsx": ballots_xlsx,
}
