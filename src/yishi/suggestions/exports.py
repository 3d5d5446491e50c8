"""Files: the observation point's QR poster (PDF), the Excel import template, the import itself,
and the Excel export of a filtered list. Builders return (filename, mimetype, bytes)."""
from __future__ import annotations

import base64
import io
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

from yishi.core import dates, i18n, xlsx
from yishi.core.errors import DomainError, InvalidInput
from yishi.core.i18n import N_, _, ngettext
from yishi.core.pdf import render_pdf
from yishi.core.templating import local_time
from yishi.places import services as places
from yishi.suggestions import catalog, privacy, rules, services
from yishi.suggestions.enums import Channel, Grade, SuggestionStatus, Tier, Track

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
IMPORT_MAX_BYTES = 2 * 1024 * 1024
IMPORT_MAX_ROWS = 2000
# The template's example row starts with this, in the template's full-width bracket or a typed ASCII one.
EXAMPLE_MARKS = ("（示例", "(示例")


# --- the poster --------------------------------------------------------------------------------

def point_url(base_url: str, code: str) -> str:
    return f"{base_url.rstrip('/')}/s/{code}"


def qr_svg(data: str) -> str:
    """The QR code as an SVG data URI: sharp at any print size. Error correction Q (25%) so a
    poster with a scuff or a pin through it still scans."""
    import qrcode  # noqa: PLC0415 — start-up cost
    from qrcode.image.svg import SvgPathImage  # noqa: PLC0415 — start-up cost

    qr = qrcode.QRCode(error_correction=qrcode.constants.ERROR_CORRECT_Q, box_size=10, border=4)
    qr.add_data(data)
    qr.make(fit=True)
    svg = qr.make_image(image_factory=SvgPathImage).to_string()
    return "data:image/svg+xml;base64," + base64.b64encode(svg).decode()


async def poster_pdf(point_id: int, base_url: str, language: str = i18n.DEFAULT_LOCALE) -> tuple[str, str, bytes]:
    """The observation point's QR poster, in Chinese, English or both (i18n.PRINT_LANGUAGES)."""
    point = await catalog.get_point(point_id)
    url = point_url(base_url, point.code)
    categories = [c["name"] for c in await catalog.categories()]
    with i18n.printing(i18n.print_language(language)) as bilingual:
        pdf = await render_pdf("suggestions/poster.html", point=point, url=url, qr=qr_svg(url),
                               categories=categories, bilingual=bilingual)
    return f"码上听-{point.community_name}-{point.name}.pdf", "application/pdf", pdf


# --- the import template -----------------------------------------------------------------------

COLUMNS = [  # (header, width, required)
    ("建议内容", 60, True),
    ("类别", 12, True),
    ("社区（村）", 14, True),
    ("渠道", 12, True),
    ("收集日期", 13, False),
    ("居民姓名", 10, False),
    ("联系电话", 15, False),
    ("点位", 16, False),
]


def _header(name: str, required: bool) -> str:
    return name + ("*" if required else "")


async def template_xlsx(town_id: int) -> tuple[str, str, bytes]:
    from openpyxl import Workbook  # noqa: PLC0415 — start-up cost
    from openpyxl.styles import Alignment, Font, PatternFill  # noqa: PLC0415 — start-up cost
    from openpyxl.worksheet.datavalidation import DataValidation  # noqa: PLC0415 — start-up cost

    town = await catalog.town_ref(town_id)
    cats = [c["name"] for c in await catalog.categories()]
    comms = [c["name"] for c in await places.communities_of(town_id)]
    channels = [c.label for c in Channel]

    wb = Workbook()
    ws = wb.active
    ws.title = "建议"
    ws.append([_header(n, r) for n, _w, r in COLUMNS])
    for i, (_n, width, required) in enumerate(COLUMNS, start=1):
        cell = ws.cell(row=1, column=i)
        cell.font = Font(bold=True, color="FFFFFF" if required else "000000")
        cell.fill = PatternFill("solid", fgColor="B3261E" if required else "EFEBE6")
        ws.column_dimensions[cell.column_letter].width = width
    ws.freeze_panes = "A2"
    ws.append(["（示例，导入前请删除此行）楼道灯坏了两个月，晚上老人上下楼看不见。",
               cats[5] if len(cats) > 5 else cats[0],
               comms[0] if comms else "", "上门走访", dates.today().isoformat(), "王秀英", "13800138000",
               "幸福小区3栋"])
    ws.cell(row=2, column=1).alignment = Alignment(wrap_text=True)

    options = wb.create_sheet("选项")
    for col, values in enumerate((cats, comms, channels), start=1):
        for row, value in enumerate(values, start=1):
            options.cell(row=row, column=col, value=value)
    options.sheet_state = "hidden"
    for letter, col_letter, values in (("B", "A", cats), ("C", "B", comms), ("D", "C", channels)):
        if not values:
            continue
        dv = DataValidation(type="list", formula1=f"='选项'!${col_letter}$1:${col_letter}${len(values)}",
                            allow_blank=False, showErrorMessage=True, errorTitle="请从列表中选择",
                            error="请从下拉列表中选择。")
        dv.add(f"{letter}2:{letter}{IMPORT_MAX_ROWS + 1}")
        ws.add_data_validation(dv)

    notes = wb.create_sheet("填写说明")
    lines = [
        f"{town.name} 居民建议批量导入模板",
        "1. 每行一条建议；带 * 的列必须填写。第一行表头不要改动。",
        f"2. 建议内容 {services.CONTENT_MIN} 到 {services.CONTENT_MAX} 个字。",
        "3. 类别、社区（村）、渠道请从下拉列表中选择。",
        "4. 收集日期写成 2026-03-01，不填则为导入当天；不能晚于今天，不能早于一年前。",
        "5. 居民姓名、联系电话可不填；电话为 11 位手机号或带区号的固定电话，系统加密保存。",
        f"   点位（小区、楼栋或地点）可不填，不超过 {services.SPOT_MAX} 个字；同一地点请写法一致，便于统计民情热度。",
        f"6. 一次最多 {IMPORT_MAX_ROWS} 行。只要有一行出错，整个文件都不会导入，系统会列出每个出错的行和原因。",
        "类别：" + "、".join(cats),
        "社区（村）：" + "、".join(comms),
        "渠道：" + "、".join(channels),
    ]
    for line in lines:
        notes.append([line])
    notes.column_dimensions["A"].width = 100
    out = io.BytesIO()
    wb.save(out)
    return f"居民建议导入模板-{town.name}.xlsx", XLSX, out.getvalue()


