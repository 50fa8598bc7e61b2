// The dispatcher's live map: GeoJSON feeds drawn on a canvas renderer (10,000 markers stay
// fluid), refreshed without reloading. Text is only ever set with textContent.
(function () {
  "use strict";
  var map = window.hotlineMap;
  if (!map) { return; }
  var legend = document.getElementById("map-legend");
  var statusLabels = JSON.parse(legend.dataset.labels);
  var text = JSON.parse(legend.dataset.text);
  var renderer = L.canvas({ padding: 0.5 });
  var colours = {
    available: "#2f855a", dispatched: "#c05621", en_route: "#dd6b20", on_scene: "#c53030",
    transporting: "#9b2c2c", at_hospital: "#6b46c1", returning: "#3182ce", out_of_service: "#718096"
  };
  var layers = {
    vehicles: L.layerGroup().addTo(map),
    incidents: L.layerGroup().addTo(map),
    orders: L.layerGroup(),
    places: L.layerGroup().addTo(map)
  };
  var overlays = {};
  overlays[text.vehicles] = layers.vehicles;
  overlays[text.incidents] = layers.incidents;
  overlays[text.orders] = layers.orders;
  overlays[text.places] = layers.places;
  L.control.layers(null, overlays, { collapsed: false }).addTo(map);

  function el(tag, content) {
    var node = document.createElement(tag);
    if (content !== undefined) { node.textContent = content; }
    return node;
  }

  // Markers are kept by feature id and moved or restyled in place: re-creating 10,000 of
  // them every refresh made the map stutter. A full feed (`partial` false) also drops the
  // markers it no longer holds; a change-only feed touches only the features it carries.
  function draw(layer, data, style, popup, partial) {
    var known = layer.byId || (layer.byId = {});
    var seen = {};
    data.features.forEach(function (f, index) {
      var c = f.geometry.coordinates;
      var key = f.properties.id !== undefined ? f.properties.id : f.properties.name || index;
      seen[key] = true;
      var marker = known[key];
      if (f.properties.removed) {
        if (marker) { layer.removeLayer(marker); delete known[key]; }
        return;
      }
      if (marker) {
        marker.setLatLng([c[1], c[0]]);
        marker.setStyle(style(f.properties));
        marker.feature = f;
        return;
      }
      marker = L.circleMarker([c[1], c[0]], Object.assign({ renderer: renderer }, style(f.properties)));
      marker.feature = f;
      marker.bindPopup(function () { return popup(marker.feature.properties); });
      known[key] = marker;
      layer.addLayer(marker);
    });
    if (partial) { return; }
    Object.keys(known).forEach(function (key) {
      if (!seen[key]) { layer.removeLayer(known[key]); delete known[key]; }
    });
  }

  function vehiclePopup(p) {
    var box = el("div");
    box.appendChild(el("strong", p.name));
    box.appendChild(el("div", statusLabels[p.status] || p.status));
    return box;
  }

  function incidentPopup(p) {
    var box = el("div");
    box.appendChild(el("strong", text.incident + " " + p.name));
    box.appendChild(el("div", p.text));
    var list = el("ol");
    box.appendChild(el("div", text.recommend + ":"));
    box.appendChild(list);
    fetch("/ems/incidents/" + encodeURIComponent(p.id) + "/recommend.json", { credentials: "same-origin" })
      .then(function (r) { return r.json(); })
      .then(function (data) {
        if (!data.vehicles.length) { list.appendChild(el("li", text.none)); }
        data.vehicles.forEach(function (v) {
          list.appendChild(el("li", v.call_sign + " · " + v.station + " · " +
            (v.distance_m / 1000).toFixed(1) + " km · ≈" + v.minutes + " min"));
        });
      }).catch(function () {});
    var link = el("a", text.open);
    link.href = "/ems/incidents/" + encodeURIComponent(p.id);
    box.appendChild(link);
    return box;
  }

  function simplePopup(p) { return el("div", p.name + (p.state ? " · " + p.state : "")); }

  function getJSON(url) {
    return fetch(url, { credentials: "same-origin" })
      .then(function (r) { if (!r.ok) { throw new Error(r.status); } return r.json(); });
  }

  function load(url, layer, style, popup) {
    return getJSON(url).then(function (data) { draw(layer, data, style, popup); return data.features.length; });
  }

  function vehicleStyle(p) {
    return { radius: 5, weight: 1, color: "#fff", fillColor: colours[p.status] || "#000", fillOpacity: 0.9 };
  }

  // Vehicles: the full feed once, then only the vehicles changed since the version the last
  // answer gave (about 1% of 10,000 move in 5 s: a few kB instead of 1.4 MB). The server
  // answers `full: true` when it cannot give changes (e.g. its database was restored), and
  // a full reload every 10 minutes heals anything else that could drift.
  var FULL_EVERY_MS = 10 * 60 * 1000;
  var fleet = { version: null, fullAt: 0, busy: null };
  function loadVehicles() {
    if (fleet.busy) { return fleet.busy; }  // answers applied out of order would go back
    var full = fleet.version === null || Date.now() - fleet.fullAt > FULL_EVERY_MS;
    var url = "/api/v1/map/vehicles.geojson" + (full ? "" : "?since=" + encodeURIComponent(fleet.version));
    fleet.busy = getJSON(url).then(function (data) {
      draw(layers.vehicles, data, vehicleStyle, vehiclePopup, !data.full);
      if (data.full) { fleet.fullAt = Date.now(); }
      fleet.version = data.version;
      return Object.keys(layers.vehicles.byId).length;
    }, function (error) {
      if (error.message === "400") { fleet.version = null; }  // not a version it knows
      throw error;
    }).finally(function () { fleet.busy = null; });
    return fleet.busy;
  }

  var status = document.getElementById("map-status");
  function refresh() {
    Promise.all([
      loadVehicles(),
      load("/api/v1/map/incidents.geojson", layers.incidents, function (p) {
        return { radius: 9 - p.triage, weight: 2, color: "#742a2a", fillColor: "#f56565", fillOpacity: 0.9 };
      }, incidentPopup)
    ]).then(function (counts) {
      status.textContent = counts[0] + " / " + counts[1] + " · " + new Date().toLocaleTimeString();
    }).catch(function () { status.textContent = "!"; });
  }
  function refreshOrders() {
    if (!map.hasLayer(layers.orders)) { return; }
    load("/api/v1/map/orders.geojson", layers.orders, function () {
      return { radius: 3, weight: 0, fillColor: "#d69e2e", fillOpacity: 0.8 };
    }, simplePopup).catch(function () {});
  }
  load("/api/v1/map/places.geojson", layers.places, function (p) {
    return p.kind === "hospital"
      ? { radius: 6, weight: 2, color: "#22543d", fillColor: "#c6f6d5", fillOpacity: 1 }
      : { radius: 4, weight: 2, color: "#2a4365", fillColor: "#bee3f8", fillOpacity: 1 };
  }, simplePopup).catch(function () {});
  map.on("overlayadd", function (e) { if (e.layer === layers.orders) { refreshOrders(); } });
  refresh();
  window.setInterval(refresh, 5000);
  window.setInterval(refreshOrders, 30000);
})();
