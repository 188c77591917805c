"""What the deployment tests send: OpenRosa multipart bodies with real JPEG attachments, to a free port."""

from __future__ import annotations

import io
import os
import socket
import uuid


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def padded_jpeg(size: int) -> bytes:
    """A real JPEG (attachments are checked by content), padded with random bytes after its end to ``size``."""
    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (8, 8), "blue").save(out, "JPEG")
    return out.getvalue() + os.urandom(size - out.tell())


def multipart(parts: list[tuple[str, str, bytes, str]]) -> tuple[bytes, str]:
    """A multipart/form-data body of (field name, file name, content, content type) parts, and its content type."""
    boundary = uuid.uuid4().hex
    body = b"".join(
        f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"; filename="{filename}"\r\n'
        f"Content-Type: {ctype}\r\n\r\n".encode() + content + b"\r\n"
        for name, filename, content, ctype in parts
    ) + f"--{boundary}--\r\n".encode()
    return body, f"multipart/form-data; boundary={boundary}"
