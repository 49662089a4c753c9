"""A picture of what smart cropping saw: the photo under a heat map of the importance, the faces, the subject and
the chosen crop. For ``ogedge crop --debug``; not used when rendering."""

from __future__ import annotations

import numpy as np
from PIL import Image, ImageDraw

from renderer.geometry import Box
from renderer.smartcrop import Findings

FACE_COLOUR = (0, 200, 255)
SUBJECT_COLOUR = (255, 40, 200)
CROP_COLOUR = (255, 255, 255)


def _heat(weight: np.ndarray, size: tuple[int, int]) -> Image.Image:
    """Importance 0..1 as a transparent-to-red-to-yellow overlay of ``size``."""
    w = np.clip(weight, 0, 1)
    rgba = np.stack([np.full_like(w, 255), 255 * np.clip(2 * w - 1, 0, 1), np.zeros_like(w), 200 * w], -1)
    return Image.fromarray(rgba.astype(np.uint8), "RGBA").resize(size, Image.Resampling.BILINEAR)


def debug_image(image: Image.Image, findings: Findings, crop: Box) -> Image.Image:
    """The photo (dimmed outside ``crop``) with the importance heat map, face boxes, subject box and crop drawn."""
    base = image.convert("RGB")
    picture = Image.alpha_composite(base.convert("RGBA"), _heat(findings.importance.weight, base.size))
    dim = Image.new("RGBA", base.size, (0, 0, 0, 110))
    dim.paste((0, 0, 0, 0), (crop.left, crop.top, crop.right, crop.bottom))
    picture = Image.alpha_composite(picture, dim)
    draw = ImageDraw.Draw(picture)
    line = max(2, round(max(base.size) / 300))
    if findings.subject is not None:  # drawn just outside its box, so that a face's own box stays visible
        left, top, right, bottom = findings.subject.box
        draw.rectangle((left - line, top - line, right + line, bottom + line), outline=SUBJECT_COLOUR, width=line)
        draw.text((left + line, top - 4 * line - 10), findings.subject.kind, fill=SUBJECT_COLOUR)
    for face in findings.faces:
        draw.rectangle(face, outline=FACE_COLOUR, width=line)
    draw.rectangle((crop.left, crop.top, crop.right - 1, crop.bottom - 1), outline=CROP_COLOUR, width=line)
    return picture.convert("RGB")
