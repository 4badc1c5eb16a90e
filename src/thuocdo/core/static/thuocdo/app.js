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
