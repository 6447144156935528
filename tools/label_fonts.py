"""Prepare the label fonts bundled in the default theme (run by hand; the output is committed).

Sources are the SIL OFL fonts published on npm by Expo's Google Fonts project
(``npm pack @expo-google-fonts/fraunces @expo-google-fonts/pacifico`` in a
scratch folder, then ``tar xzf`` each). Neither font has a Reserved Font Name,
so subsetting them is allowed under the OFL.

    .venv/bin/pip install 'fonttools[woff]'   # brotli, for WOFF2
    .venv/bin/python tools/label_fonts.py /tmp/fontsrc

For each font this writes a TTF (Pillow reads it; the build reads its
metrics) and a WOFF2 of the very same glyphs (the browser's label maker draws
with it), subset to Latin, Latin-1, Latin Extended-A/B and Vietnamese, which
covers French, German, Spanish, Portuguese, Polish, Turkish, Romanian and more.
"""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

from fontTools import subset
from fontTools.ttLib import TTFont

OUT = Path(__file__).resolve().parent.parent / "themes/default/static/fonts/labels"
UNICODES = (
    "U+0020-007E,U+00A0-024F,U+0259,U+02BB-02BC,U+02C6-02DD,U+0300-036F,U+1E00-1EFF,"
    "U+2010-2027,U+2030-203A,U+2044,U+20AC,U+2122,U+2212"
)
FONTS = {
    # output stem: (package folder, file inside it, licence name, browser copy)
    "fraunces-black": ("expo-google-fonts-fraunces-0.4.1", "900Black/Fraunces_900Black.ttf", "Fraunces", True),
    "fraunces-semibold": ("expo-google-fonts-fraunces-0.4.1", "600SemiBold/Fraunces_600SemiBold.ttf", "Fraunces", False),
    "pacifico-regular": ("expo-google-fonts-pacifico-0.4.1", "400Regular/Pacifico_400Regular.ttf", "Pacifico", True),
}


def prepare(source_root: Path) -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    for stem, (package, name, licence, browser) in FONTS.items():
        source = source_root / package / "package" / name
        options = subset.Options()
        options.layout_features = ["kern", "mark", "mkmk", "ccmp", "locl"]
        options.name_IDs = ["*"]
        options.notdef_outline = True
        options.recalc_timestamp = False  # byte-identical reruns
        font = TTFont(source, recalcTimestamp=False)
        subsetter = subset.Subsetter(options)
        subsetter.populate(unicodes=subset.parse_unicodes(UNICODES))
        subsetter.subset(font)
        font.save(OUT / f"{stem}.ttf")
        if browser:
            font.flavor = "woff2"
            font.save(OUT / f"{stem}.woff2")
        shutil.copyfile(source_root / package / "package" / "LICENSE_FONT", OUT / f"OFL-{licence}.txt")
        print(stem, *(f"{p.name} {p.stat().st_size:,}" for p in sorted(OUT.glob(stem + ".*"))))


if __name__ == "__main__":
    prepare(Path(sys.argv[1] if len(sys.argv) > 1 else "/tmp/fontsrc"))
