// Thước đo: small progressive enhancements; pages work without JavaScript.
(function () {
  "use strict";
  // on a phone the site navigation folds into one menu button (shown only with JavaScript,
  // so without it every link stays in view)
  var toggle = document.querySelector(".menu-toggle");
  var nav = document.getElementById("site-nav");
  if (toggle && nav) {
    document.documentElement.classList.add("has-menu");
    toggle.hidden = false;
    toggle.addEventListener("click", function () {
      var open = toggle.getAttribute("aria-expanded") !== "true";
      toggle.setAttribute("aria-expanded", open ? "true" : "false");
      nav.classList.toggle("open", open);
    });
  }
  // a table wider than the screen scrolls sideways: let the keyboard reach it too
  function scrollableTables() {
    var wraps = document.querySelectorAll(".table-wrap:not([tabindex])");
    for (var i = 0; i < wraps.length; i++) {
      var w = wraps[i];
      if (w.scrollWidth > w.clientWidth + 1 || w.scrollHeight > w.clientHeight + 1) {
        w.tabIndex = 0;
        w.setAttribute("role", "region");
        var table = w.querySelector("table caption, table th");
        w.setAttribute("aria-label", table ? table.textContent.trim() : "Table");
      }
    }
  }
  scrollableTables();
  window.addEventListener("resize", scrollableTables);
  document.addEventListener("toggle", scrollableTables, true);
  document.addEventListener("htmx:responseError", function (evt) {
    var target = evt.detail.target;
    if (target) {
      target.innerHTML = "";
      var p = document.createElement("p");
      p.className = "alert";
      p.textContent = document.documentElement.lang === "en"
        ? "The request failed (" + evt.detail.xhr.status + "). Please try again."
        : "Yêu cầu không thành công (" + evt.detail.xhr.status + "). Vui lòng thử lại.";
      target.appendChild(p);
    }
  });
})();
