"""Benchmark the image pipeline against plain one-process Pillow, on the same photos.

    .venv/bin/python bench/images.py [--photos 100] [--sizes 2400x1600 ...] [--jobs N] [--runs 3] [--readme]

The job (from issue #6): 100 photos of 2400×1600 into 3 widths (480, 960,
1600) × (WebP + JPEG), quality 80. ``--sizes`` adds other photo sizes, such
as 4000x3000 (a 12-megapixel phone photo, where JPEG draft mode pays).

- **plain Pillow**: what one writes without thinking about speed: for each
  photo, open, ``exif_transpose``, then for each width resize the original
  with Lanczos and save it as WebP and as JPEG, in one process.
- **storysite, cold**: :func:`storysite.images.run_images` with an empty cache
  (hash, decode once with JPEG draft mode when it helps, resize to the
  largest width, derive each smaller one from the previous, strip metadata,
  encode, store in the cache), then the copy of every file into an output
  folder, as a build does.
- **storysite, cached**: the same again with the cache filled: nothing is
  encoded; the photos are hashed, found in the cache and copied out.

Both sides use the same encoders and settings (WebP method 4, quality 80;
JPEG quality 80, storysite adds Huffman optimisation, which makes smaller
files); the output sizes are printed so that nobody wins by making worse
files. Photos are generated (deterministically) in a temporary folder;
their generation is not timed. Each figure is the best of ``--runs`` runs.
``--readme`` writes the table into README.md under "## Benchmarks" →
"### Images".
"""

from __future__ import annotations

import argparse
import hashlib
import io
import os
import platform
import random
import re
import shutil
import sys
import tempfile
import time
from pathlib import Path

from PIL import Image, ImageDraw, ImageFilter, ImageOps

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from storysite.images import (  # noqa: E402
    ImageOp,
    ImagePlan,
    ImageSettings,
    cache_entry,
    default_jobs,
    run_images,
)

WIDTHS = (480, 960, 1600)
QUALITY = 80


def make_photo(index: int, size: tuple[int, int] = (2400, 1600)) -> bytes:
    """A photo-like JPEG: soft shapes, gradients and sensor noise (seeded)."""
    rng = random.Random(index)
    width, height = size
    scale = width / 2400
    image = Image.new("RGB", size)
    draw = ImageDraw.Draw(image)
    top = tuple(rng.randrange(60, 230) for _ in range(3))
    bottom = tuple(rng.randrange(20, 200) for _ in range(3))
    for y in range(height):
        t = y / (height - 1)
        draw.line([(0, y), (width, y)], fill=tuple(round(a + (b - a) * t) for a, b in zip(top, bottom, strict=True)))
    for _ in range(70):
        x, y, r = rng.randrange(width), rng.randrange(height), int(rng.randrange(15, 320) * scale)
        draw.ellipse([x - r, y - r, x + r, y + r], fill=tuple(rng.randrange(256) for _ in range(3)))
    for _ in range(40):
        x, y = rng.randrange(width), rng.randrange(height)
        draw.line([(x, y), (x + int(rng.randrange(-600, 600) * scale), y + int(rng.randrange(-400, 400) * scale))],
                  fill=tuple(rng.randrange(256) for _ in range(3)), width=int(rng.randrange(2, 14) * scale))
    image = image.filter(ImageFilter.GaussianBlur(1.6 * scale))
    noise = Image.frombytes("L", image.size, rng.randbytes(width * height)).convert("RGB")
    image = Image.blend(image, noise, 0.08)
    out = io.BytesIO()
    image.save(out, "JPEG", quality=90)
    return out.getvalue()


def plain_pillow(photos: list[Path], out_dir: Path) -> int:
    """The baseline: one process, each width resized from the original."""
    total = 0
    for path in photos:
        with Image.open(path) as opened:
            image = ImageOps.exif_transpose(opened).convert("RGB")
        for width in WIDTHS:
            height = round(width * image.height / image.width)
            resized = image.resize((width, height), Image.Resampling.LANCZOS)
            for fmt, ext in (("WEBP", "webp"), ("JPEG", "jpg")):
                target = out_dir / f"{path.stem}-{width}.{ext}"
                resized.save(target, fmt, quality=QUALITY)
                total += target.stat().st_size
    return total


def storysite_pipeline(photos: list[Path], root: Path, cache: Path, out_dir: Path, jobs: int) -> tuple[int, int, int]:
    """Plan (hash), encode or reuse, and copy into an output folder as a build does."""
    settings = ImageSettings(widths=WIDTHS, formats=("webp", "jpeg"), quality=QUALITY)
    ops = []
    keys = {}
    for path in photos:
        rel = path.relative_to(root).as_posix()
        op = ImageOp(rel, hashlib.sha256(path.read_bytes()).hexdigest(), settings)
        ops.append(op)
        keys[rel] = op.key
    plan = ImagePlan(tuple(sorted(ops, key=lambda o: o.key)), keys, {})
    results, problems = run_images(plan, root, cache, jobs)
    if problems:
        raise SystemExit("\n".join(p.format() for p in problems))
    total = 0
    for key, result in results.results.items():
        for output, filename in result.files():
            data = (cache_entry(cache, key) / filename).read_bytes()
            target = out_dir / output
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(data)
            total += len(data)
    return results.stats.encoded, results.stats.reused, total


def best(runs: int, work, setup=None):  # type: ignore[no-untyped-def]
    timings, value = [], None
    for _ in range(runs):
        if setup is not None:
            setup()
        started = time.perf_counter()
        value = work()
        timings.append(time.perf_counter() - started)
    return min(timings), value


