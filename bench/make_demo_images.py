"""Draw the demo site's photos with Pillow, deterministically.

    .venv/bin/python bench/make_demo_images.py [--check]

The demo needs photos to show the image pipeline, and they must be ours:
these are drawn scenes (jars, tartines, a picnic, the factory...) finished
like photographs (soft light, shadows, grain, vignette). Several carry what
real phone photos carry, so the pipeline has something to strip: GPS
coordinates and camera details in EXIF, a JPEG comment, an XMP packet, an
ICC profile. One portrait is stored sideways with an EXIF orientation tag,
as phones do, and one label is a transparent PNG.

The same script always writes the same bytes (a seeded random generator,
no clock). ``--check`` reports which files differ instead of writing.
"""

from __future__ import annotations

import argparse
import io
import math
import random
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from PIL import Image, ImageChops, ImageCms, ImageDraw, ImageFilter, ImageFont

ROOT = Path(__file__).resolve().parent.parent
S = 2  # drawn at twice the size, then reduced: smooth edges without an anti-aliasing API

BROWN = (123, 63, 0)
DARK = (74, 38, 8)
GOLD = (242, 193, 78)
CREAM = (255, 247, 232)
SPREAD = (92, 52, 22)
LYON = (45.7597, 4.8422)

Color = tuple[int, int, int]


def mix(a: Color, b: Color, t: float) -> Color:
    return (round(a[0] + (b[0] - a[0]) * t), round(a[1] + (b[1] - a[1]) * t), round(a[2] + (b[2] - a[2]) * t))


def font(size: int) -> ImageFont.FreeTypeFont | ImageFont.ImageFont:
    return ImageFont.load_default(size=size)


