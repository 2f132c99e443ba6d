/* Behaviour that pages would otherwise put in inline attributes, which the Content-Security-Policy
   forbids: bar widths from data-bar (a percentage) and print buttons (data-print). */
(function () {
  "use strict";
  function init() {
    document.querySelectorAll("[data-bar]").forEach(function (el) {
      var value = parseFloat(el.getAttribute("data-bar"));
      if (!isNaN(value)) { el.style.width = Math.max(0, Math.min(100, value)) + "%"; }
    });
    document.querySelectorAll("[data-print]").forEach(function (el) {
      el.addEventListener("click", function () { window.print(); });
    });
  }
  if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", init); } else { init(); }
})();
