/* KI-Portal: small enhancements, no inline script (CSP script-src 'self'). Issue 14. */
(function () {
  "use strict";

  /* After a failed submit the keyboard focus goes to the error summary (WCAG 3.3.1);
     its links move the focus to the field and show the field's label as well. */
  function focusErrorSummary(root) {
    var summary = root.querySelector("[data-error-summary]");
    if (summary) summary.focus();
  }

  document.addEventListener("click", function (event) {
    var link = event.target.closest && event.target.closest("[data-error-summary] a[href^='#']");
    if (!link) return;
    var input = document.getElementById(decodeURIComponent(link.getAttribute("href").slice(1)));
    if (!input) return;
    event.preventDefault();
    var label = document.querySelector("label[for='" + input.id + "']");
    var legend = input.closest("fieldset") && input.closest("fieldset").querySelector("legend");
    (legend || label || input).scrollIntoView();
    input.focus({ preventScroll: true });
  });

  /* A wide table scrolls inside its box (WCAG 1.4.10). While it does, the box is a
     named region a keyboard can focus and scroll; otherwise it is plain layout. */
  function labelScrollBoxes() {
    var boxes = document.querySelectorAll(".table-scroll:not([aria-labelledby])");
    for (var i = 0; i < boxes.length; i++) {
      var box = boxes[i];
      if (box.scrollWidth > box.clientWidth + 1) {
        var caption = box.querySelector("caption");
        box.setAttribute("role", "region");
        box.setAttribute("tabindex", "0");
        if (caption) box.setAttribute("aria-label", caption.textContent.trim());
      } else if (box.getAttribute("tabindex") === "0") {
        box.removeAttribute("role");
        box.removeAttribute("tabindex");
        box.removeAttribute("aria-label");
      }
    }
  }

  function ready() {
    focusErrorSummary(document);
    labelScrollBoxes();
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", ready);
  } else {
    ready();
  }
  var resizeTimer;
  window.addEventListener("resize", function () {
    clearTimeout(resizeTimer);
    resizeTimer = setTimeout(labelScrollBoxes, 100);
  });
  /* htmx swaps (polling status boxes, inline editing) may bring new tables. */
  document.addEventListener("htmx:afterSettle", labelScrollBoxes);
  /* A table in a closed <details> has no width until it opens. */
  document.addEventListener("toggle", labelScrollBoxes, true);
})();
