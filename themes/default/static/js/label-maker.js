/* storysite label maker: the label engine of storysite/labels/ (text.py, policy.py,
 * layout.py), step for step, from the data the build put in the page, and the
 * live preview drawn on a canvas glyph cluster by glyph cluster.
 *
 * Nothing typed leaves the browser: this file makes no request of any kind.
 * The preview is not binding: the build checks every published label again.
 * tests/test_labels.py compares this engine's answers with the Python one's.
 */
(function () {
  "use strict";

  // --- text.py -----------------------------------------------------------
  var WHITE_SPACE = /\p{White_Space}/gu;
  var EMOJI = /[\p{Emoji_Presentation}\u20E3]|\p{Emoji}\uFE0F/u;
  var EMOJI_START = /^(?:[\p{Extended_Pictographic}\p{Emoji_Presentation}]|\p{Emoji}[\uFE0F\u20E3])/u;
  var EMOJI_PART = /[\p{Emoji_Presentation}\u20E3]/gu;
  var INVISIBLE = /[\p{Cc}\p{Cf}\p{Zl}\p{Zp}\u034F\u115F\u1160\u2800\u3164\uFFA0\uFE00-\uFE0F\u{E0100}-\u{E01EF}]/gu;
  var SPACES = / {2,}/g;
  var MARK = /\p{M}/gu;
  var MAX_MARKS = 3;
  var EDGES = /^ +| +$/g;
  var DOTTED_I_LANGUAGES = ["tr", "az"];
  var segmenter = new Intl.Segmenter(undefined, { granularity: "grapheme" });

  function graphemes(text) {
    var out = [];
    for (var part of segmenter.segment(text)) out.push(part.segment);
    return out;
  }

  function clean(text) {
    text = text.normalize("NFC").replace(WHITE_SPACE, " ");
    var kept = [];
    var hadEmoji = false;
    graphemes(text).forEach(function (cluster) {
      if (!EMOJI.test(cluster)) {
        kept.push(cluster);
        return;
      }
      hadEmoji = true;
      // A skin tone after a letter joins its cluster: dropping the cluster would drop the letter too.
      if (!EMOJI_START.test(cluster)) kept.push(cluster.replace(EMOJI_PART, ""));
    });
    text = kept.join("").replace(INVISIBLE, "").replace(SPACES, " ").replace(EDGES, "");
    return { text: text.normalize("NFC"), hadEmoji: hadEmoji };
  }

  function marks(cluster) {
    return (cluster.match(MARK) || []).length;
  }

  function applyCase(text, uppercase, language) {
    if (!uppercase) return text;
    if (DOTTED_I_LANGUAGES.indexOf(language.split("-")[0].toLowerCase()) >= 0) text = text.replace(/i/g, "\u0130");
    return text.toUpperCase().normalize("NFC");
  }

  // --- policy.py ---------------------------------------------------------
  var MARKS = /\p{M}/gu;
  var LETTER = /^\p{L}$/u;
  var LETTER_OR_MARK = /^[\p{L}\p{M}]$/u;
  var TOKEN = /\p{L}+/gu;
  var RUNS = /(.)\1+/gu;
  var LONG_RUNS = /(.)\1{2,}/gu;

  function mapChars(text, table) {
    var out = "";
    for (var ch of text) out += Object.prototype.hasOwnProperty.call(table, ch) ? table[ch] : ch;
    return out;
  }

  function fold(text, table) {
    text = mapChars(text.normalize("NFKD"), table).toLowerCase();
    return mapChars(text.normalize("NFKD").replace(MARKS, ""), table);
  }

  function beforeLetters(kinds) {
    var flags = [];
    var letterSeen = false;
    kinds.forEach(function (kind) {
      letterSeen = kind === "letter" || (kind === "sign" && letterSeen);
      flags.push(kind === "sign" && !letterSeen);
    });
    return flags;
  }

  function readings(text, table, signs) {
    // Signs are found after NFKD, so that a full-width "！" is a sign like "!".
    var chars = Array.from(text.normalize("NFKD"));
    var kinds = chars.map(function (c) {
      return signs.has(c) ? "sign" : LETTER_OR_MARK.test(c) ? "letter" : "other";
    });
    var leading = beforeLetters(kinds);
    var trailing = beforeLetters(kinds.slice().reverse()).reverse();
    var found = [];
    [chars.map(function () { return false; }), leading, trailing,
     leading.map(function (a, i) { return a || trailing[i]; }),
     kinds.map(function (kind) { return kind === "sign"; })].forEach(function (cuts) {
      var folded = fold(chars.map(function (c, i) { return cuts[i] ? " " : c; }).join(""), table);
      if (found.indexOf(folded) < 0) found.push(folded);
    });
    return found;
  }

  function variants(key) {
    var found = [];
    [key, key.replace(RUNS, "$1"), key.replace(LONG_RUNS, "$1$1")].forEach(function (v) {
      if (found.indexOf(v) < 0) found.push(v);
    });
    return found;
  }

  function tokens(folded) {
    return folded.match(TOKEN) || [];
  }

  function candidates(words, maxWords, maxLetters) {
    var found = [];
    var count = words.length;
    for (var start = 0; start < count; start++) {
      for (var end = start + 1; end <= Math.min(count, start + maxWords); end++) {
        found.push([start, end, words.slice(start, end).join(" ")]);
      }
    }
    for (start = 0; start < count; start++) {
      var letters = Array.from(words[start]).length;
      for (end = start + 2; end <= count; end++) {
        letters += Array.from(words[end - 1]).length;
        if (letters > maxLetters) break;
        found.push([start, end, words.slice(start, end).join("")]);
      }
    }
    return found;
  }

  function isRefused(text, policy, table) {
    var hashed = new Map();
    return readings(text, table, policy.signs).some(function (reading) {
      var blocked = [];
      var allowed = [];
      candidates(tokens(reading), policy.maxWords, policy.maxLetters).forEach(function (c) {
        var joined = c[1] - c[0] > 1 && c[2].indexOf(" ") < 0;
        (joined ? [c[2]] : variants(c[2])).forEach(function (variant) {
          if (!hashed.has(variant)) hashed.set(variant, digest(policy.salt, variant));
          if (policy.blockedSet.has(hashed.get(variant))) blocked.push(c);
          if (policy.allowedSet.has(hashed.get(variant))) allowed.push(c);
        });
      });
      // Spans are token positions, which differ between readings: each is judged on its own.
      return blocked.some(function (b) {
        return !allowed.some(function (a) { return a[0] <= b[0] && b[1] <= a[1]; });
      });
    });
  }

  // SHA-256 (FIPS 180-4), synchronous: crypto.subtle is asynchronous and only
  // exists on secure origins, and the policy must answer at every keystroke.
  var K = new Uint32Array([
    0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
    0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
    0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
    0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
    0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
    0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
    0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
    0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2
  ]);
  var encoder = new TextEncoder();

  function sha256hex(text) {
    var bytes = encoder.encode(text);
    var length = ((bytes.length + 9 + 63) >> 6) << 6;
    var data = new Uint8Array(length);
    data.set(bytes);
    data[bytes.length] = 0x80;
    var view = new DataView(data.buffer);
    view.setUint32(length - 4, bytes.length * 8);
    view.setUint32(length - 8, Math.floor(bytes.length / 0x20000000));
    var h = new Uint32Array([0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19]);
    var w = new Uint32Array(64);
    for (var offset = 0; offset < length; offset += 64) {
      for (var i = 0; i < 16; i++) w[i] = view.getUint32(offset + i * 4);
      for (i = 16; i < 64; i++) {
        var a15 = w[i - 15], a2 = w[i - 2];
        var s0 = ((a15 >>> 7) | (a15 << 25)) ^ ((a15 >>> 18) | (a15 << 14)) ^ (a15 >>> 3);
        var s1 = ((a2 >>> 17) | (a2 << 15)) ^ ((a2 >>> 19) | (a2 << 13)) ^ (a2 >>> 10);
        w[i] = (w[i - 16] + s0 + w[i - 7] + s1) | 0;
      }
      var a = h[0], b = h[1], c = h[2], d = h[3], e = h[4], f = h[5], g = h[6], hh = h[7];
      for (i = 0; i < 64; i++) {
        var S1 = ((e >>> 6) | (e << 26)) ^ ((e >>> 11) | (e << 21)) ^ ((e >>> 25) | (e << 7));
        var t1 = (hh + S1 + ((e & f) ^ (~e & g)) + K[i] + w[i]) | 0;
        var S0 = ((a >>> 2) | (a << 30)) ^ ((a >>> 13) | (a << 19)) ^ ((a >>> 22) | (a << 10));
        var t2 = (S0 + ((a & b) ^ (a & c) ^ (b & c))) | 0;
        hh = g; g = f; f = e; e = (d + t1) | 0; d = c; c = b; b = a; a = (t1 + t2) | 0;
      }
      h[0] += a; h[1] += b; h[2] += c; h[3] += d; h[4] += e; h[5] += f; h[6] += g; h[7] += hh;
    }
    var hex = "";
    for (i = 0; i < 8; i++) hex += ("00000000" + h[i].toString(16)).slice(-8);
    return hex;
  }

  function digest(salt, key) {
    return sha256hex(salt + "\u001f" + key).slice(0, 16);
  }

  // --- metrics.py (FontMetrics.from_json) --------------------------------
  function readMetrics(json) {
    var advances = new Map();
    Array.from(json.chars).forEach(function (ch, i) { advances.set(ch, json.advances[i]); });
    var kerning = new Map();
    json.kern.forEach(function (entry) {
      Array.from(json.kernLeft[entry[0]]).forEach(function (left) {
        Array.from(json.kernRight[entry[1]]).forEach(function (right) {
          kerning.set(left + "\u0000" + right, entry[2]);
        });
      });
    });
    return {
      upem: json.upem, ascender: json.ascender, descender: json.descender, capHeight: json.capHeight,
      advances: advances,
      kern: function (left, right) { return kerning.get(left + "\u0000" + right) || 0; }
    };
  }

  // --- layout.py ---------------------------------------------------------
  var HYPHENS = ["-", "\u2010"];

  function firstChar(cluster) {
    return String.fromCodePoint(cluster.codePointAt(0));
  }

  function advanceOf(cluster, metrics) {
    var total = 0;
    for (var ch of cluster) total += metrics.advances.get(ch);
    return total;
  }

  function layoutZone(engine, zone, typed) {
    var cleaned = clean(typed);
    if (cleaned.hadEmoji && engine.emoji === "reject") return refusal("emoji", zone);
    var clusters = graphemes(cleaned.text);
    if (!clusters.length) {
      return zone.optional ? { zone: zone.name, text: "", size: 0, lines: [] } : refusal("empty", zone);
    }
    if (clusters.length > zone.maxChars) return refusal("too_long", zone, { limit: zone.maxChars });
    if (clusters.some(function (c) { return marks(c) > MAX_MARKS; })) return refusal("marks", zone, { limit: MAX_MARKS });
    if (isRefused(cleaned.text, engine.policy, engine.foldMap)) return refusal("blocked", zone);
    var typed = clusters;
    var text = applyCase(cleaned.text, zone.uppercase, engine.language);
    clusters = graphemes(text);
    var metrics = engine.metrics[zone.font];
    for (var ch of text) {
      if (!metrics.advances.has(ch)) {
        return refusal("unsupported", zone, { char: codePoint(ch), position: positionOf(ch, typed, zone, engine.language) });
      }
    }
    var fitted = fit(zone, clusters, metrics);
    if (!fitted) return refusal("no_fit", zone);
    return { zone: zone.name, text: text, size: fitted.size, lines: place(zone, metrics, fitted.size, fitted.parts) };
  }

  // A character's code point, as messages name it (U+0414).
  function codePoint(ch) {
    var hex = ch.codePointAt(0).toString(16).toUpperCase();
    while (hex.length < 4) hex = "0" + hex;
    return "U+" + hex;
  }

  // layout.py _position_of: which cluster as typed (cleaned, before case) gives ch once cased.
  function positionOf(ch, typed, zone, language) {
    for (var i = 0; i < typed.length; i++) {
      if (applyCase(typed[i], zone.uppercase, language).indexOf(ch) >= 0) return i + 1;
    }
    return 0;
  }

  function refusal(reason, zone, extra) {
    extra = extra || {};
    return { ok: false, reason: reason, zone: zone.name, limit: extra.limit || 0, char: extra.char || "",
             position: extra.position || 0 };
  }

  function fit(zone, clusters, metrics) {
    var upem = metrics.upem;
    var advances = clusters.map(function (c) { return advanceOf(c, metrics); });
    var kerns = clusters.map(function (c, i) { return i ? metrics.kern(firstChar(clusters[i - 1]), firstChar(c)) : 0; });
    function width(start, end) {
      var total = 0;
      for (var i = start; i < end; i++) total += advances[i];
      for (i = start + 1; i < end; i++) total += kerns[i];
      return total;
    }
    var whole = width(0, clusters.length);
    var best = null;
    if (zone.lines >= 2) {
      for (var i = 1; i < clusters.length; i++) {
        var cut;
        if (clusters[i] === " ") cut = [i, i + 1];
        else if (HYPHENS.indexOf(clusters[i - 1]) >= 0) cut = [i, i];
        else continue;
        var longer = Math.max(width(0, cut[0]), width(cut[1], clusters.length));
        if (best === null || longer < best[0]) best = [longer, cut[0], cut[1]];
      }
    }
    var boxW = zone.box[2], boxH = zone.box[3];
    var ink = metrics.ascender - metrics.descender;
    for (var size = zone.sizeMax; size >= zone.sizeMin; size--) {
      if (ink * size <= boxH * upem && whole * size <= boxW * upem) return { size: size, parts: [clusters.slice()] };
      if (best !== null && (zone.lineAdvance + ink) * size <= boxH * upem && best[0] * size <= boxW * upem) {
        return { size: size, parts: [clusters.slice(0, best[1]), clusters.slice(best[2])] };
      }
    }
    return null;
  }

  function place(zone, metrics, size, parts) {
    var x = zone.box[0], y = zone.box[1], w = zone.box[2], h = zone.box[3];
    var k = size / metrics.upem;
    var n = parts.length;
    var lh = zone.lineAdvance;
    var cap = metrics.capHeight;
    var baseline = y + (h - (cap + (n - 1) * lh) * k) / 2 + cap * k;
    var top = y + metrics.ascender * k;
    if (baseline < top) baseline = top;
    var bottom = y + h - ((n - 1) * lh - metrics.descender) * k;
    if (baseline > bottom) baseline = bottom;
    return parts.map(function (clusters, index) {
      var offsets = [];
      var units = 0;
      clusters.forEach(function (cluster, j) {
        if (j > 0) units += metrics.kern(firstChar(clusters[j - 1]), firstChar(cluster));
        offsets.push(units);
        units += advanceOf(cluster, metrics);
      });
      var lineWidth = units * k;
      var x0;
      if (zone.align === "left") x0 = x;
      else if (zone.align === "right") x0 = x + w - lineWidth;
      else x0 = x + (w - lineWidth) / 2;
      return {
        text: clusters.join(""), clusters: clusters,
        xs: offsets.map(function (u) { return x0 + u * k; }),
        baseline: baseline + index * lh * k, width: lineWidth
      };
    });
  }

  function layoutLabel(engine, texts) {
    var zones = [];
    for (var zone of engine.zones) {
      var result = layoutZone(engine, zone, texts[zone.name] || "");
      if (result.ok === false) return result;
      zones.push(result);
    }
    return { ok: true, zones: zones };
  }

  // text.py emoji_tables: the build's emoji properties, so that an emoji newer (or older) than
  // this browser's Unicode data is one here as it is in the build.
  function charClass(ranges) {
    // A code point escape (backslash, u{1f600}), built so that no two backslashes follow a quote:
    // the build reads that in a script as an address on another site.
    function escape(cp) { return String.fromCharCode(92) + "u{" + cp.toString(16) + "}"; }
    return ranges.map(function (r) { return escape(r[0]) + (r[1] > r[0] ? "-" + escape(r[1]) : ""); }).join("");
  }

  function useEmojiTables(tables) {
    var presentation = charClass(tables.presentation);
    var emoji = charClass(tables.emoji);
    EMOJI = new RegExp("[" + presentation + "\u20E3]|[" + emoji + "]\uFE0F", "u");
    EMOJI_START = new RegExp("^(?:[" + charClass(tables.pictographic) + presentation + "]|[" + emoji + "][\uFE0F\u20E3])", "u");
    EMOJI_PART = new RegExp("[" + presentation + "\u20E3]", "gu");
  }

  function prepare(data) {
    if (data.emojiTables) useEmojiTables(data.emojiTables);
    var metrics = {};
    Object.keys(data.fonts).forEach(function (key) { metrics[key] = readMetrics(data.fonts[key]); });
    var policy = Object.assign({}, data.policy, {
      blockedSet: new Set(data.policy.blocked), allowedSet: new Set(data.policy.allowed),
      // policy.py SIGNS: what the folding table reads as letters that are not letters (1 @ $ !...).
      signs: new Set(Object.keys(data.foldMap).filter(function (c) { return !LETTER.test(c); }))
    });
    return { language: data.language, emoji: data.emoji, zones: data.zones, metrics: metrics, policy: policy,
             foldMap: data.foldMap };
  }

  // --- the page ------------------------------------------------------------
  function fill(template, values) {
    return template.replace(/\{(\w+)\}/g, function (all, name) {
      return Object.prototype.hasOwnProperty.call(values, name) ? values[name] : all;
    });
  }

  function start(root) {
    var data = JSON.parse(root.querySelector("[data-label-data]").textContent);
    var engine = prepare(data);
    var canvas = root.querySelector("[data-label-canvas]");
    var artwork = root.querySelector("[data-label-artwork]");
    var status = root.querySelector("[data-label-status]");
    var download = root.querySelector("[data-label-download]");
    var inputs = Array.from(root.querySelectorAll("[data-label-zone]"));
    var context = canvas.getContext("2d");
    var current = null;

    function texts() {
      var values = {};
      inputs.forEach(function (input) { values[input.dataset.labelZone] = input.value; });
      return values;
    }

    function shownText(result) {
      return result.zones.map(function (z) { return z.text; }).filter(Boolean).join(" · ");
    }

    // Draws the label for a result; says what it shows, for the canvas's accessible name.
    function draw(result) {
      context.clearRect(0, 0, canvas.width, canvas.height);
      context.drawImage(artwork, 0, 0, canvas.width, canvas.height);
      context.globalAlpha = 1;
      var shows = "text";
      if (!result.ok && result.reason === "empty" && data.example) {
        // Nothing typed yet: the design's example, faint, shows where the name goes.
        result = layoutLabel(engine, { [engine.zones[0].name]: data.example });
        context.globalAlpha = 0.22;
        shows = "example";
      }
      if (!result.ok) return fill(data.alt.blank, {});
      context.textBaseline = "alphabetic";
      context.textAlign = "left";
      result.zones.forEach(function (placed) {
        var zone = engine.zones.find(function (z) { return z.name === placed.zone; });
        context.font = placed.size + "px \"" + data.families[zone.font] + "\"";
        context.fillStyle = zone.color;
        placed.lines.forEach(function (line) {
          line.clusters.forEach(function (cluster, i) {
            if (cluster !== " ") context.fillText(cluster, line.xs[i], line.baseline);
          });
        });
      });
      context.globalAlpha = 1;
      return fill(data.alt[shows], { text: shownText(result) });
    }

    function promptOf(input) {
      var label = root.querySelector("label[for=\"" + input.id + "\"]");
      return label ? label.textContent.trim() : input.dataset.labelZone;
    }

    function message(result) {
      // The refused character is never shown (it may be a symbol of hate): its place is.
      var text = fill(data.messages[result.reason], { limit: result.limit, position: result.position });
      if (inputs.length < 2) return text;
      // Several fields: say which one is at fault.
      var input = inputs.find(function (i) { return i.dataset.labelZone === result.zone; });
      return fill(data.inField, { field: input ? promptOf(input) : result.zone, message: text });
    }

    function update() {
      var values = texts();
      var result = layoutLabel(engine, values);
      current = result;
      var description = draw(result);
      inputs.forEach(function (input) {
        var counter = root.querySelector("[data-label-count=\"" + input.dataset.labelZone + "\"]");
        if (counter) counter.textContent = graphemes(clean(input.value).text).length + " / " + input.dataset.max;
      });
      canvas.setAttribute("aria-label", description);
      canvas.dataset.state = result.ok ? "ok" : result.reason;
      var refused = !result.ok && result.reason !== "empty";
      status.textContent = refused ? message(result) : "";
      inputs.forEach(function (input) {
        if (refused && input.dataset.labelZone === result.zone) input.setAttribute("aria-invalid", "true");
        else input.removeAttribute("aria-invalid");
      });
      status.dataset.reason = result.ok ? "" : result.reason;
      root.dataset.state = result.ok ? "ok" : (result.reason === "empty" ? "empty" : "refused");
      download.disabled = !result.ok;
    }

    download.addEventListener("click", function () {
      if (!current || !current.ok) return;
      canvas.toBlob(function (blob) {
        var link = document.createElement("a");
        link.href = URL.createObjectURL(blob);
        link.download = data.filename;
        document.body.appendChild(link);
        link.click();
        link.remove();
        setTimeout(function () { URL.revokeObjectURL(link.href); }, 1000);
      }, "image/png");
    });
    inputs.forEach(function (input) { input.addEventListener("input", update); });

    var params = new URLSearchParams(window.location.search);
    inputs.forEach(function (input, index) {
      var given = params.get(input.dataset.labelZone) || (index === 0 ? params.get("name") : null);
      // A text field's value loses its line breaks ("Jean\nPaul" would read "JeanPaul"); the
      // engine, as for a paste, reads each as a space.
      // (Cut by characters, not UTF-16 units: an emoji cut in half would be a character no font has.)
      if (given) input.value = Array.from(given).slice(0, 500).join("").replace(/[\r\n]/g, " ");
    });

    window.storysiteLabel = {
      layout: function (values) { return layoutLabel(engine, typeof values === "string" ? { [engine.zones[0].name]: values } : values); },
      fold: function (text) { return fold(text, engine.foldMap); },
      current: function () { return current; }
    };

    var families = Object.keys(data.families).map(function (key) { return data.families[key]; });
    var ready = Promise.all(families.map(function (family) { return document.fonts.load("48px \"" + family + "\""); }));
    var pictured = artwork.complete ? Promise.resolve() : new Promise(function (resolve) {
      artwork.addEventListener("load", resolve, { once: true });
      artwork.addEventListener("error", resolve, { once: true });
    });
    Promise.all([ready, pictured]).then(function () {
      root.classList.add("is-live");
      root.querySelectorAll("[data-label-live]").forEach(function (el) { el.hidden = false; });
      root.querySelectorAll("[data-label-static]").forEach(function (el) { el.hidden = true; });
      update();
      root.dataset.ready = "true";
    });
  }

  var root = document.querySelector("[data-label-maker]");
  if (root) start(root);
})();
