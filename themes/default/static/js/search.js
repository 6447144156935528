/* storysite: the site search (/search/), in the visitor's browser. Plain JavaScript, no library.

   The index (the page's data-index: a JSON file named by the hash of its content, which only
   this page loads) lists the published memories and the titles of the site's other pages.
   Every word typed must start a word of a result (so "gout" finds "Goûter"), whatever its
   case and accents; results whose title holds the words come first, then the others in the
   site's own order; the list shows PAGE of them at a time, "show more" the next ones.

   Nothing typed leaves the browser: the address (?q=) is only updated in place, so that the
   back button and a shared link come back to the same results. Without JavaScript (or in a
   browser too old for this file) the page says so and links to the other ways to browse. */
(function () {
  "use strict";

  var root = document.querySelector("[data-search]");
  // (A browser without Unicode property escapes cannot parse this file: the page stays as it is
  // without JavaScript.)
  var marks = /\p{M}+/gu;
  var separators = /[^\p{L}\p{N}]+/gu;
  if (!root || !window.fetch || !window.URLSearchParams || !String.prototype.normalize) { return; }

  var PAGE = 50;
  var MAX_WORDS = 12;
  var form = root.querySelector("[data-search-form]");
  var input = form.querySelector("input[name=q]");
  var status = root.querySelector("[data-search-status]");
  var list = root.querySelector("[data-search-results]");
  var moreRow = root.querySelector("[data-search-more-row]");
  var more = root.querySelector("[data-search-more]");
  var language = document.documentElement.lang || undefined;
  // Letters that are not a letter and a mark (so NFD leaves them), written as two by those who
  // have no key for them.
  var LIGATURES = { "œ": "oe", "æ": "ae", "ß": "ss", "ø": "o", "đ": "d", "ł": "l", "ı": "i" };

  var records = null;
  var results = [];
  var shown = 0;
  var query = "";
  var typing = 0;
  var announcing = 0;

  function words(text) {
    return " " + text.normalize("NFD").replace(marks, "").toLowerCase()
      .replace(/[œæßøđłı]/g, function (letter) { return LIGATURES[letter]; })
      .replace(separators, " ").trim() + " ";
  }

  function text(name, values) {
    var pattern = root.getAttribute("data-" + name) || "";
    return pattern.replace(/\{(\w+)\}/g, function (whole, key) {
      return Object.prototype.hasOwnProperty.call(values || {}, key) ? values[key] : whole;
    });
  }

  function number(count) {
    try { return count.toLocaleString(language); } catch (error) { return String(count); }
  }

  function prepare(data) {
    var made = [];
    (data.items || []).forEach(function (item) {
      var kind = root.getAttribute("data-kind-" + item[0]) || "";
      made.push({
        url: item[1], title: item[2], kind: kind, meta: item[3] ? [item[3]] : [], excerpt: "", lang: "",
        inTitle: words(item[2]), all: words([item[2], item[3], kind].join(" "))
      });
    });
    (data.memories || []).forEach(function (memory) {
      var tags = (memory[5] || []).map(function (index) { return data.tags[index] || ""; });
      made.push({
        url: memory[0], title: memory[1], kind: "",
        meta: [memory[2], memory[3], memory[4], tags.join(", ")].filter(Boolean),
        excerpt: memory[6] || "", lang: memory[7] || "",
        inTitle: words(memory[1]),
        all: words([memory[1], memory[2], memory[3], memory[4], tags.join(" "), memory[6], memory[8] || ""].join(" "))
      });
    });
    return made;
  }

  function search(typed) {
    var seen = {};
    var terms = words(typed).split(" ").filter(function (term) {
      if (!term || seen[term]) { return false; }
      seen[term] = true;
      return true;
    }).slice(0, MAX_WORDS);
    if (!terms.length) { return []; }
    var found = [];
    for (var i = 0; i < records.length; i++) {
      var record = records[i];
      var score = 0;
      for (var j = 0; j < terms.length; j++) {
        var start = " " + terms[j];
        if (record.all.indexOf(start) === -1) { score = -1; break; }
        // A whole word of the title, then the start of one, then a whole word elsewhere.
        score += record.inTitle.indexOf(start + " ") !== -1 ? 3 : record.inTitle.indexOf(start) !== -1 ? 2
          : record.all.indexOf(start + " ") !== -1 ? 1 : 0;
      }
      if (score >= 0) { found.push({ record: record, score: score, order: i }); }
    }
    found.sort(function (a, b) { return b.score - a.score || a.order - b.order; });
    return found;
  }

  // Letters of scripts written right to left (as storysite/theme.py's isolate filter).
  var RIGHT_TO_LEFT = /[\u0590-\u08ff\ufb1d-\ufdff\ufe70-\ufeff\u{10800}-\u{10fff}\u{1e800}-\u{1efff}]/u;

  // A fan's name or place inside the meta line keeps its words in order beside the others.
  function isolate(text) {
    return RIGHT_TO_LEFT.test(text) ? "\u2068" + text + "\u2069" : text;
  }

  function paragraph(className, content, lang) {
    var element = document.createElement("p");
    element.className = className;
    element.textContent = content;
    if (lang) { element.lang = lang; }
    return element;
  }

  function entry(record) {
    var item = document.createElement("li");
    item.className = "search-result";
    var link = document.createElement("a");
    link.className = "search-result__link";
    link.href = record.url;
    link.textContent = record.title;
    link.dir = "auto";
    if (record.lang) { link.lang = record.lang; }
    item.appendChild(link);
    if (record.kind || record.meta.length) {
      var meta = paragraph("search-result__meta", record.meta.map(isolate).join(" · "));
      if (record.kind) {
        var kind = document.createElement("span");
        kind.className = "search-result__kind";
        kind.textContent = record.kind;
        meta.insertBefore(document.createTextNode(record.meta.length ? " · " : ""), meta.firstChild);
        meta.insertBefore(kind, meta.firstChild);
      }
      item.appendChild(meta);
    }
    if (record.excerpt) {
      var excerpt = paragraph("search-result__excerpt", record.excerpt, record.lang);
      excerpt.dir = "auto";
      item.appendChild(excerpt);
    }
    return item;
  }

  function showMore(moveFocus) {
    var first = shown;
    var fragment = document.createDocumentFragment();
    for (; shown < results.length && shown < first + PAGE; shown++) {
      fragment.appendChild(entry(results[shown].record));
    }
    list.appendChild(fragment);
    moreRow.hidden = shown >= results.length;
    if (moveFocus && list.children[first]) { list.children[first].querySelector("a").focus(); }
  }

  function summary() {
    if (!query) { return ""; }
    if (!results.length) { return text("none", { query: query }); }
    var found = text(results.length === 1 ? "found-one" : "found-other", { count: number(results.length) });
    return shown < results.length ? found + " (" + text("shown", { shown: number(shown) }) + ")" : found;
  }

  // The status is a live region: while the visitor types it is updated once they pause, so
  // that a screen reader reads one count rather than one per letter.
  function announce(now) {
    clearTimeout(announcing);
    if (now) {
      status.textContent = summary();
    } else {
      announcing = setTimeout(function () { status.textContent = summary(); }, 600);
    }
  }

  function remember(typed) {
    var address = location.pathname + (typed ? "?q=" + encodeURIComponent(typed) : "") + location.hash;
    if (address !== location.pathname + location.search + location.hash && window.history.replaceState) {
      window.history.replaceState(null, "", address);
    }
  }

  function run(now) {
    query = input.value.trim();
    remember(query);
    if (!records) {
      if (query) { status.textContent = text("loading"); }
      return;
    }
    results = query ? search(query) : [];
    shown = 0;
    list.textContent = "";
    showMore(false);
    announce(now);
  }

  form.hidden = false;
  Array.prototype.forEach.call(root.querySelectorAll("[data-search-static]"), function (element) {
    element.hidden = true;
  });
  input.value = new URLSearchParams(location.search).get("q") || "";
  input.addEventListener("input", function () {
    clearTimeout(typing);
    typing = setTimeout(function () { run(false); }, 60);
  });
  form.addEventListener("submit", function (event) {
    event.preventDefault();
    clearTimeout(typing);
    run(true);
  });
  more.addEventListener("click", function () {
    showMore(true);
    announce(true);
  });
  if (!input.value) { input.focus(); }

  fetch(root.getAttribute("data-index"), { credentials: "same-origin" })
    .then(function (response) {
      if (!response.ok) { throw new Error(String(response.status)); }
      return response.json();
    })
    .then(function (data) {
      records = prepare(data);
      if (input.value.trim()) { run(true); }
    })
    .catch(function () {
      status.textContent = text("failed");
    });
})();
