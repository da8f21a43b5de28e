// Maps of places (templates/_map.html, handlers/place_map.go). The page
// works without this script: the text list, the place select and the
// coordinate inputs are the accessible path; the map only adds a picture.
//
// data-mode: "show" (popups link to the places), "select" (a marker click
// selects its place in <select id="place_id">), "pick" (a click sets the
// inputs #latitude and #longitude; typing in them moves the marker).
"use strict";
(function () {
  if (typeof L === "undefined") {
    return;
  }
  document.querySelectorAll("div.map[data-mode]").forEach(init);

  function init(el) {
    var d = el.dataset;
    var markers = [];
    try {
      markers = JSON.parse(d.markers || "[]");
    } catch (e) {
      markers = [];
    }
    // Leaflet guesses its icon folder from its CSS; the assets carry a
    // content hash, so the URLs come from the page instead.
    L.Icon.Default.imagePath = "";
    L.Icon.Default.mergeOptions({ iconUrl: d.icon, iconRetinaUrl: d.icon2x, shadowUrl: d.shadow });

    var maxZoom = parseInt(d.maxZoom, 10) || 19;
    var map = L.map(el, { scrollWheelZoom: false });
    L.tileLayer(d.tiles, { maxZoom: maxZoom, attribution: d.attribution }).addTo(map);
    el.classList.add("map-ready");

    var byID = {};
    var points = [];
    // In "pick" mode the inputs, not the places, make the marker.
    (d.mode === "pick" ? [] : markers).forEach(function (m) {
      var mk = L.marker([m.lat, m.lng], { title: m.name, alt: m.name, keyboard: false }).addTo(map);
      byID[String(m.id)] = mk;
      points.push([m.lat, m.lng]);
      if (d.mode === "show") {
        mk.bindPopup(popup(m));
      } else if (d.mode === "select") {
        mk.bindTooltip(m.name);
        mk.on("click", function () {
          var sel = document.getElementById("place_id");
          if (sel) {
            sel.value = String(m.id);
            sel.dispatchEvent(new Event("change", { bubbles: true }));
          }
        });
      }
    });

    if (d.mode === "pick") {
      pick(map, markers, maxZoom);
      return;
    }
    if (points.length === 1) {
      map.setView(points[0], Math.min(16, maxZoom));
    } else {
      map.fitBounds(points, { padding: [30, 30], maxZoom: Math.min(16, maxZoom) });
    }
    if (d.mode === "select") {
      var sel = document.getElementById("place_id");
      if (sel) {
        sel.addEventListener("change", function () {
          var mk = byID[sel.value];
          // Only a place out of view moves the map: a marker just
          // clicked stays where the finger is, with its neighbours.
          if (mk && !map.getBounds().contains(mk.getLatLng())) {
            map.panTo(mk.getLatLng());
          }
        });
      }
    }
  }

  // popup is a link to the place page, built as DOM so names stay text.
  function popup(m) {
    var a = document.createElement("a");
    a.textContent = m.name;
    if (m.url) {
      a.href = m.url;
    }
    return a;
  }

  // pick ties the map to the inputs #latitude and #longitude both ways.
  function pick(map, markers, maxZoom) {
    var lat = document.getElementById("latitude");
    var lng = document.getElementById("longitude");
    if (!lat || !lng) {
      return;
    }
    var marker = null;
    function current() {
      var a = parseFloat(lat.value.replace(",", "."));
      var b = parseFloat(lng.value.replace(",", "."));
      if (isNaN(a) || isNaN(b) || a < -90 || a > 90 || b < -180 || b > 180) {
        return null;
      }
      return L.latLng(a, b);
    }
    function place(p) {
      if (!p) {
        if (marker) {
          map.removeLayer(marker);
          marker = null;
        }
        return;
      }
      if (marker) {
        marker.setLatLng(p);
      } else {
        marker = L.marker(p, { keyboard: false }).addTo(map);
      }
    }
    var p = current();
    place(p);
    if (p) {
      map.setView(p, Math.min(16, maxZoom));
    } else if (markers.length) {
      map.setView([markers[0].lat, markers[0].lng], Math.min(14, maxZoom));
    } else {
      map.setView([20, 0], 2);
    }
    map.on("click", function (e) {
      var q = e.latlng.wrap();
      lat.value = q.lat.toFixed(6);
      lng.value = q.lng.toFixed(6);
      lat.dispatchEvent(new Event("change", { bubbles: true }));
      place(q);
    });
    [lat, lng].forEach(function (input) {
      input.addEventListener("input", function () {
        var q = current();
        place(q);
        if (q) {
          map.panTo(q);
        }
      });
    });
  }
})();