# --- the import --------------------------------------------------------------------------------

@dataclass(frozen=True)
class RowError:
    row: int
    column: str
    message: str


class ImportFailed(DomainError):
    """Nothing was imported; `errors` lists every bad row and why."""

    def __init__(self, errors: list[RowError], message: str | None = None) -> None:
        super().__init__(message or ngettext(
            "文件中有 {n} 处错误，没有导入任何一条。请改正后重新上传。",
            "文件中有 {n} 处错误，没有导入任何一条。请改正后重新上传。", len(errors)).format(n=len(errors)), 400)
        self.errors = errors


def _cell_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


def _cell_date(value: Any) -> date | None:
    if value in (None, ""):
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    try:
        return dates.parse_date(value, "")
    except DomainError as exc:
        raise ValueError(str(value)) from exc


async def parse_import(data: bytes, town_id: int, today: date | None = None) -> list[tuple[services.Prepared, Channel]]:
    """Check every row of an uploaded workbook; raise ImportFailed listing all errors, or return
    the rows ready to save."""
    today = today or rules.today_in_china()
    if len(data) > IMPORT_MAX_BYTES:
        raise ImportFailed([], _("文件太大（超过 2 MB），请分成几个文件导入。"))
    try:
        rows = iter(await xlsx.read_rows(data, "建议", IMPORT_MAX_ROWS))
    except xlsx.UploadRefused as exc:
        raise ImportFailed([], exc.message) from exc
    header = [(_cell_text(h).rstrip("*").strip()) for h in (next(rows, None) or [])]
    index = {name: header.index(name) for name, _w, _r in COLUMNS if name in header}
    missing = [name for name, _w, required in COLUMNS if required and name not in index]
    if missing:
        raise ImportFailed([RowError(1, m, _("缺少这一列，请使用下载的模板。")) for m in missing])

    cats = {c["name"]: c["id"] for c in await catalog.categories()}
    comms = {c["name"]: c["id"] for c in await places.communities_of(town_id)}
    channels = {c.label: c for c in Channel} | {c.value: c for c in Channel}
    vault = privacy.vault()
    errors: list[RowError] = []
    prepared: list[tuple[services.Prepared, Channel]] = []
    for number, values in enumerate(rows, start=2):
        cells = {name: (values[i] if i < len(values) else None) for name, i in index.items()}
        if all(_cell_text(v) == "" for v in cells.values()):
            continue
        if _cell_text(cells.get("建议内容")).startswith(EXAMPLE_MARKS):
            continue  # the template's example row, left in by mistake
        if len(prepared) + len({e.row for e in errors}) >= IMPORT_MAX_ROWS:
            raise ImportFailed(errors, _("一次最多导入 {n} 行，请分成几个文件。").format(n=IMPORT_MAX_ROWS))
        bad = len(errors)

        def err(column: str, message: str, number: int = number) -> None:
            errors.append(RowError(number, column, message))

        content = _cell_text(cells.get("建议内容"))
        try:
            content = services.check_content(content)
        except InvalidInput as exc:
            err("建议内容", exc.message)
        category = _cell_text(cells.get("类别"))
        if not category:
            err("类别", _("请填写类别。"))
        elif category not in cats:
            err("类别", _("没有“{v}”这个类别，请从下拉列表中选择。").format(v=category))
        community = _cell_text(cells.get("社区（村）"))
        if not community:
            err("社区（村）", _("请填写社区（村）。"))
        elif community not in comms:
            err("社区（村）", _("本镇（街道）没有“{v}”，请从下拉列表中选择。").format(v=community))
        channel_text = _cell_text(cells.get("渠道"))
        channel = channels.get(channel_text)
        if not channel_text:
            err("渠道", _("请填写渠道。"))
        elif channel is None:
            err("渠道", _("没有“{v}”这个渠道，请从下拉列表中选择。").format(v=channel_text))
        received_on = today
        try:
            received_on = _cell_date(cells.get("收集日期")) or today
            if received_on > today:
                err("收集日期", _("收集日期不能晚于今天。"))
            elif (today - received_on).days > services.BACKDATE_DAYS:
                err("收集日期", _("收集日期不能早于一年前。"))
        except ValueError:
            err("收集日期", _("日期格式不对，应为 2026-03-01 这样的日期。"))
        name = _cell_text(cells.get("居民姓名"))
        if len(name) > services.NAME_MAX:
            err("居民姓名", _("姓名不能超过 {n} 个字。").format(n=services.NAME_MAX))
        phone: dict[str, str] = {}
        try:
            phone = vault.seal(_cell_text(cells.get("联系电话")))
        except DomainError as exc:
            err("联系电话", exc.message)
        spot = ""
        try:
            spot = services.check_spot(_cell_text(cells.get("点位")))
        except InvalidInput as exc:
            err("点位", exc.message)
        if len(errors) == bad and channel is not None:  # no error in this row: the channel was found
            prepared.append((services.Prepared(
                town_id=town_id, community_id=comms[community], category_id=cats[category], content=content,
                name=name, phone=phone, received_on=received_on, spot=spot), channel))
    if errors:
        raise ImportFailed(errors)
    if not prepared:
        raise ImportFailed([], _("文件里没有可导入的建议（除表头外都是空行）。"))
    return prepared


