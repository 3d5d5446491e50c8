"""Accounts by the hundred: the Excel template (roles, streets and communities as drop-downs) and
the import, all rows or none with every bad row named; the new accounts' one-time passwords come
back as a sheet to download, shown once. Builders return (filename, mimetype, bytes)."""
from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import anyio.to_thread

from yishi.accounts import permissions as perm
from yishi.accounts.enums import Role
from yishi.accounts.services import USERNAME_RE
from yishi.accounts.tables import User
from yishi.core import audit, passwords, xlsx
from yishi.core.errors import DomainError
from yishi.core.i18n import _, ngettext
from yishi.core.security import hash_one_time_sync
from yishi.places.tables import Community, Town

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
IMPORT_MAX_BYTES = 2 * 1024 * 1024
IMPORT_MAX_ROWS = 2000
# The template's example row starts with this; it is skipped, whichever brackets it was typed with.
EXAMPLE_MARKS = ("（示例", "(示例")
COLUMNS = [("用户名", 18, True), ("姓名", 12, True), ("角色", 16, True), ("镇（街道）", 16, True),
           ("社区（村）", 14, False), ("联系电话", 15, False)]
# Roles an import makes: the ones bound to a street. Staff of the district and units are few and
# made one by one on the page.
IMPORT_ROLES = (Role.street_staff, Role.convener, Role.member, Role.collector)


def import_roles(actor: Any) -> list[Role]:
    return [r for r in IMPORT_ROLES if r in perm.grantable_roles(actor)]


async def _towns(actor: Any) -> list[dict]:
    query = Town.select(Town.id, Town.name).order_by(Town.id)
    if perm.role_of(actor) is Role.street_staff:
        query = query.where(Town.id == actor.town)
    return await query.run()


async def _communities(town_ids: list[int]) -> list[dict]:
    if not town_ids:
        return []
    return await Community.select(Community.id, Community.name, Community.town).where(
        Community.town.is_in(town_ids)).order_by(Community.id).run()


async def template_xlsx(actor: Any) -> tuple[str, str, bytes]:
    from openpyxl import Workbook  # noqa: PLC0415 — start-up cost
    from openpyxl.styles import Font, PatternFill  # noqa: PLC0415 — start-up cost
    from openpyxl.worksheet.datavalidation import DataValidation  # noqa: PLC0415 — start-up cost

    towns = await _towns(actor)
    comms = await _communities([t["id"] for t in towns])
    roles = [r.label for r in import_roles(actor)]
    wb = Workbook()
    ws = wb.active
    ws.title = "账号"
    ws.append([name + ("*" if required else "") for name, _w, required in COLUMNS])
    for i, (_n, width, required) in enumerate(COLUMNS, start=1):
        cell = ws.cell(row=1, column=i)
        cell.font = Font(bold=True, color="FFFFFF" if required else "000000")
        cell.fill = PatternFill("solid", fgColor="B3261E" if required else "EFEBE6")
        ws.column_dimensions[cell.column_letter].width = width
    ws.freeze_panes = "A2"
    ws.append(["（示例，导入前请删除此行）wang_xy", "王秀英", roles[-1] if roles else "",
               towns[0]["name"] if towns else "", comms[0]["name"] if comms else "", "13800138000"])
    options = wb.create_sheet("选项")
    lists = (roles, [t["name"] for t in towns], sorted({c["name"] for c in comms}))
    for col, values in enumerate(lists, start=1):
        for row, value in enumerate(values, start=1):
            options.cell(row=row, column=col, value=value)
    options.sheet_state = "hidden"
    for letter, col_letter, values in (("C", "A", lists[0]), ("D", "B", lists[1]), ("E", "C", lists[2])):
        if not values:
            continue
        dv = DataValidation(type="list", formula1=f"='选项'!${col_letter}$1:${col_letter}${len(values)}",
                            allow_blank=letter == "E", showErrorMessage=True, errorTitle="请从列表中选择",
                            error="请从下拉列表中选择。")
        dv.add(f"{letter}2:{letter}{IMPORT_MAX_ROWS + 1}")
        ws.add_data_validation(dv)
    notes = wb.create_sheet("填写说明")
    for line in [
        "账号批量导入模板",
        "1. 每行一个账号；带 * 的列必须填写。第一行表头不要改动，示例行可以删除（留着也不会导入）。",
        "2. 用户名用于登录：2 到 40 个字母、数字或 _ . -，不能与已有账号重复。",
        "3. 角色、镇（街道）、社区（村）请从下拉列表中选择；社区只对民情收集员有用，可不填。",
        f"4. 一次最多 {IMPORT_MAX_ROWS} 行。只要有一行出错，整个文件都不会导入，系统会列出每个出错的行和原因。",
        "5. 导入成功后会下载一份初始密码表，只提供这一次。请分发给本人，本人第一次登录时必须改成自己的密码。",
        "角色：" + "、".join(roles),
    ]:
        notes.append([line])
    notes.column_dimensions["A"].width = 100
    out = io.BytesIO()
    wb.save(out)
    return "账号导入模板.xlsx", XLSX, out.getvalue()


