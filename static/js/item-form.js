// item-form.js, on the item form:
// - when the category changes, reload the form as GET /items/new?category=N
//   (or the edit address) keeping every typed value, so that the fields of
//   the new category show. Without JavaScript the "Show the fields of this
//   category" button does the same.
// - on a new item, when the kind changes and the audience is still the old
//   kind's default, choose the new kind's default (parts are stock, with
//   their own default audience).
(function () {
  "use strict";
  var form = document.getElementById("item-form");
  if (!form) {
    return;
  }

  var kind = form.querySelector("select#kind");
  if (kind) {
    var defaultOf = function () {
      var opt = kind.options[kind.selectedIndex];
      return opt ? opt.getAttribute("data-audience") : null;
    };
    var previous = defaultOf();
    kind.addEventListener("change", function () {
      var next = defaultOf();
      var checked = form.querySelector("input[name=audience]:checked");
      if (previous && next && (!checked || checked.value === previous)) {
        var radio = form.querySelector("input[name=audience][value=" + next + "]");
        if (radio) {
          radio.checked = true;
        }
      }
      previous = next;
    });
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
