"""Generate a synthetic storysite site of N memories, for benchmarks.

    python bench/generate_site.py 10000 /tmp/bench-10k [--photos 50] [--words 300] [--share]

French text of realistic length, tags, dates over fifty years, a few
campaigns and pages; deterministic for a given N (seeded), so runs compare.
"""

from __future__ import annotations

import argparse
import random
import shutil
from pathlib import Path

WORDS = ["le", "goûter", "chez", "ma", "grand-mère", "était", "un", "rituel", "tartine", "pain", "beurre", "pot", "confiture", "cuisine", "table", "dimanche", "matin", "école", "vacances", "été", "plage", "montagne", "souvenir", "famille", "enfance", "frère", "sœur", "cousin", "parents", "voisin", "village", "ville", "Lyon", "Paris", "Marseille", "Lille", "Nantes", "Bordeaux", "train", "voiture", "vélo", "radio", "télévision", "publicité", "chanson", "dessin", "cahier", "cartable", "récréation", "copains", "rire", "pleurer", "Noël", "anniversaire", "gâteau", "bougie", "fête", "mariage", "naissance", "première", "fois", "dernière", "fois", "toujours", "jamais", "souvent", "parfois", "chaque", "semaine", "le", "mercredi", "après-midi", "on", "partageait", "nous", "mangions", "ils", "riaient", "elle", "racontait", "il", "chantait", "la", "maison", "sentait", "bon", "le", "chocolat", "chaud", "la", "lumière", "douce", "de", "la", "fenêtre", "le", "bruit", "de", "la", "cuillère", "contre", "le", "verre", "les", "miettes", "sur", "la", "nappe"]
TAGS = ("famille", "goûter", "enfance", "école", "vacances", "noël", "télé", "sport", "recette",
        "étudiants", "collection", "amitié")
CITIES = ("Lyon", "Paris", "Marseille", "Lille", "Nantes", "Bordeaux", "Grenoble", "Nice", "Rennes", "Dijon")


def paragraph(rng: random.Random, words: int) -> str:
    out = []
    sentence: list[str] = []
    for _ in range(words):
        sentence.append(rng.choice(WORDS))
        if len(sentence) >= rng.randint(8, 18):
            out.append(" ".join(sentence).capitalize() + ".")
            sentence = []
    if sentence:
        out.append(" ".join(sentence).capitalize() + ".")
    return " ".join(out)


def memory_text(rng: random.Random, index: int, words: int, photo: str | None, share: bool = False) -> str:
    year = rng.randint(1976, 2025)
    form = rng.random()
    date = f"{year}" if form < 0.3 else f"{year}-{rng.randint(1, 12):02d}" if form < 0.8 else \
        f"{year}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}"
    tags = ", ".join(rng.sample(TAGS, rng.randint(1, 3)))
    status = "approved" if rng.random() < 0.9 else rng.choice(("submitted", "rejected", "withdrawn"))
    media = f"media:\n  - src: {photo}\n    alt: Une photo de souvenir\n" if photo else ""
    body = "\n\n".join(paragraph(rng, words // 3) for _ in range(3))
    scope = "site, share" if share else "site"
    return (
        f"---\ntitle: Souvenir numéro {index} — {rng.choice(WORDS)} {rng.choice(WORDS)}\ndate: {date}\n"
        f"author: {{id: fan-{index:06d}, display: Fan {index % 97}., location: {rng.choice(CITIES)}}}\n"
        f"status: {status}\nconsent: {{granted: 2020-01-01, scope: [{scope}]}}\n"
        f"tags: [{tags}]\nfeatured: {'true' if index % 500 == 0 else 'false'}\n{media}---\n{body}\n"
    )


def generate(count: int, target: Path, photos: int = 0, words: int = 300, seed: int = 1976,
             share: bool = False) -> None:
    """Write a site of ``count`` memories into ``target`` (replaced if it exists)."""
    rng = random.Random(seed)
    if target.exists():
        shutil.rmtree(target)
    memories = target / "content" / "memories"
    memories.mkdir(parents=True)
    (target / "storysite.yaml").write_text(
        "title: Banc d'essai — souvenirs\nbase_url: https://example.org/\nlanguage: fr\n"
        "memories: {per_page: 24}\n", encoding="utf-8")
    photo_files: list[bytes] = []
    if photos:
        from io import BytesIO

        from PIL import Image, ImageDraw

        for index in range(min(photos, 8)):
            image = Image.new("RGB", (2400, 1600), (120 + index * 10, 80, 40))
            ImageDraw.Draw(image).ellipse((600, 300, 1800, 1300), fill=(240, 200, 80))
            buffer = BytesIO()
            image.save(buffer, "JPEG", quality=85)
            photo_files.append(buffer.getvalue())
    for index in range(count):
        photo = None
        if index < photos:
            bundle = memories / f"souvenir-{index:06d}"
            bundle.mkdir()
            (bundle / "photo.jpg").write_bytes(photo_files[index % len(photo_files)] + index.to_bytes(4, "big"))
            (bundle / "index.md").write_text(memory_text(rng, index, words, "photo.jpg", share), encoding="utf-8")
        else:
            (memories / f"souvenir-{index:06d}.md").write_text(memory_text(rng, index, words, photo, share),
                                                               encoding="utf-8")
    pages = target / "content" / "pages"
    pages.mkdir(parents=True)
    (pages / "a-propos.md").write_text("---\ntitle: À propos\nmenu: 1\n---\n" + paragraph(rng, 200) + "\n",
                                       encoding="utf-8")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("count", type=int)
    parser.add_argument("target", type=Path)
    parser.add_argument("--photos", type=int, default=0)
    parser.add_argument("--words", type=int, default=300)
    parser.add_argument("--share", action="store_true", help="consent scope includes share: a share card each")
    args = parser.parse_args()
    generate(args.count, args.target, args.photos, args.words, share=args.share)


if __name__ == "__main__":
    main()
