"""Photos: re-encoded, EXIF (GPS) stripped, orientation applied, size limited, thumbnail; bad
files and bombs refused with nothing saved."""
import io
import struct
import zlib

import pytest
from PIL import Image

from tests import factories as f
from yishi.accounts.enums import Role
from yishi.core.errors import DomainError
from yishi.projects import photos, reports
from yishi.projects.reports import ReportInput
from yishi.projects.tables import Photo


def jpeg(width=3000, height=2000, orientation=None, gps=True) -> bytes:
    image = Image.new("RGB", (width, height), (200, 30, 30))
    image.paste((30, 30, 200), (0, 0, width // 2, height))  # left half blue: shows the rotation
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"
    if orientation:
        exif[0x0112] = orientation
    if gps:
        exif[0x8825] = {1: "N", 2: (30.0, 40.0, 50.0), 3: "E", 4: (104.0, 10.0, 5.0)}
    out = io.BytesIO()
    image.save(out, "JPEG", exif=exif.tobytes(), quality=90)
    return out.getvalue()


def png_bomb() -> bytes:
    """A PNG header claiming 40,000 x 40,000 pixels: a few hundred bytes, 1.6 gigapixels."""
    def chunk(kind, data):
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
    header = struct.pack(">IIBBBBB", 40000, 40000, 8, 2, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(b"\0" * 100))
            + chunk(b"IEND", b""))


def test_process_strips_exif_limits_side_and_applies_orientation():
    out = photos.process(jpeg(3000, 2000, orientation=6), "a.jpg")
    full = Image.open(io.BytesIO(out.full))
    assert (full.format, full.size, (out.width, out.height)) == ("JPEG", (1707, 2560), (1707, 2560))
    assert dict(full.getexif()) == {}
    assert max(Image.open(io.BytesIO(out.thumb)).size) == 480
    # Orientation 6 (rotate 90° clockwise): the blue left half is now on top.
    assert full.getpixel((850, 100))[2] > 150 and full.getpixel((850, 2400))[0] > 150


def test_process_png_with_transparency_onto_white():
    image = Image.new("RGBA", (10, 10), (0, 0, 0, 0))
    buf = io.BytesIO()
    image.save(buf, "PNG")
    out = photos.process(buf.getvalue(), "t.png")
    assert Image.open(io.BytesIO(out.full)).getpixel((5, 5)) == (255, 255, 255)


@pytest.mark.parametrize("data,why", [
    (b"%PDF-1.4 not an image", "不是能识别的图片文件，或文件已损坏"),
    (png_bomb(), "像素过多，无法处理"),
    (b"", "是空文件"),
    (b"\xff" * (15 * 1024 * 1024 + 1), "超过 15 MB"),
])
def test_process_refuses_with_message(data, why):
    with pytest.raises(DomainError) as info:
        photos.process(data, "x.bin")
    assert info.value.message == f"照片“x.bin”{why}，本次上传的照片都没有保存。"


def test_process_gif_refused():
    buf = io.BytesIO()
    Image.new("RGB", (4, 4)).save(buf, "GIF")
    with pytest.raises(DomainError) as info:
        photos.process(buf.getvalue(), "a.gif")
    assert info.value.message == "照片“a.gif”不是 JPEG、PNG、WebP 或 HEIC 格式的图片，本次上传的照片都没有保存。"


async def _report(tmp_path):
    places, (pid, _o) = await f.make_projects()
    staff = await f.make_user(Role.street_staff, places)
    await f.start_project(pid, staff)
    rid = await reports.file_report(pid, ReportInput(10, "开工", "施工", 0), actor=staff)
    return staff, pid, rid


async def test_attach_stores_by_hash_and_one_bad_file_saves_nothing(tmp_path):
    staff, pid, rid = await _report(tmp_path)
    with pytest.raises(DomainError):
        await photos.attach(pid, [("a.jpg", jpeg(800, 600)), ("b.txt", b"hello")], data_dir=tmp_path, actor=staff,
                            report_id=rid)
    assert await Photo.count() == 0 and not (tmp_path / "photos").exists()
    ids = await photos.attach(pid, [("a.jpg", jpeg(800, 600)), ("a2.jpg", jpeg(800, 600))], data_dir=tmp_path,
                              actor=staff, report_id=rid)
    rows = [await photos.lookup(i) for i in ids]
    assert rows[0]["sha256"] == rows[1]["sha256"] and len(list((tmp_path / "photos").rglob("*.jpg"))) == 2
    assert photos.read(tmp_path, rows[0]["sha256"])[:2] == b"\xff\xd8"
    assert (rows[0]["project"], rows[0]["report"]) == (pid, rid)


async def test_attach_more_than_nine_refused(tmp_path):
    staff, pid, rid = await _report(tmp_path)
    small = jpeg(40, 30, gps=False)
    await photos.attach(pid, [(f"{i}.jpg", small) for i in range(8)], data_dir=tmp_path, actor=staff, report_id=rid)
    with pytest.raises(DomainError) as info:
        await photos.attach(pid, [("9.jpg", small), ("10.jpg", small)], data_dir=tmp_path, actor=staff, report_id=rid)
    assert info.value.message == "每期报告最多 9 张照片，已有 8 张。"
    assert await Photo.count() == 8


def test_process_heic_accepted_when_pillow_heif_imports():
    if not photos.HEIC:
        pytest.skip("pillow-heif is not installed")
    buf = io.BytesIO()
    Image.new("RGB", (64, 48), (10, 200, 10)).save(buf, "HEIF")
    out = photos.process(buf.getvalue(), "a.heic")
    assert (out.width, out.height, Image.open(io.BytesIO(out.full)).format) == (64, 48, "JPEG")
