"""Reading QR codes and barcodes back with an independent decoder (zxing-cpp), to check that what ogedge draws
scans."""

from __future__ import annotations

from io import BytesIO

import zxingcpp
from PIL import Image


def read_codes(image: bytes | Image.Image) -> list[tuple[str, str]]:
    """(format, text) of every symbol zxing-cpp finds, e.g. ``("QRCode", "https://...")``, ``("EAN13", "...")``."""
    if isinstance(image, bytes):
        with Image.open(BytesIO(image)) as opened:
            picture = opened.convert("RGB")
    else:
        picture = image.convert("RGB")
    return sorted((found.format.name, found.text) for found in zxingcpp.read_barcodes(picture))
