// Import form: sends the CSV with XMLHttpRequest to show the upload's
// progress, then "Checking N rows…" while the server reads the file. The
// server answers a good upload with a redirect to the preview page, which
// this script then opens; an error page replaces the page's main part.
// Without JavaScript the form posts as usual.
(function () {
  'use strict';

  function countRows(file, done) {
    if (!file.text || file.size > 10 * 1024 * 1024) { done(null); return; }
    file.text().then(function (text) {
      var n = 0;
      for (var i = 0; i < text.length; i++) { if (text.charCodeAt(i) === 10) { n++; } }
      if (text.length && text.charCodeAt(text.length - 1) !== 10) { n++; }
      done(Math.max(n - 1, 0)); // the header is no item
    }, function () { done(null); });
  }

  function init() {
    var form = document.getElementById('import-form');
    if (!form || !window.XMLHttpRequest || !window.FormData) { return; }
    form.addEventListener('submit', function (ev) {
      var input = form.querySelector('input[type=file]');
      if (!input || !input.files || !input.files.length) { return; } // the browser says it is required
      ev.preventDefault();
      var box = document.getElementById('import-progress');
      var bar = document.getElementById('import-bar');
      var status = document.getElementById('import-status');
      var button = form.querySelector('button[type=submit]');
      var rows = null;
      countRows(input.files[0], function (n) { rows = n; });
      box.classList.remove('d-none');
      button.disabled = true;
      status.textContent = form.dataset.uploading;
      bar.value = 0;

      var xhr = new XMLHttpRequest();
      xhr.open('POST', form.action);
      xhr.upload.addEventListener('progress', function (e) {
        if (e.lengthComputable) { bar.value = Math.round(e.loaded * 100 / e.total); }
      });
      xhr.upload.addEventListener('load', function () {
        bar.removeAttribute('value'); // indeterminate while the server checks
        var text = form.dataset.checking;
        status.textContent = rows === null ? text.replace(/\s*__N__\s*/, ' ') : text.replace('__N__', rows);
      });
      xhr.addEventListener('load', function () {
        var to = xhr.responseURL || '';
        if (xhr.status === 200 && to.indexOf('/items/import/') !== -1) {
          window.location.assign(to);
          return;
        }
        var doc = new DOMParser().parseFromString(xhr.responseText, 'text/html');
        var main = doc.getElementById('main');
        if (!main) { form.submit(); return; }
        document.getElementById('main').replaceWith(main);
        document.title = doc.title;
        main.focus();
        init();
      });
      xhr.addEventListener('error', function () {
        status.textContent = form.dataset.failed;
        bar.value = 0;
        button.disabled = false;
      });
      xhr.send(new FormData(form));
    });
  }

  init();
}());
