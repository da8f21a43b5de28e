// item-form.js: when the category of the item form changes, reload the
// form as GET /items/new?category=N (or the edit address) keeping every
// typed value, so that the fields of the new category show. Without
// JavaScript the "Show the fields of this category" button does the same.
(function () {
  "use strict";
  var form = document.getElementById("item-form");
  if (!form) {
    return;
  }
  var select = form.querySelector("select[data-reload]");
  if (!select) {
    return;
  }
  var button = document.getElementById("reload");
  if (button) {
    button.classList.add("d-none");
  }
  select.addEventListener("change", function () {
    var params = new URLSearchParams();
    new FormData(form).forEach(function (value, key) {
      // Files cannot travel in an address; the CSRF token must not.
      if (typeof value === "string" && key !== "csrf") {
        params.append(key, value);
      }
    });
    params.set("reload", "1");
    window.location.assign(form.getAttribute("action") + "?" + params.toString());
  });
})();
