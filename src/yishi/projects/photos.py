"""Photos of weekly and completion reports: checked, re-encoded, stored on disk by content hash.

Every upload is decoded and re-encoded with Pillow, so what is stored is a plain JPEG that we
wrote ourselves: the EXIF block (GPS position, phone model, time) is not carried over, the
orientation a phone records in EXIF is applied to the pixels first, the long side is at most
2,560 px, and a thumbnail is made. Anything Pillow cannot read as JPEG, PNG, WebP (or HEIC, when
pillow-heif is installed) is refused, as is a decompression bomb (more pixels than any phone
takes). All files of an upload are checked before any is saved: one bad file, nothing saved.

Files live under <data_dir>/photos/<first two hex digits>/<sha256>.jpg (and <sha256>_t.jpg),
outside the database; the same photo uploaded twice is stored once."""
from __future__ import annotations

import asyncio
import hashlib
import io
import os
import warnings
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from PIL import Image, ImageOps, UnidentifiedImageError

from yishi.core.errors import DomainError, NotFound
from yishi.core.i18n import _
from yishi.projects import services
from yishi.projects.enums import ProjectState
from yishi.projects.tables import Photo, WeeklyReport

try:  # HEIC from iPhones; optional, as the wheel is large and not on every platform
    import pillow_heif

    pillow_heif.register_heif_opener()
    HEIC = True
except ImportError:  # pragma: no cover - depends on the machine
    HEIC = False

MAX_PHOTOS = 9
MAX_BYTES = 15 * 1024 * 1024
LONG_SIDE = 2560
THUMB_SIDE = 480
# 64 megapixels: above any phone camera in use by a unit clerk; a 20,000 x 20,000 bomb is not.
MAX_PIXELS = 64_000_000
FORMATS = {"JPEG", "PNG", "WEBP", "MPO"} | ({"HEIF"} if HEIC else set())


@dataclass(frozen=True)
class Processed:
    sha256: str
    full: bytes
    thumb: bytes
    width: int
    height: int


def _refuse(name: str, why: str) -> DomainError:
    return DomainError(_("照片“{name}”{why}，本次上传的照片都没有保存。").format(name=name, why=why))


def process(data: bytes, name: str = "") -> Processed:
    """Decode, check and re-encode one upload; DomainError in Chinese if it is refused."""
    if len(data) > MAX_BYTES:
        raise _refuse(name, _("超过 15 MB"))
    if not data:
        raise _refuse(name, _("是空文件"))
    with warnings.catch_warnings():
        # Pillow only warns between MAX_IMAGE_PIXELS and twice that; a warning is a refusal here.
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        previous, Image.MAX_IMAGE_PIXELS = Image.MAX_IMAGE_PIXELS, MAX_PIXELS
        try:
            image = Image.open(io.BytesIO(data))
            if image.format not in FORMATS:
                raise _refuse(name, _("不是 JPEG、PNG、WebP 或 HEIC 格式的图片"))
            if image.format == "JPEG":
                image.draft("RGB", (LONG_SIDE, LONG_SIDE))  # decode at a reduced scale: much faster
            image.load()
        except (Image.DecompressionBombError, Image.DecompressionBombWarning):
            raise _refuse(name, _("像素过多，无法处理")) from None
        except (UnidentifiedImageError, OSError, SyntaxError, ValueError):
            raise _refuse(name, _("不是能识别的图片文件，或文件已损坏")) from None
        finally:
            Image.MAX_IMAGE_PIXELS = previous
    upright = _rgb(ImageOps.exif_transpose(image))
    upright.thumbnail((LONG_SIDE, LONG_SIDE), Image.Resampling.LANCZOS)
    full = _jpeg(upright, 85)
    thumb_image = upright.copy()
    thumb_image.thumbnail((THUMB_SIDE, THUMB_SIDE), Image.Resampling.LANCZOS)
    return Processed(hashlib.sha256(full).hexdigest(), full, _jpeg(thumb_image, 80), upright.width, upright.height)


