/* storysite: small keyboard enhancements for every page. Plain JavaScript.

   Without JavaScript everything still works: the phone menu is a native
   <details> disclosure and the row of picks scrolls sideways.

   - Phone menu (details.site-nav__menu): Escape closes it and puts the focus
     back on its "Menu" summary; it closes when the focus moves to something
     outside it (Tab past its last link, Shift+Tab before it) or on a click
     outside it, so it never covers what the focus is on.
   - Picks that scroll sideways (.card-grid--scroll): a card that takes the
     focus is brought whole into view (the browser alone only brings the
     focused link into view, which may leave most of the card off-screen);
     smooth only without prefers-reduced-motion. */
(function () {
  "use strict";

  // -- phone menu ---------------------------------------------------------
  Array.prototype.forEach.call(document.querySelectorAll("details.site-nav__menu"), function (menu) {
    var summary = menu.querySelector("summary");
    menu.addEventListener("keydown", function (event) {
      if (event.key === "Escape" && menu.open) {
        event.preventDefault();
        menu.open = false;
        if (summary) { summary.focus(); }
      }
    });
    menu.addEventListener("focusout", function (event) {
      // Only when the focus lands somewhere known: not when the window loses it.
      var to = event.relatedTarget;
      if (menu.open && to instanceof Node && !menu.contains(to)) { menu.open = false; }
    });
    document.addEventListener("click", function (event) {
      if (menu.open && event.target instanceof Node && !menu.contains(event.target)) { menu.open = false; }
    });
  });

  // -- picks that scroll sideways ---------------------------------------------
  var reduceMotion = window.matchMedia && window.matchMedia("(prefers-reduced-motion: reduce)");
  document.addEventListener("focusin", function (event) {
    var item = event.target instanceof Element ? event.target.closest(".card-grid--scroll > li") : null;
    if (!item) { return; }
    var list = item.parentElement;
    if (list.scrollWidth <= list.clientWidth) { return; }
    var style = window.getComputedStyle(list);
    var box = list.getBoundingClientRect();
    var card = item.getBoundingClientRect();
    var left = box.left + (parseFloat(style.scrollPaddingLeft) || 0);
    var right = box.right - (parseFloat(style.scrollPaddingRight) || 0);
    if (card.left >= left - 1 && card.right <= right + 1) { return; }
    // To the card's snap position (its start), so that snapping keeps it there.
    item.scrollIntoView({
      block: "nearest",
      inline: "start",
      behavior: reduceMotion && reduceMotion.matches ? "auto" : "smooth"
    });
  });
})();
