"""Draw the demo's blank label artwork (run by hand; the PNGs are committed).

    .venv/bin/python tools/label_artwork.py

Everything is drawn with Pillow at four times the size and scaled down, from
fixed shapes and the bundled Fraunces font, so a rerun gives the same bytes.
"""

from __future__ import annotations

from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

ROOT = Path(__file__).resolve().parent.parent
FONTS = ROOT / "themes/default/static/fonts/labels"
OUT = ROOT / "content/labels"
BROWN = (123, 63, 0, 255)
DARK = (74, 37, 0, 255)
YELLOW = (242, 193, 78, 255)
CREAM = (255, 250, 243, 255)
S = 4  # supersampling


def font(name: str, size: float) -> ImageFont.FreeTypeFont:
    return ImageFont.truetype(str(FONTS / f"{name}.ttf"), round(size * S))


def text(draw: ImageDraw.ImageDraw, xy: tuple[float, float], value: str, face: ImageFont.FreeTypeFont,
         fill: tuple[int, int, int, int], spacing: float = 0) -> None:
    """Centred text at (x, baseline), with extra letter spacing (in output pixels)."""
    x, y = xy[0] * S, xy[1] * S
    widths = [face.getlength(c) for c in value]
    total = sum(widths) + spacing * S * (len(value) - 1)
    pen = x - total / 2
    for char, width in zip(value, widths, strict=True):
        draw.text((pen, y), char, font=face, fill=fill, anchor="ls")
        pen += width + spacing * S


