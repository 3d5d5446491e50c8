"""Printable paper ballots: one page per code, with the list, the code and its QR code."""
from __future__ import annotations

import base64
import io
from typing import Any

from yishi.ballots import codes as code_utils
from yishi.ballots.tables import BallotCode, RoundSetting
from yishi.core.errors import Conflict, DomainError
from yishi.core.i18n import _
from yishi.core.pdf import render_pdf
from yishi.wishlists import services as wishlists
from yishi.wishlists.enums import RoundStatus

MAX_PER_PDF = 2000
SIZES = ("A4", "A5")


def qr_png(url: str) -> str:
    """The URL as a QR code, a PNG data URI: level M survives a crease or a smudge; 1-bit PNG
    keeps a thousand of them small."""
    import qrcode
    from qrcode.constants import ERROR_CORRECT_M

    qr = qrcode.QRCode(error_correction=ERROR_CORRECT_M, box_size=4, border=2)
    qr.add_data(url)
    qr.make(fit=True)
    image = qr.make_image().get_image().convert("1")
    out = io.BytesIO()
    image.save(out, format="PNG", optimize=True)
    return "data:image/png;base64," + base64.b64encode(out.getvalue()).decode()


async def unused_codes(round_id: int, community_id: int | None, limit: int) -> list[dict]:
    query = BallotCode.select(BallotCode.code, BallotCode.community.name.as_alias("community")).where(
        (BallotCode.round == round_id) & BallotCode.used_at.is_null())
    if community_id is not None:
        query = query.where(BallotCode.community == community_id)
    return await query.order_by(BallotCode.community).order_by(BallotCode.id).limit(limit)


async def paper_ballots_pdf(round_id: int, *, base_url: str, community_id: int | None = None,
                            limit: int = 1000, size: str = "A4") -> tuple[str, str, bytes]:
    """Up to `limit` unused codes of the round (of one community, or all), one ballot each."""
    if size not in SIZES:
        raise DomainError(_("纸张大小只能是 A4 或 A5。"))
    if not 1 <= limit <= MAX_PER_PDF:
        raise DomainError(_("每次可打印 1 到 {n} 张选票。").format(n=MAX_PER_PDF))
    round_ = await wishlists.get_round(round_id)
    if round_.status not in (RoundStatus.draft, RoundStatus.voting):
        raise Conflict(_("勾选已结束,不能再打印纸质选票。"))
    rows = await unused_codes(round_id, community_id, limit)
    if not rows:
        raise DomainError(_("没有未使用的选票码。请先生成选票码。"))
    items = await wishlists.items_of(round_id)
    setting = await RoundSetting.select(RoundSetting.voter_unit).where(RoundSetting.round == round_id).first()
    base = base_url.rstrip("/")
    ballots: list[dict[str, Any]] = []
    for row in rows:
        url = f"{base}/v/{row['code']}"
        ballots.append({"code": row["code"], "display": code_utils.display(row["code"]), "url": url,
                        "qr": qr_png(url), "community": row["community"]})
    data = await render_pdf("pdf/paper_ballot.html", round=round_, items=items, ballots=ballots, size=size,
                            many=len(items) > (10 if size == "A5" else 22),
                            per_household=bool(setting and setting["voter_unit"] == "household"))
    return f"round-{round_id}-paper-ballots.pdf", "application/pdf", data
