"""Boxes and the arithmetic of fitting: pure integer maths, no pixels."""

from __future__ import annotations

from typing import NamedTuple


class Box(NamedTuple):
    """A rectangle in pixels: left and top inclusive, right and bottom exclusive (Pillow's convention)."""

    left: int
    top: int
    right: int
    bottom: int

    @property
    def width(self) -> int:
        return self.right - self.left

    @property
    def height(self) -> int:
        return self.bottom - self.top

    @classmethod
    def of(cls, x: float, y: float, width: int, height: int) -> Box:
        left, top = round(x), round(y)
        return cls(left, top, left + width, top + height)

    def intersect(self, other: Box) -> Box | None:
        left, top = max(self.left, other.left), max(self.top, other.top)
        right, bottom = min(self.right, other.right), min(self.bottom, other.bottom)
        if right <= left or bottom <= top:
            return None
        return Box(left, top, right, bottom)

    def shifted(self, dx: int, dy: int) -> Box:
        return Box(self.left + dx, self.top + dy, self.right + dx, self.bottom + dy)


def largest_with_aspect(src_w: int, src_h: int, width: int, height: int) -> tuple[int, int]:
    """The largest (w, h) inside src_w x src_h with the aspect ratio width:height (each side at least 1)."""
    if src_w * height <= src_h * width:
        w, h = src_w, round(src_w * height / width)
    else:
        w, h = round(src_h * width / height), src_h
    return max(1, min(w, src_w)), max(1, min(h, src_h))


def place(src_w: int, src_h: int, w: int, h: int, cx: float, cy: float) -> Box:
    """A w x h box centred as near to (cx, cy) as the source allows."""
    left = min(max(round(cx - w / 2), 0), src_w - w)
    top = min(max(round(cy - h / 2), 0), src_h - h)
    return Box(left, top, left + w, top + h)


def cover_crop(src_w: int, src_h: int, width: int, height: int, focus: tuple[float, float] | None = None) -> Box:
    """The part of a src_w x src_h image that covers a width x height box: the largest region of that aspect,
    centred on ``focus`` (in source pixels) where given, else on the image's centre."""
    w, h = largest_with_aspect(src_w, src_h, width, height)
    cx, cy = focus if focus is not None else (src_w / 2, src_h / 2)
    return place(src_w, src_h, w, h, cx, cy)


def cover_scale(src_w: int, src_h: int, width: int, height: int) -> float:
    """The scale at which a src_w x src_h image just covers a width x height box."""
    return max(width / src_w, height / src_h)
