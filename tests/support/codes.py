"""Reading QR codes and barcodes back with an independent decoder (zxing-cpp), to check that what ogedge draws
scans."""

from __future__ import annotations

from io import BytesIO
from typing import Any

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


def code_card(kind: str, width: int, height: int, **fields: Any) -> dict[str, Any]:
    """A request of one ``qr-code`` or ``barcode`` layer, black on white, filling a canvas of its size."""
    layer = {
        "type": kind,
        "foreground_hex_color": "#000000",
        "background_hex_color": "#ffffff",
        "position": {"x_in_px": 0, "y_in_px": 0},
        "dimensions": {"width_in_px": width, "height_in_px": height},
        **fields,
    }
    return {"dimensions": {"width_in_px": width, "height_in_px": height}, "layers": [layer]}
