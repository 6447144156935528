/* storysite: small keyboard enhancements for every page. Plain JavaScript.

   Without JavaScript everything still works: the phone menu is a native
   <details> disclosure.

   - Phone menu (details.site-nav__menu): Escape closes it and puts the focus
     back on its "Menu" summary; it closes when the focus moves to something
     outside it (Tab past its last link, Shift+Tab before it) or on a click
     outside it, so it never covers what the focus is on. */
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
})();
