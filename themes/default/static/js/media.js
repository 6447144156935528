/* storysite: photo lightbox and video facades. Plain JavaScript, no dependencies.

   Without JavaScript every photo is a link to its large file and every
   hosted video a link to its page: this file only makes them nicer.

   Lightbox: a container [data-lightbox] groups the links [data-lightbox-item]
   inside it; its data-lb-* attributes carry the words (from the theme's
   strings). The viewer is a modal <dialog>: focus moves into it and the page
   behind is inert; Escape closes it and focus returns to the photo being
   shown; the arrow keys (and Home/End) move through the group; a swipe does
   the same on touch screens; nothing moves for people who prefer reduced
   motion (see media.css).

   Video facade: a link [data-video-embed] becomes the privacy-enhanced
   player only when pressed; nothing is requested from the host before. */
(function () {
  "use strict";

  // -- video facades ---------------------------------------------------------
  function playVideo(link) {
    var frame = document.createElement("iframe");
    frame.className = "video-facade__frame";
    frame.src = link.getAttribute("data-video-embed");
    frame.title = link.getAttribute("data-video-title") || "";
    frame.setAttribute("allow", "autoplay; encrypted-media; picture-in-picture; fullscreen");
    frame.setAttribute("allowfullscreen", "");
    frame.setAttribute("referrerpolicy", "strict-origin-when-cross-origin");
    var box = document.createElement("div");
    box.className = "video-facade video-facade--playing";
    box.appendChild(frame);
    link.replaceWith(box);
    frame.focus();
  }

  // -- lightbox ----------------------------------------------------------------
  var dialog = null;
  var parts = {};
  var items = [];
  var index = 0;
  var words = {};

  function button(className, label, symbol) {
    var b = document.createElement("button");
    b.type = "button";
    b.className = "lightbox__button " + className;
    b.setAttribute("aria-label", label);
    var icon = document.createElement("span");
    icon.setAttribute("aria-hidden", "true");
    icon.textContent = symbol;
    b.appendChild(icon);
    return b;
  }

  function makeDialog() {
    dialog = document.createElement("dialog");
    dialog.className = "lightbox";
    parts.stage = document.createElement("div");
    parts.stage.className = "lightbox__stage";
    parts.figure = document.createElement("figure");
    parts.figure.className = "lightbox__figure";
    parts.image = document.createElement("div");
    parts.image.className = "lightbox__image";
    parts.caption = document.createElement("figcaption");
    parts.caption.className = "lightbox__caption";
    parts.figure.appendChild(parts.image);
    parts.figure.appendChild(parts.caption);
    parts.stage.appendChild(parts.figure);
    parts.counter = document.createElement("p");
    parts.counter.className = "lightbox__counter";
    parts.counter.setAttribute("aria-live", "polite");
    parts.close = button("lightbox__close", "", "\u00d7");
    parts.previous = button("lightbox__previous", "", "\u2039");
    parts.next = button("lightbox__next", "", "\u203a");
    dialog.appendChild(parts.stage);
    dialog.appendChild(parts.counter);
    dialog.appendChild(parts.previous);
    dialog.appendChild(parts.next);
    dialog.appendChild(parts.close);
    document.body.appendChild(dialog);

    parts.close.addEventListener("click", closeViewer);
    parts.previous.addEventListener("click", function () { show(index - 1); });
    parts.next.addEventListener("click", function () { show(index + 1); });
    dialog.addEventListener("keydown", function (event) {
      if (event.key === "Tab") {
        // Keep focus in the viewer: from the last button back to the first, and the reverse.
        var buttons = [parts.previous, parts.next, parts.close].filter(function (b) { return !b.hidden; });
        var at = buttons.indexOf(document.activeElement);
        var to = event.shiftKey ? (at <= 0 ? buttons.length - 1 : at - 1) : (at + 1) % buttons.length;
        event.preventDefault();
        buttons[to].focus();
        return;
      }
      var moves = { ArrowLeft: index - 1, ArrowRight: index + 1, Home: 0, End: items.length - 1 };
      if (event.key in moves && !event.altKey && !event.ctrlKey && !event.metaKey) {
        event.preventDefault();
        show(moves[event.key]);
      }
    });
    // A click outside the photo and the buttons closes, as on the backdrop.
    dialog.addEventListener("click", function (event) {
      if (event.target === dialog || event.target === parts.stage || event.target === parts.figure) {
        closeViewer();
      }
    });
    // Escape: close ourselves, so that focus goes to the photo shown, not the one first opened.
    dialog.addEventListener("cancel", function (event) {
      event.preventDefault();
      closeViewer();
    });
    dialog.addEventListener("close", function () {
      document.documentElement.classList.remove("lightbox-open");
      parts.image.replaceChildren();
    });
    var startX = null;
    var startY = 0;
    parts.stage.addEventListener("pointerdown", function (event) {
      if (event.pointerType === "mouse") { return; }
      startX = event.clientX;
      startY = event.clientY;
    });
    parts.stage.addEventListener("pointerup", function (event) {
      if (startX === null) { return; }
      var dx = event.clientX - startX;
      var dy = event.clientY - startY;
      startX = null;
      if (Math.abs(dx) > 40 && Math.abs(dx) > Math.abs(dy)) { show(dx < 0 ? index + 1 : index - 1); }
    });
    parts.stage.addEventListener("pointercancel", function () { startX = null; });
  }

  function closeViewer() {
    if (!dialog.open) { return; }
    dialog.close();
    document.documentElement.classList.remove("lightbox-open");
    // Back to the photo last shown, so that reading resumes where the visitor is.
    var link = items[index];
    if (link) { link.focus(); }
  }

  function show(position) {
    if (!items.length) { return; }
    index = (position + items.length) % items.length;
    var link = items[index];
    var picture = link.querySelector("picture");
    var copy = picture ? picture.cloneNode(true) : document.createElement("img");
    if (!picture) { copy.src = link.href; copy.alt = ""; }
    // The lightbox image fills the screen: ask for the largest candidate, now.
    copy.querySelectorAll("source, img").forEach(function (node) { node.setAttribute("sizes", "100vw"); });
    var img = copy.tagName === "IMG" ? copy : copy.querySelector("img");
    if (img) {
      img.removeAttribute("loading");
      img.removeAttribute("fetchpriority");
      img.className = "lightbox__img";
    }
    parts.image.replaceChildren(copy);
    var figure = link.closest("figure");
    var caption = figure && figure.querySelector("figcaption");
    parts.caption.textContent = caption ? caption.textContent.trim() : "";
    parts.caption.hidden = !parts.caption.textContent;
    var counter = (words.counter || "{n} / {total}").replace("{n}", index + 1).replace("{total}", items.length);
    var alt = img && img.getAttribute("alt");
    parts.counter.textContent = alt ? counter + " \u2014 " + alt : counter;
    var single = items.length < 2;
    parts.previous.hidden = single;
    parts.next.hidden = single;
  }

  function open(link) {
    var group = link.closest("[data-lightbox]");
    if (!group) { return false; }
    if (!dialog) { makeDialog(); }
    words = {
      label: group.getAttribute("data-lb-label") || "",
      close: group.getAttribute("data-lb-close") || "Close",
      previous: group.getAttribute("data-lb-previous") || "Previous",
      next: group.getAttribute("data-lb-next") || "Next",
      counter: group.getAttribute("data-lb-counter") || ""
    };
    dialog.setAttribute("aria-label", words.label);
    parts.close.setAttribute("aria-label", words.close);
    parts.previous.setAttribute("aria-label", words.previous);
    parts.next.setAttribute("aria-label", words.next);
    items = Array.prototype.slice.call(group.querySelectorAll("a[data-lightbox-item]"));
    document.documentElement.classList.add("lightbox-open");
    dialog.showModal();
    show(items.indexOf(link));
    parts.close.focus();
    return true;
  }

  document.addEventListener("click", function (event) {
    if (event.defaultPrevented || event.button !== 0 || event.ctrlKey || event.metaKey || event.shiftKey || event.altKey) {
      return;
    }
    var target = event.target instanceof Element ? event.target : null;
    var video = target && target.closest("a[data-video-embed]");
    if (video) {
      event.preventDefault();
      playVideo(video);
      return;
    }
    var photo = target && target.closest("a[data-lightbox-item]");
    if (photo && typeof HTMLDialogElement === "function" && open(photo)) {
      event.preventDefault();
    }
  });
})();
