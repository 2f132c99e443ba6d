/* Maps (Leaflet, from npm): mark where it is on the contact form, show the place of a case.
   A static file (no inline script); everything it needs comes in data attributes (core/maps.py,
   inquiries/_location_map.html). Without JavaScript the map stays hidden and the typed address and
   coordinates do the work. */
(function () {
  "use strict";
  if (!window.L) {
    return;
  }
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

  function pick(el) {
    var latInput = document.getElementById(el.dataset.latInput);
    var lngInput = document.getElementById(el.dataset.longInput);
    var status = el.querySelector("[data-map-status]");
    if (!latInput || !lngInput) {
      return;
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
        say(el.dataset.textMarked.replace("{lat}", latInput.value).replace("{long}", lngInput.value));
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
      place(L.latLng(lat, lng), false);
    }
    map.on("click", function (event) {
      place(event.latlng, true);
    });
    function typed() {
      var a = number(latInput.value);
      var b = number(lngInput.value);
      if (a !== null && b !== null && Math.abs(a) <= 90 && Math.abs(b) <= 180) {
        place(L.latLng(a, b), false);
        map.panTo([a, b]);
      }
    }
    latInput.addEventListener("change", typed);
    lngInput.addEventListener("change", typed);

    el.querySelector('[data-map-action="centre"]').addEventListener("click", function () {
      place(map.getCenter(), true);
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
            place(latlng, true);
          },
          function () {
            say(el.dataset.textNoPosition);
          },
          { enableHighAccuracy: true, timeout: 15000, maximumAge: 60000 }
        );
      });
    }
  }

  Array.prototype.forEach.call(document.querySelectorAll("[data-location-map]"), function (el) {
    if (el.dataset.locationMap === "pick") {
      pick(el);
    } else {
      show(el);
    }
  });
})();