async def import_xlsx(data: bytes, town_id: int, *, actor: Any) -> list[services.Receipt]:
    return await services.submit_many(await parse_import(data, town_id), actor=actor)


# --- the export of a filtered list -------------------------------------------------------------

EXPORT_COLUMNS = [  # headers in the language of the page the export was asked from
    (N_("查询码"), 12), (N_("收到日期"), 12), (N_("镇（街道）"), 12), (N_("社区（村）"), 12), (N_("点位"), 14),
    (N_("类别"), 10), (N_("渠道"), 11), (N_("建议内容"), 50), (N_("状态"), 10), (N_("分级"), 6), (N_("办理方式"), 9),
    (N_("办理层级"), 11), (N_("牵头单位"), 16), (N_("办理期限"), 12), (N_("督办"), 9), (N_("支持人次"), 9),
    (N_("居民姓名"), 9), (N_("联系电话"), 14), (N_("答复"), 40), (N_("答复时间"), 17), (N_("办结时间"), 17),
]


def _label(enum_cls: Any, value: str) -> str:
    try:
        return enum_cls(value).label if value else ""
    except ValueError:
        return value


async def list_xlsx(rows: list[dict], title: str) -> tuple[str, str, bytes]:
    """The filtered list for the street or district. Phones masked, names reduced to the surname:
    a spreadsheet travels further than a page."""
    from openpyxl import Workbook  # noqa: PLC0415 — start-up cost
    from openpyxl.styles import Alignment, Font  # noqa: PLC0415 — start-up cost

    wb = Workbook()
    ws = wb.active
    ws.title = _("居民建议")
    ws.append([title])
    ws.cell(row=1, column=1).font = Font(bold=True, size=14)
    ws.append([ngettext("导出时间：{t}，共 {n} 条；联系电话已脱敏。", "导出时间：{t}，共 {n} 条；联系电话已脱敏。",
                        len(rows)).format(t=local_time(datetime.now(UTC)), n=len(rows))])
    ws.append([_(name) for name, _w in EXPORT_COLUMNS])
    for i, (_n, width) in enumerate(EXPORT_COLUMNS, start=1):
        ws.cell(row=3, column=i).font = Font(bold=True)
        ws.column_dimensions[ws.cell(row=3, column=i).column_letter].width = width
    for r in rows:
        xlsx.append(ws, [  # what the resident sent stays as sent; only this copy is cleaned
            rules.display_code(r["tracking_code"]), r["received_on"].isoformat(), r["town_name"],
            r["community_name"], r["spot"], r["category_name"], _label(Channel, r["channel"]), r["content"],
            SuggestionStatus(r["status"]).label, _label(Grade, r["grade"]), _label(Track, r["track"]),
            _label(Tier, r["tier"]), r["lead_unit"], r["due_on"].isoformat() if r["due_on"] else "",
            r["flag"].label, r["supporters"], privacy.mask_name(r["submitter_name"]), r["phone_masked"],
            r["reply"], local_time(r["replied_at"]), local_time(r["closed_at"]),
        ])
        ws.cell(row=ws.max_row, column=8).alignment = Alignment(wrap_text=True, vertical="top")
    ws.freeze_panes = "A4"
    out = io.BytesIO()
    wb.save(out)
    stamp = rules.today_in_china().strftime("%Y%m%d")
    return _("居民建议-{d}.xlsx").format(d=stamp), XLSX, out.getvalue()