@dataclass(frozen=True)
class RowError:
    row: int
    column: str
    message: str


class ImportFailed(DomainError):
    """Nothing was imported; `errors` lists every bad row and why."""

    def __init__(self, errors: list[RowError], message: str | None = None) -> None:
        super().__init__(message or ngettext(
            "文件中有 {n} 处错误，没有导入任何账号。请改正后重新上传。",
            "文件中有 {n} 处错误，没有导入任何账号。请改正后重新上传。", len(errors)).format(
            n=len(errors)), 400)
        self.errors = errors


@dataclass(frozen=True)
class NewAccount:
    username: str
    display_name: str
    role: Role
    town_id: int
    town_name: str
    community_id: int | None
    phone: str


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


async def parse_import(data: bytes, actor: Any) -> list[NewAccount]:
    if len(data) > IMPORT_MAX_BYTES:
        raise ImportFailed([], _("文件太大（超过 2 MB），请分成几个文件导入。"))
    try:
        rows = iter(await xlsx.read_rows(data, "账号", IMPORT_MAX_ROWS))
    except xlsx.UploadRefused as exc:
        raise ImportFailed([], exc.message) from exc
    header = [_text(h).rstrip("*").strip() for h in (next(rows, None) or [])]
    index = {name: header.index(name) for name, _w, _r in COLUMNS if name in header}
    missing = [name for name, _w, required in COLUMNS if required and name not in index]
    if missing:
        raise ImportFailed([RowError(1, m, _("缺少这一列，请使用下载的模板。")) for m in missing])

    roles = {r.label: r for r in import_roles(actor)} | {r.value: r for r in import_roles(actor)}
    towns = {t["name"]: t["id"] for t in await _towns(actor)}
    comms = {(c["town"], c["name"]): c["id"] for c in await _communities(list(towns.values()))}
    errors: list[RowError] = []
    accounts: list[NewAccount] = []
    seen: dict[str, int] = {}
    for number, values in enumerate(rows, start=2):
        cells = {name: _text(values[i] if i < len(values) else None) for name, i in index.items()}
        if not any(cells.values()):
            continue
        if cells.get("用户名", "").startswith(EXAMPLE_MARKS):
            continue
        if len(accounts) + len({e.row for e in errors}) >= IMPORT_MAX_ROWS:
            raise ImportFailed(errors, _("一次最多导入 {n} 行，请分成几个文件。").format(n=IMPORT_MAX_ROWS))
        bad = len(errors)

        def err(column: str, message: str, number: int = number) -> None:
            errors.append(RowError(number, column, message))

        username = cells.get("用户名", "")
        if not USERNAME_RE.match(username):
            err("用户名", _("用户名应为 2 到 40 个字母、数字或 _ . -。"))
        elif username.lower() in seen:
            err("用户名", _("与第 {n} 行的用户名重复。").format(n=seen[username.lower()]))
        else:
            seen[username.lower()] = number
        name = cells.get("姓名", "")
        if not name:
            err("姓名", _("请填写姓名。"))
        elif len(name) > 40:
            err("姓名", _("姓名不能超过 40 个字。"))
        role = roles.get(cells.get("角色", ""))
        if not cells.get("角色"):
            err("角色", _("请填写角色。"))
        elif role is None:
            err("角色", _("不能导入“{v}”这个角色，请从下拉列表中选择。").format(v=cells["角色"]))
        town_id = towns.get(cells.get("镇（街道）", ""))
        if not cells.get("镇（街道）"):
            err("镇（街道）", _("请填写镇（街道）。"))
        elif town_id is None:
            err("镇（街道）", _("没有“{v}”，或您不能为它建账号，请从下拉列表中选择。").format(v=cells["镇（街道）"]))
        community_id = None
        if cells.get("社区（村）") and town_id is not None:
            community_id = comms.get((town_id, cells["社区（村）"]))
            if community_id is None:
                err("社区（村）", _("{t}没有“{v}”，请从下拉列表中选择。").format(
                    t=cells["镇（街道）"], v=cells["社区（村）"]))
        phone = cells.get("联系电话", "")
        if len(phone) > 30:
            err("联系电话", _("联系电话太长。"))
        if len(errors) == bad and role is not None and town_id is not None:  # no error in this row
            accounts.append(NewAccount(username, name, role, town_id, cells["镇（街道）"],
                                       community_id if role is Role.collector else None, phone))
    # Usernames are compared without case: "Wang" and "wang" would be two accounts to confuse.
    existing = {r["username"].lower(): r["username"] for r in await User.select(User.username).run()}
    for lowered, number in seen.items():
        if lowered in existing:
            errors.append(RowError(number, "用户名", _("用户名“{name}”已被使用。").format(name=existing[lowered])))
    if errors:
        raise ImportFailed(sorted(errors, key=lambda e: e.row))
    if not accounts:
        raise ImportFailed([], _("文件里没有可导入的账号（除表头和示例行外都是空行）。"))
    return accounts


