// Offline form: keeps answers on the device (localStorage) and sends them, when online, to
// the API with an Idempotency-Key made here, so a retried send never creates a duplicate.
(function () {
  "use strict";
  var QUEUE = "td-offline-queue", CAMPAIGNS = "td-offline-campaigns";
  var app, campaigns = [], csrf = "";
  var vi = document.documentElement.lang !== "en";
  function t(viText, enText) { return vi ? viText : enText; }
  function load(key, fallback) {
    try { return JSON.parse(localStorage.getItem(key)) || fallback; } catch (e) { return fallback; }
  }
  function store(key, value) { localStorage.setItem(key, JSON.stringify(value)); }
  function newKey() {
    // 128 random bits from the browser's cryptographic generator (randomUUID needs a secure
    // context; getRandomValues is everywhere the form runs)
    if (window.crypto.randomUUID) { return window.crypto.randomUUID(); }
    var bytes = new Uint8Array(16);
    window.crypto.getRandomValues(bytes);
    return "k-" + Array.prototype.map.call(bytes, function (b) {
      return ("0" + b.toString(16)).slice(-2);
    }).join("");
  }
  function el(tag, attrs, text) {
    var e = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (k) { e.setAttribute(k, attrs[k]); });
    if (text !== undefined) { e.textContent = text; }
    return e;
  }
  function cookie(name) {
    var m = document.cookie.match(new RegExp("(?:^|; )" + name + "=([^;]*)"));
    return m ? decodeURIComponent(m[1]) : "";
  }
  function current() {
    var id = Number(document.getElementById("off-campaign").value);
    return campaigns.filter(function (c) { return c.id === id; })[0];
  }
  function criteria(c) {
    var out = [];
    c.form.pillars.forEach(function (p) { p.criteria.forEach(function (q) { out.push(q); }); });
    return out;
  }
  function renderCampaigns() {
    var select = document.getElementById("off-campaign");
    select.textContent = "";
    campaigns.forEach(function (c) { select.appendChild(el("option", { value: c.id }, c.name + " (" + c.area + ")")); });
    renderQuestions();
  }
  function renderQuestions() {
    var box = document.getElementById("off-questions"), c = current();
    box.textContent = "";
    var types = document.getElementById("off-type");
    types.textContent = "";
    if (!c) { return; }
    c.entity_types.forEach(function (et) { types.appendChild(el("option", { value: et }, et)); });
    c.form.pillars.forEach(function (p) {
      box.appendChild(el("h2", {}, p.name));
      p.criteria.forEach(function (q) {
        var fs = el("fieldset", { "class": "q card", "data-criterion": q.code, "data-type": q.type });
        fs.appendChild(el("legend", {}, q.text));
        var name = "o_" + q.code;
        if (q.type === "single" || q.type === "multi") {
          q.options.forEach(function (o) {
            var label = el("label", { "class": "opt" });
            label.appendChild(el("input", { type: q.type === "single" ? "radio" : "checkbox", name: name, value: o.code }));
            label.appendChild(el("span", {}, o.text));
            fs.appendChild(label);
          });
        } else if (q.type === "boolean" || q.type === "scale") {
          var values = q.type === "boolean" ? [["yes", t("Có", "Yes")], ["no", t("Không", "No")]] : [];
          for (var v = q.min; q.type === "scale" && v <= q.max; v++) { values.push([String(v), String(v)]); }
          values.forEach(function (pair) {
            var label = el("label", { "class": "opt" });
            label.appendChild(el("input", { type: "radio", name: name, value: pair[0] }));
            label.appendChild(el("span", {}, pair[1]));
            fs.appendChild(label);
          });
        } else {
          fs.appendChild(el("input", { type: "number", step: "any", inputmode: "decimal", name: name }));
        }
        box.appendChild(fs);
      });
    });
    refresh();
  }
  function answers() {
    var c = current(), out = {};
    if (!c) { return out; }
    criteria(c).forEach(function (q) {
      var name = "o_" + q.code, v = null;
      if (q.type === "multi") {
        v = Array.prototype.map.call(app.querySelectorAll('input[name="' + name + '"]:checked'), function (i) { return i.value; });
        if (!v.length) { v = null; }
      } else if (q.type === "number") {
        var n = app.querySelector('input[name="' + name + '"]');
        v = n && n.value !== "" ? Number(n.value.replace(",", ".")) : null;
      } else {
        var r = app.querySelector('input[name="' + name + '"]:checked');
        v = r ? r.value : null;
        if (v !== null && q.type === "boolean") { v = v === "yes"; }
        if (v !== null && q.type === "scale") { v = Number(v); }
      }
      if (v !== null) { out[q.code] = v; }
    });
    return out;
  }
  function refresh() {
    var c = current();
    if (!c || !window.TDRelevance) { return; }
    var given = answers();
    var applies = window.TDRelevance.compute(criteria(c), given);
    app.querySelectorAll("#off-questions [data-criterion]").forEach(function (fs) {
      fs.hidden = applies[fs.getAttribute("data-criterion")] === false;
    });
  }
  function renderQueue() {
    var list = document.getElementById("off-queue"), queue = load(QUEUE, []);
    list.textContent = "";
    queue.forEach(function (item) {
      var li = el("li", { "data-key": item.key }, (item.label || item.key) + (item.error ? " — " + item.error : ""));
      list.appendChild(li);
    });
    if (!queue.length) { list.appendChild(el("li", {}, t("Không còn phiếu nào chờ gửi.", "Nothing waiting."))); }
  }
  function save() {
    var c = current();
    if (!c) { return; }
    var tax = document.getElementById("off-tax").value.trim();
    var body = { campaign_id: c.id, answers: answers(), channel: "offline", status: "submitted" };
    if (tax) { body.organisation_tax_code = tax; }
    if (!tax || document.getElementById("off-name").value.trim()) {
      body.organisation_new = {
        name: document.getElementById("off-name").value.trim(),
        tax_code: tax || null,
        entity_type: document.getElementById("off-type").value,
        commune_code: document.getElementById("off-commune").value.trim()
      };
    }
    var queue = load(QUEUE, []);
    queue.push({ key: newKey(), body: body, label: (body.organisation_new && body.organisation_new.name) || tax, at: Date.now() });
    store(QUEUE, queue);
    app.querySelectorAll("#off-questions input").forEach(function (i) { if (i.type === "radio" || i.type === "checkbox") { i.checked = false; } else { i.value = ""; } });
    renderQueue();
    sync();
  }
  function sync() {
    if (!navigator.onLine) { return; }
    var queue = load(QUEUE, []);
    if (!queue.length) { return; }
    var item = queue[0];
    fetch(app.getAttribute("data-submit-url"), {
      method: "POST", credentials: "same-origin",
      headers: { "Content-Type": "application/json", "Idempotency-Key": item.key, "X-CSRFToken": cookie("csrftoken") || csrf },
      body: JSON.stringify(item.body)
    }).then(function (res) {
      return res.json().then(function (data) { return { status: res.status, data: data }; });
    }).then(function (r) {
      var rest = load(QUEUE, []).filter(function (q) { return q.key !== item.key; });
      if (r.status === 200 || r.status === 201) {
        store(QUEUE, rest);
        renderQueue();
        sync();
      } else {
        item.error = (r.data.errors || []).map(function (e) { return e.field + ": " + e.message; }).join("; ") || r.data.detail;
        rest.push(item);  // keep it, at the end, with its problem shown
        store(QUEUE, rest);
        renderQueue();
      }
    }).catch(function () { /* still offline: keep the queue */ });
  }
  function status() {
    document.getElementById("net-status").textContent = navigator.onLine
      ? t("Đang có mạng.", "Online.") : t("Mất mạng: phiếu được giữ trên máy.", "Offline: answers stay on this device.");
  }
  function init() {
    app = document.getElementById("offline-app");
    if (!app) { return; }
    if ("serviceWorker" in navigator) {
      navigator.serviceWorker.register(app.getAttribute("data-sw-url"), { scope: "/assessments/" }).catch(function () {});
    }
    campaigns = load(CAMPAIGNS, []);
    renderCampaigns();
    renderQueue();
    status();
    fetch(app.getAttribute("data-campaigns-url"), { credentials: "same-origin" })
      .then(function (r) { return r.json(); })
      .then(function (data) { campaigns = data.campaigns; csrf = data.csrf; store(CAMPAIGNS, campaigns); renderCampaigns(); })
      .catch(function () {});
    document.getElementById("off-campaign").addEventListener("change", renderQuestions);
    app.addEventListener("change", refresh);
    document.getElementById("off-save").addEventListener("click", save);
    document.getElementById("off-sync").addEventListener("click", sync);
    window.addEventListener("online", function () { status(); sync(); });
    window.addEventListener("offline", status);
    sync();
  }
  if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", init); } else { init(); }
})();
