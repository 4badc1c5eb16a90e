// Self-assessment form: shows and hides conditional questions as answers change (the page
// also autosaves through HTMX on every change; without JavaScript the buttons save).
(function () {
  "use strict";
  function readJSON(id) {
    var el = document.getElementById(id);
    return el ? JSON.parse(el.textContent) : null;
  }

  function pageAnswers(form, answers) {
    var out = Object.assign({}, answers);
    form.querySelectorAll("[data-criterion]").forEach(function (fs) {
      var code = fs.getAttribute("data-criterion"), type = fs.getAttribute("data-type");
      var name = "q_" + code, v = null;
      if (type === "multi") {
        v = Array.prototype.map.call(form.querySelectorAll('input[name="' + name + '"]:checked'),
          function (i) { return i.value; });
        if (!v.length) { v = null; }
      } else if (type === "number") {
        var n = form.querySelector('input[name="' + name + '"]');
        v = n && n.value !== "" ? Number(n.value.replace(",", ".")) : null;
      } else {
        var r = form.querySelector('input[name="' + name + '"]:checked');
        v = r ? r.value : null;
        if (v !== null && type === "boolean") { v = v === "yes"; }
        if (v !== null && type === "scale") { v = Number(v); }
      }
      if (v === null) { delete out[code]; } else { out[code] = v; }
    });
    return out;
  }

  // Autosave waits for a pause in typing; leaving the page in that moment (a step link, the
  // back button, closing the tab) sends the page's answers once more with a beacon, which
  // the browser delivers even as the page goes away.
  function keepUnsaved(form) {
    // changes made, changes the server holds, changes in the request under way; the form
    // carries data-unsaved while the server does not hold everything yet
    var url = form.getAttribute("hx-post"), changes = 0, saved = 0, sent = 0;
    function mark() {
      if (changes > saved) { form.setAttribute("data-unsaved", "1"); }
      else { form.removeAttribute("data-unsaved"); }
    }
    function changed() { changes += 1; mark(); }
    form.addEventListener("change", changed);
    form.addEventListener("input", changed);
    form.addEventListener("submit", function () { saved = changes; mark(); });
    document.body.addEventListener("htmx:beforeRequest", function (evt) {
      if (evt.detail && evt.detail.elt === form) { sent = changes; }
    });
    document.body.addEventListener("htmx:afterRequest", function (evt) {
      if (evt.detail && evt.detail.elt === form && evt.detail.successful) {
        saved = Math.max(saved, sent);
        mark();
      }
    });
    window.addEventListener("pagehide", function () {
      if (changes > saved && url && navigator.sendBeacon) {
        navigator.sendBeacon(url, new FormData(form));
        saved = changes;
      }
    });
  }

  function init() {
    var form = document.getElementById("sa-form");
    var schema = readJSON("td-schema");
    if (!form || !schema || !window.TDRelevance) { return; }
    var stored = readJSON("td-answers") || {};
    function refresh() {
      var applies = window.TDRelevance.compute(schema, pageAnswers(form, stored));
      form.querySelectorAll("[data-criterion]").forEach(function (fs) {
        fs.hidden = applies[fs.getAttribute("data-criterion")] === false;
      });
    }
    // an exclusive option ("none of these") cannot be combined with the others
    form.addEventListener("change", function (evt) {
      var box = evt.target;
      if (!box || box.type !== "checkbox" || !box.checked) { return; }
      var exclusive = box.getAttribute("data-exclusive") === "1";
      form.querySelectorAll('input[type=checkbox][name="' + box.name + '"]').forEach(function (other) {
        if (other !== box && (exclusive || other.getAttribute("data-exclusive") === "1")) {
          other.checked = false;
        }
      });
    }, true);
    form.addEventListener("change", refresh);
    form.addEventListener("input", refresh);
    keepUnsaved(form);
    refresh();
    form.setAttribute("data-ready", "1");
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else { init(); }
})();
