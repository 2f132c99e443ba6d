/* Forms: focus the error summary after a refused submit; character counters on limited texts.
   A static file (no inline script), loaded with defer on every page. */
(function () {
  "use strict";
  var summary = document.getElementById("error-summary");
  if (summary) {
    summary.focus();
  }
  var counters = document.querySelectorAll("[data-counter-for]");
  Array.prototype.forEach.call(counters, function (counter) {
    var field = document.getElementById(counter.getAttribute("data-counter-for"));
    if (!field) {
      return;
    }
    var max = parseInt(counter.getAttribute("data-max"), 10);
    var template = counter.getAttribute("data-template");
    // Chromium has no nynorsk number data: fall back to bokmål (both write 10 000, not 10,000).
    var locales = [document.documentElement.lang || "nb", "nb"];
    var timer = null;
    function update() {
      var left = max - field.value.length;
      counter.textContent = template
        .replace("{left}", left.toLocaleString(locales))
        .replace("{max}", max.toLocaleString(locales));
      counter.classList.toggle("char-counter--over", left < 0);
    }
    field.addEventListener("input", function () {
      window.clearTimeout(timer);
      timer = window.setTimeout(update, 400);
    });
    update();
  });
})();
