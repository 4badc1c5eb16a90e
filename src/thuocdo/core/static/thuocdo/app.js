// Thước đo: small progressive enhancements; pages work without JavaScript.
(function () {
  "use strict";
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
