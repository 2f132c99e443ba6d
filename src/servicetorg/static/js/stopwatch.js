/* Kommunetest: a stopwatch for a phone item's wait and a two-minute timer for a web item.
   Progressive enhancement: without JavaScript the tester types the seconds herself. Each
   [data-stopwatch] element names its number field (data-for) and carries its button texts; the
   timer (data-limit, seconds) stops by itself at the limit. A static file (no inline script). */
(function () {
  "use strict";
  var watches = document.querySelectorAll("[data-stopwatch]");
  Array.prototype.forEach.call(watches, function (box) {
    var field = document.getElementById(box.getAttribute("data-for"));
    if (!field) {
      return;
    }
    var limit = parseInt(box.getAttribute("data-limit") || "0", 10);
    var button = document.createElement("button");
    button.type = "button";
    button.className = "ds-button";
    button.setAttribute("data-variant", "secondary");
    button.textContent = box.getAttribute("data-start");
    var shown = document.createElement("span");
    shown.setAttribute("role", "timer");
    shown.setAttribute("aria-live", "off");
    shown.className = "stopwatch-time";
    shown.textContent = "0:00";
    box.appendChild(button);
    box.appendChild(shown);
    var started = null;
    var tick = null;
    function seconds() {
      return Math.floor((Date.now() - started) / 1000);
    }
    function show(total) {
      var rest = total % 60;
      shown.textContent = Math.floor(total / 60) + ":" + (rest < 10 ? "0" : "") + rest;
    }
    function stop() {
      var total = seconds();
      if (limit && total > limit) {
        total = limit;
      }
      window.clearInterval(tick);
      tick = null;
      field.value = total;
      show(total);
      button.textContent = box.getAttribute("data-start");
      button.setAttribute("aria-pressed", "false");
      shown.setAttribute("aria-live", "polite");
    }
    button.addEventListener("click", function () {
      if (tick) {
        stop();
        return;
      }
      started = Date.now();
      shown.setAttribute("aria-live", "off");
      button.textContent = box.getAttribute("data-stop");
      button.setAttribute("aria-pressed", "true");
      tick = window.setInterval(function () {
        var total = seconds();
        show(total);
        if (limit && total >= limit) {
          stop();
        }
      }, 250);
    });
  });
})();
