// The 120 call form: map clicks fill the coordinates; a locked number warns at once.
(function () {
  "use strict";
  var lon = document.getElementById("lon");
  var lat = document.getElementById("lat");
  var phone = document.getElementById("caller_phone");
  var warning = document.getElementById("lock-warning");
  var marker = null;
  function place(latlng) {
    if (marker) { marker.setLatLng(latlng); } else { marker = L.marker(latlng).addTo(window.hotlineMap); }
  }
  if (window.hotlineMap && lon && lat) {
    window.hotlineMap.on("click", function (e) {
      lon.value = e.latlng.lng.toFixed(6);
      lat.value = e.latlng.lat.toFixed(6);
      place(e.latlng);
    });
    // A place chosen in the address box (places.js) moves the marker there too.
    if (lon.form) {
      lon.form.addEventListener("hotline:point", function (e) {
        var latlng = L.latLng(e.detail.lat, e.detail.lon);
        place(latlng);
        window.hotlineMap.setView(latlng, Math.max(window.hotlineMap.getZoom(), 15));
      });
    }
  }
  if (phone && warning) {
    phone.addEventListener("change", function () {
      fetch("/ems/lock?phone=" + encodeURIComponent(phone.value), { credentials: "same-origin" })
        .then(function (r) { return r.json(); })
        .then(function (data) {
          warning.hidden = !data.locked;
          warning.textContent = data.locked ? warning.dataset.prefix + " " + data.reason : "";
        })
        .catch(function () {});
    });
  }
})();