async def import_accounts(data: bytes, actor: Any) -> list[tuple[NewAccount, str]]:
    """Every row's account in one transaction, each with a one-time password (returned)."""
    accounts = await parse_import(data, actor)
    secrets_ = [passwords.one_time_password() for _ in accounts]
    hashes = await anyio.to_thread.run_sync(lambda: [hash_one_time_sync(p) for p in secrets_])
    now = datetime.now(UTC)
    async with User._meta.db.transaction():
        rows = await User.insert(*[
            User(username=a.username, display_name=a.display_name, password_hash=h, role=a.role.value,
                 town=a.town_id, community=a.community_id, phone=a.phone, must_change_password=True, created_at=now)
            for a, h in zip(accounts, hashes, strict=True)]).returning(User.id).run()
        for a, row in zip(accounts, rows, strict=True):
            await audit.record("account.user.created", actor=actor, object_type="user", object_id=row["id"],
                               username=a.username, role=a.role.value, imported=True)
    return list(zip(accounts, secrets_, strict=True))


def passwords_xlsx(created: list[tuple[NewAccount, str]]) -> tuple[str, str, bytes]:
    """The sheet of one-time passwords, downloaded once right after the import."""
    from openpyxl import Workbook  # noqa: PLC0415 — start-up cost
    from openpyxl.styles import Font  # noqa: PLC0415 — start-up cost

    wb = Workbook()
    ws = wb.active
    ws.title = _("初始密码")
    ws.append([_("用户名"), _("姓名"), _("角色"), _("镇（街道）"), _("初始密码")])
    for cell in ws[1]:
        cell.font = Font(bold=True)
    for account, password in created:
        xlsx.append(ws, [account.username, account.display_name, account.role.label, account.town_name, password])
    for letter, width in zip("ABCDE", (18, 12, 16, 16, 16), strict=True):
        ws.column_dimensions[letter].width = width
    ws.append([])
    ws.append([_("初始密码只提供这一次；本人第一次登录后必须改成自己的密码。请妥善分发，用完销毁本表。")])
    out = io.BytesIO()
    wb.save(out)
    stamp = datetime.now(UTC).strftime("%Y%m%d%H%M")
    return _("初始密码-{d}.xlsx").format(d=stamp), XLSX, out.getvalue()