class Canvas:
    """A drawing surface at S× the final size, with helpers for soft shapes."""

    def __init__(self, width: int, height: int, seed: int) -> None:
        self.w, self.h = width * S, height * S
        self.final = (width, height)
        self.image = Image.new("RGB", (self.w, self.h), CREAM)
        self.draw = ImageDraw.Draw(self.image)
        self.random = random.Random(seed)

    def vertical(self, box: tuple[float, float, float, float], top: Color, bottom: Color) -> None:
        x0, y0, x1, y1 = (int(v) for v in box)
        for y in range(y0, y1):
            self.draw.line([(x0, y), (x1, y)], fill=mix(top, bottom, (y - y0) / max(1, y1 - y0 - 1)))

    def shadow(self, shape: Callable[[ImageDraw.ImageDraw], None], blur: float, strength: int = 120,
               offset: tuple[int, int] = (0, 0)) -> None:
        mask = Image.new("L", (self.w, self.h), 0)
        shape(ImageDraw.Draw(mask))
        mask = mask.filter(ImageFilter.GaussianBlur(blur * S))
        mask = ImageChops.offset(mask, offset[0] * S, offset[1] * S).point(lambda v: v * strength // 255)
        self.image.paste((20, 12, 6), (0, 0), mask)

    def glow(self, center: tuple[float, float], radius: float, color: Color, strength: int = 110) -> None:
        mask = Image.new("L", (self.w, self.h), 0)
        cx, cy = center
        ImageDraw.Draw(mask).ellipse([cx - radius, cy - radius, cx + radius, cy + radius], fill=strength)
        mask = mask.filter(ImageFilter.GaussianBlur(radius / 2))
        self.image.paste(color, (0, 0), mask)

    def finish(self, grain: float = 5.0, vignette: float = 0.35, tint: Color | None = None,
               tint_amount: float = 0.0) -> Image.Image:
        image = self.image.resize(self.final, Image.Resampling.LANCZOS)
        width, height = self.final
        if tint is not None and tint_amount:
            image = Image.blend(image, Image.new("RGB", self.final, tint), tint_amount)
        # Vignette: a radial falloff, as a lens gives.
        small = Image.new("L", (64, 64))
        for y in range(64):
            for x in range(64):
                d = math.hypot((x - 31.5) / 31.5, (y - 31.5) / 31.5) / math.sqrt(2)
                small.putpixel((x, y), int(255 * max(0.0, 1 - vignette * d ** 2.2)))
        falloff = small.resize(self.final, Image.Resampling.BICUBIC)
        image = ImageChops.multiply(image, Image.merge("RGB", (falloff, falloff, falloff)))
        # Grain, seeded, so the bytes never change.
        noise = Image.frombytes("L", self.final, self.random.randbytes(width * height))
        noise = noise.point(lambda v: 128 + int((v - 128) * grain / 128))
        grainy = ImageChops.add(image, Image.merge("RGB", (noise, noise, noise)), 1.0, -128)
        return grainy.filter(ImageFilter.UnsharpMask(radius=1.2, percent=40, threshold=2))


# -- things ---------------------------------------------------------------------


def jar(c: Canvas, x: float, y: float, width: float, height: float, lid: Color = BROWN, label: Color = GOLD,
        text: str = "MT", full: float = 0.9) -> None:
    """A jar of spread standing with its base centred at (x, y)."""
    d = c.draw
    left, right, top = x - width / 2, x + width / 2, y - height
    c.shadow(lambda m: m.ellipse([left - width * 0.1, y - width * 0.12, right + width * 0.35, y + width * 0.12],
                                 fill=255), blur=10, strength=140, offset=(8, 2))
    glass = (214, 198, 176)
    d.rounded_rectangle([left, top + height * 0.08, right, y], radius=width * 0.16, fill=glass)
    d.rounded_rectangle([left + width * 0.05, top + height * (1 - full), right - width * 0.05, y - width * 0.05],
                        radius=width * 0.12, fill=SPREAD)
    d.rounded_rectangle([left + width * 0.12, top + height * 0.2, left + width * 0.2, y - height * 0.12],
                        radius=width * 0.04, fill=(160, 120, 86))
    d.rounded_rectangle([left - width * 0.03, top, right + width * 0.03, top + height * 0.16],
                        radius=width * 0.05, fill=lid)
    for k in range(1, 6):
        xx = left + (right - left) * k / 6
        d.line([(xx, top + height * 0.02), (xx, top + height * 0.14)], fill=mix(lid, (0, 0, 0), 0.25), width=S * 2)
    ly0, ly1 = top + height * 0.38, top + height * 0.74
    d.rectangle([left, ly0, right, ly1], fill=label)
    d.rectangle([left, ly0 + (ly1 - ly0) * 0.78, right, ly1], fill=BROWN)
    f = font(int(width * 0.34))
    d.text((x, (ly0 + ly1) / 2 - (ly1 - ly0) * 0.08), text, fill=BROWN, font=f, anchor="mm")
    d.line([(right - width * 0.12, top + height * 0.22), (right - width * 0.12, y - height * 0.1)],
           fill=(246, 238, 226), width=max(2, int(width * 0.025)))


def tartine(c: Canvas, x: float, y: float, size: float, angle: float, bite: bool = False) -> None:
    """A slice of bread spread with the brand's paste, seen from above."""
    slice_ = Image.new("RGBA", (int(size * 1.3), int(size * 1.3)), (0, 0, 0, 0))
    s = ImageDraw.Draw(slice_)
    pad = size * 0.15
    s.rounded_rectangle([pad, pad + size * 0.1, pad + size, pad + size], radius=size * 0.12, fill=(196, 140, 74, 255))
    s.ellipse([pad + size * 0.05, pad, pad + size * 0.95, pad + size * 0.35], fill=(196, 140, 74, 255))
    s.rounded_rectangle([pad + size * 0.07, pad + size * 0.16, pad + size * 0.93, pad + size * 0.93],
                        radius=size * 0.1, fill=(238, 214, 170, 255))
    s.ellipse([pad + size * 0.12, pad + size * 0.06, pad + size * 0.88, pad + size * 0.3], fill=(238, 214, 170, 255))
    s.rounded_rectangle([pad + size * 0.12, pad + size * 0.2, pad + size * 0.88, pad + size * 0.88],
                        radius=size * 0.14, fill=(*SPREAD, 255))
    for k in range(7):
        yy = pad + size * (0.28 + k * 0.085)
        s.arc([pad + size * 0.15, yy - size * 0.05, pad + size * 0.85, yy + size * 0.05], 200, 340,
              fill=(120, 74, 38, 255), width=max(2, int(size * 0.012)))
    if bite:
        s.ellipse([pad + size * 0.75, pad + size * 0.65, pad + size * 1.15, pad + size * 1.05], fill=(0, 0, 0, 0))
    slice_ = slice_.rotate(angle, resample=Image.Resampling.BICUBIC, expand=True)
    alpha = slice_.getchannel("A")
    box = (int(x - slice_.width / 2), int(y - slice_.height / 2))
    shade = alpha.filter(ImageFilter.GaussianBlur(12 * S)).point(lambda v: v * 120 // 255)
    c.image.paste((30, 18, 8), (box[0] + 10 * S, box[1] + 14 * S), shade)
    c.image.paste(slice_, box, slice_)


def gingham(c: Canvas, box: tuple[float, float, float, float], color: Color, step: float) -> None:
    x0, y0, x1, y1 = box
    d = c.draw
    d.rectangle(box, fill=(250, 246, 240))
    light = mix(color, (255, 255, 255), 0.55)
    xx = x0
    while xx < x1:
        d.rectangle([xx, y0, min(x1, xx + step / 2), y1], fill=light)
        xx += step
    yy = y0
    while yy < y1:
        d.rectangle([x0, yy, x1, min(y1, yy + step / 2)], fill=light)
        xx = x0
        while xx < x1:
            d.rectangle([xx, yy, min(x1, xx + step / 2), min(y1, yy + step / 2)], fill=color)
            xx += step
        yy += step


def wood(c: Canvas, box: tuple[float, float, float, float], base: Color) -> None:
    x0, y0, x1, y1 = (int(v) for v in box)
    c.vertical(box, mix(base, (255, 255, 255), 0.1), mix(base, (0, 0, 0), 0.15))
    for _ in range(int((y1 - y0) / (6 * S))):
        yy = c.random.uniform(y0, y1)
        wobble = c.random.uniform(2, 8) * S
        shade = mix(base, (0, 0, 0), c.random.uniform(0.08, 0.22))
        points = [(xx, yy + math.sin(xx / (60 * S) + yy) * wobble) for xx in range(x0, x1 + 1, 40 * S)]
        c.draw.line(points, fill=shade, width=c.random.choice((1, 2, 3)) * S)


def person(c: Canvas, x: float, y: float, height: float, color: Color, skin: Color = (224, 180, 140)) -> None:
    d = c.draw
    head = height * 0.16
    d.ellipse([x - head / 2, y - height, x + head / 2, y - height + head], fill=skin)
    d.rounded_rectangle([x - height * 0.16, y - height + head * 1.05, x + height * 0.16, y - height * 0.38],
                        radius=height * 0.08, fill=color)
    d.rounded_rectangle([x - height * 0.13, y - height * 0.42, x - height * 0.02, y], radius=height * 0.04,
                        fill=mix(color, (30, 30, 40), 0.6))
    d.rounded_rectangle([x + height * 0.02, y - height * 0.42, x + height * 0.13, y], radius=height * 0.04,
                        fill=mix(color, (30, 30, 40), 0.6))


def bunting(c: Canvas, y: float, sag: float, colors: list[Color]) -> None:
    d = c.draw
    points = [(x, y + sag * math.sin(math.pi * x / c.w)) for x in range(0, c.w + 1, 20 * S)]
    d.line(points, fill=(80, 60, 40), width=3 * S)
    step = 110 * S
    for k, x in enumerate(range(0, c.w, step)):
        top = y + sag * math.sin(math.pi * (x + step / 2) / c.w)
        d.polygon([(x + 10 * S, top), (x + step - 10 * S, top), (x + step / 2, top + 90 * S)],
                  fill=colors[k % len(colors)])


def tree(c: Canvas, x: float, y: float, size: float, green: Color) -> None:
    d = c.draw
    d.rectangle([x - size * 0.06, y - size * 0.6, x + size * 0.06, y], fill=(96, 66, 40))
    for dx, dy, r in ((0, -0.9, 0.45), (-0.3, -0.7, 0.33), (0.3, -0.72, 0.35), (0, -1.2, 0.32)):
        d.ellipse([x + dx * size - r * size, y + dy * size - r * size, x + dx * size + r * size,
                   y + dy * size + r * size], fill=mix(green, (0, 0, 0), c.random.uniform(0, 0.15)))


# -- scenes ---------------------------------------------------------------------


def scene_shelf(seed: int, size: tuple[int, int] = (2400, 1600)) -> Image.Image:
    c = Canvas(*size, seed)
    c.vertical((0, 0, c.w, c.h), (236, 224, 204), (206, 188, 160))
    c.glow((c.w * 0.25, c.h * 0.2), c.w * 0.35, (255, 244, 220), 140)
    wood(c, (0, c.h * 0.72, c.w, c.h), (150, 100, 60))
    c.draw.rectangle([0, c.h * 0.7, c.w, c.h * 0.73], fill=(120, 78, 44))
    lids = [BROWN, GOLD, (170, 40, 40), BROWN, (40, 90, 140), GOLD, BROWN]
    for k in range(7):
        jar(c, c.w * (0.12 + k * 0.127), c.h * 0.72, c.w * 0.1, c.h * 0.3, lid=lids[k], text="MT")
    return c.finish()


def scene_tartines(seed: int, size: tuple[int, int] = (2400, 1600)) -> Image.Image:
    c = Canvas(*size, seed)
    gingham(c, (0, 0, c.w, c.h), (190, 60, 50), 120 * S)
    c.shadow(lambda m: m.rounded_rectangle([c.w * 0.14, c.h * 0.14, c.w * 0.86, c.h * 0.9], radius=60 * S, fill=255),
             blur=25, strength=150, offset=(14, 18))
    c.draw.rounded_rectangle([c.w * 0.14, c.h * 0.14, c.w * 0.86, c.h * 0.9], radius=60 * S, fill=(178, 122, 74))
    wood(c, (c.w * 0.16, c.h * 0.17, c.w * 0.84, c.h * 0.87), (186, 130, 80))
    for k, (fx, fy, angle) in enumerate(((0.3, 0.4, 12), (0.52, 0.36, -8), (0.72, 0.45, 20), (0.4, 0.66, -15),
                                          (0.63, 0.68, 5))):
        tartine(c, c.w * fx, c.h * fy, c.w * 0.16, angle, bite=k == 2)
    jar(c, c.w * 0.9, c.h * 0.42, c.w * 0.1, c.h * 0.3)
    c.draw.rounded_rectangle([c.w * 0.06, c.h * 0.55, c.w * 0.08, c.h * 0.95], radius=8 * S, fill=(200, 200, 205))
    c.glow((c.w * 0.8, c.h * 0.1), c.w * 0.3, (255, 250, 235), 90)
    return c.finish()


def scene_picnic(seed: int, size: tuple[int, int] = (2400, 1600)) -> Image.Image:
    c = Canvas(*size, seed)
    c.vertical((0, 0, c.w, c.h * 0.5), (150, 196, 236), (226, 238, 246))
    c.draw.polygon([(0, c.h * 0.45), (c.w * 0.3, c.h * 0.28), (c.w * 0.55, c.h * 0.42), (c.w * 0.8, c.h * 0.26),
                    (c.w, c.h * 0.4), (c.w, c.h * 0.55), (0, c.h * 0.55)], fill=(112, 140, 120))
    c.vertical((0, c.h * 0.46, c.w, c.h * 0.56), (110, 160, 190), (150, 190, 205))
    c.vertical((0, c.h * 0.55, c.w, c.h), (128, 176, 88), (92, 140, 60))
    for k in range(6):
        tree(c, c.w * (0.05 + k * 0.19), c.h * 0.58, c.h * 0.2, (70, 118, 60))
    blanket = [(c.w * 0.2, c.h * 0.95), (c.w * 0.8, c.h * 0.95), (c.w * 0.68, c.h * 0.66), (c.w * 0.32, c.h * 0.66)]
    c.shadow(lambda m: m.polygon(blanket, fill=255), blur=14, strength=110, offset=(10, 10))
    mask = Image.new("L", (c.w, c.h), 0)
    ImageDraw.Draw(mask).polygon(blanket, fill=255)
    cloth = Canvas(size[0], size[1], seed + 1)
    gingham(cloth, (0, 0, cloth.w, cloth.h), (60, 110, 170), 90 * S)
    c.image.paste(cloth.image, (0, 0), mask)
    c.draw.rounded_rectangle([c.w * 0.36, c.h * 0.7, c.w * 0.48, c.h * 0.82], radius=20 * S, fill=(176, 120, 60))
    c.draw.arc([c.w * 0.37, c.h * 0.62, c.w * 0.47, c.h * 0.76], 180, 360, fill=(150, 100, 50), width=10 * S)
    jar(c, c.w * 0.58, c.h * 0.82, c.w * 0.07, c.h * 0.16)
    tartine(c, c.w * 0.5, c.h * 0.88, c.w * 0.08, 10)
    tartine(c, c.w * 0.66, c.h * 0.76, c.w * 0.07, -20)
    person(c, c.w * 0.24, c.h * 0.86, c.h * 0.34, (200, 70, 60))
    person(c, c.w * 0.78, c.h * 0.84, c.h * 0.3, (60, 120, 160))
    c.glow((c.w * 0.85, c.h * 0.08), c.w * 0.12, (255, 250, 220), 200)
    return c.finish(vignette=0.3)


def scene_stand(seed: int, size: tuple[int, int] = (2400, 1600)) -> Image.Image:
    c = Canvas(*size, seed)
    c.vertical((0, 0, c.w, c.h * 0.6), (168, 206, 236), (232, 240, 244))
    c.vertical((0, c.h * 0.6, c.w, c.h), (180, 172, 160), (150, 142, 132))
    for k in range(14):
        x0 = c.w * 0.1 + k * c.w * 0.0571
        c.draw.rectangle([x0, c.h * 0.12, x0 + c.w * 0.0571, c.h * 0.26], fill=BROWN if k % 2 else GOLD)
    for k in range(14):
        x0 = c.w * 0.1 + k * c.w * 0.0571
        c.draw.pieslice([x0, c.h * 0.22, x0 + c.w * 0.0571, c.h * 0.3], 0, 180, fill=BROWN if k % 2 else GOLD)
    c.draw.rectangle([c.w * 0.11, c.h * 0.26, c.w * 0.12, c.h * 0.8], fill=(90, 70, 50))
    c.draw.rectangle([c.w * 0.88, c.h * 0.26, c.w * 0.89, c.h * 0.8], fill=(90, 70, 50))
    c.draw.rectangle([c.w * 0.1, c.h * 0.62, c.w * 0.9, c.h * 0.82], fill=(250, 244, 232))
    c.draw.rectangle([c.w * 0.1, c.h * 0.62, c.w * 0.9, c.h * 0.645], fill=(230, 220, 200))
    for row, count in enumerate((9, 7, 5)):
        for k in range(count):
            x = c.w * 0.5 + (k - (count - 1) / 2) * c.w * 0.075
            jar(c, x, c.h * (0.62 - row * 0.13), c.w * 0.06, c.h * 0.13, lid=(BROWN, GOLD, (170, 40, 40))[row])
    c.draw.text((c.w * 0.5, c.h * 0.72), "MAISON TARTINE · 50 ANS", fill=BROWN, font=font(64 * S), anchor="mm")
    bunting(c, c.h * 0.03, c.h * 0.05, [GOLD, (200, 70, 60), (60, 120, 160), BROWN])
    for k in range(9):
        person(c, c.w * (0.04 + k * 0.12), c.h * 1.06, c.h * 0.38,
               [(200, 70, 60), (60, 120, 160), (90, 140, 80), (230, 180, 60)][k % 4])
    return c.finish()


def scene_factory(seed: int, size: tuple[int, int] = (2400, 1600)) -> Image.Image:
    c = Canvas(*size, seed)
    c.vertical((0, 0, c.w, c.h), (96, 92, 88), (60, 56, 52))
    for k in range(4):
        x0 = c.w * (0.08 + k * 0.23)
        c.draw.rectangle([x0, c.h * 0.08, x0 + c.w * 0.16, c.h * 0.42], fill=(206, 222, 228))
        c.draw.line([(x0 + c.w * 0.08, c.h * 0.08), (x0 + c.w * 0.08, c.h * 0.42)], fill=(70, 66, 62), width=8 * S)
        c.draw.line([(x0, c.h * 0.25), (x0 + c.w * 0.16, c.h * 0.25)], fill=(70, 66, 62), width=8 * S)
        c.glow((x0 + c.w * 0.08, c.h * 0.5), c.w * 0.12, (255, 240, 210), 60)
    c.vertical((0, c.h * 0.62, c.w, c.h), (120, 110, 100), (80, 74, 68))
    c.shadow(lambda m: m.ellipse([c.w * 0.08, c.h * 0.72, c.w * 0.46, c.h * 0.8], fill=255), blur=20, strength=160)
    c.draw.ellipse([c.w * 0.1, c.h * 0.3, c.w * 0.44, c.h * 0.42], fill=(196, 112, 60))
    c.draw.rectangle([c.w * 0.1, c.h * 0.36, c.w * 0.44, c.h * 0.7], fill=(184, 100, 52))
    c.draw.ellipse([c.w * 0.1, c.h * 0.64, c.w * 0.44, c.h * 0.76], fill=(184, 100, 52))
    c.draw.ellipse([c.w * 0.12, c.h * 0.31, c.w * 0.42, c.h * 0.4], fill=SPREAD)
    for k in range(6):
        x = c.w * (0.13 + k * 0.05)
        c.draw.line([(x, c.h * 0.4), (x, c.h * 0.7)], fill=(214, 140, 86), width=6 * S)
    c.draw.line([(c.w * 0.27, 0), (c.w * 0.27, c.h * 0.33)], fill=(150, 150, 150), width=30 * S)
    c.draw.rectangle([c.w * 0.5, c.h * 0.62, c.w, c.h * 0.68], fill=(50, 50, 50))
    c.draw.rectangle([c.w * 0.5, c.h * 0.68, c.w, c.h * 0.72], fill=(110, 110, 110))
    for k in range(7):
        jar(c, c.w * (0.55 + k * 0.065), c.h * 0.62, c.w * 0.045, c.h * 0.12, lid=GOLD)
    person(c, c.w * 0.6, c.h * 0.95, c.h * 0.45, (236, 236, 240))
    c.draw.ellipse([c.w * 0.575, c.h * 0.48, c.w * 0.625, c.h * 0.51], fill=(240, 240, 244))
    return c.finish(vignette=0.45)


def scene_bread(seed: int, size: tuple[int, int] = (2400, 1600)) -> Image.Image:
    c = Canvas(*size, seed)
    wood(c, (0, 0, c.w, c.h), (120, 84, 56))
    c.shadow(lambda m: m.ellipse([c.w * 0.12, c.h * 0.2, c.w * 0.6, c.h * 0.85], fill=255), blur=30, strength=170,
             offset=(20, 20))
    c.draw.ellipse([c.w * 0.12, c.h * 0.2, c.w * 0.6, c.h * 0.85], fill=(170, 104, 48))
    c.draw.ellipse([c.w * 0.15, c.h * 0.24, c.w * 0.57, c.h * 0.8], fill=(196, 128, 62))
    for k in range(4):
        c.draw.arc([c.w * (0.18 + k * 0.08), c.h * 0.3, c.w * (0.3 + k * 0.08), c.h * 0.74], 240, 300,
                   fill=(236, 200, 140), width=14 * S)
    tartine(c, c.w * 0.72, c.h * 0.38, c.w * 0.2, 8)
    tartine(c, c.w * 0.78, c.h * 0.72, c.w * 0.2, -12)
    jar(c, c.w * 0.92, c.h * 0.98, c.w * 0.12, c.h * 0.36)
    c.glow((c.w * 0.2, c.h * 0.1), c.w * 0.3, (255, 244, 220), 80)
    return c.finish()


def scene_cake(seed: int, size: tuple[int, int] = (2400, 1600)) -> Image.Image:
    c = Canvas(*size, seed)
    c.vertical((0, 0, c.w, c.h), (60, 34, 20), (110, 62, 30))
    for _ in range(40):
        x, y, r = c.random.uniform(0, c.w), c.random.uniform(0, c.h * 0.6), c.random.uniform(10, 60) * S
        c.glow((x, y), r, (255, 210, 140), 90)
    c.shadow(lambda m: m.ellipse([c.w * 0.2, c.h * 0.8, c.w * 0.8, c.h * 0.95], fill=255), blur=25, strength=180)
    c.draw.ellipse([c.w * 0.18, c.h * 0.78, c.w * 0.82, c.h * 0.94], fill=(236, 236, 232))
    c.draw.rectangle([c.w * 0.25, c.h * 0.52, c.w * 0.75, c.h * 0.86], fill=SPREAD)
    c.draw.ellipse([c.w * 0.25, c.h * 0.8, c.w * 0.75, c.h * 0.92], fill=SPREAD)
    c.draw.ellipse([c.w * 0.25, c.h * 0.46, c.w * 0.75, c.h * 0.58], fill=(120, 72, 34))
    for k in range(12):
        x = c.w * (0.27 + k * 0.042)
        c.draw.ellipse([x - 14 * S, c.h * 0.54, x + 14 * S, c.h * 0.6], fill=GOLD)
    c.draw.text((c.w * 0.5, c.h * 0.33), "50", fill=GOLD, font=font(360 * S), anchor="mm",
                stroke_width=6 * S, stroke_fill=(255, 236, 180))
    for k in range(5):
        x = c.w * (0.36 + k * 0.07)
        c.draw.rectangle([x - 8 * S, c.h * 0.42, x + 8 * S, c.h * 0.52], fill=(240, 240, 250))
        c.glow((x, c.h * 0.39), 40 * S, (255, 200, 90), 230)
        c.draw.ellipse([x - 7 * S, c.h * 0.37, x + 7 * S, c.h * 0.41], fill=(255, 240, 190))
    return c.finish(vignette=0.5)


def scene_gouter(seed: int, size: tuple[int, int] = (2400, 1600)) -> Image.Image:
    c = Canvas(*size, seed)
    c.vertical((0, 0, c.w, c.h * 0.45), (222, 206, 170), (200, 180, 140))
    c.draw.rectangle([0, c.h * 0.45, c.w, c.h], fill=(230, 222, 200))
    gingham(c, (0, c.h * 0.45, c.w, c.h), (220, 120, 60), 100 * S)
    for k, x in enumerate((0.25, 0.72)):
        c.shadow(lambda m, x=x: m.ellipse([c.w * (x - 0.14), c.h * 0.62, c.w * (x + 0.14), c.h * 0.86], fill=255),
                 blur=14, strength=120, offset=(8, 10))
        c.draw.ellipse([c.w * (x - 0.14), c.h * 0.62, c.w * (x + 0.14), c.h * 0.86], fill=(250, 250, 246))
        c.draw.ellipse([c.w * (x - 0.1), c.h * 0.65, c.w * (x + 0.1), c.h * 0.83], fill=(232, 230, 224))
        c.draw.ellipse([c.w * (x - 0.08), c.h * 0.5, c.w * (x + 0.08), c.h * 0.58], fill=(70 + k * 20, 140, 200))
        c.draw.rectangle([c.w * (x - 0.08), c.h * 0.54, c.w * (x + 0.08), c.h * 0.7], fill=(70 + k * 20, 140, 200))
        c.draw.ellipse([c.w * (x - 0.07), c.h * 0.51, c.w * (x + 0.07), c.h * 0.565], fill=(120, 72, 40))
    tartine(c, c.w * 0.48, c.h * 0.78, c.w * 0.14, 6)
    tartine(c, c.w * 0.5, c.h * 0.62, c.w * 0.12, -10)
    jar(c, c.w * 0.9, c.h * 0.72, c.w * 0.09, c.h * 0.26)
    return c.finish(grain=12, vignette=0.55, tint=(214, 180, 120), tint_amount=0.22)


def scene_quays(seed: int, size: tuple[int, int] = (2400, 1600)) -> Image.Image:
    c = Canvas(*size, seed)
    c.vertical((0, 0, c.w, c.h * 0.55), (246, 180, 120), (250, 220, 170))
    c.glow((c.w * 0.7, c.h * 0.4), c.w * 0.1, (255, 240, 200), 230)
    for k in range(9):
        x0 = c.w * k * 0.12
        top = c.h * (0.22 + 0.08 * ((k * 37) % 5) / 5)
        c.draw.rectangle([x0, top, x0 + c.w * 0.11, c.h * 0.55], fill=mix((180, 120, 90), (120, 80, 70), (k % 3) / 3))
        for row in range(int((c.h * 0.55 - top) / (60 * S))):
            for col in range(3):
                c.draw.rectangle([x0 + c.w * (0.015 + col * 0.032), top + row * 60 * S + 20 * S,
                                  x0 + c.w * (0.032 + col * 0.032), top + row * 60 * S + 44 * S], fill=(250, 226, 170))
    c.vertical((0, c.h * 0.55, c.w, c.h * 0.72), (150, 150, 170), (110, 110, 140))
    c.draw.rectangle([0, c.h * 0.72, c.w, c.h], fill=(176, 160, 140))
    bunting(c, c.h * 0.08, c.h * 0.08, [GOLD, BROWN, (200, 70, 60)])
    for k in range(11):
        person(c, c.w * (0.03 + k * 0.095), c.h * (0.98 + 0.03 * (k % 2)), c.h * 0.32,
               [(200, 70, 60), (60, 120, 160), (90, 140, 80), (230, 180, 60), BROWN][k % 5])
    return c.finish(vignette=0.4)


def scene_giant_tartine(seed: int, size: tuple[int, int] = (2400, 1600)) -> Image.Image:
    """Seven metres of tartine on trestle tables, and the crowd around it."""
    c = Canvas(*size, seed)
    c.vertical((0, 0, c.w, c.h * 0.5), (120, 150, 200), (230, 200, 170))
    for k in range(9):
        x0 = c.w * k * 0.12
        c.draw.rectangle([x0, c.h * 0.18, x0 + c.w * 0.115, c.h * 0.5], fill=mix((196, 150, 110), (150, 100, 80), (k % 3) / 3))
    c.draw.rectangle([0, c.h * 0.5, c.w, c.h], fill=(170, 158, 140))
    bunting(c, c.h * 0.06, c.h * 0.06, [GOLD, (200, 70, 60), (60, 120, 160)])
    for k in range(10):
        person(c, c.w * (0.05 + k * 0.1), c.h * 0.72, c.h * 0.3, [(200, 70, 60), (60, 120, 160), (90, 140, 80),
                                                                   (230, 180, 60), BROWN][k % 5])
    c.shadow(lambda m: m.rectangle([c.w * 0.02, c.h * 0.66, c.w * 0.98, c.h * 0.9], fill=255), blur=16, strength=140,
             offset=(0, 14))
    c.draw.rectangle([c.w * 0.02, c.h * 0.66, c.w * 0.98, c.h * 0.86], fill=(250, 250, 248))
    c.draw.rounded_rectangle([c.w * 0.04, c.h * 0.64, c.w * 0.96, c.h * 0.75], radius=40 * S, fill=(196, 140, 74))
    c.draw.rounded_rectangle([c.w * 0.05, c.h * 0.645, c.w * 0.95, c.h * 0.735], radius=34 * S, fill=SPREAD)
    for k in range(30):
        x = c.w * (0.07 + k * 0.029)
        c.draw.arc([x, c.h * 0.66, x + c.w * 0.03, c.h * 0.72], 200, 340, fill=(130, 80, 40), width=4 * S)
    for k in range(6):
        c.draw.rectangle([c.w * (0.06 + k * 0.18), c.h * 0.86, c.w * (0.075 + k * 0.18), c.h], fill=(120, 90, 60))
    c.draw.text((c.w * 0.5, c.h * 0.94), "7 m", fill=BROWN, font=font(90 * S), anchor="mm")
    return c.finish(vignette=0.35)


def scene_tower(seed: int, size: tuple[int, int] = (1600, 2400)) -> Image.Image:
    """A portrait: a tower of jars (stored sideways with an orientation tag)."""
    c = Canvas(*size, seed)
    c.vertical((0, 0, c.w, c.h), (244, 232, 212), (214, 196, 170))
    c.glow((c.w * 0.7, c.h * 0.15), c.w * 0.5, (255, 250, 232), 150)
    wood(c, (0, c.h * 0.88, c.w, c.h), (150, 100, 60))
    for row, count in enumerate((4, 3, 3, 2, 2, 1)):
        for k in range(count):
            x = c.w * 0.5 + (k - (count - 1) / 2) * c.w * 0.22
            jar(c, x, c.h * (0.88 - row * 0.135), c.w * 0.18, c.h * 0.12,
                lid=(BROWN, GOLD, (170, 40, 40), BROWN, GOLD, (40, 90, 140))[row])
    return c.finish()


def scene_workshop(seed: int, size: tuple[int, int] = (2400, 1600)) -> Image.Image:
    c = Canvas(*size, seed)
    wood(c, (0, 0, c.w, c.h), (200, 160, 120))
    for k in range(6):
        x, y = c.w * (0.12 + (k % 3) * 0.27), c.h * (0.12 + (k // 3) * 0.42)
        c.shadow(lambda m, x=x, y=y: m.rectangle([x, y, x + c.w * 0.22, y + c.h * 0.32], fill=255), blur=8,
                 strength=100, offset=(6, 8))
        c.draw.rectangle([x, y, x + c.w * 0.22, y + c.h * 0.32], fill=(252, 250, 244))
        c.draw.rounded_rectangle([x + c.w * 0.02, y + c.h * 0.05, x + c.w * 0.2, y + c.h * 0.22], radius=30 * S,
                                 fill=GOLD)
        name = ("JADE", "ROMAIN", "LUCIE", "ISIS", "MAMIE", "PAPA")[k]
        c.draw.text((x + c.w * 0.11, y + c.h * 0.135), name, fill=BROWN, font=font(70 * S), anchor="mm")
        c.draw.rectangle([x, y + c.h * 0.25, x + c.w * 0.22, y + c.h * 0.28], fill=BROWN)
    c.draw.rounded_rectangle([c.w * 0.05, c.h * 0.88, c.w * 0.4, c.h * 0.91], radius=10 * S, fill=(40, 90, 140))
    c.draw.rounded_rectangle([c.w * 0.55, c.h * 0.9, c.w * 0.85, c.h * 0.93], radius=10 * S, fill=(200, 60, 50))
    return c.finish()


def sticker(size: int = 1200) -> Image.Image:
    """A round anniversary label on a transparent background (a PNG with alpha)."""
    big = size * S
    image = Image.new("RGBA", (big, big), (0, 0, 0, 0))
    d = ImageDraw.Draw(image)
    shade = Image.new("L", (big, big), 0)
    ImageDraw.Draw(shade).ellipse([big * 0.08, big * 0.1, big * 0.96, big * 0.98], fill=110)
    shade = shade.filter(ImageFilter.GaussianBlur(20 * S))
    image.paste((40, 20, 0, 255), (0, 0), shade)
    d.ellipse([big * 0.04, big * 0.04, big * 0.92, big * 0.92], fill=(*GOLD, 255))
    d.ellipse([big * 0.09, big * 0.09, big * 0.87, big * 0.87], fill=(*BROWN, 255))
    d.ellipse([big * 0.12, big * 0.12, big * 0.84, big * 0.84], fill=(*CREAM, 255))
    d.text((big * 0.48, big * 0.38), "50", fill=BROWN, font=font(int(big * 0.3)), anchor="mm")
    d.text((big * 0.48, big * 0.6), "ANS", fill=BROWN, font=font(int(big * 0.1)), anchor="mm")
    d.text((big * 0.48, big * 0.72), "1976 · 2026", fill=(150, 100, 30), font=font(int(big * 0.055)), anchor="mm")
    for k in range(16):
        a = 2 * math.pi * k / 16
        cx, cy = big * 0.48 + math.cos(a) * big * 0.395, big * 0.48 + math.sin(a) * big * 0.395
        d.ellipse([cx - 8 * S, cy - 8 * S, cx + 8 * S, cy + 8 * S], fill=(*GOLD, 255))
    return image.resize((size, size), Image.Resampling.LANCZOS)


# -- metadata, as phones write it ---------------------------------------------------------


def _dms(value: float) -> tuple[float, float, float]:
    degrees = int(value)
    minutes = int((value - degrees) * 60)
    seconds = round(((value - degrees) * 60 - minutes) * 60, 2)
    return (float(degrees), float(minutes), seconds)


def phone_exif(gps: tuple[float, float] | None, orientation: int = 1, when: str = "2026:05:16 15:42:10",
               copyright_: str = "") -> Image.Exif:
    exif = Image.Exif()
    exif[0x010F] = "Fairphone"  # Make
    exif[0x0110] = "FP5"  # Model
    exif[0x0131] = "storysite demo"  # Software
    exif[0x0132] = when  # DateTime
    if orientation != 1:
        exif[0x0112] = orientation
    if copyright_:
        exif[0x8298] = copyright_
    exif[0x8769] = {0x9003: when, 0x9004: when}  # DateTimeOriginal, DateTimeDigitized
    if gps is not None:
        lat, lon = gps
        exif[0x8825] = {1: "N" if lat >= 0 else "S", 2: _dms(abs(lat)), 3: "E" if lon >= 0 else "W",
                        4: _dms(abs(lon)), 5: b"\x00", 6: 171.0}
    return exif


def xmp_packet(place: str) -> bytes:
    return (
        '<?xpacket begin="" id="W5M0MpCehiHzreSzNTczkc9d"?><x:xmpmeta xmlns:x="adobe:ns:meta/">'
        '<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"><rdf:Description '
        f'xmlns:photoshop="http://ns.adobe.com/photoshop/1.0/" photoshop:City="{place}"/></rdf:RDF>'
        '</x:xmpmeta><?xpacket end="w"?>'
    ).encode()


@dataclass(frozen=True)
class Demo:
    path: str
    draw: Callable[[], Image.Image]
    gps: tuple[float, float] | None = None
    portrait_sideways: bool = False
    comment: str = ""
    place: str = ""
    icc: bool = False
    quality: int = 78


def _near(lat: float, lon: float) -> tuple[float, float]:
    return (lat, lon)


DEMOS = [
    # Galleries
    Demo("content/galleries/fan-days-2026/photos/01-le-stand.jpg", lambda: scene_stand(1), gps=LYON,
         comment="Stand des 50 ans, quai Saint-Antoine", place="Lyon"),
    Demo("content/galleries/fan-days-2026/photos/02-tartines.jpg", lambda: scene_tartines(2), gps=_near(45.7640, 4.8357)),
    Demo("content/galleries/fan-days-2026/photos/03-tour-de-pots.jpg", lambda: scene_tower(3), portrait_sideways=True,
         gps=_near(45.7620, 4.8300)),
    Demo("content/galleries/fan-days-2026/photos/04-atelier-etiquettes.jpg", lambda: scene_workshop(4), icc=True),
    Demo("content/galleries/fan-days-2026/photos/05-pique-nique.jpg", lambda: scene_picnic(5)),
    Demo("content/galleries/fan-days-2026/photos/06-pastille-50-ans.png", lambda: sticker()),
    Demo("content/galleries/la-fabrique-en-images/photos/chaudron.jpg", lambda: scene_factory(7)),
    Demo("content/galleries/la-fabrique-en-images/photos/etagere.jpg", lambda: scene_shelf(8)),
    Demo("content/galleries/la-fabrique-en-images/photos/tartines.jpg", lambda: scene_bread(9)),
    # Memories
    Demo("content/memories/le-pain-maison-du-confinement/pain.jpg", lambda: scene_bread(10, (1800, 1200)),
         gps=_near(47.9030, 1.9093), comment="Cuisine, rue de Bourgogne"),
    Demo("content/memories/la-fabrique-portes-ouvertes/visite.jpg", lambda: scene_factory(11, (1800, 1200))),
    Demo("content/memories/photos/gouter-chez-mamie.jpg", lambda: scene_gouter(12, (1800, 1200))),
    Demo("content/memories/photos/tartine-geante.jpg", lambda: scene_giant_tartine(13, (1800, 1200)),
         gps=_near(45.7578, 4.8320), place="Lyon"),
    Demo("content/memories/photos/quais-50-ans.jpg", lambda: scene_quays(14, (1800, 1200))),
    # An unpublished memory's photo (status: submitted): it must never reach the output.
    Demo("content/memories/photos/pique-nique-aiguebelette.jpg", lambda: scene_picnic(15, (1800, 1200)),
         gps=_near(45.5536, 5.8010), comment="Plage de Lépin-le-Lac", place="Lépin-le-Lac"),
    # Campaign hero
    Demo("content/campaigns/photos/50-bougies.jpg", lambda: scene_cake(16)),
]


def fixed_icc() -> bytes:
    """An sRGB profile as a camera embeds it, with a fixed date (LittleCMS stamps the clock)."""
    data = bytearray(ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes())
    data[24:36] = bytes([0x07, 0xEA, 0, 5, 0, 16, 0, 0, 0, 0, 0, 0])  # 2026-05-16 00:00:00
    data[84:100] = bytes(16)  # profile ID: "not computed"
    return bytes(data)


def encode(demo: Demo) -> bytes:
    image = demo.draw()
    out = io.BytesIO()
    if demo.path.endswith(".png"):
        image.save(out, "PNG", optimize=True)
        return out.getvalue()
    orientation = 1
    if demo.portrait_sideways:
        # Stored as the sensor saw it (landscape); orientation 6 turns it upright.
        image = image.transpose(Image.Transpose.ROTATE_90)
        orientation = 6
    options: dict[str, object] = {"quality": demo.quality, "optimize": True}
    if demo.gps is not None or demo.portrait_sideways:
        options["exif"] = phone_exif(demo.gps, orientation).tobytes()
    if demo.comment:
        options["comment"] = demo.comment.encode("utf-8")
    if demo.place:
        options["xmp"] = xmp_packet(demo.place)
    if demo.icc:
        options["icc_profile"] = fixed_icc()
    image.save(out, "JPEG", **options)
    return out.getvalue()


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--check", action="store_true", help="report differences, write nothing")
    args = parser.parse_args(argv)
    total = 0
    differ = []
    for demo in DEMOS:
        data = encode(demo)
        total += len(data)
        target = ROOT / demo.path
        if args.check:
            if not target.is_file() or target.read_bytes() != data:
                differ.append(demo.path)
            continue
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)
        print(f"{len(data) / 1024:7.0f} KiB  {demo.path}")
    print(f"{total / 1024 / 1024:.2f} MiB in {len(DEMOS)} images")
    if differ:
        print("differ:", *differ, sep="\n  ")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
