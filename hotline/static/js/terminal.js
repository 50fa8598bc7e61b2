// The crew terminal (车载终端). Keeps the vehicle's id and token on the device, receives the
// jobs by a fetch() stream (Server-Sent Events, with the Authorization header: no token in
// URLs) with polling as the fallback, and sends every update through one queue kept in
// localStorage: each with an Idempotency-Key and the time it was made, sent in order when
// the connection allows, exactly once (the server answers a repeated key from its receipt).
// A refused token (401/403) stops the queue and keeps it until the crew signs in again; an
// update the server refuses otherwise is kept in a "needs attention" list, never dropped.
// Signing out clears every crew.* key: patient data must not stay on a shared tablet.
(function () {
  "use strict";
  var root = document.getElementById("terminal");
  if (!root) return;
  var API = root.dataset.api;
  var TRANSITIONS = JSON.parse(root.dataset.transitions);
  var LABELS = JSON.parse(root.dataset.statusLabels);
  var TEXT = JSON.parse(root.dataset.text);
  var POLL_MS = 2500, RETRY_MS = 3000, GPS_MS = 15000, BUSY_MS = 30000;
  var KEYS = { vehicle: "crew.vehicleId", token: "crew.token", queue: "crew.queue", seen: "crew.seenJobs",
               attention: "crew.attention" };
  var $ = function (id) { return document.getElementById(id); };

  var state = { vehicleId: null, token: null, status: null, jobs: [], current: null, audio: null,
                flushing: false, waiters: {}, streamAbort: null, lastGps: 0, map: null, layers: null };

  // ---- storage ------------------------------------------------------------------------
  function load(key, fallback) {
    try { var v = JSON.parse(localStorage.getItem(key)); return v === null ? fallback : v; }
    catch (e) { return fallback; }
  }
  function save(key, value) { localStorage.setItem(key, JSON.stringify(value)); }
  function newKey() {
    var bytes = new Uint8Array(16);
    (window.crypto || window.msCrypto).getRandomValues(bytes);
    return Array.prototype.map.call(bytes, function (b) { return ("0" + b.toString(16)).slice(-2); }).join("");
  }

  // ---- sound and flash ----------------------------------------------------------------
  function unlockAudio() {
    var Ctx = window.AudioContext || window.webkitAudioContext;
    if (!Ctx) return;
    if (!state.audio) state.audio = new Ctx();
    if (state.audio.state === "suspended") state.audio.resume();
  }
  function beep() {
    var ctx = state.audio;
    if (ctx && ctx.state === "running") {
      [0, 0.35, 0.7].forEach(function (offset) {
        var osc = ctx.createOscillator(), gain = ctx.createGain();
        osc.frequency.value = 880;
        gain.gain.value = 0.3;
        osc.connect(gain); gain.connect(ctx.destination);
        osc.start(ctx.currentTime + offset); osc.stop(ctx.currentTime + offset + 0.2);
      });
    }
    root.classList.remove("flash-alert");
    void root.offsetWidth; // restart the animation
    root.classList.add("flash-alert");
    if (navigator.vibrate) navigator.vibrate([200, 100, 200]);
  }

  // ---- network state ------------------------------------------------------------------
  function setNet(online) {
    var net = $("net");
    net.textContent = online ? TEXT.online : TEXT.offline;
    net.classList.toggle("offline", !online);
  }
  function showQueue() {
    var n = load(KEYS.queue, []).length;
    $("queue").textContent = n ? TEXT.queued.replace("{n}", n) : "";
    $("pending").textContent = n ? TEXT.pending.replace("{n}", n) : "";
    var refused = load(KEYS.attention, []), list = $("attention");
    $("attention-card").hidden = !refused.length;
    list.textContent = "";
    refused.forEach(function (r) {
      var li = document.createElement("li");
      li.textContent = new Date(r.at).toLocaleTimeString() + " " + r.method + " " + r.path + " — " + r.status + " " + r.description;
      list.appendChild(li);
    });
  }
  function showError(message) {
    var box = $("error");
    box.hidden = !message;
    box.textContent = message || "";
  }
  function headers(extra) {
    var h = { Authorization: "Bearer " + state.token, Accept: "application/json" };
    for (var k in extra) h[k] = extra[k];
    return h;
  }

  // ---- the queue ----------------------------------------------------------------------
  // send(method, path, body): queued with a key and the time now ("at" unless given); the
  // promise resolves with {status, body} when the server answered (perhaps much later).
  function send(method, path, body) {
    var item = { key: newKey(), method: method, path: path, body: body || {} };
    if (!item.body.at && !item.body.positions) item.body.at = new Date().toISOString();
    var queue = load(KEYS.queue, []);
    queue.push(item);
    save(KEYS.queue, queue);
    showQueue();
    var promise = new Promise(function (resolve) { state.waiters[item.key] = resolve; });
    flush();
    return promise;
  }
  function flush() {
    if (state.flushing || !state.token) return;
    var queue = load(KEYS.queue, []);
    if (!queue.length) return;
    state.flushing = true;
    var item = queue[0];
    fetch(API + item.path, {
      method: item.method,
      headers: headers({ "Content-Type": "application/json", "Idempotency-Key": item.key }),
      body: JSON.stringify(item.body),
    }).then(function (response) {
      if (response.status >= 500) throw new Error("server " + response.status);
      if (response.status === 401 || response.status === 403) {
        state.flushing = false;
        expire(TEXT.bad_token); // the queue stays: it is sent after the next sign-in
        return;
      }
      return response.json().catch(function () { return {}; }).then(function (answer) {
        var rest = load(KEYS.queue, []).filter(function (q) { return q.key !== item.key; });
        if (response.status < 400) chain(rest, item, answer);
        save(KEYS.queue, rest);
        setNet(true);
        if (response.status >= 400) {
          var refused = load(KEYS.attention, []);
          refused.push({ method: item.method, path: item.path, at: item.body.at || new Date().toISOString(),
                         status: response.status, description: answer.description || answer.error || "" });
          save(KEYS.attention, refused);
          showError(TEXT.refused + " " + (answer.description || response.status));
        } else showError("");
        var waiter = state.waiters[item.key];
        delete state.waiters[item.key];
        if (waiter) waiter({ status: response.status, body: answer });
        state.flushing = false;
        showQueue();
        flush();
      });
    }).catch(function () {
      state.flushing = false;
      setNet(false);
      showQueue();
      setTimeout(flush, RETRY_MS);
    });
  }

  // A patient record's later queued PUTs were made on the version this write answers: each
  // takes it (this vehicle alone writes its records, so the chain is its own, not a race).
  function chain(rest, item, answer) {
    if (typeof answer.version !== "number" || !answer.patient_id) return;
    var path = item.method === "PUT" ? item.path : item.path + "/" + answer.patient_id;
    rest.forEach(function (q) {
      if (q.method === "PUT" && q.path === path) q.body.version = answer.version;
    });
  }

  // ---- jobs ---------------------------------------------------------------------------
  function jobsPath() { return API + "/vehicles/" + state.vehicleId + "/jobs"; }
  // The status the crew last pressed that the server has not had yet: the server's answer
  // (an event sent just before the touch, or while offline) must not undo it on the screen.
  function queuedStatus() {
    var last = null;
    load(KEYS.queue, []).forEach(function (q) {
      if (/\/status$/.test(q.path)) last = q.body.status;
    });
    return last;
  }
  // Answers are numbered when asked for: a poll sent before a stream event and answered after
  // it (a slow network) is older than what the screen shows, and is dropped.
  var asked = 0, shown = 0;
  function received(payload, number) {
    if (number < shown) return;
    shown = number;
    setNet(true);
    state.status = queuedStatus() || payload.status;
    state.jobs = payload.jobs;
    $("call-sign").textContent = payload.call_sign;
    var seen = load(KEYS.seen, []), fresh = false;
    payload.jobs.forEach(function (j) {
      if (seen.indexOf(j.job_id) < 0) { seen.push(j.job_id); fresh = true; }
    });
    save(KEYS.seen, seen.slice(-50));
    var current = payload.jobs.length ? payload.jobs[0] : null;
    var before = state.current ? state.current.job_id : null;
    state.current = current;
    render();
    if (fresh) beep();
    if ((current ? current.job_id : null) !== before) {
      document.dispatchEvent(new CustomEvent("crew:job", { detail: current }));
    }
  }
  function poll() {
    var number = ++asked;
    return fetch(jobsPath(), { headers: headers({}) }).then(function (response) {
      if (response.status === 401 || response.status === 403) { expire(TEXT.bad_token); return; }
      if (!response.ok) throw new Error("status " + response.status);
      return response.json().then(function (payload) { received(payload, number); });
    });
  }
  // The server has no stream free (503): poll every POLL_MS for `ms`, then try the stream again.
  function pollFor(ms) {
    var until = Date.now() + ms;
    (function next() {
      if (!state.token) return;
      if (Date.now() >= until) { stream(); return; }
      poll().then(function () { setTimeout(next, POLL_MS); },
                  function () { setNet(false); setTimeout(next, POLL_MS); });
    })();
  }
  // The stream: "event: jobs" / "data: {...}" blocks; it ends after ~25 s and we reconnect.
  function stream() {
    if (!state.token) return;
    var controller = window.AbortController ? new AbortController() : null;
    state.streamAbort = controller;
    var options = { headers: headers({ Accept: "text/event-stream" }), cache: "no-store" };
    if (controller) options.signal = controller.signal;
    fetch(jobsPath() + "/stream", options).then(function (response) {
      if (response.status === 401 || response.status === 403) { expire(TEXT.bad_token); return "stop"; }
      if (response.status === 503) { pollFor(BUSY_MS); return "stop"; }  // streams full: poll a while
      if (!response.ok || !response.body || !window.TextDecoder) throw new Error("no stream");
      setNet(true);
      flush();
      var reader = response.body.getReader(), decoder = new TextDecoder(), buffer = "";
      function pump() {
        return reader.read().then(function (chunk) {
          if (chunk.done) return;
          buffer += decoder.decode(chunk.value, { stream: true });
          var blocks = buffer.split("\n\n");
          buffer = blocks.pop();
          blocks.forEach(function (block) {
            var data = block.split("\n").filter(function (l) { return l.indexOf("data: ") === 0; })
              .map(function (l) { return l.slice(6); }).join("\n");
            if (data && block.indexOf("event: jobs") >= 0) received(JSON.parse(data), ++asked);
          });
          return pump();
        });
      }
      return pump();
    }).then(function (outcome) {
      if (outcome !== "stop") stream();
    }).catch(function () {
      // No stream (an old browser, a proxy, no network): poll until it works again.
      if (!state.token) return;
      poll().then(function () { setTimeout(stream, POLL_MS); },
                  function () { setNet(false); setTimeout(stream, POLL_MS); });
    });
  }

  // ---- rendering ----------------------------------------------------------------------
  // Leaflet writes a string tooltip as HTML: addresses come from callers and other centres.
  function textNode(value) {
    var span = document.createElement("span");
    span.textContent = value == null ? "" : String(value);
    return span;
  }
  function text(id, value) { $(id).textContent = value == null ? "" : value; }
  function render() {
    var job = state.current;
    text("status", LABELS[state.status] || state.status);
    $("no-job").hidden = !!job;
    $("job-body").hidden = !job;
    if (job) {
      text("job-number", job.incident_number);
      text("job-triage", job.triage_level);
      $("job-triage").className = "badge level-" + job.triage_level;
      text("job-complaint", job.complaint);
      text("job-address", job.address);
      text("job-lonlat", job.lon.toFixed(5) + ", " + job.lat.toFixed(5));
      $("job-nav").href = "geo:" + job.lat + "," + job.lon;
      text("job-phone", job.caller_phone);
      $("job-phone").href = job.caller_phone ? "tel:" + job.caller_phone : "#";
      var h = job.hospital;
      text("job-hospital", h ? h.name + (h.recommended ? " (" + TEXT.recommended + ")" : "") : "—");
      text("job-source", job.source || "—");
      $("ack").hidden = !!job.acknowledged_at;
      text("ack-at", job.acknowledged_at ? TEXT.acknowledged + " " + new Date(job.acknowledged_at).toLocaleTimeString() : "");
      drawMap(job);
    }
    var allowed = TRANSITIONS[state.status] || [];
    Array.prototype.forEach.call($("status-buttons").querySelectorAll("button"), function (b) {
      var wanted = target(b.dataset.status);
      b.disabled = !wanted || allowed.indexOf(wanted) < 0;
    });
    var others = state.jobs.slice(1);
    $("other-jobs-card").hidden = !others.length;
    var list = $("other-jobs");
    list.textContent = "";
    others.forEach(function (j) {
      var li = document.createElement("li");
      li.textContent = j.incident_number + " · " + j.address + " · " + j.complaint;
      list.appendChild(li);
    });
  }
  // 完成 (done): returning after the patient is handed over or refused, then available.
  function target(button) {
    if (button !== "done") return button;
    return state.status === "returning" ? "available" : "returning";
  }
  function drawMap(job) {
    if (!window.L) return;
    if (!state.map) {
      state.map = L.map("job-map", { attributionControl: false });
      state.layers = L.layerGroup().addTo(state.map);
    }
    state.layers.clearLayers();
    var points = [[job.lat, job.lon]];
    L.circleMarker([job.lat, job.lon], { radius: 10, color: "#c53030" }).addTo(state.layers)
      .bindTooltip(textNode(job.address || job.incident_number), { permanent: true });
    if (job.hospital) {
      points.push([job.hospital.lat, job.hospital.lon]);
      L.circleMarker([job.hospital.lat, job.hospital.lon], { radius: 8, color: "#2b6cb0" })
        .addTo(state.layers).bindTooltip(textNode(job.hospital.name), { permanent: true });
      L.polyline(points, { color: "#718096", dashArray: "4 6" }).addTo(state.layers);
    }
    state.map.fitBounds(L.latLngBounds(points).pad(0.3), { maxZoom: 15 });
  }

  // ---- actions ------------------------------------------------------------------------
  function vehiclePath(rest) { return "/vehicles/" + state.vehicleId + rest; }
  function setStatus(wanted) {
    state.status = wanted; // shown at once; the queue sends it with the time of the touch
    if (wanted === "returning" || wanted === "available") {
      if (state.current) state.jobs = state.jobs.slice(1);
      state.current = state.jobs.length ? state.jobs[0] : null;
    }
    render();
    return send("POST", vehiclePath("/status"), { status: wanted });
  }
  function acknowledge() {
    var job = state.current;
    if (!job) return;
    job.acknowledged_at = new Date().toISOString();
    render();
    send("POST", vehiclePath("/jobs/" + job.job_id + "/ack"), { at: job.acknowledged_at });
  }
  function watchGps() {
    if (!navigator.geolocation) return;
    navigator.geolocation.watchPosition(function (p) {
      var now = Date.now();
      if (now - state.lastGps < GPS_MS) return;
      state.lastGps = now;
      send("POST", vehiclePath("/positions"), { positions: [{
        lon: p.coords.longitude, lat: p.coords.latitude, at: new Date(p.timestamp || now).toISOString() }] });
    }, function () {}, { enableHighAccuracy: true, maximumAge: 10000 });
  }

  // ---- sign-in ------------------------------------------------------------------------
  function start() {
    $("sign-in").hidden = true;
    $("main").hidden = false;
    showQueue();
    stream();
    flush();
    if (!state.gps) { state.gps = true; watchGps(); }
  }
  function stop() {
    if (state.streamAbort) state.streamAbort.abort();
    state.token = null;
    $("main").hidden = true;
    $("start").hidden = true;
    $("sign-in").hidden = false;
  }
  // The token was refused (reissued, or typed wrong): sign in again; the queue is kept.
  function expire(message) {
    localStorage.removeItem(KEYS.token);
    stop();
    showQueue();
    if (message) alert(message);
  }
  // The crew leaves the tablet: nothing of it stays (unsent updates are lost: asked first).
  function signOut() {
    var n = load(KEYS.queue, []).length;
    if (n && !confirm(TEXT.sign_out_queued.replace("{n}", n))) return;
    Object.keys(localStorage).forEach(function (k) { if (k.indexOf("crew.") === 0) localStorage.removeItem(k); });
    state.waiters = {};
    state.jobs = [];
    state.current = null;
    stop();
    showQueue();
    document.dispatchEvent(new CustomEvent("crew:job", { detail: null }));
  }
  $("sign-in").addEventListener("submit", function (event) {
    event.preventDefault();
    unlockAudio(); // the first touch: browsers allow sound only after one
    var form = event.target;
    state.vehicleId = parseInt(form.vehicle_id.value, 10);
    state.token = form.token.value.trim();
    form.token.value = "";
    save(KEYS.vehicle, state.vehicleId);
    save(KEYS.token, state.token);
    start();
  });
  $("start-shift").addEventListener("click", function () {
    unlockAudio();
    $("start").hidden = true;
  });
  $("ack").addEventListener("click", acknowledge);
  $("status-buttons").addEventListener("click", function (event) {
    var b = event.target.closest("button[data-status]");
    if (b && !b.disabled) setStatus(target(b.dataset.status));
  });
  $("sign-out").addEventListener("click", signOut);
  $("attention-clear").addEventListener("click", function () { save(KEYS.attention, []); showQueue(); });
  window.addEventListener("online", function () { setNet(true); flush(); });
  window.addEventListener("offline", function () { setNet(false); });

  state.vehicleId = load(KEYS.vehicle, null);
  state.token = load(KEYS.token, null);
  if (state.vehicleId && state.token) {
    $("start").hidden = false; // one touch to allow the alert sound after a reload
    start();
  } else {
    $("sign-in").hidden = false;
    showQueue();
  }

  // For the patient record's part of the page (terminal_patient.js).
  window.crewTerminal = {
    get vehicleId() { return state.vehicleId; },
    get token() { return state.token; },
    send: send,
    currentJob: function () { return state.current; },
  };
})();
