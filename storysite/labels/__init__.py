"""Personalised labels: one engine, specified here and mirrored by the browser.

The modules follow the engine's steps, each a pure function of its inputs:

- :mod:`.text`: cleaning what was typed (NFC, invisible characters, emoji),
  grapheme clusters, case by the site language;
- :mod:`.policy`: blocked words and phrases after folding, the allowlist;
- :mod:`.metrics`: advance widths, kerning and cmap read from the font file;
- :mod:`.layout`: sizes from largest to smallest, up to two lines, positions;
- :mod:`.design`: a validated design made ready to lay out (fonts, metrics,
  policy) and the data the label-maker page ships to the browser;
- :mod:`.raster`: label PNGs drawn glyph by glyph at the layout's positions;
- :mod:`.share`: the 1200×630 share cards;
- :mod:`.variants`: a label's WebP files at smaller widths, for the ``srcset`` of the pages showing it;
- :mod:`.stage`: the build stage (what to render, for which memory, at which URL);
- :mod:`.pages`: the label-maker pages.

``themes/default/static/js/label-maker.js`` implements :mod:`.text`,
:mod:`.policy` and :mod:`.layout` again, step for step, from the same data;
``tests/test_labels.py`` drives both and compares them.
"""
