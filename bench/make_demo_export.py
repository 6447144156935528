"""Write the demo's example form export: ~200 fictional French fan submissions.

    python bench/make_demo_export.py imports/formulaire-50-ans.csv [--rows 200]

Deterministic (seeded). Every name, email and phone number is invented; emails
use example.org. The same generator feeds the import benchmark at 100,000 rows.
"""

from __future__ import annotations

import argparse
import csv
import random
from collections.abc import Iterator
from pathlib import Path

FIRST = ("Camille", "Léa", "Manon", "Chloé", "Inès", "Jeanne", "Louise", "Zoé", "Hugo", "Lucas", "Louis",
         "Gabriel", "Jules", "Arthur", "Nathan", "Théo", "Élodie", "Françoise", "Jean-Pierre", "Amélie", "Noé")
LAST = ("Martin", "Bernard", "Dubois", "Thomas", "Robert", "Richard", "Petit", "Durand", "Leroy", "Moreau",
        "Simon", "Laurent", "Lefèvre", "Michel", "Garcia", "Roux", "Fournier", "Girard", "Bonnet", "Mercier")
CITIES = ("Lyon", "Paris", "Marseille", "Lille", "Nantes", "Bordeaux", "Grenoble", "Nice", "Rennes", "Dijon",
          "Annecy", "Bruxelles", "Genève", "Montréal")
SUBJECTS = ("le goûter du mercredi", "la colonie de vacances", "la pub à la télé", "le verre collector",
            "la Coupe du monde 1998", "mon premier appartement", "les tartines du dimanche",
            "le pot caché dans la cabane", "le concours de recettes", "le confinement")
OPENINGS = ("Mon souvenir préféré :", "Chez nous, il y avait", "Impossible d'oublier", "Je n'oublierai jamais",
            "Tout a commencé avec")
MIDDLES = ("On partageait le pot à quatre autour de la table de la cuisine.",
           "Le couvercle faisait un petit bruit qu'on reconnaissait depuis l'autre pièce.",
           "Ma mère cachait le pot en haut du placard, mais on savait toujours où.",
           "On mettait la radio, on beurrait les tartines, et la journée pouvait commencer.",
           "Des années plus tard, j'ai fait la même chose avec mes enfants.")


def rows(count: int, seed: int = 2026) -> Iterator[dict[str, str]]:
    """Fictional submissions, as a form tool would export them."""
    rng = random.Random(seed)
    for index in range(count):
        first, last = rng.choice(FIRST), rng.choice(LAST)
        subject = rng.choice(SUBJECTS)
        year = rng.randint(1976, 2026)
        text = f"{rng.choice(OPENINGS)} {subject}. " + " ".join(rng.sample(MIDDLES, 3))
        if rng.random() < 0.3:
            text += "\n\nMerci pour ces cinquante ans !"
        agreed = rng.random() < 0.9
        yield {
            "Horodatage": f"{rng.randint(1, 28):02d}/{rng.randint(1, 10):02d}/2026 {rng.randint(8, 22):02d}:"
                          f"{rng.randint(0, 59):02d}",
            "Titre": f"{subject.capitalize()} ({year})" if rng.random() < 0.8 else "",
            "Votre souvenir": text,
            "Année du souvenir": str(year) if rng.random() < 0.7 else f"{year}-{rng.randint(1, 12):02d}",
            "Ville": rng.choice(CITIES),
            "Prénom et nom": f"{first} {last}",
            "E-mail": f"{first.lower().replace('é', 'e')}.{last.lower().replace('è', 'e')}{index}@example.org",
            "Téléphone": f"06 {rng.randint(10, 99)} {rng.randint(10, 99)} {rng.randint(10, 99)} "
                         f"{rng.randint(10, 99)}" if rng.random() < 0.5 else "",
            "J'accepte la publication": "oui" if agreed else "non",
            "Prénom pour l'étiquette": first if rng.random() < 0.4 else "",
        }


def write_export(path: Path, count: int) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fields = list(next(rows(1)).keys())
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=fields, delimiter=";")
        writer.writeheader()
        writer.writerows(rows(count))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("target", type=Path)
    parser.add_argument("--rows", type=int, default=200)
    args = parser.parse_args()
    write_export(args.target, args.rows)


if __name__ == "__main__":
    main()
