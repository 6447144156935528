/* storysite — the timeline's enhancements (the page reads fully without them).
 *
 * - Filters: show or hide the brand's milestones and the fans' memories, and
 *   pick one theme. Toggles are buttons with aria-pressed (Enter and Space
 *   work natively); the count of entries shown is announced in a live region.
 * - The decade bar (sticky by CSS alone) marks the decade being read, keeps
 *   that decade's link in view on narrow screens, brings a link that takes the
 *   focus whole into view, and its links move the keyboard focus to the
 *   decade's heading.
 * - Motion follows prefers-reduced-motion: no smooth scrolling when reduced.
 */
(function () {
  "use strict";

  var root = document.querySelector("[data-tl]");
  if (!root) return;

  var reduceMotion = window.matchMedia && window.matchMedia("(prefers-reduced-motion: reduce)");
  function scrollBehavior() {
    return reduceMotion && reduceMotion.matches ? "auto" : "smooth";
  }

  var bar = root.querySelector("[data-tl-bar]");
  var decades = Array.prototype.slice.call(root.querySelectorAll(".tl-decade"));
  var entries = Array.prototype.slice.call(root.querySelectorAll(".tl-entry"));

  function barLinkFor(id) {
    return bar ? bar.querySelector('a[href="#' + id + '"]') : null;
  }

  /* -- Filters ------------------------------------------------------------ */
  var panel = root.querySelector("[data-tl-filters]");
  if (panel && entries.length) {
    var toggles = Array.prototype.slice.call(panel.querySelectorAll("[data-tl-kind]"));
    var tagSelect = panel.querySelector("[data-tl-tag]");
    var reset = panel.querySelector("[data-tl-reset]");
    var status = panel.querySelector("[data-tl-status]");

    var apply = function (announce) {
      var kinds = {};
      toggles.forEach(function (button) {
        kinds[button.getAttribute("data-tl-kind")] = button.getAttribute("aria-pressed") === "true";
      });
      var tag = tagSelect ? tagSelect.value : "";
      var shown = 0;
      entries.forEach(function (entry) {
        var tags = (entry.getAttribute("data-tags") || "").split(" ");
        var visible = kinds[entry.getAttribute("data-kind")] !== false && (!tag || tags.indexOf(tag) !== -1);
        entry.hidden = !visible;
        if (visible) shown += 1;
      });
      decades.forEach(function (decade) {
        var empty = !decade.querySelector(".tl-entry:not([hidden])");
        decade.hidden = empty;
        var link = barLinkFor(decade.id);
        if (link) link.parentNode.hidden = empty;
      });
      var filtered = tag !== "" || toggles.some(function (b) { return b.getAttribute("aria-pressed") !== "true"; });
      if (reset) reset.hidden = !filtered;
      if (announce && status) {
        var pattern = shown === 1 ? panel.getAttribute("data-shown-one") : panel.getAttribute("data-shown-other");
        status.textContent = shown === 0 ? panel.getAttribute("data-none") : pattern.replace("{count}", String(shown));
      }
    };

    toggles.forEach(function (button) {
      button.addEventListener("click", function () {
        var pressed = button.getAttribute("aria-pressed") === "true";
        button.setAttribute("aria-pressed", pressed ? "false" : "true");
        apply(true);
      });
    });
    if (tagSelect) tagSelect.addEventListener("change", function () { apply(true); });
    if (reset) {
      reset.addEventListener("click", function () {
        toggles.forEach(function (button) { button.setAttribute("aria-pressed", "true"); });
        if (tagSelect) tagSelect.value = "";
        apply(true);
        (toggles[0] || panel).focus();
      });
    }
    panel.hidden = false;
    apply(false);
  }

  /* -- Decade bar ------------------------------------------------------------ */
  if (!bar) return;
  var scroller = bar.querySelector(".tl-bar__inner");

  function keepInView(link) {
    // Scroll the bar sideways only: scrollIntoView would also move the page.
    if (!scroller || !link) return;
    var left = link.offsetLeft - scroller.clientWidth / 2 + link.offsetWidth / 2;
    scroller.scrollTo({ left: Math.max(0, left), behavior: scrollBehavior() });
  }

  var current = null;
  function mark(id) {
    var link = barLinkFor(id);
    if (!link || link === current) return;
    if (current) current.removeAttribute("aria-current");
    link.setAttribute("aria-current", "location");
    current = link;
    keepInView(link);
  }

  // The browser scrolls a focused link into view only when it is wholly out of view: a decade
  // cut by the bar's edge would keep its focus ring half hidden.
  bar.addEventListener("focusin", function (event) {
    var link = event.target;
    if (!scroller || !(link instanceof Element) || !link.matches("a")) return;
    var box = scroller.getBoundingClientRect();
    var seen = link.getBoundingClientRect();
    if (seen.left < box.left || seen.right > box.right) keepInView(link);
  });

  bar.addEventListener("click", function (event) {
    var link = event.target.closest ? event.target.closest('a[href^="#"]') : null;
    if (!link) return;
    var id = link.getAttribute("href").slice(1);
    var target = document.getElementById(id);
    if (!target) return;
    event.preventDefault();
    var heading = target.querySelector("h2") || target;
    target.scrollIntoView({ behavior: scrollBehavior(), block: "start" });
    heading.focus({ preventScroll: true });
    if (window.history && history.pushState) history.pushState(null, "", "#" + id);
    mark(id);
  });

  var onDecadePage = !bar.querySelector('a[href^="#"]');
  if (onDecadePage) {
    keepInView(bar.querySelector('a[aria-current="page"]'));
    return;
  }
  if (!("IntersectionObserver" in window) || !decades.length) return;
  var visible = {};
  var observer = new IntersectionObserver(function (records) {
    records.forEach(function (record) { visible[record.target.id] = record.isIntersecting; });
    // The first decade (in page order) that is on screen is the one being read.
    for (var i = 0; i < decades.length; i += 1) {
      if (visible[decades[i].id] && !decades[i].hidden) {
        mark(decades[i].id);
        return;
      }
    }
  }, { rootMargin: "-80px 0px -55% 0px" });
  decades.forEach(function (decade) { observer.observe(decade); });
})();
