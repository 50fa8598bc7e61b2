// Intake form: map clicks fill the coordinates, the routing preview and the caller's history
// update as the operator types. Everything is text-only DOM work: no HTML from the server.
(function () {
  "use strict";
  var form = document.getElementById("intake-form");
  if (!form) { return; }
  var lon = document.getElementById("lon");
  var lat = document.getElementById("lat");
  var district = document.getElementById("district_code");
  var address = document.getElementById("address");
  var street = document.getElementById("street_code");
  var streetGuess = document.getElementById("street-guess");
  var category = document.getElementById("category_code");
  var filter = document.getElementById("category_filter");
  var phone = document.getElementById("caller_phone");
  var type = document.getElementById("order_type");
  var close = document.getElementById("close_at_intake");
  var preview = document.getElementById("route-preview");
  var marker = null;

  function text(el, value) { el.textContent = value; return el; }
  function hasPoint() { return lon.value !== "" && lat.value !== "" && !isNaN(+lon.value) && !isNaN(+lat.value); }

  function setMarker(latValue, lonValue) {
    var map = window.hotlineMap;
    if (!map || !window.L) { return; }
    if (marker) { marker.setLatLng([latValue, lonValue]); }
    else { marker = window.L.circleMarker([latValue, lonValue], { radius: 8, color: "#c53030", weight: 3 }).addTo(map); }
  }

  var timer = null;
  function updatePreview() {
    clearTimeout(timer);
    timer = setTimeout(function () {
      if (!category.value) { return; }
      var params = new URLSearchParams({ category_code: category.value });
      if (hasPoint()) { params.set("lon", lon.value); params.set("lat", lat.value); }
      else if (district.value) { params.set("district_code", district.value); }
      if (address.value.trim()) { params.set("address", address.value.trim()); }
      if (street.dataset.chosen && street.value) { params.set("street_code", street.value); }
      fetch(form.dataset.previewUrl + "?" + params.toString(),
            { credentials: "same-origin", headers: { Accept: "application/json" } })
        .then(function (r) { return r.json(); })
        .then(function (data) {
          preview.replaceChildren();
          if (!data.ok) { text(preview, Object.values(data.errors).join(" ")); return; }
          var head = document.createElement("strong");
          text(head, data.department || preview.dataset.manual);
          preview.appendChild(head);
          var why = document.createElement("div");
          text(why, (data.district ? data.district + " · " : "") + data.reason);
          preview.appendChild(why);
          preview.classList.toggle("manual", data.manual);
          showStreet(data);
        })
        .catch(function () { /* only a help: saving validates again */ });
    }, 150);
  }

  // The 街乡镇 list shows the district's units; the address's guess is preselected until the
  // operator chooses one (then the choice is sent and kept).
  function filterStreets(districtCode) {
    Array.prototype.forEach.call(street.options, function (o) {
      o.hidden = o.value !== "" && districtCode !== "" && o.dataset.district !== districtCode;
    });
  }
  function showStreet(data) {
    filterStreets(data.district_code || district.value || "");
    if (!street.dataset.chosen) { street.value = data.street_code || ""; }
    text(streetGuess, data.street_source === "address"
      ? streetGuess.dataset.guess.replace("%s", data.street) : "");
  }

  // 追加诉求 on an open order: the caller's new information joins that order (no new order).
  // The box and button belong to the separate follow-up form; only the clicked one's box goes.
  function followUp(url, list) {
    var fu = document.getElementById("follow-up-form");
    var details = document.createElement("details");
    details.className = "follow-up";
    details.appendChild(text(document.createElement("summary"), fu.dataset.label));
    var area = document.createElement("textarea");
    area.name = "text";
    area.rows = 3;
    area.maxLength = +fu.dataset.max;
    area.required = true;
    area.placeholder = fu.dataset.textLabel;
    area.setAttribute("aria-label", fu.dataset.textLabel);
    area.setAttribute("form", "");
    var button = text(document.createElement("button"), fu.dataset.submit);
    button.type = "submit";
    button.setAttribute("form", "follow-up-form");
    button.formAction = url;
    button.addEventListener("click", function () {
      list.querySelectorAll("textarea").forEach(function (t) {
        t.setAttribute("form", t === area ? "follow-up-form" : "");
      });
      fu.elements.channel.value = form.elements.channel.value;
    });
    details.appendChild(area);
    details.appendChild(button);
    return details;
  }

  function updateHistory() {
    var box = document.getElementById("history");
    var list = document.getElementById("history-list");
    if (!phone.value.trim()) { box.hidden = true; return; }
    fetch(form.dataset.historyUrl + "?" + new URLSearchParams({ phone: phone.value }).toString(),
          { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (r) { return r.json(); })
      .then(function (data) {
        list.replaceChildren();
        data.orders.forEach(function (o) {
          var li = document.createElement("li");
          var a = document.createElement("a");
          a.href = o.url;
          text(a, o.number);
          li.appendChild(a);
          li.appendChild(document.createTextNode(
            " " + o.created.slice(0, 10) + " " + o.type + " · " + o.category + " · " + o.state));
          if (o.follow_up_url) { li.appendChild(followUp(o.follow_up_url, list)); }
          list.appendChild(li);
        });
        box.hidden = data.orders.length === 0;
      })
      .catch(function () {});
  }

  function updateTypeRows() {
    document.getElementById("confidential-row").hidden = type.value !== "tip_off";
    document.getElementById("consent-row").hidden = !(
      type.value === "tip_off" && document.querySelector("[name=confidential]").checked
    );
    close.parentElement.hidden = type.value !== "inquiry";
    document.getElementById("answer-row").hidden = !(type.value === "inquiry" && close.checked);
  }

  // A place chosen in the address box (places.js) has set the point.
  form.addEventListener("hotline:point", function (e) {
    setMarker(e.detail.lat, e.detail.lon);
    if (window.hotlineMap) { window.hotlineMap.panTo([e.detail.lat, e.detail.lon]); }
    updatePreview();
  });

  if (window.hotlineMap) {
    window.hotlineMap.on("click", function (e) {
      lon.value = e.latlng.lng.toFixed(6);
      lat.value = e.latlng.lat.toFixed(6);
      setMarker(e.latlng.lat, e.latlng.lng);
      updatePreview();
    });
    // Folium's district layer swallows clicks; pass them on to the map.
    window.hotlineMap.eachLayer(function (layer) {
      if (layer.feature || layer.getLayers) {
        layer.on("click", function (e) { window.hotlineMap.fire("click", e); });
      }
    });
    if (hasPoint()) { setMarker(+lat.value, +lon.value); }
  }

  filter.addEventListener("input", function () {
    var q = filter.value.trim().toLowerCase();
    Array.prototype.forEach.call(category.querySelectorAll("option"), function (o) {
      o.hidden = q !== "" && o.dataset.search.toLowerCase().indexOf(q) === -1;
    });
  });
  [category, district, address].forEach(function (el) { el.addEventListener("change", updatePreview); });
  // A new district shows its own 街乡镇; a choice from another district no longer holds.
  district.addEventListener("change", function () {
    filterStreets(district.value);
    var chosen = street.options[street.selectedIndex];
    if (chosen && chosen.value && district.value && chosen.dataset.district !== district.value) {
      street.value = "";
      street.dataset.chosen = "";
    }
  });
  street.addEventListener("change", function () {
    street.dataset.chosen = street.value ? "yes" : "";
    updatePreview();
  });
  [lon, lat].forEach(function (el) {
    el.addEventListener("change", function () {
      if (hasPoint()) { setMarker(+lat.value, +lon.value); }
      updatePreview();
    });
  });
  phone.addEventListener("change", updateHistory);
  type.addEventListener("change", updateTypeRows);
  close.addEventListener("change", updateTypeRows);
  document.querySelector("[name=confidential]").addEventListener("change", updateTypeRows);
  updateTypeRows();
  if (phone.value) { updateHistory(); }
  if (category.value) { updatePreview(); }
}());