def _rgb(image: Image.Image) -> Image.Image:
    if image.mode in ("RGBA", "LA") or (image.mode == "P" and "transparency" in image.info):
        rgba = image.convert("RGBA")
        white = Image.new("RGB", rgba.size, (255, 255, 255))
        white.paste(rgba, mask=rgba.getchannel("A"))
        return white
    return image.convert("RGB")


def _jpeg(image: Image.Image, quality: int) -> bytes:
    out = io.BytesIO()
    image.save(out, "JPEG", quality=quality, optimize=True)  # no exif= : nothing of the upload's is kept
    return out.getvalue()


def path_of(data_dir: Path, sha256: str, thumb: bool = False) -> Path:
    return Path(data_dir) / "photos" / sha256[:2] / f"{sha256}{'_t' if thumb else ''}.jpg"


def _write(path: Path, data: bytes) -> None:
    if path.exists():
        return  # content-addressed: the same bytes are already there
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(f".{os.getpid()}.tmp")
    with open(tmp, "wb") as fh:
        fh.write(data)
        fh.flush()
        os.fsync(fh.fileno())
    os.replace(tmp, path)


async def attach(project_id: int, uploads: list[tuple[str, bytes]], *, data_dir: Path, actor: Any,
                 report_id: int | None = None) -> list[int]:
    """Photos for a weekly report (report_id) or for the completion report (None)."""
    p = await services.get_project(project_id)
    if p["state"] not in (ProjectState.underway, ProjectState.completed):
        raise DomainError(_("项目现在是“{state}”，不能上传照片。").format(state=p["state"].label))
    if report_id is not None and not await WeeklyReport.exists().where(
            (WeeklyReport.id == report_id) & (WeeklyReport.project == project_id)):
        raise NotFound(_("找不到这期周报告。"))
    already = await Photo.count().where((Photo.project == project_id) & (
        Photo.report == report_id if report_id is not None else Photo.report.is_null())).run()
    if already + len(uploads) > MAX_PHOTOS:
        raise DomainError(_("每期报告最多 9 张照片，已有 {n} 张。").format(n=already))
    # Decoding a 12-megapixel photo takes about 0.6 s of CPU: off the event loop. Every file is
    # checked before any is kept.
    processed = [await asyncio.to_thread(process, data, name) for name, data in uploads]
    for item in processed:
        await asyncio.to_thread(_write, path_of(data_dir, item.sha256), item.full)
        await asyncio.to_thread(_write, path_of(data_dir, item.sha256, thumb=True), item.thumb)
    now = services.now()
    rows = await Photo.insert(*[Photo(project=project_id, report=report_id, sha256=i.sha256, width=i.width,
                                      height=i.height, size=len(i.full), uploaded_by=getattr(actor, "id", None),
                                      uploaded_at=now) for i in processed]
                              ).returning(Photo.id).run() if processed else []
    await services.log(project_id, "photos.added", actor, report=report_id, count=len(processed))
    return [r["id"] for r in rows]


async def lookup(photo_id: int) -> dict:
    """A photo's project (for the route's permission check) and where its file is."""
    row = await Photo.select(*Photo.all_columns(), Photo.project._.round.town.as_alias("town_id"),
                             Photo.project.state.as_alias("project_state")).where(Photo.id == photo_id).first().run()
    if row is None:
        raise NotFound(_("找不到这张照片。"))
    return row


def read(data_dir: Path, sha256: str, thumb: bool = False) -> bytes:
    path = path_of(data_dir, sha256, thumb)
    if not path.exists():
        raise NotFound(_("照片文件不存在，请联系管理员。"))
    return path.read_bytes()


async def photos_of(project_id: int) -> list[dict]:
    return await Photo.select().where(Photo.project == project_id).order_by(Photo.id).run()


async def photo_ids_by_project(project_ids: list[int]) -> dict[int, list[int]]:
    out: dict[int, list[int]] = {pid: [] for pid in project_ids}
    if project_ids:
        for row in await Photo.select(Photo.id, Photo.project).where(Photo.project.is_in(project_ids)).order_by(
                Photo.id).run():
            out[row["project"]].append(row["id"])
    return out

