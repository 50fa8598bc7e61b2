// The gazetteer's address box: suggestions as the operator types (Chinese, pinyin or
// initials), one choice sets the point; a map click names the nearest place. Any input
// with data-places-url gets it; the point goes to the inputs its data-lon/data-lat name
// and a "hotline:point" event on its form tells the page (the marker, the routing preview).
// Text-only DOM work: no HTML from the server.
(function () {
  "use strict";
  function text(el, value) { el.textContent = value; return el; }

  function attach(input) {
    var form = input.form;
    var lon = document.getElementById(input.dataset.lon);
    var lat = document.getElementById(input.dataset.lat);
    var list = document.createElement("ul");
    list.className = "place-suggestions";
    list.setAttribute("role", "listbox");
    list.hidden = true;
    input.setAttribute("autocomplete", "off");
    input.insertAdjacentElement("afterend", list);
    var hint = document.createElement("p");
    hint.className = "hint";
    hint.setAttribute("aria-live", "polite");
    list.insertAdjacentElement("afterend", hint);
    var items = [];
    var active = -1;
    var timer = null;

    function choose(item) {
      input.value = item.name;
      if (lon && lat) {
        lon.value = (+item.lon).toFixed(6);
        lat.value = (+item.lat).toFixed(6);
      }
      list.hidden = true;
      if (form) {
        form.dispatchEvent(new CustomEvent("hotline:point", { detail: { lon: +item.lon, lat: +item.lat } }));
      }
    }

    function show(data) {
      items = data.items || [];
      active = -1;
      list.replaceChildren();
      items.forEach(function (item, i) {
        var li = document.createElement("li");
        li.setAttribute("role", "option");
        li.appendChild(text(document.createElement("strong"), item.name));
        li.appendChild(document.createTextNode(" " + item.kind_label + (item.district ? " · " + item.district : "")));
        li.addEventListener("mousedown", function (e) { e.preventDefault(); choose(items[i]); });
        list.appendChild(li);
      });
      list.hidden = items.length === 0;
    }

    function mark() {
      Array.prototype.forEach.call(list.children, function (li, i) {
        li.classList.toggle("active", i === active);
        li.setAttribute("aria-selected", i === active ? "true" : "false");
      });
    }

    input.addEventListener("input", function () {
      clearTimeout(timer);
      var q = input.value.trim();
      if (!q) { show({ items: [] }); return; }
      timer = setTimeout(function () {
        fetch(input.dataset.placesUrl + "?" + new URLSearchParams({ q: q }).toString(),
              { credentials: "same-origin", headers: { Accept: "application/json" } })
          .then(function (r) { return r.json(); })
          .then(function (data) { if (input.value.trim() === q) { show(data); } })
          .catch(function () { /* only a help */ });
      }, 120);
    });
    input.addEventListener("keydown", function (e) {
      if (list.hidden) { return; }
      if (e.key === "ArrowDown") { active = Math.min(active + 1, items.length - 1); mark(); e.preventDefault(); }
      else if (e.key === "ArrowUp") { active = Math.max(active - 1, 0); mark(); e.preventDefault(); }
      else if (e.key === "Enter" && active >= 0) { choose(items[active]); e.preventDefault(); }
      else if (e.key === "Escape") { list.hidden = true; }
    });
    input.addEventListener("blur", function () { list.hidden = true; });

    // Reverse lookup: a map click names the nearest place; clicking the name takes it.
    if (window.hotlineMap && input.dataset.nearestUrl) {
      window.hotlineMap.on("click", function (e) {
        var params = new URLSearchParams({ lon: e.latlng.lng.toFixed(6), lat: e.latlng.lat.toFixed(6) });
        fetch(input.dataset.nearestUrl + "?" + params.toString(),
              { credentials: "same-origin", headers: { Accept: "application/json" } })
          .then(function (r) { return r.json(); })
          .then(function (data) {
            hint.replaceChildren();
            if (!data.item) { return; }
            var use = text(document.createElement("button"), data.item.name);
            use.type = "button";
            use.className = "link";
            use.addEventListener("click", function () { input.value = data.item.name; hint.replaceChildren(); });
            hint.appendChild(document.createTextNode(input.dataset.nearestLabel + " "));
            hint.appendChild(use);
            hint.appendChild(document.createTextNode(" (" + data.distance_m + " m)"));
          })
          .catch(function () {});
      });
    }
  }

  document.querySelectorAll("input[data-places-url]").forEach(attach);
})();