def save(image: Image.Image, name: str) -> None:
    small = image.resize((image.width // S, image.height // S), Image.Resampling.LANCZOS)
    small.save(OUT / name, "PNG", optimize=True)
    print(name, small.size, (OUT / name).stat().st_size)


def diamond(draw: ImageDraw.ImageDraw, cx: float, cy: float, r: float, fill: tuple[int, int, int, int]) -> None:
    draw.polygon([((cx) * S, (cy - r) * S), ((cx + r) * S, cy * S), (cx * S, (cy + r) * S), ((cx - r) * S, cy * S)],
                 fill=fill)


def classique() -> None:
    """An oval jar label, brand yellow in a brown frame, 1200×720."""
    w, h = 1200, 720
    image = Image.new("RGBA", (w * S, h * S), (0, 0, 0, 0))
    draw = ImageDraw.Draw(image)
    draw.ellipse((8 * S, 8 * S, (w - 8) * S, (h - 8) * S), fill=BROWN)
    draw.ellipse((26 * S, 26 * S, (w - 26) * S, (h - 26) * S), fill=YELLOW)
    draw.ellipse((44 * S, 44 * S, (w - 44) * S, (h - 44) * S), outline=BROWN, width=4 * S)
    # Sun rays behind the name, very light: the 1976 label's motif.
    for i in range(36):
        import math

        a0, a1 = math.radians(i * 10), math.radians(i * 10 + 5)
        cx, cy, r = w / 2 * S, h / 2 * S, 560 * S
        draw.polygon([(cx, cy), (cx + r * math.cos(a0), cy + r * 0.6 * math.sin(a0)),
                      (cx + r * math.cos(a1), cy + r * 0.6 * math.sin(a1))], fill=(247, 208, 110, 255))
    mask = Image.new("L", image.size, 0)
    ImageDraw.Draw(mask).ellipse((48 * S, 48 * S, (w - 48) * S, (h - 48) * S), fill=255)
    clean = Image.new("RGBA", image.size, (0, 0, 0, 0))
    frame = ImageDraw.Draw(clean)
    frame.ellipse((8 * S, 8 * S, (w - 8) * S, (h - 8) * S), fill=BROWN)
    frame.ellipse((26 * S, 26 * S, (w - 26) * S, (h - 26) * S), fill=YELLOW)
    clean.paste(image, (0, 0), mask)
    image = clean
    draw = ImageDraw.Draw(image)
    draw.ellipse((44 * S, 44 * S, (w - 44) * S, (h - 44) * S), outline=BROWN, width=4 * S)
    text(draw, (w / 2, 150), "MAISON TARTINE", font("fraunces-black", 54), BROWN, spacing=6)
    text(draw, (w / 2, 196), "LYON · DEPUIS 1976", font("fraunces-semibold", 26), DARK, spacing=8)
    for y in (232, 508):
        draw.rectangle((300 * S, (y - 2) * S, 900 * S, (y + 2) * S), fill=BROWN)
        diamond(draw, 600, y, 12, BROWN)
        diamond(draw, 600, y, 5, YELLOW)
    text(draw, (w / 2, 572), "PÂTE À TARTINER", font("fraunces-black", 34), BROWN, spacing=5)
    text(draw, (w / 2, 614), "noisettes & cacao", font("fraunces-semibold", 26), DARK, spacing=1)
    save(image, "classique.png")


def ruban() -> None:
    """A brown gingham label with a cream ribbon across it, 1200×630."""
    w, h = 1200, 630
    stripe, cross = (143, 89, 38, 255), (163, 115, 73, 255)
    base = Image.new("RGBA", (w * S, h * S), BROWN)
    check = ImageDraw.Draw(base)
    step = 36
    for i in range(0, w, step * 2):
        check.rectangle((i * S, 0, (i + step) * S - 1, h * S), fill=stripe)
    for j in range(0, h, step * 2):
        check.rectangle((0, j * S, w * S, (j + step) * S - 1), fill=stripe)
    for i in range(0, w, step * 2):
        for j in range(0, h, step * 2):
            check.rectangle((i * S, j * S, (i + step) * S - 1, (j + step) * S - 1), fill=cross)
    image = Image.new("RGBA", (w * S, h * S), (0, 0, 0, 0))
    mask = Image.new("L", image.size, 0)
    ImageDraw.Draw(mask).rounded_rectangle((6 * S, 6 * S, (w - 6) * S, (h - 6) * S), radius=44 * S, fill=255)
    image.paste(base, (0, 0), mask)
    draw = ImageDraw.Draw(image)
    draw.rounded_rectangle((24 * S, 24 * S, (w - 24) * S, (h - 24) * S), radius=28 * S, outline=YELLOW, width=4 * S)
    plate = (300, 64, 900, 170)
    draw.rounded_rectangle(tuple(v * S for v in plate), radius=53 * S, fill=BROWN, outline=YELLOW, width=3 * S)
    text(draw, (w / 2, 120), "Maison Tartine", font("fraunces-black", 46), CREAM, spacing=1)
    text(draw, (w / 2, 152), "PÂTE À TARTINER", font("fraunces-semibold", 17), YELLOW, spacing=7)
    # The ribbon: forked tails behind, folds, a cream band in front.
    top, bottom, drop = 206, 420, 36
    tail_fill, fold_fill = (233, 218, 196, 255), (190, 160, 124, 255)
    for side in (-1, 1):
        def X(v: float, side: int = side) -> float:
            return (v if side < 0 else w - v) * S
        draw.polygon([(X(200), (top + drop) * S), (X(60), (top + drop) * S), (X(120), ((top + bottom) / 2 + drop) * S),
                      (X(60), (bottom + drop) * S), (X(200), (bottom + drop) * S)], fill=tail_fill)
        draw.polygon([(X(150), bottom * S), (X(200), (bottom + drop) * S), (X(200), bottom * S)], fill=fold_fill)
    draw.rectangle((150 * S, top * S, (w - 150) * S, bottom * S), fill=CREAM)
    for y in (top + 16, bottom - 16):
        draw.line((166 * S, y * S, (w - 166) * S, y * S), fill=YELLOW, width=3 * S)
    draw.rounded_rectangle((330 * S, 466 * S, 870 * S, 566 * S), radius=50 * S, fill=BROWN, outline=YELLOW, width=3 * S)
    save(image, "ruban.png")


if __name__ == "__main__":
    OUT.mkdir(parents=True, exist_ok=True)
    classique()
    ruban()
