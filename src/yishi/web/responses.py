"""Files built by the domains' exports, sent to the browser."""
from __future__ import annotations

from urllib.parse import quote

from litestar import Response


def file_response(filename: str, mime: str, data: bytes, inline: bool = False) -> Response:
    """A built file (an exports' (filename, mimetype, bytes)) as a download, or shown in the
    browser (`inline`, PDFs); the name in RFC 5987 form, so Chinese file names survive."""
    disposition = "inline" if inline else "attachment"
    return Response(data, media_type=mime, headers={
        "Content-Disposition": f"{disposition}; filename*=UTF-8''{quote(filename)}"})