def run_size(size: tuple[int, int], args: argparse.Namespace) -> str:
    """Time the three runs (and storysite on one core) for photos of ``size``; a Markdown table."""
    work = Path(tempfile.mkdtemp(prefix="storysite-bench-images-"))
    try:
        source = work / "photos"
        source.mkdir()
        photos = []
        for index in range(args.photos):
            path = source / f"photo-{index:03d}.jpg"
            path.write_bytes(make_photo(index, size))
            photos.append(path)
        print(f"{args.photos} photos of {size[0]}×{size[1]} ({sum(p.stat().st_size for p in photos) / 1e6:.0f} MB) "
              f"→ {len(WIDTHS)} widths × (WebP + JPEG); {args.jobs} job(s), {os.cpu_count()} CPU(s)", flush=True)

        plain_out = work / "plain"
        ours_out = work / "ours"
        cache = work / "cache"

        def fresh(folder: Path) -> None:
            shutil.rmtree(folder, ignore_errors=True)
            folder.mkdir()

        def cold_setup() -> None:
            fresh(ours_out)
            shutil.rmtree(cache, ignore_errors=True)

        plain_time, plain_bytes = best(args.runs, lambda: plain_pillow(photos, plain_out), lambda: fresh(plain_out))
        one_time, _ = best(args.runs, lambda: storysite_pipeline(photos, work, cache, ours_out, 1), cold_setup)
        cold_time, (encoded, _, ours_bytes) = best(
            args.runs, lambda: storysite_pipeline(photos, work, cache, ours_out, args.jobs), cold_setup)
        cached_time, (again, reused, _) = best(
            args.runs, lambda: storysite_pipeline(photos, work, cache, ours_out, args.jobs), lambda: fresh(ours_out))
        assert encoded == args.photos and again == 0 and reused == args.photos

        rows = [
            ("plain Pillow, one process", plain_time, plain_bytes),
            ("storysite, cold, 1 job", one_time, ours_bytes),
            (f"storysite, cold, {args.jobs} jobs", cold_time, ours_bytes),
            ("storysite, cached (0 encoded)", cached_time, ours_bytes),
        ]
        lines = [
            f"{args.photos} photos of {size[0]}×{size[1]}:",
            "",
            "| run | time | photos/s | output | vs plain Pillow |",
            "|---|---:|---:|---:|---:|",
        ]
        for name, seconds, total in rows:
            lines.append(f"| {name} | {seconds:.2f} s | {args.photos / seconds:.1f} | {total / 1e6:.1f} MB "
                         f"| {plain_time / seconds:.2f}× |")
        table = "\n".join(lines)
        print(table, flush=True)
        return table
    finally:
        shutil.rmtree(work, ignore_errors=True)


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--photos", type=int, default=100)
    parser.add_argument("--sizes", nargs="+", default=["2400x1600"], help="photo sizes, WIDTHxHEIGHT")
    parser.add_argument("--jobs", type=int, default=default_jobs())
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--readme", action="store_true", help="write the figures into README.md")
    args = parser.parse_args(argv)
    sizes = [tuple(int(v) for v in text.lower().split("x")) for text in args.sizes]
    tables = [run_size((w, h), args) for w, h in sizes]
    if args.readme:
        machine = (f"{os.cpu_count()} CPUs ({platform.processor() or platform.machine()}), "
                   f"Python {platform.python_version()}, Pillow {Image.__version__}")
        write_readme("\n\n".join(tables), args, machine)
    return 0


def write_readme(table: str, args: argparse.Namespace, machine: str) -> None:
    readme = ROOT / "README.md"
    text = readme.read_text("utf-8")
    section = (
        "### Images\n\n"
        f"`python bench/images.py --sizes {' '.join(args.sizes)}` — generated photos into 480, 960 and 1600 px, "
        "each as WebP and JPEG at quality 80; best of "
        f"{args.runs} runs on {machine}. *Plain Pillow* resizes each width from the original and saves it, "
        "in one process; storysite decodes once, derives each width from the one above, strips metadata, "
        "encodes in a process pool and keeps the results in its cache, then copies them into the output.\n\n"
        f"{table}\n\n"
        "Where the time goes (one core, per 2400×1600 photo): WebP encoding at libwebp's default effort "
        "(method 4) is about 190 ms of the ~330 ms plain Pillow spends, and it is the same encoder with the "
        "same settings on both sides. storysite removes most of the rest (one resize from the original "
        "instead of three, smaller widths derived from the larger: ~70 ms of resizing instead of ~120), "
        "so at this size one core does only ~1.1× better, and two cores give about 2×; the issue's target "
        "of 2.7× is not reached without a cheaper WebP effort (method 2 is 2.5× faster to encode but makes "
        "WebP files ~12% larger at the same quality, a trade we did not make). With photos as phones take "
        "them (4000×3000), JPEG draft mode decodes at half size and the pipeline is ~1.9× faster per core, "
        "3.5× on two. Figures are wall-clock on a shared machine; rerun to compare.\n"
    )
    pattern = re.compile(r"### Images\n.*?(?=\n## |\n### |\Z)", re.S)
    if pattern.search(text):
        text = pattern.sub(lambda _: section.rstrip("\n") + "\n", text, count=1)
    elif "## Benchmarks" in text:
        text = re.sub(r"(## Benchmarks\n)", lambda m: m.group(1) + "\n" + section + "\n", text, count=1)
    else:
        text = text.rstrip("\n") + "\n\n## Benchmarks\n\n" + section
    readme.write_text(text, "utf-8")
    print("README.md updated")


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
