// 院前急救病历 on the crew terminal: the job's patients, their fields, vital signs,
// treatments and medications. Writes go through window.crewTerminal.send (queued offline
// with Idempotency-Keys); the records are read back from the job's GET (logged there).
(function () {
  "use strict";
  var section = document.getElementById("patients");
  var terminal = document.getElementById("terminal");
  if (!section || !terminal || !window.crewTerminal) return;
  var crew = window.crewTerminal;
  var API = terminal.dataset.api;
  var TEXT = JSON.parse(section.dataset.text);
  var CODES_KEY = "crew.patientCodes";
  var state = { job: null, patients: [], current: null };
  var patientForm = document.getElementById("patient-form");
  var vitalsForm = document.getElementById("vitals-form");
  var careForm = document.getElementById("care-form");
  var VITALS = ["sbp", "dbp", "pulse", "resp", "spo2", "temp", "glucose", "gcs"];
  var TEXTS = ["name", "history", "diagnosis_note", "refusal_reason", "receiving_doctor"];

  function jobPath() {
    return "/vehicles/" + crew.vehicleId + "/jobs/" + state.job.job_id + "/patients";
  }
  function get(path) {
    return fetch(API + path, {
      headers: { Authorization: "Bearer " + crew.token, Accept: "application/json" },
    }).then(function (response) {
      if (!response.ok) throw new Error("status " + response.status);
      return response.json();
    });
  }
  // A datetime-local value (the tablet's local time) as ISO 8601 in UTC; "" stays "".
  function iso(value) { return value ? new Date(value).toISOString() : ""; }
  function local(isoText) {
    if (!isoText) return "";
    var d = new Date(isoText);
    d.setMinutes(d.getMinutes() - d.getTimezoneOffset());
    return d.toISOString().slice(0, 16);
  }
  function clock(isoText) { return new Date(isoText).toLocaleTimeString([], { hour: "2-digit", minute: "2-digit" }); }

  // ---- the coded lists (kept on the device for offline use) ----------------------------
  function fillSelect(select, rows, withCode) {
    var zh = (document.documentElement.lang || "zh").indexOf("en") !== 0, chosen = select.value;
    while (select.options.length > 1) select.remove(1);
    rows.forEach(function (row) {
      var name = zh ? row.zh : row.en;
      select.add(new Option(withCode ? row.code + " " + name : name, row.code));
    });
    select.value = chosen;  // the lists arriving again keep what the crew chose
  }
  function showCodes(lists) {
    fillSelect(document.getElementById("patient-complaint"), lists.complaints, false);
    fillSelect(document.getElementById("patient-diagnosis"), lists.diagnoses, true);
  }
  function loadCodes() {
    var kept = localStorage.getItem(CODES_KEY);
    if (kept) showCodes(JSON.parse(kept));
    get("/vehicles/" + crew.vehicleId + "/patient-codes").then(function (lists) {
      localStorage.setItem(CODES_KEY, JSON.stringify(lists));
      showCodes(lists);
    }).catch(function () { /* offline: the kept lists serve */ });
  }

  // ---- the job's patients --------------------------------------------------------------
  function refresh() {
    if (!state.job) return Promise.resolve();
    return get(jobPath()).then(function (answer) {
      state.patients = answer.patients;
      if (state.current) {
        state.current = state.patients.filter(function (p) { return p.patient_id === state.current.patient_id; })[0] || null;
      }
      render(false);  // the form keeps what the crew is typing; tabs and entries are new
    }).catch(function () { /* offline: what is shown stays */ });
  }
  function label(p, i) {
    var sex = TEXT.sexes[p.sex] || "";
    var age = p.age_years === null ? "" : " " + (p.age_estimated ? "~" : "") + p.age_years + TEXT.years;
    return (i + 1) + ". " + (p.name || TEXT.unknown_name) + " " + sex + age;
  }
  // refill: false when only the list changed (an answer arriving), so that a form being
  // typed is never emptied under the crew's fingers.
  function render(refill) {
    var tabs = document.getElementById("patient-tabs");
    tabs.textContent = "";
    state.patients.forEach(function (p, i) {
      var b = document.createElement("button");
      b.type = "button";
      b.textContent = label(p, i);
      if (state.current && state.current.patient_id === p.patient_id) b.className = "current";
      b.addEventListener("click", function () { state.current = p; render(true); });
      tabs.appendChild(b);
    });
    var current = state.current;
    document.getElementById("patient-title").textContent =
      current ? label(current, state.patients.indexOf(current)) : TEXT.new;
    if (refill !== false) fillForm(current);
    renderEntries(current ? current.entries : []);
  }
  function fillForm(p) {
    TEXTS.forEach(function (f) { patientForm.elements[f].value = p ? p[f] : ""; });
    ["sex", "complaint_code", "diagnosis_code", "refusal"].forEach(function (f) {
      patientForm.elements[f].value = p ? p[f] : (f === "sex" ? "unknown" : "");
    });
    patientForm.elements.age_years.value = p && p.age_years !== null ? p.age_years : "";
    patientForm.elements.age_estimated.checked = !!(p && p.age_estimated);
    patientForm.elements.handover_at.value = p ? local(p.handover_at) : "";
    document.getElementById("patient-saved").textContent = "";
  }
  function renderEntries(entries) {
    var list = document.getElementById("patient-entries");
    list.textContent = "";
    entries.forEach(function (e) {
      var li = document.createElement("li"), v = e.values, text;
      if (e.kind === "vitals") {
        text = VITALS.filter(function (k) { return v[k] !== null && v[k] !== undefined; })
          .map(function (k) { return k.toUpperCase() + " " + v[k]; }).join(", ");
        text = (TEXT.phases[v.phase] || "") + ": " + text;
      } else {
        text = v.text + (v.dose ? " " + v.dose : "");
      }
      li.textContent = clock(e.at) + " " + TEXT.kinds[e.kind] + " — " + text;
      list.appendChild(li);
    });
  }

  // ---- writing -------------------------------------------------------------------------
  function patientBody() {
    var body = {}, el = patientForm.elements;
    TEXTS.forEach(function (f) { body[f] = el[f].value; });
    ["sex", "complaint_code", "diagnosis_code", "refusal"].forEach(function (f) { body[f] = el[f].value; });
    body.age_years = el.age_years.value === "" ? null : Number(el.age_years.value);
    body.age_estimated = el.age_estimated.checked;
    body.handover_at = iso(el.handover_at.value) || null;
    return body;
  }
  function savePatient(event) {
    event.preventDefault();
    if (!state.job) return;
    var body = patientBody(), current = state.current, sent;
    if (current) {
      body.version = current.version;
      sent = crew.send("PUT", jobPath() + "/" + current.patient_id, body);
    } else {
      sent = crew.send("POST", jobPath(), body);
    }
    sent.then(function (answer) {
      if (answer.status === 409) document.getElementById("patient-saved").textContent = TEXT.changed;
      if (answer.status >= 400) return refresh();
      state.current = { patient_id: answer.body.patient_id };
      return refresh().then(function () {
        document.getElementById("patient-saved").textContent = TEXT.saved;
      });
    });
  }
  function addEntry(form, kind, values) {
    if (!state.current) { document.getElementById("patient-saved").textContent = TEXT.save_first; return; }
    values.kind = kind;
    values.at = iso(form.elements.at.value) || new Date().toISOString();
    crew.send("POST", jobPath() + "/" + state.current.patient_id + "/entries", values).then(function (answer) {
      if (answer.status < 400) form.reset();
      refresh();
    });
  }
  vitalsForm.addEventListener("submit", function (event) {
    event.preventDefault();
    var values = { phase: vitalsForm.elements.phase.value };
    VITALS.forEach(function (k) {
      var raw = vitalsForm.elements[k].value;
      values[k] = raw === "" ? null : Number(raw);
    });
    addEntry(vitalsForm, "vitals", values);
  });
  careForm.addEventListener("submit", function (event) {
    event.preventDefault();
    var kind = careForm.elements.kind.value, values = { text: careForm.elements.text.value };
    if (kind === "medication") values.dose = careForm.elements.dose.value;
    addEntry(careForm, kind, values);
  });
  patientForm.addEventListener("submit", savePatient);
  document.getElementById("patient-new").addEventListener("click", function () {
    state.current = null;
    render();
  });

  function setJob(job) {
    if (job && !state.codesLoaded) { state.codesLoaded = true; loadCodes(); }
    var same = job && state.job && job.job_id === state.job.job_id;
    state.job = job;
    if (same) return;  // the same job again: what the crew is typing stays
    state.patients = [];
    state.current = null;
    section.hidden = !job;
    render();
    refresh();
  }
  document.addEventListener("crew:job", function (event) { setJob(event.detail); });
  if (crew.currentJob()) setJob(crew.currentJob());
})();
