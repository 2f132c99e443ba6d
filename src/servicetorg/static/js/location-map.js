/* Maps (Leaflet, from npm): mark where it is on the contact form, show the place of a case; and the
   address field's suggestions from Kartverket's address register (asked through this site:
   inquiries_public:address-search). A static file (no inline script); everything it needs comes in
   data attributes (core/maps.py, inquiries/_location_map.html, inquiries/_location_fieldset.html).
   Without JavaScript the map and the suggestions stay hidden, and the typed address (which the
   server looks up) and coordinates do the work. Screen readers hear what was chosen ("Storgata 1,
   3256 Larvik"), never raw coordinates. */
(function () {
  "use strict";
  var L = window.L;

  function number(value) {
    var n = parseFloat(String(value || "").replace(",", ".").replace("\u2212", "-"));
    return isFinite(n) ? n : null;
  }

  function fixed(n) {
    return (Math.round(n * 1e6) / 1e6).toFixed(6);
  }

  function icon(el) {
    return L.icon({
      iconUrl: el.dataset.markerIcon,
      iconRetinaUrl: el.dataset.markerIcon2x,
      shadowUrl: el.dataset.markerShadow,
      iconSize: [25, 41],
      iconAnchor: [12, 41],
      shadowSize: [41, 41]
    });
  }

  function baseMap(el, center, zoom) {
    var map = L.map(el.querySelector(".location-map__canvas"), {
      center: center,
      zoom: zoom,
      zoomControl: false,
      keyboard: true
    });
    L.control.zoom({ zoomInTitle: el.dataset.labelZoomIn, zoomOutTitle: el.dataset.labelZoomOut }).addTo(map);
    map.attributionControl.setPrefix(false);
    L.tileLayer(el.dataset.tileUrl, { attribution: el.dataset.attribution, maxZoom: 18 }).addTo(map);
    return map;
  }

  function show(el) {
    var lat = number(el.dataset.placeLat);
    var lng = number(el.dataset.placeLong);
    if (lat === null || lng === null) {
      return;
    }
    el.hidden = false;
    var map = baseMap(el, [lat, lng], 16);
    L.marker([lat, lng], { icon: icon(el), alt: el.dataset.labelMarker, keyboard: false }).addTo(map);
  }

  /* The map of the contact form: returns {placeAt(lat, long)} for the address search, or null. */
  function pick(el) {
    var latInput = document.getElementById(el.dataset.latInput);
    var lngInput = document.getElementById(el.dataset.longInput);
    var status = el.querySelector("[data-map-status]");
    if (!latInput || !lngInput) {
      return null;
    }
    el.hidden = false;
    var lat = number(latInput.value);
    var lng = number(lngInput.value);
    var marked = lat !== null && lng !== null;
    var center = marked ? [lat, lng] : [number(el.dataset.lat), number(el.dataset.long)];
    var map = baseMap(el, center, marked ? 16 : parseInt(el.dataset.zoom, 10) || 13);
    var marker = null;

    function say(text) {
      status.textContent = text;
    }

    function place(latlng, announce) {
      if (marker === null) {
        marker = L.marker(latlng, { icon: icon(el), alt: el.dataset.labelMarker, keyboard: false }).addTo(map);
      } else {
        marker.setLatLng(latlng);
      }
      latInput.value = fixed(latlng.lat);
      lngInput.value = fixed(latlng.lng);
      if (announce) {
        say(announce);
      }
    }

    function clear() {
      if (marker !== null) {
        map.removeLayer(marker);
        marker = null;
      }
      latInput.value = "";
      lngInput.value = "";
      say(el.dataset.textCleared);
    }

    if (marked) {
      place(L.latLng(lat, lng), "");
    }
    map.on("click", function (event) {
      place(event.latlng, el.dataset.textMarked);
    });
    function typed() {
      var a = number(latInput.value);
      var b = number(lngInput.value);
      if (a !== null && b !== null && Math.abs(a) <= 90 && Math.abs(b) <= 180) {
        place(L.latLng(a, b), "");
        map.panTo([a, b]);
      }
    }
    latInput.addEventListener("change", typed);
    lngInput.addEventListener("change", typed);

    el.querySelector('[data-map-action="centre"]').addEventListener("click", function () {
      place(map.getCenter(), el.dataset.textCentreMarked);
    });
    el.querySelector('[data-map-action="clear"]').addEventListener("click", clear);
    var position = el.querySelector('[data-map-action="position"]');
    if (navigator.geolocation && window.isSecureContext) {
      position.hidden = false;
      position.addEventListener("click", function () {
        say(el.dataset.textLocating);
        navigator.geolocation.getCurrentPosition(
          function (found) {
            var latlng = L.latLng(found.coords.latitude, found.coords.longitude);
            map.setView(latlng, 17);
            place(latlng, el.dataset.textMarked);
          },
          function () {
            say(el.dataset.textNoPosition);
          },
          { enableHighAccuracy: true, timeout: 15000, maximumAge: 60000 }
        );
      });
    }
    return {
      placeAt: function (a, b) {
        var latlng = L.latLng(a, b);
        map.setView(latlng, 17);
        place(latlng, "");  // the address search says what was chosen
      }
    };
  }

  /* The address field as a combobox (WAI-ARIA 1.2, list autocomplete): suggestions as she types, the
     arrow keys move through them, Enter or a click chooses, Escape closes; the status region says
     how many matched and, once chosen, which address. Choosing fills in the address, sets the place
     and moves the map there. */
  function addressSearch(box, map) {
    var input = document.getElementById(box.dataset.addressInput);
    var list = box.querySelector('[role="listbox"]');
    var status = box.querySelector('[role="status"]');
    var fieldset = box.closest("fieldset") || document;
    var latInput = fieldset.querySelector('[name="latitude"]');
    var lngInput = fieldset.querySelector('[name="longitude"]');
    if (!input || !window.fetch) {
      return;
    }
    var results = [];
    var active = -1;
    var timer = null;
    var sequence = 0;
    var controller = null;
    var lastQuery = "";
    box.hidden = false;
    input.setAttribute("role", "combobox");
    input.setAttribute("aria-autocomplete", "list");
    input.setAttribute("aria-expanded", "false");
    input.setAttribute("aria-controls", list.id);
    input.setAttribute("autocomplete", "off");
    var described = (input.getAttribute("aria-describedby") || "").split(" ").filter(Boolean);
    described.push(box.querySelector("[id$='-hint']").id);
    input.setAttribute("aria-describedby", described.join(" "));

    function normalised(text) {
      return String(text || "").trim().replace(/\s+/g, " ");
    }

    function close() {
      list.hidden = true;
      list.textContent = "";
      results = [];
      active = -1;
      input.setAttribute("aria-expanded", "false");
      input.removeAttribute("aria-activedescendant");
    }

    function highlight(index) {
      Array.prototype.forEach.call(list.children, function (option, i) {
        option.setAttribute("aria-selected", i === index ? "true" : "false");
      });
      active = index;
      var option = list.children[index];
      input.setAttribute("aria-activedescendant", option.id);
      if (option.scrollIntoView) {
        option.scrollIntoView({ block: "nearest" });
      }
    }

    function choose(index) {
      var found = results[index];
      if (!found) {
        return;
      }
      input.value = found.label;
      lastQuery = normalised(found.label);
      close();
      if (map) {
        map.placeAt(found.lat, found.long);
      } else if (latInput && lngInput) {
        latInput.value = fixed(found.lat);
        lngInput.value = fixed(found.long);
      }
      status.textContent = box.dataset.textChosen.replace("{address}", found.label);
    }

    function show(found) {
      close();
      results = found;
      found.forEach(function (address, i) {
        var option = document.createElement("li");
        option.id = list.id + "-" + i;
        option.setAttribute("role", "option");
        option.setAttribute("aria-selected", "false");
        option.textContent = address.label;
        option.addEventListener("mousedown", function (event) {
          event.preventDefault();  // the field keeps the focus
        });
        option.addEventListener("click", function () {
          choose(i);
        });
        list.appendChild(option);
      });
      list.hidden = found.length === 0;
      input.setAttribute("aria-expanded", found.length ? "true" : "false");
    }

    function search() {
      var query = normalised(input.value);
      if (query === lastQuery) {
        return;
      }
      lastQuery = query;
      if (controller) {
        controller.abort();
      }
      if (query.length < 3) {
        close();
        status.textContent = "";
        return;
      }
      var mine = ++sequence;
      controller = window.AbortController ? new AbortController() : null;
      fetch(box.dataset.addressSearch + "?q=" + encodeURIComponent(query), {
        headers: { Accept: "application/json" },
        credentials: "same-origin",
        signal: controller ? controller.signal : undefined
      })
        .then(function (response) {
          return response.json().then(function (body) {
            return { ok: response.ok, body: body };
          });
        })
        .then(function (answer) {
          if (mine !== sequence) {
            return;
          }
          if (!answer.ok) {
            lastQuery = "";  // the same words may be tried again
          }
          show(answer.body.results || []);
          status.textContent = answer.body.message || (answer.ok ? "" : box.dataset.textFailed);
        })
        .catch(function (error) {
          if ((error && error.name === "AbortError") || mine !== sequence) {
            return;
          }
          lastQuery = "";
          close();
          status.textContent = box.dataset.textFailed;
        });
    }

    input.addEventListener("input", function () {
      window.clearTimeout(timer);
      timer = window.setTimeout(search, 300);
    });
    input.addEventListener("keydown", function (event) {
      if (event.key === "ArrowDown" && results.length) {
        event.preventDefault();
        highlight(active < results.length - 1 ? active + 1 : 0);
      } else if (event.key === "ArrowUp" && results.length) {
        event.preventDefault();
        highlight(active > 0 ? active - 1 : results.length - 1);
      } else if (event.key === "Enter" && results.length && active >= 0) {
        event.preventDefault();  // choosing does not send the form
        choose(active);
      } else if (event.key === "Escape" && results.length) {
        event.preventDefault();
        close();
      }
    });
    input.addEventListener("blur", close);
  }

  var picker = null;
  if (L) {
    Array.prototype.forEach.call(document.querySelectorAll("[data-location-map]"), function (el) {
      if (el.dataset.locationMap === "pick") {
        picker = pick(el);
      } else {
        show(el);
      }
    });
  }
  Array.prototype.forEach.call(document.querySelectorAll("[data-address-search]"), function (box) {
    addressSearch(box, picker);
  });
})();
