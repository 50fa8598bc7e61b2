// The console's alert for jobs their crew has not acknowledged (接单): polled every 3 s;
// each shows the vehicle, the seconds since dispatch, a tel: link to the vehicle's phone
// and, once overdue, a form to reassign the job to one of the nearest available vehicles.
(function () {
  "use strict";
  var box = document.getElementById("ack-alerts");
  if (!box) return;
  var TEXT = JSON.parse(box.dataset.text);
  var choosing = false; // a dispatcher choosing a vehicle: do not redraw under their hand

  function el(tag, text, className) {
    var node = document.createElement(tag);
    if (text) node.textContent = text;
    if (className) node.className = className;
    return node;
  }
  function reassignForm(alert) {
    var form = el("form");
    form.method = "post";
    form.action = alert.reassign_url;
    var csrf = el("input");
    csrf.type = "hidden"; csrf.name = "csrf_token"; csrf.value = box.dataset.csrf;
    form.appendChild(csrf);
    if (!alert.vehicles.length) { form.appendChild(el("span", TEXT.none, "hint")); return form; }
    var select = el("select");
    select.name = "vehicle_id";
    select.setAttribute("aria-label", TEXT.choose);
    alert.vehicles.forEach(function (v) {
      var option = el("option", v.call_sign + " (" + v.minutes + " min)");
      option.value = v.vehicle_id;
      select.appendChild(option);
    });
    select.addEventListener("focus", function () { choosing = true; });
    select.addEventListener("blur", function () { choosing = false; });
    form.appendChild(select);
    form.appendChild(el("button", TEXT.reassign));
    return form;
  }
  function render(data) {
    box.textContent = "";
    data.waiting.forEach(function (alert) {
      var row = el("div", "", "alert" + (alert.overdue ? " overdue" : ""));
      row.dataset.job = alert.job_id;
      var link = el("a", "");
      link.href = alert.incident_url;
      link.textContent = TEXT.waiting.replace("{call_sign}", alert.call_sign)
        .replace("{number}", alert.incident_number).replace("{seconds}", alert.seconds);
      row.appendChild(link);
      if (alert.overdue) row.appendChild(el("strong", " · " + TEXT.overdue + " "));
      if (alert.phone) {
        var tel = el("a", " ☎ " + TEXT.call + " " + alert.phone + " ");
        tel.href = "tel:" + alert.phone;
        row.appendChild(tel);
      }
      if (alert.overdue) row.appendChild(reassignForm(alert));
      box.appendChild(row);
    });
  }
  function poll() {
    if (choosing) { setTimeout(poll, 3000); return; }
    fetch(box.dataset.url, { headers: { Accept: "application/json" }, credentials: "same-origin" })
      .then(function (r) { if (!r.ok) throw new Error(r.status); return r.json(); })
      .then(render)
      .catch(function () {})
      .then(function () { setTimeout(poll, 3000); });
  }
  poll();
})();
