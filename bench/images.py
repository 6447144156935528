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
- **storysite, cold, webp_method M**: the cold run with ``images.webp_method``
  set to each further value of ``--webp-methods`` (default: 4, libwebp's and
  plain Pillow's own effort, which makes smaller WebP files more slowly).

Both sides use the same encoders and quality (80); storysite encodes WebP at
its default effort (``images.webp_method: 2``, plain Pillow at libwebp's 4)
and adds Huffman optimisation to JPEG, which makes smaller files. So that nobody wins by making worse
files, the table gives each run's output size, its WebP share, and the PSNR
of its WebP files against the uncompressed Lanczos resize of the original
(what plain Pillow encodes), averaged over the first 10 photos' 3 widths.
Photos are generated (deterministically) in a temporary folder; their
generation, and the PSNR, are not timed. Each figure is the best of
``--runs`` runs. ``--readme`` writes the table into README.md under
"## Benchmarks" → "### Images".
"""

from __future__ import annotations

import argparse
import hashlib
import io
import math
import os
import platform
import random
import re
import shutil
import sys
import tempfile
import time
from pathlib import Path

import PIL
from PIL import Image, ImageChops, ImageDraw, ImageFilter, ImageOps, ImageStat

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from storysite.images import (  # noqa: E402
    DEFAULT_WEBP_METHOD,
    ImageOp,
    ImagePlan,
    ImageSettings,
    cache_entry,
    default_jobs,
    run_images,
)

WIDTHS = (480, 960, 1600)
QUALITY = 80
PSNR_PHOTOS = 10

Outputs = dict[tuple[str, int, str], Path]
"""(photo name, width, extension) → the file made for it."""


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


def plain_pillow(photos: list[Path], out_dir: Path) -> Outputs:
    """The baseline: one process, each width resized from the original."""
    made: Outputs = {}
    for path in photos:
        with Image.open(path) as opened:
            image = ImageOps.exif_transpose(opened).convert("RGB")
        for width in WIDTHS:
            height = round(width * image.height / image.width)
            resized = image.resize((width, height), Image.Resampling.LANCZOS)
            for fmt, ext in (("WEBP", "webp"), ("JPEG", "jpg")):
                target = out_dir / f"{path.stem}-{width}.{ext}"
                resized.save(target, fmt, quality=QUALITY)
                made[path.stem, width, ext] = target
    return made


def storysite_pipeline(photos: list[Path], root: Path, cache: Path, out_dir: Path, jobs: int,
                       webp_method: int = DEFAULT_WEBP_METHOD) -> tuple[int, int, Outputs]:
    """Plan (hash), encode or reuse, and copy into an output folder as a build does."""
    settings = ImageSettings(widths=WIDTHS, formats=("webp", "jpeg"), quality=QUALITY, webp_method=webp_method)
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
    made: Outputs = {}
    for rel, key in keys.items():
        result = results.results[key]
        for derivative, (output, filename) in zip(result.derivatives, result.files(), strict=True):
            data = (cache_entry(cache, key) / filename).read_bytes()
            target = out_dir / output
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(data)
            made[Path(rel).stem, derivative.width, filename.rsplit(".", 1)[1]] = target
    return results.stats.encoded, results.stats.reused, made


def measure(made: Outputs, photos: list[Path]) -> tuple[int, int, float]:
    """Total bytes, WebP bytes, and the mean PSNR (dB) of the sampled photos' WebP files."""
    total = sum(path.stat().st_size for path in made.values())
    webp = sum(path.stat().st_size for (_, _, ext), path in made.items() if ext == "webp")
    scores = []
    for photo in photos[:PSNR_PHOTOS]:
        with Image.open(photo) as opened:
            original = ImageOps.exif_transpose(opened).convert("RGB")
        for width in WIDTHS:
            reference = original.resize((width, round(width * original.height / original.width)),
                                        Image.Resampling.LANCZOS)
            with Image.open(made[photo.stem, width, "webp"]) as encoded:
                scores.append(psnr(reference, encoded.convert("RGB")))
    return total, webp, sum(scores) / len(scores)


def psnr(reference: Image.Image, image: Image.Image) -> float:
    """Peak signal-to-noise ratio of ``image`` against ``reference``, in dB (RGB, 8 bits)."""
    squares = ImageStat.Stat(ImageChops.difference(reference, image)).sum2
    mse = sum(squares) / (len(squares) * reference.width * reference.height)
    return 10 * math.log10(255**2 / mse) if mse else math.inf


def best(runs: int, work, setup=None):  # type: ignore[no-untyped-def]
    timings, value = [], None
    for _ in range(runs):
        if setup is not None:
            setup()
        started = time.perf_counter()
        value = work()
        timings.append(time.perf_counter() - started)
    return min(timings), value


def run_size(size: tuple[int, int], args: argparse.Namespace) -> tuple[str, dict[str, float]]:
    """Time the three runs (and storysite on one core) for photos of ``size``.

    A Markdown table, and the speed-ups and WebP sizes the README's text quotes.
    """
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

        main_method, *other_methods = args.webp_methods
        plain_time, plain_made = best(args.runs, lambda: plain_pillow(photos, plain_out), lambda: fresh(plain_out))
        plain = measure(plain_made, photos)
        one_time, _ = best(args.runs, lambda: storysite_pipeline(photos, work, cache, ours_out, 1, main_method),
                           cold_setup)
        cold_time, (encoded, _, made) = best(
            args.runs, lambda: storysite_pipeline(photos, work, cache, ours_out, args.jobs, main_method), cold_setup)
        ours = measure(made, photos)
        cached_time, (again, reused, _) = best(
            args.runs, lambda: storysite_pipeline(photos, work, cache, ours_out, args.jobs, main_method),
            lambda: fresh(ours_out))
        assert encoded == args.photos and again == 0 and reused == args.photos
        jobs = f"{args.jobs} job{'s' if args.jobs > 1 else ''}"
        method = "" if main_method == DEFAULT_WEBP_METHOD else f", webp_method {main_method}"
        rows = [
            ("plain Pillow, one process", plain_time, plain),
            (f"storysite, cold, 1 job{method}", one_time, ours),
            (f"storysite, cold, {jobs}{method}", cold_time, ours),
            (f"storysite, cached (0 encoded){method}", cached_time, ours),
        ]
        quoted = {"plain": plain_time, "cold": cold_time, "one": one_time, "cached": cached_time,
                  "webp": ours[1], "psnr": ours[2], "plain_webp": plain[1], "plain_psnr": plain[2]}
        for other in other_methods:
            seconds, (count, _, other_made) = best(
                args.runs, lambda m=other: storysite_pipeline(photos, work, cache, ours_out, args.jobs, m), cold_setup)
            assert count == args.photos
            figures = measure(other_made, photos)
            rows.append((f"storysite, cold, {jobs}, webp_method {other}", seconds, figures))
            quoted.update({f"cold{other}": seconds, f"webp{other}": figures[1], f"psnr{other}": figures[2]})
        lines = [
            f"{args.photos} photos of {size[0]}×{size[1]}:",
            "",
            "| run | time | photos/s | output | of which WebP | WebP PSNR | vs plain Pillow |",
            "|---|---:|---:|---:|---:|---:|---:|",
        ]
        for name, seconds, (total, webp, score) in rows:
            lines.append(f"| {name} | {seconds:.2f} s | {args.photos / seconds:.1f} | {total / 1e6:.1f} MB "
                         f"| {webp / 1e6:.1f} MB | {score:.2f} dB | {plain_time / seconds:.2f}× |")
        table = "\n".join(lines)
        print(table, flush=True)
        return table, quoted
    finally:
        shutil.rmtree(work, ignore_errors=True)


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--photos", type=int, default=100)
    parser.add_argument("--sizes", nargs="+", default=["2400x1600"], help="photo sizes, WIDTHxHEIGHT")
    parser.add_argument("--jobs", type=int, default=default_jobs())
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--webp-methods", type=int, nargs="+", default=[DEFAULT_WEBP_METHOD, 4],
                        choices=range(7), metavar="M",
                        help="images.webp_method of the storysite runs; each further one adds a cold row")
    parser.add_argument("--readme", action="store_true", help="write the figures into README.md")
    args = parser.parse_args(argv)
    sizes = [(int(w), int(h)) for w, h in (text.lower().split("x") for text in args.sizes)]
    runs = [run_size(size, args) for size in sizes]
    if args.readme:
        machine = (f"{os.cpu_count()} CPUs ({platform.processor() or platform.machine()}), "
                   f"Python {platform.python_version()}, Pillow {PIL.__version__}")
        write_readme("\n\n".join(table for table, _ in runs), args, machine,
                     [(size, quoted) for size, (_, quoted) in zip(sizes, runs, strict=True)])
    return 0


def write_readme(table: str, args: argparse.Namespace, machine: str,
                 figures: list[tuple[tuple[int, int], dict[str, float]]]) -> None:
    """Replace the "### Images" section of README.md: the tables and the text that reads them."""
    readme = ROOT / "README.md"
    text = readme.read_text("utf-8")
    first = figures[0][1]
    lines = [f"At storysite's default effort (`images.webp_method: {DEFAULT_WEBP_METHOD}`), two jobs are "
             f"{first['one'] / first['cold']:.2f}× faster than one and {first['plain'] / first['cold']:.2f}× "
             f"faster than plain Pillow, for WebP files {100 * (first['webp'] / first['plain_webp'] - 1):+.1f}% "
             f"the size of plain Pillow's ({first['psnr'] - first['plain_psnr']:+.2f} dB PSNR)."]
    for other in args.webp_methods[1:]:
        lines.append(
            f"At `images.webp_method: {other}` they are {first['plain'] / first[f'cold{other}']:.2f}× faster "
            f"than plain Pillow, with WebP files {100 * (first[f'webp{other}'] / first['plain_webp'] - 1):+.1f}% "
            f"the size of plain Pillow's ({first[f'psnr{other}'] - first['plain_psnr']:+.2f} dB PSNR).")
    for (width, height), quoted in figures[1:]:
        lines.append(f"At {width}×{height}, two jobs at the default effort are "
                     f"{quoted['plain'] / quoted['cold']:.2f}× faster than plain Pillow.")
    section = (
        "### Images\n\n"
        f"`python bench/images.py --sizes {' '.join(args.sizes)}` — generated photos into 480, 960 and 1600 px, "
        "each as WebP and JPEG at quality 80; best of "
        f"{args.runs} runs on {machine}. *Plain Pillow* resizes each width from the original and saves it, "
        "in one process; storysite decodes once, derives each width from the one above, strips metadata, "
        "encodes in a process pool and keeps the results in its cache, then copies them into the output. "
        "*WebP PSNR* compares the WebP files of the first 10 photos with the uncompressed Lanczos resize of "
        "the original (higher is closer).\n\n"
        f"{table}\n\n"
        + " ".join(lines) + "\n\n"
        "Where the time goes, per 2400×1600 photo on one core (CPU time, measured once): plain Pillow spends "
        "~335 ms: ~17 ms decoding, ~117 ms resizing each width from the original, ~190 ms encoding WebP at "
        "libwebp's default effort (method 4) and ~6 ms of JPEG. storysite spends ~180 ms: the same decoding, "
        "~72 ms of resizing (one Lanczos resize from the original, then each smaller width from the one "
        "above, which looks the same: 54 dB PSNR against resizing from the original), ~80 ms of WebP at "
        "effort 2 and ~14 ms of JPEG with optimised Huffman tables (4% smaller files). At effort 4, WebP "
        "alone is two thirds of a photo's time, with the same encoder as plain Pillow's, so two cores top "
        "out near 2.3× plain Pillow: that is why the default is effort 2, as Hugo's has been since 2026. "
        "On six real photos (2560×1600 wallpapers, cropped) at quality 80, effort 2 makes WebP files 2.6% "
        "larger than effort 4, with SSIM 0.0026 and PSNR 0.24 dB lower; for the same SSIM it needs quality "
        "~81.4 and 8% more bytes. Efforts 3 and 4 cost the same; 5 and 6 are slower and smaller. Cheaper "
        "resizing was measured and dropped: a 2×2 box for 960→480 saves 6 ms but is visibly different (43 dB "
        "PSNR, 35 dB at worst, against Lanczos); bicubic saves ~20 ms and is 7% softer. Workers are forked "
        "from the build process when it runs no other thread (~10 ms to start instead of ~0.27 s for a "
        "forkserver, which the preview server still uses); the rest of the gap to 2× per extra core is the "
        "last photo running alone and two busy cores sharing memory. With photos as phones take them "
        "(4000×3000), JPEG draft mode decodes at half size, so the pipeline gains more. Figures are "
        "wall-clock on a shared machine; rerun to compare.\n"
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
